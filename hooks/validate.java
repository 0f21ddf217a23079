///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION ValidateService hook: waits for the new version to be healthy, then switches the proxy to it; otherwise prints its log and rolls back
//JAVA 17+
//SOURCES ../lib/core/Cli.java ../lib/core/Disk.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java ../lib/core/Deadline.java
//SOURCES ../lib/bundle/ImageRef.java ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/Settings.java ../lib/bundle/Manifest.java ../lib/bundle/Bundle.java
//SOURCES ../lib/host/Docker.java ../lib/host/Template.java ../lib/host/Stack.java ../lib/host/Lock.java ../lib/host/Hook.java ../lib/host/Proxy.java ../lib/host/Colours.java ../lib/host/BlueGreen.java ../lib/host/ColourRollback.java ../lib/host/Health.java

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true, version = "validate " + Cli.VERSION,
        description = "ValidateService hook. Waits, up to healthTimeoutSeconds, until the new version is healthy: by its "
                + "Docker healthcheck when it has one, else by healthUrl answering 2xx (behind a proxy: at the new colour's "
                + "own address). Healthy behind a proxy: switches the proxy to it, drains the old colour and stops it. Not "
                + "healthy: prints the container's last log lines; behind a proxy removes the new colour, which never "
                + "served, else rolls back to the previous image and waits for it; exits 3 (the version before serves) or "
                + "1 (nothing does). The wait plus a rollback fit the hook's timeout.",
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {Cli.EXIT_OK, Cli.EXIT_FAILED, Cli.EXIT_INPUT, Cli.EXIT_ROLLED_BACK, Cli.EXIT_ENVIRONMENT, Cli.EXIT_INTERNAL})
class validate implements Callable<Integer> {
    @Mixin
    Hook.Options options = new Hook.Options();
    @Spec
    CommandSpec spec;

    @Option(names = "--log-lines", defaultValue = "40", description = "Container log lines shown on failure (default: ${DEFAULT-VALUE})")
    int logLines;

