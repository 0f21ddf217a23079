//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import software.amazon.awssdk.services.codedeploy.model.CreateDeploymentRequest;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupInfo;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;

/**
 * A release's real target: Docker builds and pushes the image (or learns a given image's digest), S3 takes the
 * bundle, CodeDeploy registers it, deploys it and is followed to the end. The AWS clients are built on their own
 * threads from the start, while the version and the kit are worked out.
 */
final class LiveTarget implements Target {
    private final Plan plan;
    private final Docker docker;
    private final Log log;
    private final Aws.Clients aws;
    private CodeDeploy codeDeploy;
    private DeploymentGroupInfo group;

    LiveTarget(Plan plan, Docker docker, Log log) {
        this.plan = plan;
        this.docker = docker;
        this.log = log;
        this.aws = new Aws.Clients(plan.aws());
    }

    /** Only once the kit is valid: HeadBucket and GetDeploymentGroup, side by side. */
    @Override
    public String check(Kit kit) {
        Plan.Deployment d = plan.deployment();
        CompletableFuture<Void> bucket = aws.withS3(s3 -> Upload.checkBucket(s3, plan.storage().bucket(), plan.aws().region(), attempts()));
        group = codeDeploy().group(d.application(), d.group(), plan.aws().region());
        Aws.join(bucket);
        return "; bucket and group exist";
    }

    @Override
    public Done<ImageRef> image(Versioning v) {
        return plan.image().pin(docker, log, v);
    }

    @Override
    public Done<Revision> upload(Kit.Zip zip, Versioning v, String description) {
        Plan.Storage s = plan.storage();
        RevisionLocation r = Upload.put(aws.s3(), s.bucket(), zip.key(), zip.bytes(), zip.sha256(), s.sse(), s.kmsKey(),
                Map.of("release-version", v.version(), "release-commit", v.commit()), attempts());
        String application = plan.deployment().application();
        codeDeploy().register(application, r, description);
        return new Done<>(new Revision(r, null), "s3://" + s.bucket() + "/" + zip.key() + " (ETag " + r.s3Location().eTag()
                + (r.s3Location().version() == null ? "" : ", version " + r.s3Location().version()) + "), registered with " + application);
    }

    /**
     * CreateDeployment: the group's configuration unless one is given, automatic rollback on failure unless turned off;
     * at most one deployment, even when the answer is lost ({@link CreateOnce}).
     */
    @Override
    public Done<String> deploy(Revision revision, String description) {
        Plan.Deployment d = plan.deployment();
        CreateDeploymentRequest request = CreateDeploymentRequest.builder().applicationName(d.application()).deploymentGroupName(d.group())
                .revision(revision.s3()).deploymentConfigName(d.config()).description(description).fileExistsBehavior(d.fileExists())
                .autoRollbackConfiguration(a -> a.enabled(d.autoRollback()).eventsWithStrings(d.autoRollback() ? List.of("DEPLOYMENT_FAILURE") : List.of()))
                .build();
        CreateOnce.Created c = new CreateOnce(codeDeploy(), aws.codeDeploy(), plan.aws(), log).create(request, d.waitForActive());
        String config = d.config() != null ? d.config()
                : group.deploymentConfigName() == null ? "group's configuration" : group.deploymentConfigName();
        return new Done<>(c.id(), c.how() + " " + c.id() + " (" + d.application() + "/" + d.group() + ", " + config + ")");
    }

    /** A failure while following names the deployment: it exists, and can be followed by hand. */
    @Override
    public CodeDeploy.Outcome await(String id) {
        try {
            return codeDeploy().await(id, Instant.now().plus(plan.deployment().timeout()), true);
        } catch (Cli.Fail f) {
            throw new Cli.Fail(f.exitCode, "deployment " + id + ": " + f.getMessage());
        }
    }

    @Override
    public void close() {
        aws.close();
    }

    private CodeDeploy codeDeploy() {
        if (codeDeploy == null) {
            codeDeploy = new CodeDeploy(aws.codeDeploy(), attempts(), plan.deployment().poll(), log);
        }
        return codeDeploy;
    }

    private int attempts() {
        return plan.aws().maxAttempts();
    }
}
