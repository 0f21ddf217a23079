import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a release will do, decided once from its options (environment defaults already applied) before any step runs:
 * where the kit comes from, which image (built here or given), where the bundle goes, which deployment to create and
 * how long to follow it. Blank values count as unset (workflows pass empty variables). A dry run is decided here
 * too: it has no AWS configuration, and {@link Target#of} gives it a target that only says what it would do.
 */
record Plan(boolean dryRun, boolean noWait, Image image, Source source, Storage storage, Deployment deployment, Aws.Config aws, Local local) {
    /** What the check renders the template with: a syntactically valid image, only to reach the hooks' own checks. */
    static final String PROBE_IMAGE = "release-check/app:0";

    /**
     * A release on this machine ({@code --local}): revisions kept under {@code base}, deployed by deploy-local's engine;
     * {@code demo} is the demo's folder when it is the image being built (the application has no Dockerfile);
     * {@code registry} (host:port) takes the image unless {@code --repository} names another.
     */
    record Local(Path base, Path demo, String registry) {}

    /** The kit folder ({@code null}: look for one), the compose template ({@code null}: the kit's) and the hook settings. */
    record Source(Path dir, Path compose, Settings settings) {}

    /** Where the bundle goes: {@code keyPrefix} is normalised to "" or "dir/" ({@code codedeploy/} when unset). */
    record Storage(String bucket, String keyPrefix, String sse, String kmsKey) {
        Storage {
            bucket = Cli.first(bucket);
            String given = Cli.first(keyPrefix, "codedeploy/");
            keyPrefix = given.equals("/") ? "" : given.replaceFirst("^/+", "").replaceFirst("/*$", "/");
            kmsKey = Cli.first(kmsKey);
        }
    }

    /** The deployment to create and how to follow it. */
    record Deployment(String application, String group, String config, String description, String fileExists,
                      boolean autoRollback, Duration waitForActive, Duration timeout, Duration poll) {
        Deployment {
            application = Cli.first(application);
            group = Cli.first(group);
            config = Cli.first(config);
            description = Cli.first(description);
        }
    }

    /** The image of the release: built and pushed here ({@link Build}), or built elsewhere ({@link Use}). */
    sealed interface Image permits Build, Use {
        /** What must hold before anything is built (the check step runs it, dry run included). */
        void check();

        /** The image, pushed and pinned to its registry digest. */
        Target.Done<ImageRef> pin(Docker docker, Log log, Versioning v);

        /** A dry run's answer: the reference as far as it is known without Docker, and what {@link #pin} would do. */
        Target.Done<ImageRef> dryRun(Versioning v);
    }

    /** {@code --repository}: docker build tagged with the version and the commit, then docker push. */
    record Build(String repository, Path dockerfile, Path context, List<String> buildArgs, String platform) implements Image {
        Build {
            repository = Cli.first(repository);
            buildArgs = List.copyOf(buildArgs);
        }

        @Override
        public void check() {
            ImagePush.repository(repository);
            ImagePush.requireBuildInputs(dockerfile, context);
        }

        @Override
        public Target.Done<ImageRef> pin(Docker docker, Log log, Versioning v) {
            ImageRef pinned = ImagePush.buildAndPush(docker, log, repository, dockerfile, context, buildArgs, platform, v, Duration.ofMinutes(30));
            return new Target.Done<>(pinned, "built and pushed " + pinned);
        }

        @Override
        public Target.Done<ImageRef> dryRun(Versioning v) {
            return new Target.Done<>(new ImageRef(repository, v.version(), null), "would run docker "
                    + Mask.command(ImagePush.buildCommand(repository, v.tags(), dockerfile, context, buildArgs, platform, v)) + " and push " + v.tags());
        }
    }

    /** {@code --image}: pushed elsewhere; pulled once to learn its digest unless the reference carries one. */
    record Use(String reference) implements Image {
        @Override
        public void check() {}

        @Override
        public Target.Done<ImageRef> pin(Docker docker, Log log, Versioning v) {
            ImageRef pinned = ImagePush.resolve(docker, reference);
            return new Target.Done<>(pinned, "using " + pinned);
        }

        @Override
        public Target.Done<ImageRef> dryRun(Versioning v) {
            ImageRef ref = ImageRef.parse(reference, "--image");
            return new Target.Done<>(ref, "would use " + ref);
        }
    }

    /**
     * The plan, or one line naming every missing input at once, then the first invalid one. {@code image} is
     * {@code --image}; {@code build} carries {@code --repository} and the build options. AWS is configured (region,
     * endpoints) only for a real run.
     */
    static Plan of(boolean dryRun, boolean noWait, String image, Build build, Source source, Storage storage, Deployment deployment,
                   Supplier<Aws.Config> aws, Local local) {
        String use = Cli.first(image);
        if (local != null && (dryRun || noWait)) {
            throw new Cli.Fail(Cli.INPUT, (dryRun ? "--dry-run" : "--no-wait") + " does not go with --local: the deployment runs on this machine, "
                    + "within the command", "leave it out (nothing leaves this machine)");
        }
        if (local != null) {
            deployment = new Deployment(Cli.first(deployment.application(), source.settings().project()), Cli.first(deployment.group(), "local"),
                    null, deployment.description(), deployment.fileExists(), deployment.autoRollback(), Duration.ZERO, deployment.timeout(), deployment.poll());
            if (build.repository() == null && use == null) {
                build = new Build(local.registry() + "/" + deployment.application(), build.dockerfile(), build.context(),
                        build.buildArgs(), build.platform());
            }
        }
        List<String> missing = new ArrayList<>();
        if (storage.bucket() == null && local == null) {
            missing.add("--bucket (CODEDEPLOY_BUCKET)");
        }
        if (deployment.application() == null) {
            missing.add("--application (CODEDEPLOY_APPLICATION)");
        }
        if (deployment.group() == null) {
            missing.add("--deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)");
        }
        if (build.repository() == null && use == null) {
            missing.add("--repository (IMAGE_NAME) or --image (RELEASE_IMAGE)");
        }
        if (!missing.isEmpty()) {
            throw new Cli.Fail(Cli.INPUT, "missing " + String.join(", ", missing), "pass them as options or set the variables (or try --local); see --help");
        }
        if (build.repository() != null && use != null) {
            throw new Cli.Fail(Cli.INPUT, "--repository builds an image and --image names one built elsewhere: give one", null);
        }
        if (!List.of("AES256", "aws:kms", "none").contains(storage.sse())) {
            throw new Cli.Fail(Cli.INPUT, "--sse '" + storage.sse() + "' is not AES256, aws:kms or none", null);
        }
        if (!AppSpec.FILE_EXISTS_BEHAVIORS.contains(deployment.fileExists())) {
            throw new Cli.Fail(Cli.INPUT, "--file-exists-behavior '" + deployment.fileExists() + "' is not DISALLOW, OVERWRITE or RETAIN", null);
        }
        return new Plan(dryRun, noWait, use != null ? new Use(use) : build, source, storage, deployment, local != null ? null : aws.get(), local);
    }

    /** Whether the release follows the deployment to its end (not after a dry run or with --no-wait). */
    boolean waits() {
        return !dryRun && !noWait;
    }

    /** The S3 key of a bundle: a key never receives different bytes, so a registered revision's ETag stays valid. */
    String key(Versioning v, String sha256) {
        return storage.keyPrefix() + deployment.application() + "/" + v.version() + "-" + sha256.substring(0, 16) + ".zip";
    }

    /** release.json: the release and the hook settings, as the hooks will read them. */
    Manifest manifest(Versioning v, ImageRef image) {
        return new Manifest(v.version(), v.commit(), v.time().toString(), image.toString(), source.settings());
    }

    /** The deployment's description: --description, else "release VERSION IMAGE". */
    String description(Versioning v, ImageRef image) {
        return deployment.description() != null ? deployment.description() : "release " + v.version() + " " + image;
    }
}
