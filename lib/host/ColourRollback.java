import java.time.Duration;
import java.util.Set;

/** A rollback by hand behind the proxy ({@code validate --rollback}): the other colour, if it is a release that served. */
final class ColourRollback {
    private ColourRollback() {}

    /**
     * {@code validate --rollback}: back to the other colour, the version that served before the last switch (started
     * again from its kept files when it was stopped), once it is healthy; the colour that serves keeps serving if not.
     */
    static int run(Hook h, Duration limit) {
        Settings s = h.settings();
        String serving = BlueGreen.reconcile(h).orElseThrow(() -> new Cli.Fail(Cli.INPUT, "nothing serves behind the proxy here", "deploy a release first"));
        String back = Colours.other(serving);
        String name = Colours.container(s, back);
        if (Colours.pendingAny(h).filter(back::equals).isPresent() || !Colours.wasServed(h, back)) {
            throw new Cli.Fail(Cli.INPUT, "no earlier release that served is kept for " + back + " (its files are a release that never did)",
                    "deploy the release you want instead");
        }
        if (!BlueGreen.running(h, back)) {
            h.log().info("validate: starting %s again from its kept files", back);
            Colours.up(h, back, limit);
        }
        Health.Outcome o = Colours.awaitHealth(h, name, limit);
        String image = h.docker().container(name).map(Docker.Container::image).orElse(back);
        if (!o.healthy()) {
            Colours.remove(h, back, Duration.ZERO);
            throw new Cli.Fail(Cli.FAILED, "the release before (" + image + ") is not healthy: " + o.detail() + "; " + serving + " keeps serving",
                    "check its log: docker logs " + name);
        }
        Set<String> oldWorkers = BlueGreen.switchTo(h, back);
        BlueGreen.retire(h, serving, Template.gracePeriod(h.compose(), s), oldWorkers);
        h.stack().record(Stack.CURRENT, image);
        Colours.served(h, back);
        h.log().info("validate: rolled back to %s (%s)", image, back);
        return h.done();
    }
}
