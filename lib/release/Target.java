//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;

/**
 * Where a release goes and what it does there: the registry (the image), S3 (the bundle) and CodeDeploy (the
 * deployment). {@link LiveTarget} does it; a dry run's {@link DryRun} touches nothing and says what it would do. Each
 * step's answer comes with its line for the log.
 */
interface Target extends AutoCloseable {
    /** A step's result and the line that tells it. */
    record Done<T>(T value, String detail) {}

    /** Where the bundle went: an S3 revision registered with CodeDeploy, or a file kept on this machine (--local). */
    record Revision(RevisionLocation s3, java.nio.file.Path file) {}

    /** The one place a dry run or a local release differs: its target. */
    static Target of(Plan plan, Docker docker, Log log, java.util.Map<String, String> env) {
        if (plan.dryRun()) {
            return new DryRun(plan, plan.aws() == null ? null : new LiveTarget(plan, docker, log));
        }
        return plan.local() != null ? new LocalTarget(plan, docker, log, env) : new LiveTarget(plan, docker, log);
    }

    /** The check's target half (the bucket and the deployment group exist; or this host is ready); what it found, for the check's line. */
    String check(Kit kit);

    /** The release image, pinned by digest. */
    Done<ImageRef> image(Versioning v);

    /** The bundle in S3, registered with the application as a revision (or kept on this machine). */
    Done<Revision> upload(Kit.Zip zip, Versioning v, String description);

    /** The deployment of {@code revision}: its id. */
    Done<String> deploy(Revision revision, String description);

    /** The deployment followed to its end, and its automatic rollback when there is one. */
    CodeDeploy.Outcome await(String id);

    @Override
    void close();

    /**
     * A dry run: reads, never writes. It makes every read-only check a release would pass (who the credentials are,
     * the bucket and its region, the application and group, the registry and an --image in it), then builds, pushes,
     * uploads and deploys nothing. With {@code reads} null ({@code --offline}) it checks nothing remote, and says so.
     */
    record DryRun(Plan plan, LiveTarget reads) implements Target {
        @Override
        public String check(Kit kit) {
            if (reads == null) {
                return "; --offline: credentials, bucket, group and registry not checked";
            }
            String who = "; credentials of " + Aws.identity(plan.aws());
            String aws = reads.check(kit);
            String registry = plan.image() instanceof Plan.Use u ? RegistryCheck.check(ImageRef.parse(u.reference(), "--image"), true)
                    : RegistryCheck.check(new ImageRef(((Plan.Build) plan.image()).repository(), "dry-run", null), false);
            return who + aws + registry;
        }

        @Override
        public Done<ImageRef> image(Versioning v) {
            return plan.image().dryRun(v);
        }

        @Override
        public Done<Revision> upload(Kit.Zip zip, Versioning v, String description) {
            Plan.Storage s = plan.storage();
            return new Done<>(null, "would put s3://" + s.bucket() + "/" + zip.key() + " (SSE " + s.sse()
                    + ", SHA-256 checksum) and register it with " + plan.deployment().application());
        }

        @Override
        public Done<String> deploy(Revision revision, String description) {
            Plan.Deployment d = plan.deployment();
            return new Done<>(null, "would create a deployment of " + d.application() + "/" + d.group()
                    + (d.config() == null ? "" : " with " + d.config()) + ", auto-rollback " + (d.autoRollback() ? "on" : "off"));
        }

        @Override
        public CodeDeploy.Outcome await(String id) {
            throw new IllegalStateException("a dry run creates no deployment to wait for");
        }

        @Override
        public void close() {
            if (reads != null) {
                reads.close();
            }
        }
    }
}