    @Option(names = "--rollback", description = "By hand: go back to the version that served before the last switch (behind the "
            + "proxy: the other colour, started again from its kept files when it was stopped; in place: the pair before the "
            + "last swap) once it is healthy")
    boolean rollback;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new validate()).execute(args));
    }

    @Override
    public Integer call() {
        Hook h = Hook.open("validate", options, spec.commandLine().getErr());
        try (Lock lock = h.lock()) {
            return validate(h);
        }
    }

    private int validate(Hook h) {
        Duration limit = h.stack().healthDeadline(h.compose());
        h.docker().requireDaemon();
        if (Colours.on(h.compose(), h.settings())) {
            return rollback ? ColourRollback.run(h, limit) : BlueGreen.validate(h, limit, logLines);
        }
        if (rollback) {
            return rollbackInPlace(h, limit);
        }
        boolean fromColour = Colours.hasProxy(h.compose(), h.settings()) && BlueGreen.colourServes(h); // back from blue/green
        Health.Outcome outcome = awaitHealth(h, limit);
        if (outcome.healthy()) {
            h.log().info("validate: %s is healthy after %s (%s)", h.image(), Clock.seconds(outcome.waited()), outcome.detail());
            if (fromColour) {
                BlueGreen.proxyInPlace(h); // the switch from the colour, which is drained and stopped
            }
            return h.done();
        }
        if (fromColour) { // it never served: the colour keeps serving
            h.docker().logs(h.settings().container(), logLines).forEach(line -> h.log().raw("  | " + Mask.line(line)));
            h.docker().removeService(h.settings().project(), h.settings().service());
            throw new Cli.Fail(Cli.ROLLED_BACK, "release " + h.release() + " is not healthy: " + outcome.detail()
                    + "; it never served and was removed, and the colour behind the proxy keeps serving", "see the container log above");
        }
        h.log().info("validate: %s is not healthy: %s", h.image(), outcome.detail());
        List<String> log = h.docker().logs(h.settings().container(), logLines); // now: the rollback replaces the container
        String failed = "release " + h.release() + " is not healthy: " + outcome.detail();
        // what served before this release's start: its kept pair (even of the same image: another template is another
        // release), or, on a host set up by an older release, its image alone
        Optional<String> previous = h.stack().has(Stack.PREVIOUS_DIR)
                ? Optional.of(h.stack().recorded(Stack.PREVIOUS).orElse("the version before"))
                : h.stack().recorded(Stack.PREVIOUS).filter(p -> !p.equals(h.image()));
        Health.Outcome back = previous.map(p -> rollBack(h, p, limit)).orElse(null);
        // The agent keeps only the last ~2 KB of a hook's output for the console: the log and the verdict go last.
        h.log().info("validate: last %d log lines of %s %s:", log.size(), h.settings().container(), h.image());
        log.forEach(line -> h.log().raw("  | " + Mask.line(line))); // it travels into the CI log
        if (previous.isEmpty()) {
            throw new Cli.Fail(Cli.FAILED, failed + "; there is no previous image to roll back to",
                    "fix the release and deploy again (its log is above)");
        }
        if (!back.healthy()) {
            throw new Cli.Fail(Cli.FAILED, failed + "; the rollback to " + previous.get() + " is not healthy either: " + back.detail(),
                    "the service is down: check the host (docker ps -a, docker logs " + h.settings().container() + ")");
        }
        throw new Cli.Fail(Cli.ROLLED_BACK, failed + "; rolled back to " + previous.get() + ", which is healthy again",
                "see the container log above");
    }

    /** {@code --rollback} without a proxy: the pair that served before the last swap, up again and healthy. */
    private static int rollbackInPlace(Hook h, Duration limit) {
        String previous = h.stack().recorded(Stack.PREVIOUS).orElseThrow(() -> new Cli.Fail(Cli.INPUT,
                "no earlier release is recorded in " + h.stack().stateDir, "deploy the release you want instead"));
        Health.Outcome back = rollBack(h, previous, limit);
        if (!back.healthy()) {
            throw new Cli.Fail(Cli.FAILED, "the rollback to " + previous + " is not healthy: " + back.detail(),
                    "check the host (docker ps -a, docker logs " + h.settings().container() + ")");
        }
        h.log().info("validate: rolled back to %s, which is healthy", previous);
        return h.done();
    }

    /** By the health URL, or behind a proxy by the container's own address (the proxy may still send to a colour). */
    private static Health.Outcome awaitHealth(Hook h, Duration limit) {
        Settings s = h.settings();
        if (Colours.hasProxy(h.compose(), s)) {
            return Colours.awaitHealth(h, s.container(), limit);
        }
        return Health.await(h.docker(), s.container(), s.healthUrl(), limit);
    }

    /**
     * The pair that served before start brought up from previous/ (the budget pull checked: its grace period and
     * the margin), then its own health wait. State from an older release kept no pair: the previous image then runs
     * with this release's template.
     */
    private static Health.Outcome rollBack(Hook h, String previous, Duration limit) {
        h.log().info("validate: rolling back to %s", previous);
        Duration budget = h.rollbackBudget();
        try {
            if (h.stack().has(Stack.PREVIOUS_DIR)) {
                h.stack().upKept(Stack.PREVIOUS_DIR, h.docker(), h.docker().compose(), budget, h.log());
            } else {
                h.stack().install(previous);
                h.stack().up(h.docker(), h.docker().compose(), budget, h.log(), false);
                h.stack().commitLive();
            }
            if (Colours.hasProxy(h.compose(), h.settings())) {
                BlueGreen.proxyInPlace(h); // the proxy to the container brought back
            }
            h.stack().record(Stack.CURRENT, previous);
        } catch (Cli.Fail f) { // still a verdict, with the log: the rollback itself did not come up
            return new Health.Outcome(false, "the rollback did not start: " + Cli.firstLine(f.getMessage()), Duration.ZERO);
        }
        return awaitHealth(h, limit);
    }
}
