///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Release: version, image (build + push, pinned by digest), bundle, S3 upload, CodeDeploy deployment, followed to its end
//JAVA 17+
//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS info.picocli:picocli:4.7.7
//SOURCES ../lib/core/Cli.java ../lib/core/Disk.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java ../lib/core/Deadline.java
//SOURCES ../lib/bundle/ImageRef.java ../lib/bundle/EventFailure.java ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/Settings.java ../lib/bundle/ServiceOptions.java ../lib/bundle/Manifest.java ../lib/bundle/Bundle.java ../lib/bundle/BundleZip.java
//SOURCES ../lib/host/Docker.java ../lib/host/Template.java ../lib/host/Proxy.java ../lib/host/Health.java ../lib/host/HostPrep.java
//SOURCES ../lib/aws/Aws.java ../lib/aws/AwsOptions.java ../lib/aws/NameTheEndpoint.java ../lib/aws/CodeDeploy.java ../lib/aws/Deployments.java ../lib/aws/CreateOnce.java ../lib/aws/Upload.java
//SOURCES ../lib/release/Actions.java ../lib/release/Versioning.java ../lib/release/ImagePush.java ../lib/release/Plan.java ../lib/release/Kit.java
//SOURCES ../lib/release/Target.java ../lib/release/LiveTarget.java ../lib/release/ReleaseResult.java ../lib/release/Report.java
//SOURCES ../lib/release/LocalTarget.java ../lib/release/HostReady.java ../lib/release/Demo.java ../lib/release/RegistryCheck.java
//SOURCES ../lib/local/Layout.java ../lib/local/ScriptLog.java ../lib/local/ScriptRun.java ../lib/local/Fetch.java ../lib/local/Installer.java
//SOURCES ../lib/local/Instructions.java ../lib/local/Events.java ../lib/local/Lifecycle.java ../lib/local/LocalResult.java ../lib/local/LocalDeploy.java
//FILES kit/appspec.yml=../appspec.yml
//FILES kit/compose.yml=../compose.yml
//FILES kit/demo/Dockerfile=../demo/Dockerfile
//FILES kit/demo/compose.yml=../demo/compose.yml
//FILES kit/hooks/fastpath.sh=../hooks/fastpath.sh
//FILES kit/hooks/launch=../hooks/launch
//FILES kit/hooks/pull=../hooks/pull
//FILES kit/hooks/pull.java=../hooks/pull.java
//FILES kit/hooks/start=../hooks/start
//FILES kit/hooks/start.java=../hooks/start.java
//FILES kit/hooks/validate=../hooks/validate
//FILES kit/hooks/validate.java=../hooks/validate.java
//FILES kit/lib/bundle/AgentText.java=../lib/bundle/AgentText.java
//FILES kit/lib/bundle/AppSpec.java=../lib/bundle/AppSpec.java
//FILES kit/lib/bundle/Bundle.java=../lib/bundle/Bundle.java
//FILES kit/lib/bundle/ImageRef.java=../lib/bundle/ImageRef.java
//FILES kit/lib/bundle/Manifest.java=../lib/bundle/Manifest.java
//FILES kit/lib/bundle/Settings.java=../lib/bundle/Settings.java
//FILES kit/lib/core/Cli.java=../lib/core/Cli.java
//FILES kit/lib/core/Clock.java=../lib/core/Clock.java
//FILES kit/lib/core/Deadline.java=../lib/core/Deadline.java
//FILES kit/lib/core/Disk.java=../lib/core/Disk.java
//FILES kit/lib/core/Json.java=../lib/core/Json.java
//FILES kit/lib/core/Log.java=../lib/core/Log.java
//FILES kit/lib/core/Mask.java=../lib/core/Mask.java
//FILES kit/lib/core/Proc.java=../lib/core/Proc.java
//FILES kit/lib/host/BlueGreen.java=../lib/host/BlueGreen.java
//FILES kit/lib/host/ColourRollback.java=../lib/host/ColourRollback.java
//FILES kit/lib/host/Colours.java=../lib/host/Colours.java
//FILES kit/lib/host/Docker.java=../lib/host/Docker.java
//FILES kit/lib/host/Health.java=../lib/host/Health.java
//FILES kit/lib/host/Hook.java=../lib/host/Hook.java
//FILES kit/lib/host/Lock.java=../lib/host/Lock.java
//FILES kit/lib/host/Proxy.java=../lib/host/Proxy.java
//FILES kit/lib/host/Stack.java=../lib/host/Stack.java
//FILES kit/lib/host/Template.java=../lib/host/Template.java
//FILES kit/lib/host/WarmUp.java=../lib/host/WarmUp.java
//FILES kit/lib/setup-host.sh=../lib/setup-host.sh
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr
//CDS

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "release", sortOptions = false, mixinStandardHelpOptions = true, version = "release " + Cli.VERSION,
        description = {"From a built image to a verified CodeDeploy deployment, each step one line on stderr with its duration:",
                "version and tags, image (build + push, or --image) pinned by digest, bundle (appspec.yml validated as the agent "
                        + "does; hook files computed from it), S3 upload + RegisterApplicationRevision, CreateDeployment, and the "
                        + "wait with per-instance diagnostics and the automatic rollback followed. --dry-run reads, never writes: "
                        + "it checks what the release would use and prints the plan (--offline: no remote check); --local runs it all "
                        + "on this machine; --json prints the result on stdout."},
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {Cli.EXIT_OK, Cli.EXIT_FAILED, Cli.EXIT_INPUT, Cli.EXIT_ROLLED_BACK, Cli.EXIT_ENVIRONMENT, Cli.EXIT_AWS, Cli.EXIT_INTERNAL})
class release implements Callable<Integer>, Cli.EnvDefaults {
    @Option(names = "--release-version", paramLabel = "V", description = "Release version (default: RELEASE_VERSION, a tag on the commit, in CI <nearest tag>-ci.<run number>, else <nearest tag>-dev.<commits since>.g<short commit>)")
    String releaseVersion;
    @Option(names = "--commit", description = "Commit (default: GITHUB_SHA, else git rev-parse HEAD)")
    String commit;
    @Option(names = "--repository", description = "Image repository to build and push, e.g. registry.example.com/team/app (default: IMAGE_NAME)")
    String repository;
    @Option(names = "--image", description = "An image pushed elsewhere (name:tag or name@sha256:...); skips the build (default: RELEASE_IMAGE)")
    String image;
    @Option(names = "--dockerfile", defaultValue = "Dockerfile", description = "Dockerfile (default: ${DEFAULT-VALUE})")
    Path dockerfile;
    @Option(names = "--context", defaultValue = ".", description = "Build context (default: ${DEFAULT-VALUE})")
    Path context;
    @Option(names = "--build-arg", paramLabel = "K=V", description = "Build argument (repeatable)")
    List<String> buildArgs = new ArrayList<>();
    @Option(names = "--platform", description = "Target platform for docker build, e.g. linux/amd64")
    String platform;
    @Option(names = "--source", description = "Folder with appspec.yml, compose.yml and the hooks (default: CDEPLOY_SOURCE, else . when it holds appspec.yml, else the kit shipped with this command)")
    Path source;
    @Option(names = "--compose", description = "Compose template (default: compose.yml in the source folder)")
    Path compose;
    @Mixin
    ServiceOptions names = new ServiceOptions();
    @Option(names = "--health-url", description = "Health URL checked on the instance (default: http://127.0.0.1:8080/actuator/health)")
    String healthUrl;
    @Option(names = "--health-timeout", description = "Seconds the new version has to become healthy (default: 120)")
    Integer healthTimeout;
    @Option(names = "--switch", paramLabel = "MODE", description = "blue-green: two colours behind the template's proxy service, "
            + "switched only to a healthy one (the default, when the template has that service); recreate: the app container swapped in place")
    String switchMode;
    @Option(names = "--bucket", description = "S3 bucket for bundles (default: CODEDEPLOY_BUCKET, AWS_S3_BUCKET_NAME)")
    String bucket;
    @Option(names = "--key-prefix", description = "S3 key prefix (default: CODEDEPLOY_KEY_PREFIX, else codedeploy/)")
    String keyPrefix;
    @Option(names = "--sse", defaultValue = "AES256", description = "Server-side encryption: AES256, aws:kms or none (default: ${DEFAULT-VALUE})")
    String sse;
    @Option(names = "--sse-kms-key-id", description = "KMS key for --sse aws:kms (default: the bucket's AWS managed key)")
    String kmsKey;
    @Option(names = "--application", description = "CodeDeploy application (default: CODEDEPLOY_APPLICATION, AWS_CODE_DEPLOY_NAME)")
    String application;
    @Option(names = "--deployment-group", description = "Deployment group (default: CODEDEPLOY_DEPLOYMENT_GROUP, AWS_CODE_DEPLOY_GROUP)")
    String group;
    @Option(names = "--deployment-config", description = "Deployment configuration (default: the group's)")
    String deploymentConfig;
    @Option(names = "--description", description = "Deployment description (default: release <version> <image>)")
    String description;
    @Option(names = "--file-exists-behavior", defaultValue = "DISALLOW", description = "DISALLOW, OVERWRITE or RETAIN (default: ${DEFAULT-VALUE})")
    String fileExists;
    @Option(names = "--no-auto-rollback", description = "Do not ask CodeDeploy to roll back when the deployment fails")
    boolean noAutoRollback;
    @Option(names = "--wait-for-active", defaultValue = "600", description = "Seconds to wait for a deployment already in progress in the group (default: ${DEFAULT-VALUE}; 0 fails at once)")
    long waitForActive;
    @Option(names = "--timeout", defaultValue = "3600", description = "Seconds to wait for the deployment and its rollback (default: ${DEFAULT-VALUE})")
    long timeout;
    @Option(names = "--poll-interval", defaultValue = "10", description = "Seconds between GetDeployment calls (default: ${DEFAULT-VALUE})")
    double pollInterval;
    @Option(names = "--no-wait", description = "Stop once the deployment is created")
    boolean noWait;
    @Option(names = "--dry-run", description = "Check all a release reads (credentials, bucket and region, application and group, "
            + "registry and --image) and print the plan; build, push, upload and deploy nothing")
    boolean dryRun;
    @Option(names = "--offline", description = "A dry run that checks nothing remote: no AWS, no registry")
    boolean offline;
    @Option(names = "--local", description = "Release on this machine, no AWS account: the image to a registry on 127.0.0.1 (set up when "
            + "missing), the bundle kept under CDEPLOY_LOCAL_ROOT, deployed by deploy-local through the real hooks; the demo service "
            + "when there is no Dockerfile")
    boolean local;
    @Option(names = "--demo-port", description = "With --local and the demo service: the port it answers on at 127.0.0.1 (default: 8080)")
    Integer demoPort;
    @Option(names = "--json", description = "Print the result as JSON on stdout")
    boolean json;
    @Option(names = "--verbose", description = "Show docker build and push output as it comes (else only its last lines, on a failure); "
            + "with a failure, also print what a tool said at length (the AWS SDK's whole message)")
    boolean verbose;
    @Mixin
    AwsOptions aws = new AwsOptions(); // CreateDeployment is repeated only when it surely did not run (CreateOnce)
    @Option(names = "--s3-endpoint-url", description = "S3 endpoint (default: AWS_ENDPOINT_URL_S3)")
    String s3EndpointUrl;

