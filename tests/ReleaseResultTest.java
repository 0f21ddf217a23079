import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;

/** release --json: the field names and values scripts read, each present once its step has it, in a stable order. */
@Tag("fast")
class ReleaseResultTest {
    static final Versioning V = new Versioning("1.4.2", ReleaseFixture.COMMIT, Instant.EPOCH, "--release-version");
    static final Kit.Zip ZIP = new Kit.Zip(new byte[] {1}, "cd".repeat(32), "codedeploy/art/1.4.2-cdcdcdcdcdcdcdcd.zip",
            List.of("appspec.yml", "compose.yml", "image.txt", "release.json"));
    static final Map<String, Double> STEPS = new LinkedHashMap<>(Map.of("version", 0.1));

    static JsonNode json(ReleaseResult r) throws Exception {
        return ReleaseFixture.JSON.readTree(Json.write(r));
    }

    static List<String> fields(JsonNode j) {
        List<String> names = new ArrayList<>();
        j.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Target.Revision revision(String versionId) {
        return new Target.Revision(RevisionLocation.builder().revisionType("S3")
                .s3Location(l -> l.bucket("bundles").key(ZIP.key()).bundleType("zip").eTag("etag1").version(versionId)).build(), null);
    }

    @Test
    void aFailureBeforeAnyStepSaysOnlyHowItEnded() throws Exception {
        JsonNode j = json(ReleaseResult.of(new ReleaseResult.Reached(null, null, "bundles", null, null, null, null),
                "Error", Cli.INPUT, "missing --bucket", Map.of()));
        assertEquals(List.of("status", "exitCode", "error", "steps"), fields(j));
        assertEquals(2, j.path("exitCode").asInt());
        assertEquals("missing --bucket", j.path("error").asText());
    }

    @Test
    void aDryRunHasTheBundleButNoUploadOrDeployment() throws Exception {
        ImageRef planned = new ImageRef("registry.example.com/team/app", "1.4.2", null);
        JsonNode j = json(ReleaseResult.of(new ReleaseResult.Reached(V, planned, "bundles", ZIP, null, null, null), "Planned", Cli.OK, null, STEPS));
        assertEquals(List.of("version", "commit", "image", "digest", "bucket", "key", "sha256", "files", "status", "exitCode", "steps"), fields(j));
        assertTrue(j.path("digest").isNull(), "unknown before the push: written, as null");
        assertEquals("registry.example.com/team/app:1.4.2", j.path("image").asText());
        assertEquals("bundles", j.path("bucket").asText());
        List<String> files = new ArrayList<>();
        j.path("files").forEach(n -> files.add(n.asText()));
        assertEquals(ZIP.files(), files);
        assertEquals(0.1, j.path("steps").path("version").asDouble());
    }

    @Test
    void aDeploymentThatRolledBackCarriesBothOutcomes() throws Exception {
        ImageRef image = ImageRef.parse(ReleaseFixture.IMAGE, "test");
        EventFailure failure = new EventFailure("ValidateService", "hooks/validate", "ScriptFailed", "exit code 3", "tail",
                List.of("i-1", "i-2"));
        CodeDeploy.Outcome rollback = new CodeDeploy.Outcome("d-ROLLBACK1", "Succeeded", Map.of("succeeded", 2L), null, null, List.of(), null);
        CodeDeploy.Outcome failed = new CodeDeploy.Outcome("d-DEPLOYED1", "Failed", Map.of("failed", 2L), "HEALTH_CONSTRAINTS", "too few",
                List.of(failure), rollback);
        JsonNode j = json(ReleaseResult.of(new ReleaseResult.Reached(V, image, "bundles", ZIP, revision(null), "d-DEPLOYED1", failed),
                "RolledBack", Cli.ROLLED_BACK, null, STEPS));
        assertEquals(List.of("version", "commit", "image", "digest", "bucket", "key", "sha256", "files", "eTag", "versionId",
                "deploymentId", "overview", "failures", "errorCode", "errorMessage", "rollbackDeploymentId", "rollbackStatus",
                "status", "exitCode", "steps"), fields(j));
        assertEquals(ReleaseFixture.DIGEST, j.path("digest").asText());
        assertEquals("etag1", j.path("eTag").asText());
        assertTrue(j.path("versionId").isNull(), "a bucket without versioning: written, as null");
        assertEquals("d-ROLLBACK1", j.path("rollbackDeploymentId").asText());
        assertEquals("Succeeded", j.path("rollbackStatus").asText());
        assertEquals(2, j.path("overview").path("failed").asInt());
        JsonNode f = j.path("failures").get(0);
        assertEquals(List.of("event", "script", "errorCode", "message", "logTail", "instances"), fields(f));
        assertEquals("[\"i-1\",\"i-2\"]", f.path("instances").toString());
    }

    @Test
    void aSuccessHasNoErrorOrRollbackFields() throws Exception {
        ImageRef image = ImageRef.parse(ReleaseFixture.IMAGE, "test");
        CodeDeploy.Outcome ok = new CodeDeploy.Outcome("d-DEPLOYED1", "Succeeded", Map.of("succeeded", 1L), null, null, List.of(), null);
        JsonNode j = json(ReleaseResult.of(new ReleaseResult.Reached(V, image, "bundles", ZIP, revision("v7"), "d-DEPLOYED1", ok),
                "Succeeded", Cli.OK, null, STEPS));
        assertEquals("v7", j.path("versionId").asText());
        assertTrue(j.path("errorCode").isMissingNode() && j.path("rollbackDeploymentId").isMissingNode() && j.path("error").isMissingNode());
        assertEquals("[]", j.path("failures").toString());
    }
}
