///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION ApplicationStart hook: renders the compose file for the release image and swaps the app container
//JAVA 17+
//SOURCES ../lib/Cli.java ../lib/ImageRef.java ../lib/Docker.java ../lib/AppSpec.java ../lib/Bundle.java ../lib/Stack.java

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "start", mixinStandardHelpOptions = true, version = "start 1",
        description = "ApplicationStart hook. Renders compose.yml for the release image, writes it atomically to the state "
                + "folder, records the image that was serving (for rollback) and runs compose up under a fixed project "
                + "name: the app container is swapped, side services are started when absent and recreated only when "
                + "their definition changed. Never pulls, never removes volumes.")
class start implements Callable<Integer> {
    @Mixin
    Cli.BundleDir bundleDir;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new start()).execute(args));
    }

    @Override
    public Integer call() {
        Bundle bundle = Bundle.load(bundleDir.dir);
        Stack stack = new Stack(bundle);
        String image = bundle.image().pinned();
        ObjectNode compose = stack.render(image);
        Docker docker = new Docker();
        docker.requireDaemon();
        Docker.Compose composeCli = docker.compose();
        for (String needed : Stack.images(compose)) {
            if (!docker.imageExists(needed)) {
                throw new Cli.Fail(Cli.FAILED, "image " + needed + " is not on this host, and start never pulls",
                        "run hooks/pull first: appspec.yml must list it under BeforeInstall");
            }
        }
        String container = bundle.settings().container();
        // what serves now (or, with the container stopped by hand, what served last) is what a rollback goes back to
        Optional<String> serving = docker.container(container).map(Docker.Container::image).or(() -> stack.recorded(Stack.CURRENT));
        serving.filter(s -> !s.equals(image)).ifPresent(s -> stack.record(Stack.PREVIOUS, s));
        Path file = stack.write(compose);
        Instant t = Instant.now();
        Cli.log("start: %s -> %s (compose %s, project %s)", serving.orElse("(nothing)"), image,
                composeCli.v2() ? "v2 " + composeCli.version() : "v1 " + composeCli.version(), bundle.settings().project());
        stack.up(composeCli, file, true, Duration.ofSeconds(bundle.hookTimeoutSeconds("ApplicationStart", "hooks/start")).minus(Stack.ROLLBACK_MARGIN));
        stack.record(Stack.CURRENT, image);
        Cli.log("start: %s started (%s); hooks/validate checks its health", container, Cli.seconds(Duration.between(t, Instant.now())));
        Cli.log("start: %s", Docker.timing());
        return Cli.OK;
    }
}
