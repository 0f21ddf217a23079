///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION ApplicationStart hook: writes the template as it is plus the override for the release image; starts the new colour beside the serving one, or swaps the app container
//JAVA 17+
//SOURCES ../lib/core/Cli.java ../lib/core/Disk.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java ../lib/core/Deadline.java
//SOURCES ../lib/bundle/ImageRef.java ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/Settings.java ../lib/bundle/Manifest.java ../lib/bundle/Bundle.java
//SOURCES ../lib/host/Docker.java ../lib/host/Template.java ../lib/host/Stack.java ../lib/host/Lock.java ../lib/host/Hook.java ../lib/host/Proxy.java ../lib/host/Colours.java ../lib/host/BlueGreen.java ../lib/host/Health.java

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "start", mixinStandardHelpOptions = true, version = "start " + Cli.VERSION,
        description = "ApplicationStart hook. Writes compose.yml as it is and an override with the release image to the state "
                + "folder. Behind the template's proxy service (blue/green): starts the new version as the colour that does "
                + "not serve, beside the one that does; hooks/validate switches to it once healthy. Otherwise: keeps the pair "
                + "that was serving (for rollback) and runs compose up under a fixed project name, swapping the app "
                + "container. Side services are started when absent and recreated only when their definition changed; when "
                + "compose up fails, what served serves again (exit 3). Never pulls, never removes volumes.",
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {Cli.EXIT_OK, Cli.EXIT_FAILED, Cli.EXIT_INPUT, Cli.EXIT_ROLLED_BACK, Cli.EXIT_ENVIRONMENT, Cli.EXIT_INTERNAL})
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
        requireImages(h);
        if (Colours.on(h.compose(), h.settings())) {
            return BlueGreen.start(h);
        }
        Docker.Compose compose = h.docker().compose();
        Optional<String> serving = keepRollbackTarget(h);
        h.stack().install(h.image());
        Instant t = Instant.now();
        h.log().info("start: %s -> %s (compose %s, project %s)", serving.orElse("(nothing)"), h.image(), compose.describe(),
                h.settings().project());
        try {
            h.stack().up(h.docker(), compose, Colours.inPlaceServices(h.compose(), h.settings()), upBudget(h), h.log(), true);
            if (Colours.hasProxy(h.compose(), h.settings()) && !BlueGreen.colourServes(h)) {
                BlueGreen.proxyInPlace(h); // a colour that serves keeps serving until validate finds this one healthy
            }
        } catch (Cli.Fail failed) {
            throw restore(h, compose, serving, failed);
        }
        h.stack().commitLive();
        h.stack().record(Stack.CURRENT, h.image());
        h.log().info("start: %s started (%s); hooks/validate checks its health", h.settings().container(), Clock.since(t));
        return h.done();
    }

    /**
     * compose up failed, so CodeDeploy will skip ValidateService: bring the pair that served ({@code current/}) up
     * again before exiting, rather than leave the service down until an automatic rollback (if any) runs a whole
     * deployment. Safe to repeat: CodeDeploy's rollback then redeploys what serves.
     */
    private static Cli.Fail restore(Hook h, Docker.Compose compose, Optional<String> serving, Cli.Fail failed) {
        String what = "release " + h.release() + ": " + Cli.firstLine(failed.getMessage()).replaceFirst("; see the compose output above$", "");
        if (!h.stack().has(Stack.CURRENT_DIR)) {
            return new Cli.Fail(Cli.FAILED, what + "; nothing served here before, so there is nothing to restore",
                    "fix the release and deploy again (the compose output is above)");
        }
        String before = serving.orElse("the version before");
        h.log().info("start: restoring %s", before);
        try {
            h.docker().removeService(h.settings().project(), h.settings().service()); // the half-made swap, under any name
            h.stack().upKept(Stack.CURRENT_DIR, h.docker(), compose, h.rollbackBudget(), h.log());
            if (Colours.hasProxy(h.compose(), h.settings())) {
                BlueGreen.proxyInPlace(h);
            }
        } catch (Cli.Fail again) {
            return new Cli.Fail(Cli.FAILED, what + "; restoring " + before + " failed too (" + Cli.firstLine(again.getMessage()) + ")",
                    "the service may be down: check docker ps -a and the compose output above");
        }
        serving.ifPresent(s -> h.stack().record(Stack.CURRENT, s));
        return new Cli.Fail(Cli.ROLLED_BACK, what + "; restored " + before + ", which compose started again (its health is not checked here)",
                "fix the release and deploy again");
    }

    /** The time left before the hook's own deadline, less what a restore may take, so that a failure still ends in one. */
    private static Duration upBudget(Hook h) {
        Duration budget = h.deadline().left().minus(h.rollbackBudget());
        return budget.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : budget;
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
     * What serves now (or, with the container stopped by hand, what served last) is what validate's rollback goes
     * back to: its pair is kept in previous/ with its image, unless the release is that very pair (a plain redeploy
     * keeps the earlier target).
     */
    private static Optional<String> keepRollbackTarget(Hook h) {
        Optional<String> serving = h.docker().container(h.settings().container()).map(Docker.Container::image)
                .or(() -> h.stack().recorded(Stack.CURRENT));
        switch (h.stack().shiftForSwap(h.image())) {
            case KEPT -> serving.ifPresent(s -> h.stack().record(Stack.PREVIOUS, s));
            case NOTHING_KEPT -> serving.filter(s -> !s.equals(h.image())).ifPresent(s -> h.stack().record(Stack.PREVIOUS, s)); // image alone
            case SAME_PAIR -> { } // a plain redeploy keeps the earlier target
        }
        return serving;
    }
}
