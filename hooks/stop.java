///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION ApplicationStop hook (optional): gracefully stops and removes exactly the app container
//JAVA 17+
//SOURCES ../lib/Cli.java ../lib/ImageRef.java ../lib/Docker.java ../lib/AppSpec.java ../lib/Bundle.java ../lib/Stack.java

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stop", mixinStandardHelpOptions = true, version = "stop 1",
        description = "Stops (SIGTERM, then SIGKILL after the grace period) and removes the container with exactly this "
                + "name; no container by that name is success. For manual use and for teams that want stop-then-start: "
                + "the default appspec.yml does not take the service down before the swap.")
class stop implements Callable<Integer> {
    @Mixin
    Cli.BundleDir bundleDir;

    @Option(names = "--container", description = "Container name (default: the bundle's, else art-backend)")
    String container;

    @Option(names = "--grace", description = "Seconds between SIGTERM and SIGKILL (default: the app's stop_grace_period in compose.yml, else Docker's 10)")
    Integer grace;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new stop()).execute(args));
    }

    @Override
    public Integer call() {
        boolean hasBundle = Files.isRegularFile(bundleDir.dir.resolve(Bundle.IMAGE_FILE)) || Files.isRegularFile(bundleDir.dir.resolve(Bundle.MANIFEST));
        Bundle bundle = hasBundle ? Bundle.load(bundleDir.dir) : null;
        String name = container != null ? container : bundle != null ? bundle.settings().container() : Bundle.Settings.DEFAULTS.container();
        long seconds = grace != null ? grace : bundle != null ? graceOf(bundle) : Stack.DOCKER_GRACE.toSeconds();
        if (seconds < 0) {
            throw new Cli.Fail(Cli.INPUT, "--grace " + seconds + " is negative", "give 0 or more seconds");
        }
        Docker docker = new Docker();
        docker.requireDaemon();
        Optional<Docker.Container> found = docker.container(name);
        if (found.isEmpty()) {
            Cli.log("stop: no container named %s; nothing to stop", name);
            return Cli.OK;
        }
        Instant t = Instant.now();
        Docker.Result r = docker.docker(Duration.ofSeconds(seconds + 60), "stop", "--time", Long.toString(seconds), name);
        if (r.ok()) {
            r = docker.docker(Duration.ofSeconds(60), "rm", name);
        }
        if (!r.ok() && docker.container(name).isPresent()) {
            throw new Cli.Fail(Cli.FAILED, "could not stop and remove " + name + ": " + r.reason(), "check the Docker daemon (docker ps -a)");
        }
        Cli.log("stop: %s (%s) stopped and removed (%s)", name, found.get().image(), Cli.seconds(Duration.between(t, Instant.now())));
        Cli.log("stop: %s", Docker.timing());
        return Cli.OK;
    }

    private static long graceOf(Bundle bundle) {
        Stack stack = new Stack(bundle);
        return Files.isRegularFile(bundle.dir().resolve(Bundle.TEMPLATE))
                ? stack.gracePeriod(stack.render(bundle.image().pinned())).toSeconds() : Stack.DOCKER_GRACE.toSeconds();
    }
}
