//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0
//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;
import software.amazon.awssdk.services.codedeploy.model.S3Location;

/**
 * What {@code release --json} prints: what each step reached (a field is left out until its step has it), how the
 * release ended ({@code status}: Planned, Created, Succeeded, RolledBack, Failed, Stopped or Error) with its exit
 * code, and each step's duration in seconds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ReleaseResult(String version, String commit, @JsonUnwrapped Pinned pinned, String bucket, String key, String sha256,
                     List<String> files, @JsonUnwrapped Stored stored, String revisionFile, String deploymentId, Map<String, Long> overview,
                     List<EventFailure> failures, String errorCode, String errorMessage, String rollbackDeploymentId,
                     String rollbackStatus, String status, Integer exitCode, String error, Map<String, Double> steps) {

    /** The image step's answer: {@code digest} is null when a dry run cannot know it (written, as null). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Pinned(String image, String digest) {}

    /** The upload's answer: {@code versionId} is null for a bucket without versioning (written, as null). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Stored(String eTag, String versionId) {}

    /** What the steps reached: any of them may be {@code null} (not reached, or nothing to say). */
    record Reached(Versioning version, ImageRef image, String bucket, Kit.Zip zip, Target.Revision revision, String deploymentId,
                   CodeDeploy.Outcome outcome) {}

    /** The result of a release that ended with {@code status} and {@code exitCode} ({@code error}: its failure line). */
    static ReleaseResult of(Reached r, String status, int exitCode, String error, Map<String, Double> steps) {
        Versioning v = r.version();
        Kit.Zip zip = r.zip();
        S3Location s3 = get(get(r.revision(), Target.Revision::s3), RevisionLocation::s3Location);
        CodeDeploy.Outcome o = r.outcome();
        CodeDeploy.Outcome back = get(o, CodeDeploy.Outcome::rollback);
        return new ReleaseResult(get(v, Versioning::version), get(v, Versioning::commit),
                get(r.image(), i -> new Pinned(i.toString(), i.digest())), zip == null ? null : r.bucket(), get(zip, Kit.Zip::key),
                get(zip, Kit.Zip::sha256), get(zip, Kit.Zip::files), get(s3, l -> new Stored(l.eTag(), l.version())),
                get(get(r.revision(), Target.Revision::file), java.nio.file.Path::toString), r.deploymentId(),
                get(o, CodeDeploy.Outcome::overview), get(o, CodeDeploy.Outcome::failures), get(o, CodeDeploy.Outcome::errorCode),
                get(o, CodeDeploy.Outcome::errorMessage), get(back, CodeDeploy.Outcome::deploymentId), get(back, CodeDeploy.Outcome::status),
                status, exitCode, error, steps);
    }

    private static <T, R> R get(T value, Function<T, R> field) {
        return value == null ? null : field.apply(value);
    }
}
