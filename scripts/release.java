///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Release: version, image (build + push, pinned by digest), bundle, S3 upload, CodeDeploy deployment, followed to its end
//JAVA 17+
//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS info.picocli:picocli:4.7.7
//SOURCES ../lib/core/Cli.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java
//SOURCES ../lib/bundle/ImageRef.java ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/Settings.java ../lib/bundle/Manifest.java ../lib/bundle/Bundle.java ../lib/bundle/BundleZip.java
//SOURCES ../lib/host/Docker.java ../lib/host/Template.java
//SOURCES ../lib/aws/Aws.java ../lib/aws/CodeDeploy.java ../lib/release/Actions.java ../lib/release/Versioning.java ../lib/release/ImagePush.java
//FILES kit/appspec.yml=../appspec.yml
//FILES kit/compose.yml=../compose.yml
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
//FILES kit/lib/core/Json.java=../lib/core/Json.java
//FILES kit/lib/core/Log.java=../lib/core/Log.java
//FILES kit/lib/core/Proc.java=../lib/core/Proc.java
//FILES kit/lib/host/Docker.java=../lib/host/Docker.java
//FILES kit/lib/host/Health.java=../lib/host/Health.java
//FILES kit/lib/host/Hook.java=../lib/host/Hook.java
//FILES kit/lib/host/Stack.java=../lib/host/Stack.java
//FILES kit/lib/host/Template.java=../lib/host/Template.java
//FILES kit/lib/host/WarmUp.java=../lib/host/WarmUp.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr
//CDS

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;
import software.amazon.awssdk.services.codedeploy.model.CreateDeploymentRequest;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupInfo;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

@Command(name = "release", sortOptions = false, mixinStandardHelpOptions = true, version = "release " + Cli.VERSION,
        description = {"From a built image to a verified CodeDeploy deployment, each step one line on stderr with its duration:",
                "version and tags, image (build + push, or --image) pinned by digest, bundle (appspec.yml validated as the agent "
                        + "does; hook files computed from it), S3 upload + RegisterApplicationRevision, CreateDeployment, and the "
                        + "wait with per-instance diagnostics and the automatic rollback followed. --dry-run prints the plan and "
                        + "touches nothing; --json prints the result on stdout.",
                "Exit codes: 0 deployed, 1 deployment failed, 2 invalid input, 3 failed and rolled back, 4 environment "
                        + "(docker, network), 5 AWS refused (access denied, unknown application/group/bucket, throttled)."})
class release implements Callable<Integer> {
    @Option(names = "--release-version", paramLabel = "V", description = "Release version (default: RELEASE_VERSION, a tag on the commit, in CI <nearest tag>-ci.<run number>, else <nearest tag>-dev.<commits since>.g<short commit>)")
    String version;
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
    @Option(names = "--project", description = "Compose project on the instance (default: art)")
    String project;
    @Option(names = "--service", description = "App service in the compose template (default: art-be)")
    String service;
    @Option(names = "--container", description = "App container name (default: art-backend)")
    String container;
    @Option(names = "--env-file", description = "Env file on the instance (default: /home/ubuntu/env/.env)")
    String envFile;
    @Option(names = "--health-url", description = "Health URL checked on the instance (default: http://127.0.0.1:8080/actuator/health)")
    String healthUrl;
    @Option(names = "--health-timeout", description = "Seconds the new version has to become healthy (default: 120)")
    Integer healthTimeout;
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
    @Option(names = "--dry-run", description = "Print the plan; build, push, upload and deploy nothing")
    boolean dryRun;
    @Option(names = "--json", description = "Print the result as JSON on stdout")
    boolean json;
    @Option(names = "--region", description = "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)")
    String region;
    @Option(names = "--endpoint-url", description = "Endpoint for every AWS service, e.g. a local test server (default: AWS_ENDPOINT_URL)")
    String endpointUrl;
    @Option(names = "--s3-endpoint-url", description = "S3 endpoint (default: AWS_ENDPOINT_URL_S3)")
    String s3EndpointUrl;
    @Option(names = "--codedeploy-endpoint-url", description = "CodeDeploy endpoint (default: AWS_ENDPOINT_URL_CODEDEPLOY)")
    String codeDeployEndpointUrl;
    @Option(names = "--max-attempts", description = "Attempts per AWS call, with backoff (default: AWS_MAX_ATTEMPTS, else 5)")
    Integer maxAttempts;

