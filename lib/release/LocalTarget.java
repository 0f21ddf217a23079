import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * release --local's target: this machine in place of S3 and CodeDeploy. The image is built and pushed to a registry
 * on 127.0.0.1 (set up when none answers), the bundle is kept as a local revision, and deploy-local's engine runs it
 * through the real hooks on the local Docker engine. A failed deployment is rolled back as CodeDeploy would roll it
 * back: by validate (or start) itself, which then exits 3, else by redeploying the last revision that succeeded here.
 */
final class LocalTarget implements Target {
    private final Plan plan;
    private final Docker docker;
    private final Log log;
    private final Map<String, String> env;
    private HostReady host;
    private Path kitDir;
    private LocalResult result;
    private Path deployed;

    LocalTarget(Plan plan, Docker docker, Log log, Map<String, String> env) {
        this.plan = plan;
        this.docker = docker;
        this.log = log;
        this.env = env;
    }

    /** Docker, Compose and the registry (set up when missing), then what the template needs on this host. */
    @Override
    public String check(Kit kit) {
        kitDir = kit.dir();
        host = new HostReady(docker, log, env, setupScript(kitDir));
        String found = host.ensure();
        var compose = Template.render(kit.template(), Plan.PROBE_IMAGE, kit.settings());
        String proxyImage = compose.path("services").path(kit.settings().proxy()).path("image").asText("");
        if (proxyImage.startsWith("nginx:")) {
            host.proxyImage(proxyImage);
        }
        List<String> made = new ArrayList<>(HostPrep.networks(docker, compose, false));
        made.addAll(HostPrep.envFiles(compose, kit.template().toAbsolutePath().getParent(), false)); // relative: to the template, as Compose reads it
        requireFreePorts(compose, kit.settings().project());
        return "; " + found + (made.isEmpty() ? "" : "; made " + String.join(", ", made));
    }

    /** As pull will, before any build: a port the template publishes must not be another project's (the demo can move). */
    private void requireFreePorts(com.fasterxml.jackson.databind.node.ObjectNode compose, String project) {
        for (int port : Template.publishedPorts(compose)) {
            for (String[] c : docker.publishers(port)) {
                if (!project.equals(c[1])) {
                    throw new Cli.Fail(Cli.ENVIRONMENT, "port " + port + ", which " + (plan.local().demo() != null ? "the demo" : "the template")
                            + " publishes, is held by container " + c[0] + (c[1].isEmpty() ? "" : " of compose project '" + c[1] + "'"),
                            (plan.local().demo() != null ? "run the demo on another port: --demo-port " + (port + 1) : "publish another port in the template")
                                    + ", or stop that container; nothing was built or deployed");
                }
            }
        }
    }

    /** The application's image, or the demo's (its base first), built and pushed to the local registry. */
    @Override
    public Done<ImageRef> image(Versioning v) {
        Plan.Local local = plan.local();
        if (local.demo() == null || !(plan.image() instanceof Plan.Build b)) {
            return plan.image().pin(docker, log, v);
        }
        List<String> args = new ArrayList<>(b.buildArgs());
        args.add("BASE=" + Demo.base(docker, host, log));
        args.add("VERSION=" + v.version());
        Plan.Build demo = new Plan.Build(b.repository(), local.demo().resolve("Dockerfile"), local.demo(), args, b.platform());
        String before = imageId(b.repository() + ":" + v.version());
        Done<ImageRef> done = demo.pin(docker, log, v);
        boolean same = before != null && before.equals(imageId(b.repository() + ":" + v.version()));
        return new Done<>(done.value(), (same ? "unchanged (every build step cached): " + done.value() : done.detail())
                + " (the demo service: this folder has no Dockerfile)");
    }

