///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION BeforeInstall hook: checks the bundle and the host, pulls every image the release needs, warms the other hooks
//JAVA 17+
//SOURCES ../lib/Cli.java ../lib/ImageRef.java ../lib/Docker.java ../lib/AppSpec.java ../lib/Bundle.java ../lib/Stack.java

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "pull", mixinStandardHelpOptions = true, version = "pull 1",
        description = "BeforeInstall hook. While the old version keeps serving: reads the bundle's image reference, checks "
                + "the host (Docker, Compose, env file, networks, container names, hook time budget), renders the "
                + "compose file and has Compose validate it, pulls the release image (by digest when pinned) and every "
                + "other image the stack lacks, and compiles the other hooks so that nothing compiles during the swap. "
                + "On any failure the running version is untouched.")
class pull implements Callable<Integer> {
    @Mixin
    Cli.BundleDir bundleDir;

    @Option(names = "--pull-timeout", defaultValue = "600", description = "Seconds allowed for each docker pull (default: ${DEFAULT-VALUE})")
    int pullTimeout;

    @Option(names = "--no-warm-up", description = "Do not compile the start and validate hooks ahead of the swap")
    boolean noWarmUp;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new pull()).execute(args));
    }

    @Override
    public Integer call() {
        Instant t0 = Instant.now();
        Bundle bundle = Bundle.load(bundleDir.dir);
        Stack stack = new Stack(bundle);
        String image = bundle.image().pinned();
        ObjectNode compose = stack.render(image);
        Cli.log("pull: release %s, image %s", bundle.version() == null ? "(unversioned)" : bundle.version(), bundle.image());
        for (String env : Stack.envFiles(compose)) {
            if (!Files.isRegularFile(stack.stateDir.resolve(env))) { // compose reads a relative one beside the rendered file
                throw new Cli.Fail(Cli.INPUT, "env file " + env + " does not exist",
                        "create it on the instance (it may be empty), or set envFile in release.json");
            }
        }
        stack.healthDeadline(compose);

        Docker docker = new Docker();
        docker.requireDaemon();
        Docker.Compose composeCli = docker.compose();
        for (String net : Stack.externalNetworks(compose)) {
            if (!docker.docker(Duration.ofSeconds(20), "network", "inspect", net).ok()) {
                throw new Cli.Fail(Cli.INPUT, "the stack joins the external network '" + net + "', which does not exist",
                        "create it once: docker network create " + net);
            }
        }
        for (Map.Entry<String, String> e : Stack.containerNames(compose).entrySet()) {
            docker.container(e.getValue()).filter(c -> !bundle.settings().project().equals(c.project())).ifPresent(c -> {
                throw new Cli.Fail(Cli.INPUT, "container " + c.name() + " (service " + e.getKey() + ") exists outside compose project '"
                        + bundle.settings().project() + "'" + (c.project() == null ? "" : " (it belongs to '" + c.project() + "')"),
                        c.project() == null ? "remove it once (docker rm -f " + c.name() + ") so compose can manage it"
                                : "set \"project\": \"" + c.project() + "\" in release.json to adopt that stack");
            });
        }
        checkRenders(stack, composeCli, compose);

        pullImage(docker, image, "release image");
        for (String side : Stack.images(compose)) {
            if (!side.equals(image) && !docker.imageExists(side)) {
                pullImage(docker, side, "side image");
            }
        }
        if (!noWarmUp) {
            warmUp(bundle.dir());
        }
        Cli.log("pull: ready to swap to %s (%s)", image, Cli.seconds(Duration.between(t0, Instant.now())));
        Cli.log("pull: %s", Docker.timing());
        return Cli.OK;
    }

    private void pullImage(Docker docker, String ref, String what) {
        Instant t = Instant.now();
        docker.pull(ref, Duration.ofSeconds(pullTimeout));
        Cli.log("pull: %s %s pulled (%s)", what, ref, Cli.seconds(Duration.between(t, Instant.now())));
    }

    /** Compose's own check of the rendered file, on a scratch copy beside it: the live file changes only in start. */
    private static void checkRenders(Stack stack, Docker.Compose composeCli, ObjectNode compose) {
        Path scratch = null;
        try {
            Files.createDirectories(stack.stateDir);
            scratch = Files.createTempFile(stack.stateDir, ".check-", ".yml");
            Files.writeString(scratch, Stack.yaml(compose));
            Docker.Result r = Docker.run(composeCli.config(stack.settings.project(), scratch), Duration.ofSeconds(60), null);
            if (!r.ok()) {
                throw new Cli.Fail(Cli.INPUT, "compose rejects the rendered template: " + r.reason(), "fix compose.yml and release again");
            }
        } catch (java.io.IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot write a scratch file in " + stack.stateDir + " (" + e.getMessage() + ")",
                    "run the hook as root, or make that folder writable");
        } finally {
            if (scratch != null) {
                scratch.toFile().delete();
            }
        }
    }

    /**
     * Compiles the hooks that run inside the swap (JBang caches a compiled script by its content) and writes each
     * one's java command beside its launcher, so that hooks/launch starts them without JBang's own JVM.
     */
    private static void warmUp(Path bundleDir) {
        String jbang = System.getenv("CDEPLOY_JBANG");
        if (jbang == null || jbang.isBlank()) {
            Cli.log("pull: not run through hooks/pull, so the other hooks were not compiled ahead (CDEPLOY_JBANG unset)");
            return;
        }
        for (String hook : List.of("start", "validate")) {
            Path source = bundleDir.resolve("hooks").resolve(hook + ".java");
            Instant t = Instant.now();
            Docker.Result built = Docker.run(List.of(jbang, "build", source.toString()), Duration.ofMinutes(5), null);
            Docker.Result info = built.ok() ? Docker.run(List.of(jbang, "info", "tools", source.toString()), Duration.ofMinutes(1), null) : built;
            if (!info.ok()) {
                throw new Cli.Fail(Cli.ENVIRONMENT, "jbang " + (built.ok() ? "info tools" : "build") + " hooks/" + hook + ".java failed here: " + info.reason(),
                        "check Java and Maven access on the instance (jbang build " + source + ")");
            }
            Stack.writeAtomically(source.resolveSibling("." + hook + ".cmd"), launchCommand(info.out(), source));
            Cli.log("pull: hooks/%s compiled (%s)", hook, Cli.seconds(Duration.between(t, Instant.now())));
        }
    }

    /** Shell variables for hooks/launch, from {@code jbang info tools}: java, options, classpath, main, jar. */
    static String launchCommand(String infoJson, Path source) {
        try {
            JsonNode info = Docker.JSON.readTree(infoJson);
            List<String> classpath = new ArrayList<>(List.of(info.path("applicationJar").asText()));
            info.path("resolvedDependencies").forEach(d -> classpath.add(d.asText()));
            java.util.Set<String> options = new java.util.LinkedHashSet<>(); // JBang repeats a helper's options per includer
            info.path("runtimeOptions").forEach(o -> options.add(o.asText()));
            return "# Written by hooks/pull from 'jbang info tools " + source.getFileName() + "': run it without JBang's JVM.\n"
                    + "java=" + quote(info.path("availableJdkPath").asText() + "/bin/java") + "\n"
                    + "options=" + quote(String.join(" ", options)) + "\n"
                    + "classpath=" + quote(String.join(":", classpath)) + "\n"
                    + "main=" + quote(info.path("mainClass").asText()) + "\n"
                    + "jar=" + quote(info.path("applicationJar").asText()) + "\n";
        } catch (java.io.IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "jbang info tools " + source + " did not print JSON (" + e.getMessage() + ")",
                    "upgrade JBang on the instance");
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