    /** What the command reads instead of the process: replaced by tests. */
    Map<String, String> env = System.getenv();
    Path cwd = Path.of("");
    Docker docker = Docker.system();
    /** Each AWS call attempt's limit (tests shorten it to lose an answer quickly). */
    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new release()).execute(args));
    }

    @Override
    public Integer call() {
        Report report = new Report(spec.commandLine().getOut(), spec.commandLine().getErr(), env, json, verbose);
        try {
            Plan plan = report.plan(plan());
            try (Target target = Target.of(plan, docker, report.log(), env)) {
                List<Cli.Fail> problems = new ArrayList<>(); // input problems, all told at once before any request
                Versioning v = Cli.Fail.collect(problems, () -> report.version(this::version));
                Kit kit = report.check(() -> check(plan, target, report.log(), problems));
                ImageRef image = report.image(() -> target.image(v));
                Kit.Zip zip = report.bundle(() -> kit.zip(plan.manifest(v, image), sha -> plan.key(v, sha)));
                Target.Revision revision = report.upload(() -> target.upload(zip, v, plan.description(v, image)));
                String id = report.deploy(() -> target.deploy(revision, plan.description(v, image)));
                if (!plan.waits()) {
                    return report.stopped();
                }
                report.await(() -> target.await(id));
                return report.finished();
            }
        } catch (Cli.Fail f) {
            if (verbose && f.detail != null) {
                f.detail.lines().forEach(report.log()::raw);
            }
            throw report.failed(f);
        }
    }

    /** Options and environment, checked, before any step: every missing input named at once (tests resolve it too). */
    Plan plan() {
        Path file = resolve(dockerfile);
        Path demo = local && image == null && repository == null && !java.nio.file.Files.exists(file) ? Demo.dir(cwd.toAbsolutePath()) : null;
        Settings settings;
        try {
            if (demoPort != null && demo == null) {
                throw new Cli.Fail(Cli.INPUT, "--demo-port is for the demo service", "use it with --local where there is no Dockerfile");
            }
            settings = demo != null ? Demo.settings(names.project, names.service, names.container, names.envFile, Cli.first(healthUrl, Demo.healthUrl(demoPort)), healthTimeout)
                    : Settings.of(names.project, names.service, names.container, names.envFile, healthUrl, healthTimeout);
            settings = settings.withSwitch(switchMode);
        } catch (Cli.Fail f) {
            throw new Cli.Fail(f.exitCode, "release options: " + f.getMessage());
        }
        Path template = compose != null ? resolve(compose) : demo != null ? Demo.template(demo, demoPort) : null;
        return Plan.of(dryRun || offline, noWait, image, new Plan.Build(repository, demo != null ? demo.resolve("Dockerfile") : file,
                        demo != null ? demo : resolve(context), buildArgs, platform),
                new Plan.Source(source == null ? null : resolve(source), template, settings),
                new Plan.Storage(bucket, keyPrefix, sse, kmsKey),
                new Plan.Deployment(application, group, deploymentConfig, description, fileExists, !noAutoRollback,
                        Duration.ofSeconds(waitForActive), Duration.ofSeconds(timeout), Duration.ofMillis((long) (pollInterval * 1000))),
                () -> offline ? null : aws.config(env, s3EndpointUrl),
                local ? new Plan.Local(Layout.base(Disk.root(), env), demo, HostReady.registry(env)) : null);
    }

    /** Step 1: the version says where it came from: a --release-version given here, or RELEASE_VERSION through it. */
    private Versioning version() {
        boolean given = spec.commandLine().getParseResult().hasMatchedOption("--release-version");
        return Versioning.derive(releaseVersion, given ? "--release-version" : "RELEASE_VERSION", commit, env, cwd);
    }

    /**
     * Step 2: the kit as the agent and the hooks will see it, the build's inputs, then (only when every input so far
     * holds: else they are all told together) the target.
     */
    private Target.Done<Kit> check(Plan plan, Target target, Log log, List<Cli.Fail> problems) {
        Kit kit = Cli.Fail.collect(problems, () -> Kit.check(Kit.find(plan.source().dir(), cwd, log), plan.source().compose(), plan.source().settings(), log));
        Cli.Fail.collect(problems, () -> {
            plan.image().check();
            return null;
        });
        Cli.Fail.throwAll(problems);
        return new Target.Done<>(kit, kit.files().size() + " hook files for " + kit.spec().hooks().keySet() + target.check(kit));
    }

    @Override
    public Map<String, List<String>> defaultsFromEnv() {
        return Map.ofEntries(Map.entry("--bucket", List.of("CODEDEPLOY_BUCKET", "AWS_S3_BUCKET_NAME")),
                Map.entry("--application", List.of("CODEDEPLOY_APPLICATION", "AWS_CODE_DEPLOY_NAME")),
                Map.entry("--deployment-group", List.of("CODEDEPLOY_DEPLOYMENT_GROUP", "AWS_CODE_DEPLOY_GROUP")),
                Map.entry("--repository", List.of("IMAGE_NAME")), Map.entry("--image", List.of("RELEASE_IMAGE")),
                Map.entry("--key-prefix", List.of("CODEDEPLOY_KEY_PREFIX")), Map.entry("--release-version", List.of("RELEASE_VERSION")),
                Map.entry("--commit", List.of("GITHUB_SHA")), Map.entry("--source", List.of("CDEPLOY_SOURCE")),
                Map.entry("--max-attempts", List.of("AWS_MAX_ATTEMPTS")));
    }

    @Override
    public Map<String, String> env() {
        return env;
    }

    private Path resolve(Path p) {
        return cwd.resolve(p).toAbsolutePath().normalize();
    }
}
