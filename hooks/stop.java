///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION ApplicationStop hook (optional): gracefully stops and removes exactly the app container
//JAVA 17+
//SOURCES ../lib/core/Cli.java ../lib/core/Disk.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java ../lib/core/Deadline.java
//SOURCES ../lib/bundle/ImageRef.java ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/Settings.java ../lib/bundle/Manifest.java ../lib/bundle/Bundle.java
//SOURCES ../lib/host/Docker.java ../lib/host/Template.java ../lib/host/Stack.java ../lib/host/Lock.java ../lib/host/Hook.java ../lib/host/Proxy.java ../lib/host/Colours.java ../lib/host/BlueGreen.java ../lib/host/Health.java

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "stop", mixinStandardHelpOptions = true, version = "stop " + Cli.VERSION,
        description = "Stops (SIGTERM, then SIGKILL after the grace period) and removes the container with exactly this "
                + "name, and its two colours (<name>-blue, <name>-green) when they exist; no container by those names is success. For manual use and for teams that want stop-then-start: "
                + "the default appspec.yml does not take the service down before the swap.",
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {Cli.EXIT_OK, Cli.EXIT_FAILED, Cli.EXIT_INPUT, Cli.EXIT_ENVIRONMENT, Cli.EXIT_INTERNAL})
class stop implements Callable<Integer> {
    @Mixin
    Hook.Options options = new Hook.Options();
    @Spec
    CommandSpec spec;

    @Option(names = "--container", description = "Container name (default: the bundle's; outside a bundle it must be given)")
    String container;

    @Option(names = "--grace", description = "Seconds between SIGTERM and SIGKILL (default: the app's stop_grace_period in compose.yml, else Docker's 10)")
    Integer grace;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new stop()).execute(args));
    }

    @Override
    public Integer call() {
        Bundle bundle = Bundle.isBundle(options.dir) ? Bundle.load(options.dir) : null;
        Log log = new Log(spec.commandLine().getErr());
        if (container == null && bundle == null) { // by hand, outside a bundle: never guess whose container to stop
            throw new Cli.Fail(Cli.INPUT, "no bundle in " + options.dir.toAbsolutePath().normalize() + " to name the app container",
                    "give --container NAME (the default template's is " + Settings.DEFAULTS.container() + "), or --bundle DIR");
        }
        String name = container != null ? container : (bundle != null ? bundle.settings() : Settings.DEFAULTS).container();
        long seconds = grace != null ? grace : bundle != null ? graceOf(bundle) : Template.DOCKER_GRACE.toSeconds();
        if (seconds < 0) {
            throw new Cli.Fail(Cli.INPUT, "--grace " + seconds + " is negative", "give 0 or more seconds");
        }
        Path state = Bundle.stateDir(options.env, (bundle != null ? bundle.settings() : Settings.DEFAULTS).project());
        if (!Files.isDirectory(state) || !Files.isWritable(state)) {
            // nothing deployed here, or an operator in the docker group (the hooks run as root): stop without the lock
            if (Files.isDirectory(state)) {
                log.info("stop: warning: cannot take the lock in %s as this user; stopping without it", state);
            }
            stop(name, seconds, log);
        } else {
            try (Lock lock = Lock.take(state, "stop", Hook.lockWait(options.env), log)) {
                stop(name, seconds, log);
            }
        }
        log.info("stop: %s", Clock.summary(options.env));
        return Cli.OK;
    }

    /** The app container by its name, and its two colours (the template with a proxy runs {@code <name>-blue} and {@code -green}). */
    private void stop(String name, long seconds, Log log) {
        Docker docker = options.docker();
        docker.requireDaemon();
        int stopped = 0;
        for (String each : new String[] {name, name + "-blue", name + "-green"}) {
            stopped += stop(docker, each, seconds, log) ? 1 : 0;
        }
        if (stopped == 0) {
            log.info("stop: no container named %s (nor %s-blue, %s-green); nothing to stop", name, name, name);
        }
    }

    private static boolean stop(Docker docker, String name, long seconds, Log log) {
        Optional<Docker.Container> found = docker.container(name);
        if (found.isEmpty()) {
            return false;
        }
        Instant t = Instant.now();
        Proc.Result r = docker.docker(Duration.ofSeconds(seconds + 60), "stop", "--time", Long.toString(seconds), name);
        if (r.ok()) {
            r = docker.docker(Duration.ofSeconds(60), "rm", name);
        }
        if (!r.ok() && docker.container(name).isPresent()) {
            throw new Cli.Fail(Cli.FAILED, "could not stop and remove " + name + ": " + r.reason(), "check the Docker daemon (docker ps -a)");
        }
        log.info("stop: %s (%s) stopped and removed (%s)", name, found.get().image(), Clock.since(t));
        return true;
    }

    /** The app's stop_grace_period from the bundle's template, else Docker's default. */
    private static long graceOf(Bundle bundle) {
        if (!Files.isRegularFile(bundle.dir().resolve(Bundle.TEMPLATE))) {
            return Template.DOCKER_GRACE.toSeconds();
        }
        return Template.gracePeriod(Template.render(bundle.template(), bundle.image().pinned(), bundle.settings()), bundle.settings()).toSeconds();
    }
}