    /** The bundle kept under the local root; the same bytes are not written twice. */
    @Override
    public Done<Revision> upload(Kit.Zip zip, Versioning v, String description) {
        Path file = revisions().resolve(Path.of(zip.key()).getFileName().toString());
        try {
            Files.createDirectories(file.getParent());
            if (Files.isRegularFile(file) && Kit.sha256(Files.readAllBytes(file)).equals(zip.sha256())) {
                return new Done<>(new Revision(null, file), "unchanged, kept " + file);
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot keep the revision in " + file.getParent() + ": " + e.getMessage(), "set CDEPLOY_LOCAL_ROOT to a writable folder");
        }
        Disk.writeAtomically(file, zip.bytes());
        return new Done<>(new Revision(null, file), "kept " + file);
    }

    /** deploy-local's engine over the kept revision, through the real hooks; its events are logged as they run. */
    @Override
    public Done<String> deploy(Revision revision, String description) {
        deployed = revision.file();
        result = run(deployed);
        String url = plan.source().settings().healthUrl();
        String colour = result.failure() == null ? Proxy.answeringColour(url) : null; // behind the proxy: which colour
        String serving = result.failure() == null ? ", " + url + " answers" + (colour == null ? "" : " from " + colour + ", behind the proxy") : "";
        return new Done<>(result.deploymentId(), result.deploymentId() + " " + result.status() + serving + " (log " + result.scriptsLog() + ")");
    }

    /** The deployment's outcome; a failure not rolled back by the hooks is rolled back by redeploying the last good revision. */
    @Override
    public CodeDeploy.Outcome await(String id) {
        if (result.failure() == null) {
            remember(deployed);
            return outcome(result, null);
        }
        EventFailure f = result.failure();
        if (Integer.valueOf(Cli.ROLLED_BACK).equals(result.scriptExitCode())) {
            var inPlace = new CodeDeploy.Outcome(id + "/" + f.event(), "Succeeded", Map.of("Succeeded", 1L), null,
                    f.event() + " rolled back in place", List.of(), null);
            return outcome(result, inPlace);
        }
        Path good = lastGood();
        if (!plan.deployment().autoRollback() || good == null || good.equals(deployed)) {
            return outcome(result, null);
        }
        log.info("release: deployment %s failed; redeploying the last good revision %s, as CodeDeploy's automatic rollback would", id, good.getFileName());
        LocalResult back = run(good);
        return outcome(result, outcome(back, null));
    }

    @Override
    public void close() {}

    private String imageId(String ref) {
        Proc.Result r = docker.docker(Duration.ofSeconds(20), "image", "inspect", "--format", "{{.Id}}", ref);
        return r.ok() ? r.out().strip() : null;
    }

    private LocalResult run(Path zip) {
        Plan.Deployment d = plan.deployment();
        LocalDeploy.Request request = new LocalDeploy.Request(zip.toString(), "zip", d.fileExists(), d.application(), d.group(), d.application(),
                null, plan.local().base().resolve("deployment-root"), false, ScriptRun.NoShebang.sh);
        return new LocalDeploy(request, hookEnv(), Path.of("").toAbsolutePath(), log, null, (s, f) -> {
            throw new Cli.Fail(Cli.INPUT, "a local release has no S3 bundle");
        }).run();
    }

    /** The hooks find jbang: this checkout's wrapper when none is installed. */
    private Map<String, String> hookEnv() {
        Map<String, String> e = new LinkedHashMap<>(env);
        if (Cli.first(e.get("CDEPLOY_JBANG")) == null) {
            for (String candidate : new String[] {e.get("JBANG_LAUNCH_CMD"), kitDir.resolve("jbang").toString()}) {
                if (candidate != null && Files.isExecutable(Path.of(candidate)) && Files.isRegularFile(Path.of(candidate))) {
                    e.put("CDEPLOY_JBANG", candidate);
                    break;
                }
            }
        }
        return e;
    }

    private static CodeDeploy.Outcome outcome(LocalResult r, CodeDeploy.Outcome rollback) {
        EventFailure f = r.failure();
        return new CodeDeploy.Outcome(r.deploymentId(), r.status(), Map.of(r.status(), 1L), f == null ? null : f.errorCode(),
                f == null ? null : f.message(), f == null ? List.of() : List.of(f), rollback);
    }

    private Path revisions() {
        return plan.local().base().resolve("revisions").resolve(plan.deployment().application());
    }

    private Path lastGood() {
        try {
            Path file = revisions().resolve(Files.readString(revisions().resolve("last-good")).strip());
            return Files.isRegularFile(file) ? file : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void remember(Path zip) {
        Disk.writeAtomically(revisions().resolve("last-good"), zip.getFileName().toString());
    }

    /** lib/setup-host.sh of the kit (this checkout, or the kit shipped with the command). */
    private static Path setupScript(Path kitDir) {
        Path here = kitDir.resolve("lib/setup-host.sh");
        if (Files.isRegularFile(here)) {
            return here;
        }
        Path kit = Kit.extract();
        return kit == null ? null : kit.resolve("lib/setup-host.sh");
    }
}