    /** What the command reads instead of the process: replaced by tests. */
    Map<String, String> env = System.getenv();
    Path cwd = Path.of("");
    Docker docker = Docker.system();
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    private Log log;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int STEPS = 7;
    private final ObjectNode result = JSON.createObjectNode();
    private final Map<String, Double> timings = new LinkedHashMap<>();
    private int step;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new release()).execute(args));
    }

    @Override
    public Integer call() {
        log = new Log(spec.commandLine().getErr());
        Actions gha = new Actions(env, log);
        try {
            int code = run(gha);
            result.put("exitCode", code);
            emit();
            return code;
        } catch (Cli.Fail f) {
            result.put("status", "Error").put("exitCode", f.exitCode).put("error", f.getMessage());
            gha.error("release failed", f.getMessage());
            gha.summary("### release failed\n\n" + f.getMessage() + "\n");
            emit();
            throw f;
        }
    }

    private int run(Actions gha) {
        // 1. inputs that cannot be derived, all named at once
        bucket = Cli.first(bucket, env.get("CODEDEPLOY_BUCKET"), env.get("AWS_S3_BUCKET_NAME"));
        application = Cli.first(application, env.get("CODEDEPLOY_APPLICATION"), env.get("AWS_CODE_DEPLOY_NAME"));
        group = Cli.first(group, env.get("CODEDEPLOY_DEPLOYMENT_GROUP"), env.get("AWS_CODE_DEPLOY_GROUP"));
        repository = Cli.first(repository, env.get("IMAGE_NAME"));
        image = Cli.first(image, env.get("RELEASE_IMAGE"));
        List<String> missing = new ArrayList<>();
        if (bucket == null) missing.add("--bucket (CODEDEPLOY_BUCKET)");
        if (application == null) missing.add("--application (CODEDEPLOY_APPLICATION)");
        if (group == null) missing.add("--deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)");
        if (repository == null && image == null) missing.add("--repository (IMAGE_NAME) or --image (RELEASE_IMAGE)");
        if (!missing.isEmpty()) {
            throw new Cli.Fail(Cli.INPUT, "missing " + String.join(", ", missing), "pass them as options or set the variables; see --help");
        }
        if (repository != null && image != null) {
            throw new Cli.Fail(Cli.INPUT, "--repository builds an image and --image names one built elsewhere: give one", null);
        }
        String givenPrefix = Cli.first(keyPrefix, env.get("CODEDEPLOY_KEY_PREFIX"), "codedeploy/");
        String prefix = givenPrefix.equals("/") ? "" : givenPrefix.replaceFirst("^/+", "").replaceFirst("/*$", "/");
        ServerSideEncryption encryption = switch (sse) {
            case "AES256" -> ServerSideEncryption.AES256;
            case "aws:kms" -> ServerSideEncryption.AWS_KMS;
            case "none" -> null;
            default -> throw new Cli.Fail(Cli.INPUT, "--sse '" + sse + "' is not AES256, aws:kms or none", null);
        };
        if (!AppSpec.FILE_EXISTS_BEHAVIORS.contains(fileExists)) {
            throw new Cli.Fail(Cli.INPUT, "--file-exists-behavior '" + fileExists + "' is not DISALLOW, OVERWRITE or RETAIN", null);
        }
        int attempts = maxAttempts != null ? maxAttempts : parseInt(env.get("AWS_MAX_ATTEMPTS"), 5);
        Aws.Config aws = dryRun ? null : Aws.config(region, endpointUrl, s3EndpointUrl, codeDeployEndpointUrl, attempts, env);
        // the two AWS clients are built now, each on its own thread, while the version and kit are worked out (no request yet)
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "release-aws");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.CompletableFuture<S3Client> s3Ready = dryRun ? null
                : java.util.concurrent.CompletableFuture.supplyAsync(() -> Aws.s3(aws), pool);
        java.util.concurrent.CompletableFuture<CodeDeployClient> cdReady = dryRun ? null
                : java.util.concurrent.CompletableFuture.supplyAsync(() -> Aws.codeDeploy(aws), pool);
        pool.shutdown();

        Versioning v = step("version", () -> Versioning.derive(version, commit, env, cwd),
                x -> x.version() + " (" + x.how() + "), commit " + x.commit());
        result.put("version", v.version()).put("commit", v.commit());

        // 2. the bundle's kit, checked before anything is built or uploaded
        Path kit = kit();
        Path template = compose != null ? resolve(compose) : kit.resolve(Bundle.TEMPLATE);
        record Checked(AppSpec spec, TreeSet<String> files, Settings settings, DeploymentGroupInfo group) {}
        CodeDeployClient cd = dryRun ? null : join(cdReady);
        S3Client s3 = dryRun ? null : join(s3Ready);
        CodeDeploy deploy = dryRun ? null : new CodeDeploy(cd, attempts, Duration.ofMillis((long) (pollInterval * 1000)), log);
        try (cd; s3) {
            Checked checked = step("check", () -> {
                AppSpec spec;
                try {
                    spec = AppSpec.load(kit.resolve(Bundle.APPSPEC));
                } catch (AppSpec.Invalid e) {
                    throw new Cli.Fail(Cli.INPUT, kit.resolve(Bundle.APPSPEC) + ": " + e.getMessage(), "nothing was built or uploaded");
                }
                if (!spec.unknownEvents().isEmpty()) {
                    throw new Cli.Fail(Cli.INPUT, kit.resolve(Bundle.APPSPEC) + ": " + AppSpec.unknownEventsMessage(spec.unknownEvents()),
                            "the agent would never run them; use " + String.join(", ", AppSpec.SCRIPTABLE_EVENTS));
                }
                for (String event : spec.hooks().keySet()) {
                    if (spec.totalTimeout(event) > AppSpec.DEFAULT_TIMEOUT) {
                        log.info("release: warning: %s scripts may take %d s together; CodeDeploy fails an event after 3600 s", event, spec.totalTimeout(event));
                    }
                }
                TreeSet<String> files = BundleZip.closure(kit, spec);
                if (!Files.isRegularFile(template)) {
                    throw new Cli.Fail(Cli.INPUT, "no compose template at " + template, "pass --compose or add compose.yml to " + kit);
                }
                Settings settings = settings();
                Template.healthDeadline(spec, Template.render(template, "release-check/app:0", settings), settings);
                if (image == null) {
                    repository = ImagePush.repository(repository);
                    ImagePush.requireBuildInputs(resolve(dockerfile), resolve(context));
                }
                DeploymentGroupInfo info = null;
                if (!dryRun) {
                    // only once the kit is valid: HeadBucket and GetDeploymentGroup, side by side
                    var bucketChecked = s3Ready.thenAcceptAsync(c -> checkBucket(c, aws, attempts));
                    info = deploy.group(application, group, aws.region());
                    join(bucketChecked);
                }
                return new Checked(spec, files, settings, info);
            }, c -> c.files().size() + " hook files for " + c.spec().hooks().keySet() + (dryRun ? "" : "; bucket and group exist"));

            // 3. image
            ImageRef pinned = step("image", () -> {
                if (dryRun) {
                    if (image != null) {
                        return ImageRef.parse(image, "--image");
                    }
                    return new ImageRef(repository, v.version(), null);
                }
                return image != null ? ImagePush.resolve(docker, image)
                        : ImagePush.buildAndPush(docker, log, repository, resolve(dockerfile), resolve(context), buildArgs, platform, v, Duration.ofMinutes(30));
            }, p -> dryRun ? (image != null ? "would use " + p : "would run docker " + String.join(" ",
                    ImagePush.buildCommand(repository, v.tags(), dockerfile, context, buildArgs, platform, v)) + " and push " + v.tags())
                    : (image != null ? "using " : "built and pushed ") + p);
            result.put("image", pinned.toString()).put("digest", pinned.digest());

            // 4. bundle
            record Zip(byte[] bytes, String sha256, String key) {}
            Zip zip = step("bundle", () -> {
                List<BundleZip.Entry> entries = new ArrayList<>();
                for (String f : checked.files()) {
                    entries.add(BundleZip.file(kit, f));
                }
                entries.add(BundleZip.file(kit, Bundle.APPSPEC));
                entries.add(BundleZip.text(Bundle.TEMPLATE, Bundle.read(template)));
                entries.add(BundleZip.text(Bundle.IMAGE_FILE, pinned + "\n"));
                entries.add(BundleZip.text(Bundle.MANIFEST, new Manifest(v.version(), v.commit(), v.time().toString(), pinned.toString(), checked.settings()).json()));
                byte[] bytes = BundleZip.write(entries);
                String sha = sha256(bytes);
                return new Zip(bytes, sha, prefix + application + "/" + v.version() + "-" + sha.substring(0, 16) + ".zip");
            }, z -> z.bytes().length + " bytes, " + (checked.files().size() + 4) + " files, sha256 " + z.sha256().substring(0, 16)
                    + (pinned.digest() == null ? " (the digest is known only after the push)" : ""));
            result.put("bucket", bucket).put("key", zip.key()).put("sha256", zip.sha256());
            ArrayList<String> members = new ArrayList<>(checked.files());
            members.addAll(List.of(Bundle.APPSPEC, Bundle.TEMPLATE, Bundle.IMAGE_FILE, Bundle.MANIFEST));
            members.sort(null);
            result.putPOJO("files", members);

            String desc = description != null ? description : "release " + v.version() + " " + pinned;
            if (dryRun) {
                step("upload", () -> "", x -> "would put s3://" + bucket + "/" + zip.key() + " (SSE " + sse + ", SHA-256 checksum) and register it with " + application);
                step("deploy", () -> "", x -> "would create a deployment of " + application + "/" + group
                        + (deploymentConfig == null ? "" : " with " + deploymentConfig) + ", auto-rollback " + (noAutoRollback ? "off" : "on"));
                result.put("status", "Planned");
                return Cli.OK;
            }

            // 5. upload + register
            RevisionLocation revision = step("upload", () -> {
                PutObjectResponse put;
                try {
                    put = s3.putObject(r -> {
                        r.bucket(bucket).key(zip.key()).contentType("application/zip").contentLength((long) zip.bytes().length)
                                .checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(zip.sha256())))
                                .metadata(Map.of("release-version", v.version(), "release-commit", v.commit()));
                        if (encryption != null) {
                            r.serverSideEncryption(encryption);
                            if (encryption == ServerSideEncryption.AWS_KMS && kmsKey != null) {
                                r.ssekmsKeyId(kmsKey);
                            }
                        }
                    }, RequestBody.fromBytes(zip.bytes()));
                } catch (SdkException e) {
                    throw Aws.fail(e, "s3:PutObject", "s3://" + bucket + "/" + zip.key(), attempts);
                }
                String etag = put.eTag() == null ? null : put.eTag().replace("\"", "");
                RevisionLocation rev = RevisionLocation.builder().revisionType("S3").s3Location(l -> l.bucket(bucket).key(zip.key())
                        .bundleType("zip").eTag(etag).version(put.versionId())).build();
                deploy.register(application, rev, desc);
                return rev;
            }, r -> "s3://" + bucket + "/" + zip.key() + " (ETag " + r.s3Location().eTag()
                    + (r.s3Location().version() == null ? "" : ", version " + r.s3Location().version()) + "), registered with " + application);
            result.put("eTag", revision.s3Location().eTag()).put("versionId", revision.s3Location().version());

            // 6. deployment
            CreateDeploymentRequest request = CreateDeploymentRequest.builder().applicationName(application).deploymentGroupName(group)
                    .revision(revision).deploymentConfigName(deploymentConfig).description(desc).fileExistsBehavior(fileExists)
                    .autoRollbackConfiguration(a -> a.enabled(!noAutoRollback).eventsWithStrings(noAutoRollback ? List.of() : List.of("DEPLOYMENT_FAILURE")))
                    .build();
            String id = step("deploy", () -> deploy.create(request, Duration.ofSeconds(waitForActive)),
                    x -> "created " + x + " (" + application + "/" + group + ", " + (deploymentConfig != null ? deploymentConfig
                            : checked.group().deploymentConfigName() == null ? "group's configuration" : checked.group().deploymentConfigName()) + ")");
            result.put("deploymentId", id);
            gha.output("deployment-id", id);
            gha.output("image", pinned.toString());
            gha.output("version", v.version());
            if (noWait) {
                result.put("status", "Created");
                gha.summary(summary(v, pinned, zip.key(), id, "Created", null));
                return Cli.OK;
            }

            // 7. wait
            CodeDeploy.Outcome outcome;
            try {
                outcome = step("wait", () -> deploy.await(id, Instant.now().plusSeconds(timeout), true), o -> o.status()
                        + (o.rollback() == null ? "" : "; rollback " + o.rollback().deploymentId() + " " + o.rollback().status()));
            } catch (Cli.Fail f) {
                throw new Cli.Fail(f.exitCode, "deployment " + id + ": " + f.getMessage());
            }
            return report(outcome, gha, v, pinned, zip.key());
        }
    }

    private int report(CodeDeploy.Outcome o, Actions gha, Versioning v, ImageRef pinned, String key) {
        result.putPOJO("overview", o.overview());
        result.putPOJO("failures", o.failures());
        if (o.errorCode() != null) {
            result.put("errorCode", o.errorCode()).put("errorMessage", o.errorMessage());
        }
        if (o.succeeded()) {
            result.put("status", "Succeeded");
            gha.summary(summary(v, pinned, key, o.deploymentId(), "Succeeded", o));
            return Cli.OK;
        }
        explain(o, gha);
        boolean rolledBack = o.rollback() != null && o.rollback().succeeded();
        if (o.rollback() != null) {
            result.put("rollbackDeploymentId", o.rollback().deploymentId()).put("rollbackStatus", o.rollback().status());
            if (!rolledBack) {
                explain(o.rollback(), gha);
            }
        }
        String status = rolledBack ? "RolledBack" : o.status();
        result.put("status", status);
        gha.summary(summary(v, pinned, key, o.deploymentId(), status, o));
        log.info("release: deployment %s %s%s", o.deploymentId(), o.status(), o.rollback() == null ? ""
                : "; rollback " + o.rollback().deploymentId() + " " + o.rollback().status()
                + (rolledBack ? ": the previous revision is serving again" : ""));
        return rolledBack ? Cli.ROLLED_BACK : Cli.FAILED;
    }

    private void explain(CodeDeploy.Outcome o, Actions gha) {
        if (o.errorCode() != null) {
            log.info("release: deployment %s %s: %s: %s", o.deploymentId(), o.status(), o.errorCode(), o.errorMessage());
        }
        for (CodeDeploy.Failure f : o.failures()) {
            List<String> lines = CodeDeploy.describe(f);
            log.info("release: %s: %s", o.deploymentId(), lines.get(0));
            lines.subList(1, lines.size()).forEach(l -> log.raw("    " + l));
            gha.error(f.event() + " failed (" + o.deploymentId() + ")", String.join("\n", lines));
        }
        if (o.failures().isEmpty() && o.errorCode() != null) {
            gha.error("deployment " + o.deploymentId() + " " + o.status(), o.errorCode() + ": " + o.errorMessage());
        }
    }

    private String summary(Versioning v, ImageRef pinned, String key, String id, String status, CodeDeploy.Outcome o) {
        StringBuilder md = new StringBuilder("### release " + v.version() + ": " + status + "\n\n| | |\n|---|---|\n");
        md.append("| version | `").append(v.version()).append("` |\n| commit | `").append(v.commit()).append("` |\n");
        md.append("| image | `").append(pinned).append("` |\n| bundle | `s3://").append(bucket).append('/').append(key).append("` |\n");
        md.append("| deployment | `").append(id).append("` (").append(application).append(" / ").append(group).append(") |\n");
        if (o != null && o.rollback() != null) {
            md.append("| rollback | `").append(o.rollback().deploymentId()).append("` ").append(o.rollback().status()).append(" |\n");
        }
        if (o != null) {
            for (CodeDeploy.Failure f : o.failures()) {
                List<String> lines = CodeDeploy.describe(f);
                md.append("\n**").append(lines.get(0).replace("|", "\\|")).append("**\n");
                if (lines.size() > 1) {
                    md.append("\n```\n").append(f.logTail().strip()).append("\n```\n");
                }
            }
        }
        return md.toString();
    }

    /** HeadBucket: the bucket exists, is in this region, and this role may list it. */
    private void checkBucket(S3Client s3, Aws.Config aws, int attempts) {
        try {
            s3.headBucket(r -> r.bucket(bucket));
        } catch (S3Exception e) {
            String where = e.awsErrorDetails() == null ? null : e.awsErrorDetails().sdkHttpResponse()
                    .firstMatchingHeader("x-amz-bucket-region").orElse(null);
            if (e.statusCode() == 301 || (where != null && !where.equals(aws.region()) && e.statusCode() != 403)) {
                throw new Cli.Fail(Cli.AWS, "bucket " + bucket + " is in region " + (where == null ? "(another)" : where) + ", not " + aws.region(),
                        "CodeDeploy reads bundles from its own region: use a bucket in " + aws.region() + " or --region " + where);
            }
            if (e.statusCode() == 404) {
                throw new Cli.Fail(Cli.AWS, "bucket " + bucket + " does not exist", "create it in " + aws.region() + " or fix --bucket");
            }
            throw Aws.fail(e, "s3:ListBucket", "s3://" + bucket, attempts);
        } catch (SdkException e) {
            throw Aws.fail(e, "s3:ListBucket", "s3://" + bucket, attempts);
        }
    }

    /** The settings the hooks read from release.json, checked by the same code the hooks use. */
    private Settings settings() {
        try {
            return Settings.of(project, service, container, envFile, healthUrl, healthTimeout);
        } catch (Cli.Fail f) {
            throw new Cli.Fail(f.exitCode, "release options: " + f.getMessage());
        }
    }

    /** --source, CDEPLOY_SOURCE, the working folder when it holds appspec.yml, else the kit shipped inside this command. */
    private Path kit() {
        Path given = source != null ? resolve(source) : env.get("CDEPLOY_SOURCE") != null ? resolve(Path.of(env.get("CDEPLOY_SOURCE"))) : null;
        if (given != null) {
            if (!Files.isRegularFile(given.resolve(Bundle.APPSPEC))) {
                throw new Cli.Fail(Cli.INPUT, "no " + Bundle.APPSPEC + " in " + given, "point --source at the folder with appspec.yml and hooks/");
            }
            return given;
        }
        if (Files.isRegularFile(cwd.resolve(Bundle.APPSPEC))) {
            return cwd.toAbsolutePath();
        }
        Path shipped = Kit.extract();
        if (shipped == null) {
            throw new Cli.Fail(Cli.INPUT, "no appspec.yml in " + cwd.toAbsolutePath() + " and no kit inside this command's jar",
                    "pass --source with the folder that holds appspec.yml and hooks/ (a jar without its kit comes from two "
                            + "JBang builds racing in one cache: jbang build --fresh scripts/release.java)");
        }
        log.info("release: using the kit shipped with this command (appspec.yml, compose.yml, hooks/, lib/)");
        return shipped;
    }

    /** The kit that //FILES put into this command's jar under kit/, unpacked to a temporary folder. */
    static final class Kit {
        static Path extract() {
            try {
                URI where = release.class.getProtectionDomain().getCodeSource().getLocation().toURI();
                Path jar = Path.of(where);
                if (!Files.isRegularFile(jar)) {
                    return null;
                }
                Path dir = Files.createTempDirectory("release-kit");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try (var walk = Files.walk(dir)) {
                        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    } catch (java.io.IOException e) {
                        // a temporary folder left behind
                    }
                }));
                boolean any = false;
                try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
                    for (var e : java.util.Collections.list(zip.entries())) {
                        if (!e.getName().startsWith("kit/") || e.isDirectory()) {
                            continue;
                        }
                        Path target = dir.resolve(e.getName().substring(4)).normalize();
                        if (!target.startsWith(dir)) {
                            continue;
                        }
                        Files.createDirectories(target.getParent());
                        byte[] bytes = zip.getInputStream(e).readAllBytes();
                        Files.write(target, bytes);
                        // a jar keeps no modes: a file that starts with #! is a launcher
                        if (bytes.length > 1 && bytes[0] == '#' && bytes[1] == '!') {
                            target.toFile().setExecutable(true, false);
                        }
                        any = true;
                    }
                }
                return any ? dir : null;
            } catch (Exception e) {
                return null;
            }
        }
    }

    /** The value of work done on another thread; its failure as if it had happened here. */
    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private <T> T step(String name, Supplier<T> body, java.util.function.Function<T, String> detail) {
        step++;
        Instant t = Instant.now();
        T value = body.get();
        double s = Duration.between(t, Instant.now()).toMillis() / 1000.0;
        timings.put(name, s);
        log.info("release: [%d/%d] %s: %s (%.1f s)", step, STEPS, name, detail.apply(value), s);
        return value;
    }

    private void emit() {
        ObjectNode steps = result.putObject("steps");
        timings.forEach(steps::put);
        if (json) {
            try {
                spec.commandLine().getOut().println(JSON.writeValueAsString(result));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else if (result.has("status") && !"Error".equals(result.path("status").asText())) {
            spec.commandLine().getOut().println(result.path("status").asText() + " " + result.path("version").asText() + " "
                    + result.path("image").asText() + (result.has("deploymentId") ? " " + result.path("deploymentId").asText() : ""));
        }
        spec.commandLine().getOut().flush();
    }

    private Path resolve(Path p) {
        return cwd.resolve(p).toAbsolutePath().normalize();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null || s.isBlank() ? fallback : Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
