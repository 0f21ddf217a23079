///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION ApplicationStart hook: renders the compose file for the release image and swaps the app container
//JAVA 17+
//SOURCES ../lib/core/Cli.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java ../lib/core/Deadline.java
//SOURCES ../lib/bundle/ImageRef.java ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/Settings.java ../lib/bundle/Manifest.java ../lib/bundle/Bundle.java
//SOURCES ../lib/host/Docker.java ../lib/host/Template.java ../lib/host/Stack.java ../lib/host/Lock.java ../lib/host/Hook.java

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "start", mixinStandardHelpOptions = true, version = "start " + Cli.VERSION,
        description = "ApplicationStart hook. Renders compose.yml for the release image, writes it atomically to the state "
                + "folder, records the image that was serving (for rollback) and runs compose up under a fixed project "
                + "name: the app container is swapped, side services are started when absent and recreated only when "
                + "their definition changed. Never pulls, never removes volumes.",
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {Cli.EXIT_OK, Cli.EXIT_FAILED, Cli.EXIT_INPUT, Cli.EXIT_ENVIRONMENT, Cli.EXIT_INTERNAL})
class start implements Callable<Integer> {
    @Mixin
    Hook.Options options = new Hook.Options();
    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new start()).execute(args));
    }

    @Override
    public Integer call() {
        Hook h = Hook.open("start", options, spec.commandLine().getErr());
        try (Lock lock = h.lock()) {
            return swap(h);
        }
    }

    private static int swap(Hook h) {
        h.docker().requireDaemon();
        Docker.Compose compose = h.docker().compose();
        requireImages(h);
        Optional<String> serving = keepRollbackTarget(h);
        h.stack().install(h.image());
        Instant t = Instant.now();
        h.log().info("start: %s -> %s (compose %s, project %s)", serving.orElse("(nothing)"), h.image(), compose.describe(),
                h.settings().project());
        try {
            h.stack().up(h.docker(), compose, upBudget(h), h.log(), true);
        } catch (Cli.Fail failed) {
            throw restore(h, compose, failed);
        }
        h.stack().record(Stack.CURRENT, h.image());
        h.log().info("start: %s started (%s); hooks/validate checks its health", h.settings().container(), Clock.since(t));
        return h.done();
    }

    /**
     * compose up failed, so CodeDeploy will skip ValidateService: put the pair that served back and bring it up before
     * exiting, rather than leave the service down until an automatic rollback (if any) runs a whole deployment. Safe
     * to repeat: CodeDeploy's rollback then redeploys what serves.
     */
    private static Cli.Fail restore(Hook h, Docker.Compose compose, Cli.Fail failed) {
        Optional<String> previous = h.stack().recorded(Stack.PREVIOUS).filter(p -> !p.equals(h.image()));
        if (previous.isEmpty() || !h.stack().restorePrevious()) {
            return new Cli.Fail(Cli.FAILED, failed.getMessage() + "; there is no previous version to restore");
        }
        h.log().info("start: restoring %s", previous.get());
        try {
            h.docker().removeService(h.settings().project(), h.settings().service()); // the half-made swap, under any name
            h.stack().up(h.docker(), compose, h.stack().gracePeriod(h.compose()).plus(Stack.ROLLBACK_MARGIN), h.log(), false);
        } catch (Cli.Fail again) {
            return new Cli.Fail(Cli.FAILED, failed.getMessage() + "; restoring " + previous.get() + " failed too: " + again.getMessage());
        }
        h.stack().record(Stack.CURRENT, previous.get());
        return new Cli.Fail(Cli.ROLLED_BACK, "release " + h.release() + ": " + Cli.firstLine(failed.getMessage())
                + "; restored " + previous.get() + ", which compose started again", "fix the release and deploy again");
    }

    /** The hook's appspec timeout less a margin and what a restore may take, so that a failure still ends in one. */
    private static Duration upBudget(Hook h) {
        Duration timeout = Duration.ofSeconds(h.bundle().hookTimeoutSeconds("ApplicationStart", "hooks/start"));
        Duration restore = h.stack().gracePeriod(h.compose()).plus(Stack.ROLLBACK_MARGIN);
        Duration budget = timeout.minus(Stack.ROLLBACK_MARGIN).minus(restore);
        return budget.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : budget;
    }

    /** start never pulls: every image the stack runs must be here (hooks/pull put them here while the old version served). */
    private static void requireImages(Hook h) {
        for (String needed : Template.images(h.compose())) {
            if (!h.docker().imageExists(needed)) {
                throw new Cli.Fail(Cli.FAILED, "image " + needed + " is not on this host, and start never pulls",
                        "run hooks/pull first: appspec.yml must list it under BeforeInstall");
            }
        }
    }

    /**
     * What serves now (or, with the container stopped by hand, what served last) is what a rollback goes back to:
     * its image is recorded and its live pair kept. A redeploy of the serving image keeps the earlier target.
     */
    private static Optional<String> keepRollbackTarget(Hook h) {
        Optional<String> serving = h.docker().container(h.settings().container()).map(Docker.Container::image)
                .or(() -> h.stack().recorded(Stack.CURRENT));
        serving.filter(s -> !s.equals(h.image())).ifPresent(s -> {
            h.stack().record(Stack.PREVIOUS, s);
            h.stack().keepAsPrevious();
        });
        return serving;
    }
}
