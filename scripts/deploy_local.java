///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION deploy-local: run a revision's whole lifecycle on this machine as the CodeDeploy agent would, with no agent and no AWS account
//JAVA 17+
//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS info.picocli:picocli:4.7.7
//SOURCES ../lib/core/Cli.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java
//SOURCES ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/EventFailure.java
//SOURCES ../lib/aws/Aws.java
//SOURCES ../lib/local/Layout.java ../lib/local/ScriptLog.java ../lib/local/ScriptRun.java ../lib/local/Fetch.java ../lib/local/Installer.java ../lib/local/Instructions.java
//SOURCES ../lib/local/Events.java ../lib/local/Lifecycle.java ../lib/local/LocalResult.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;

@Command(name = "deploy-local", sortOptions = false, mixinStandardHelpOptions = true, version = "deploy-local " + Cli.VERSION,
        description = {"Runs a revision's lifecycle on this machine as the CodeDeploy agent (1.x) would: the deployment root laid out as "
                + "the agent's, ApplicationStop from the last successful revision, files and permissions installed with the agent's "
                + "rules, hook scripts by absolute path in their own process group with the agent's environment, timeouts and "
                + "error codes. Progress on stderr; at the end each event with its duration and outcome, and a failure's log tail, "
                + "on stdout (--json for machines). Needs only Java: no agent, no AWS account (except for an s3:// bundle)."},
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {Cli.EXIT_OK, " 1:failed: a lifecycle event failed (the summary names it, its error code and log tail)",
                Cli.EXIT_INPUT, Cli.EXIT_ENVIRONMENT, Cli.EXIT_AWS, Cli.EXIT_INTERNAL})
class deploy_local implements Callable<Integer> {
    @Option(names = {"-l", "--bundle-location"}, description = "A folder, a .zip/.tar/.tgz file, or s3://bucket/key[?versionId=V&etag=E] (default: the current folder)")
    String location;
    @Option(names = {"-t", "--type"}, description = "directory, zip, tar or tgz (default: from the location: a folder, or the file name's extension)")
    String type;
    @Option(names = {"-b", "--file-exists-behavior"}, defaultValue = "DISALLOW", description = "DISALLOW, OVERWRITE or RETAIN; the appspec's own value wins (default: ${DEFAULT-VALUE})")
    String fileExistsBehavior;
    @Option(names = {"-g", "--deployment-group"}, defaultValue = Layout.DEFAULT_GROUP, paramLabel = "ID",
            description = "The deployment group ID, as codedeploy-local takes it: it names the folder under the deployment root and "
                    + "becomes DEPLOYMENT_GROUP_ID. Not release's --deployment-group, which is a group name (default: ${DEFAULT-VALUE})")
    String groupId;
    @Option(names = {"-d", "--deployment-group-name"}, defaultValue = "LocalFleet", description = "DEPLOYMENT_GROUP_NAME for the hooks (default: ${DEFAULT-VALUE})")
    String groupName;
    @Option(names = {"-a", "--application-name"}, description = "APPLICATION_NAME for the hooks (default: the bundle location)")
    String applicationName;
    @Option(names = {"-e", "--events"}, paramLabel = "A,B", description = "Events to run, in this order; DownloadBundle and Install are added when missing (default: all, the traffic hooks included)")
    String events;
    @Option(names = "--deployment-root", description = "Deployment root (default: " + Layout.ROOT_AS_ROOT + " as root, never the agent's; "
            + "else $XDG_DATA_HOME/cdeploy-local/deployment-root)")
    Path deploymentRoot;
    @Option(names = "--ignore-application-stop-failures", description = "A failing ApplicationStop, BeforeBlockTraffic or AfterBlockTraffic script does not fail the deployment")
    boolean ignoreStopFailures;
    @Option(names = "--without-shebang", defaultValue = "sh", description = "A script with no #! line: sh runs it through /bin/sh as agent 1.x does; fail fails it as agent 2.x does (default: ${DEFAULT-VALUE})")
    ScriptRun.NoShebang noShebang;
    @Option(names = "--verbose", description = "Echo the scripts' output on stderr as it comes")
    boolean verbose;
    @Option(names = "--json", description = "Print the result as JSON on stdout")
    boolean json;
    @Option(names = "--region", description = "AWS region for an s3:// bundle (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)")
    String region;
    @Option(names = "--s3-endpoint-url", description = "S3 endpoint for an s3:// bundle (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)")
    String s3EndpointUrl;

