import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hook's own time limit, kept before the agent's: the appspec timeout less a margin, from the moment the hook
 * started. {@link #clip} wraps a runner so every program it starts gets at most the time left, and running out is
 * one line naming the step, the budget and the fix, instead of the agent killing the hook mid-step.
 */
record Deadline(Instant at, String hook, Duration budget) {
    /** Kept for the hook's own last words (its failure line, the scratch clean-up) after the last program. */
    static final Duration MARGIN = Duration.ofSeconds(15);

    static Deadline of(Instant started, String hook, int appspecTimeoutSeconds) {
        Duration budget = Duration.ofSeconds(appspecTimeoutSeconds).minus(MARGIN);
        return new Deadline(started.plus(budget), hook, budget);
    }

    Duration left() {
        return Duration.between(Instant.now(), at);
    }

    Proc.Runner clip(Proc.Runner runner) {
        return (List<String> command, Duration timeout, Consumer<String> echo) -> {
            Duration left = left();
            if (left.isNegative() || left.isZero()) {
                throw outOfTime(command);
            }
            boolean clipped = left.compareTo(timeout) < 0;
            Proc.Result r = runner.run(command, clipped ? left : timeout, echo);
            if (clipped && r.exit() == 124) {
                throw outOfTime(command);
            }
            return r;
        };
    }

    private Cli.Fail outOfTime(List<String> command) {
        return new Cli.Fail(Cli.ENVIRONMENT, hook + " used its " + budget.toSeconds() + " s (its appspec timeout less "
                + MARGIN.toSeconds() + " s) and stopped at: " + Mask.command(command),
                "raise the timeout of hooks/" + hook + " in appspec.yml, or find what is slow (registry, network, Docker)"
                        + (hook.equals("pull") ? "; the running version was not touched" : "; check the service: docker ps -a"));
    }
}
