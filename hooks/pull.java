///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION BeforeInstall hook: checks the bundle and the host, pulls every image the release needs, warms the other hooks
//JAVA 17+
//SOURCES ../lib/core/Cli.java ../lib/core/Disk.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java ../lib/core/Deadline.java
//SOURCES ../lib/bundle/ImageRef.java ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/Settings.java ../lib/bundle/Manifest.java ../lib/bundle/Bundle.java
//SOURCES ../lib/host/Docker.java ../lib/host/Template.java ../lib/host/Stack.java ../lib/host/Lock.java ../lib/host/Hook.java ../lib/host/Proxy.java ../lib/host/Colours.java ../lib/host/BlueGreen.java ../lib/host/Health.java ../lib/host/WarmUp.java

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "pull", mixinStandardHelpOptions = true, version = "pull " + Cli.VERSION,
        description = "BeforeInstall hook. While the old version keeps serving: reads the bundle's image reference, checks "
                + "the host (Docker, Compose, env file, networks, container names, hook time budget), renders the "
                + "compose file and has Compose validate it, pulls the release image (by digest when pinned) and every "
                + "other image the stack lacks, and compiles the other hooks so that nothing compiles during the swap. "
                + "On any failure the running version is untouched.",
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {Cli.EXIT_OK, Cli.EXIT_INPUT, Cli.EXIT_ENVIRONMENT, Cli.EXIT_INTERNAL})
class pull implements Callable<Integer> {
    @Mixin
    Hook.Options options = new Hook.Options();
    @Spec
    CommandSpec spec;

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
        Hook h = Hook.open("pull", options, spec.commandLine().getErr());
        Bundle b = h.bundle();
        h.log().info("pull: release %s, image %s%s", b.version() == null ? "(unversioned)" : b.version(), b.image(),
                b.commit() == null ? "" : ", commit " + b.commit() + (b.time() == null ? "" : " of " + b.time()));
        requireEnvFiles(h);
        h.stack().healthDeadline(h.compose());
        Proxy.checkTemplate(h.compose(), h.settings());
        h.docker().requireDaemon();
        Docker.Compose compose = h.docker().compose();
        requireNetworks(h);
        requireOwnContainers(h);
        requireOwnPorts(h);
        checkRenders(h, compose);
        pullImage(h, h.image(), "release image");
        for (String side : Template.images(h.compose())) {
            if (!side.equals(h.image()) && !h.docker().imageExists(side)) {
                pullImage(h, side, "side image");
            }
        }
        if (!noWarmUp) {
            WarmUp.hooks(h.bundle().dir(), h.runner(), Cli.first(h.env().get("CDEPLOY_JBANG")), h.log());
        }
        h.log().info("pull: ready to swap to %s (%s)", h.image(), Clock.since(t0));
        return h.done();
    }

    private static void requireEnvFiles(Hook h) {
        for (String env : Template.envFiles(h.compose())) {
            if (!Files.isRegularFile(h.stack().stateDir.resolve(env))) { // compose reads a relative one beside the rendered file
                throw new Cli.Fail(Cli.INPUT, "env file " + env + " does not exist",
                        "create it on the instance (it may be empty), or set envFile in release.json");
            }
        }
    }

    private static void requireNetworks(Hook h) {
        for (String net : Template.externalNetworks(h.compose())) {
            if (!h.docker().networkExists(net)) {
                throw new Cli.Fail(Cli.INPUT, "the stack joins the external network '" + net + "', which does not exist",
                        "create it once: docker network create " + net);
            }
        }
    }

    /** A container name the template fixes must be free, or belong to this compose project already. */
    private static void requireOwnContainers(Hook h) {
        String project = h.settings().project();
        for (Map.Entry<String, String> e : Template.containerNames(h.compose()).entrySet()) {
            h.docker().container(e.getValue()).filter(c -> !project.equals(c.project())).ifPresent(c -> {
                throw new Cli.Fail(Cli.INPUT, "container " + c.name() + " (service " + e.getKey() + ") exists outside compose project '"
                        + project + "'" + (c.project() == null ? "" : " (it belongs to '" + c.project() + "')"),
                        c.project() == null ? "remove it once (docker rm -f " + c.name() + ") so compose can manage it"
                                : "set \"project\": \"" + c.project() + "\" in release.json to adopt that stack");
            });
        }
    }

    /** A host port the template publishes must be free, or held by this compose project already (the swap frees it). */
    private static void requireOwnPorts(Hook h) {
        String project = h.settings().project();
        for (int port : Template.publishedPorts(h.compose())) {
            for (String[] c : h.docker().publishers(port)) {
                if (!project.equals(c[1])) {
                    throw new Cli.Fail(Cli.INPUT, "host port " + port + ", which the template publishes, is held by container " + c[0]
                            + (c[1].isEmpty() ? "" : " of compose project '" + c[1] + "'"),
                            "stop that container, or publish another host port in compose.yml; the running version was not touched");
                }
            }
        }
    }

    private void pullImage(Hook h, String ref, String what) {
        Instant t = Instant.now();
        h.docker().pull(ref, Duration.ofSeconds(pullTimeout));
        h.log().info("pull: %s %s pulled (%s)", what, ref, Clock.since(t));
    }

    /** Compose's own check of the pair start will write, on scratch copies beside it: the live pair changes only in start. */
    private static void checkRenders(Hook h, Docker.Compose compose) {
        Path dir = h.stack().stateDir;
        Path scratch = null;
        Path override = null;
        try {
            Files.createDirectories(dir);
            scratch = Files.createTempFile(dir, ".check-", ".yml"); // beside the live pair: relative paths mean the same
            override = Files.createTempFile(dir, ".check-", ".override.yml");
            Files.writeString(scratch, Bundle.read(h.bundle().template()));
            Files.writeString(override, h.stack().override(h.image()));
            Proc.Result r = h.docker().run(compose.config(h.settings().project(), List.of(scratch, override)), Duration.ofSeconds(60), null);
            if (!r.ok()) {
                throw new Cli.Fail(Cli.INPUT, "compose rejects the rendered template: " + r.reason(), "fix compose.yml and release again");
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot write a scratch file in " + dir + " (" + e.getMessage() + ")",
                    "run the hook as root, or make that folder writable");
        } finally {
            for (Path p : new Path[] {scratch, override}) {
                if (p != null) {
                    p.toFile().delete();
                }
            }
        }
    }
}