    /** What the command reads instead of the process: replaced by tests. */
    Map<String, String> env = System.getenv();
    Path cwd = Path.of("").toAbsolutePath();
    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new deploy_local()).execute(args));
    }

    @Override
    public Integer call() {
        Log log = new Log(spec.commandLine().getErr());
        boolean root = isRoot();
        Layout layout = new Layout(deploymentRoot != null ? cwd.resolve(deploymentRoot) : Layout.defaultRoot(root, env), groupId);
        Fetch.Source source = Fetch.source(location == null ? cwd.toString() : location, type, cwd);
        List<String> order = Events.ordered(events);
        checkOptions(layout, source);
        String id = Layout.newDeploymentId();
        try (AutoCloseable lock = layout.lock(id)) {
            Path dir = begin(layout, id);
            try {
                Fetch.Staged staged = Fetch.stage(source, dir, dir.resolve(".staging"), this::download);
                preflight(staged, order, root, dir);
                log.info("deploy-local: %s of %s (%s) in %s", id, source.location(), source.type(), dir);
                try (ScriptLog scripts = new ScriptLog(Layout.scriptsLog(dir), layout.deploymentsLog(), id, verbose ? log::raw : null)) {
                    Lifecycle lifecycle = new Lifecycle(context(layout, id, dir, source, staged, scripts, log));
                    LocalResult result = LocalResult.of(id, application(source), groupName, layout, source.location(),
                            run(lifecycle, order, staged, source, log));
                    result.print(spec.commandLine().getOut(), json);
                    return result.exitCode();
                }
            } finally {
                Files.deleteIfExists(layout.ongoing(id));
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "deployment root " + layout.root + ": " + e.getMessage(), "give a writable --deployment-root");
        } catch (Cli.Fail | UncheckedIOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The events in order; after the first failure the rest are skipped, as CodeDeploy skips them. */
    private List<Lifecycle.EventResult> run(Lifecycle lifecycle, List<String> order, Fetch.Staged staged, Fetch.Source source, Log log) {
        List<Lifecycle.EventResult> results = new ArrayList<>();
        boolean failed = false;
        for (String event : order) {
            long t = System.nanoTime();
            Lifecycle.EventResult r = failed ? Lifecycle.EventResult.skipped(event) : switch (event) {
                case Events.DOWNLOAD_BUNDLE -> lifecycle.downloadBundle(staged, source.etag(), t);
                case Events.INSTALL -> lifecycle.install(t);
                default -> lifecycle.hooks(event, t);
            };
            if (r.failed() && ignoreStopFailures && Events.FROM_LAST_SUCCESSFUL.contains(event)) {
                r = new Lifecycle.EventResult(event, "Succeeded", r.seconds(), r.scripts(), "failure ignored: " + r.failure().message(), null, 0, null);
            }
            failed |= r.failed();
            results.add(r);
            log.info("deploy-local: [%d/%d] %s: %s%s (%.2f s)", results.size(), order.size(), event, r.status(),
                    r.failed() ? ": " + r.failure().errorCode() + ": " + r.failure().message() : r.note() == null ? "" : ", " + r.note(), r.seconds());
        }
        return results;
    }

    /** The deployment folder, its log folder and the in-progress marker the agent keeps while a deployment runs. */
    private static Path begin(Layout layout, String id) throws IOException {
        Path dir = layout.deploymentDir(id);
        Files.createDirectories(Layout.scriptsLog(dir).getParent());
        Files.createDirectories(layout.ongoing(id).getParent());
        Files.writeString(layout.ongoing(id), id);
        return dir;
    }

    /**
     * The new revision's appspec checked before any event runs: codedeploy-local's event checks and what deploy-local
     * cannot do faithfully (acls, SELinux context, runas without root) refused with nothing changed. An appspec the
     * agent would reject is not refused here: the deployment fails where the agent's would, with its message.
     */
    private void preflight(Fetch.Staged staged, List<String> order, boolean root, Path dir) {
        if (staged.failure() != null) {
            return;
        }
        try {
            Path file = Fetch.appspecIn(staged.dir());
            AppSpec appspec = file == null ? null : AppSpec.load(file);
            if (appspec == null) {
                return;
            }
            Events.check(order, appspec);
            for (AppSpec.Permission p : appspec.permissions()) {
                if (!p.acls().isEmpty() || !p.context().isEmpty()) {
                    throw new Cli.Fail(Cli.INPUT, "appspec.yml permissions for " + p.object() + " set " + (p.acls().isEmpty() ? "an SELinux context" : "acls")
                            + ", which deploy-local does not apply", "deploy this revision with the agent, or remove them to try the rest here");
                }
            }
            appspec.hooks().forEach((event, scripts) -> scripts.stream().filter(s -> s.runas() != null && !root).findFirst().ifPresent(s -> {
                throw new Cli.Fail(Cli.INPUT, event + " runs " + s.location() + " as " + s.runas() + ", which needs root (su)", "run deploy-local as root");
            }));
        } catch (AppSpec.Invalid e) {
            // the agent fails the deployment at the first event that reads it: so do we
        } catch (Cli.Fail f) {
            Layout.deleteTree(dir);
            throw f;
        }
    }

    private Lifecycle.Context context(Layout layout, String id, Path dir, Fetch.Source source, Fetch.Staged staged, ScriptLog scripts, Log log) {
        Map<String, String> base = new LinkedHashMap<>(env);
        if (!isRoot() && Cli.first(env.get("CDEPLOY_STATE_DIR")) == null) {
            base.put("CDEPLOY_STATE_DIR", Layout.defaultStateDir(env).toString()); // the hooks' state stays in the user's folders
        }
        return new Lifecycle.Context(layout, id, dir, application(source), groupName, base, source.bundleEnv(staged.etag()), scripts, log,
                noShebang, cwd, fileExistsBehavior, host());
    }

    private void checkOptions(Layout layout, Fetch.Source source) {
        if (!AppSpec.FILE_EXISTS_BEHAVIORS.contains(fileExistsBehavior)) {
            throw new Cli.Fail(Cli.INPUT, "--file-exists-behavior " + fileExistsBehavior + " is not one of DISALLOW, OVERWRITE, RETAIN");
        }
        if (!groupId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new Cli.Fail(Cli.INPUT, "--deployment-group '" + groupId + "' is not a folder name (letters, digits, '.', '_', '-')");
        }
        if (source.path() != null && layout.root.startsWith(source.path())) {
            throw new Cli.Fail(Cli.INPUT, "the deployment root " + layout.root + " is inside the bundle " + source.path(), "give another --deployment-root");
        }
    }

    /** GetObject of an s3:// bundle into bundle.tar; the agent reports a failure here as DownloadBundle's. */
    private String download(Fetch.Source source, Path file) {
        Aws.Config config = Aws.config(region, null, s3EndpointUrl, null, 3, Aws.ATTEMPT_TIMEOUT, env);
        try (S3Client s3 = Aws.s3(config)) {
            return s3.getObject(b -> b.bucket(source.bucket()).key(source.key()).versionId(source.version()), ResponseTransformer.toFile(file)).eTag();
        } catch (SdkException e) {
            throw Aws.fail(e, "s3:GetObject", "s3://" + source.bucket() + "/" + source.key(), 3);
        }
    }

    private String application(Fetch.Source source) {
        return applicationName != null ? applicationName : source.location();
    }

    /** This machine's name, for the failure's "failed on 1 instance (...)" (no DNS look-up). */
    private static String host() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Whether this process runs as root (the owner of /proc/self is the effective user). */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
