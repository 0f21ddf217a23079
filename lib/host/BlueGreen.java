import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The zero-downtime deploy on one instance: the new version starts as the colour that does not serve (start), is
 * checked by its own address and, only when healthy, switched to in the proxy, which then drains the old colour
 * before it is stopped (validate). A version that never gets healthy is removed and never serves. The upstream file
 * ({@link Proxy}) says which colour serves and {@code colours/pending} which one a deploy brings up; every step is
 * safe to repeat, so a hook killed anywhere leaves a state the next run repairs ({@link #reconcile}).
 */
final class BlueGreen {
    private BlueGreen() {}

    // ---- start ----

    /** ApplicationStart: side services as the template says, then the new colour beside the one that serves. */
    static int start(Hook h) {
        Settings s = h.settings();
        Optional<String> serving = reconcile(h);
        String target = serving.map(Colours::other).orElse("blue");
        Instant t = Instant.now();
        h.stack().install(h.image());
        upSide(h);
        Colours.ensureShared(h.docker(), h.compose(), s);
        if (running(h, target)) { // a leftover of a killed deploy, which the proxy may have served until reconcile
            Set<String> before = Proxy.container(h.docker(), s.project(), s.proxy()).map(id -> Proxy.reload(h.docker(), id)).orElse(Set.of());
            retire(h, target, Template.gracePeriod(h.compose(), s), before);
        }
        Colours.remove(h, target, Duration.ZERO);
        Path dir = Colours.dir(h.stack().stateDir, target);
        Colours.forget(h, target); // its kept files are this release's from now on: not one to roll back to
        Disk.writeAtomically(dir.resolve(Stack.COMPOSE_FILE), Bundle.read(h.bundle().template()));
        Disk.writeAtomically(dir.resolve(Stack.OVERRIDE_FILE), Colours.override(h.stack().templateView(), h.image(), s, target));
        Disk.writeAtomically(h.stack().stateDir.resolve(Colours.DIR).resolve(Colours.PENDING), target + " " + h.image() + "\n");
        h.log().info("start: %s as %s (%s) beside %s", h.image(), target, Colours.container(s, target),
                serving.map(c -> c + " (" + Colours.container(s, c) + "), which keeps serving").or(() -> legacy(h).map(c -> c + " (in place)")).orElse("nothing"));
        try {
            Colours.up(h, target, h.deadline().left());
        } catch (Cli.Fail failed) {
            Colours.remove(h, target, Duration.ZERO);
            boolean served = serving.isPresent() || legacy(h).isPresent();
            throw new Cli.Fail(served ? Cli.ROLLED_BACK : Cli.FAILED, "release " + h.release() + ": " + Cli.firstLine(failed.getMessage())
                    + (served ? "; the new colour was removed and the version that served keeps serving" : "; nothing served here before"),
                    "fix the release and deploy again (the compose output is above)");
        }
        h.log().info("start: %s started (%s); hooks/validate checks its health before the proxy switches to it", target, Clock.since(t));
        return h.done();
    }

    /** The main project's services besides the app and the proxy: started when absent, recreated only when changed. */
    private static void upSide(Hook h) {
        List<String> side = Colours.sideServices(h.compose(), h.settings());
        if (!side.isEmpty()) {
            List<String> services = new ArrayList<>(List.of("--no-deps"));
            services.addAll(side);
            h.stack().up(h.docker(), h.docker().compose(), services, h.deadline().left().dividedBy(2), h.log(), false);
        }
    }

    /**
     * Before any change, the proxy is made to agree with the upstream file and with what runs. A switch whose
     * validate did not finish (its colour still pending) does not count: the colour before serves again while it
     * runs. A file naming a colour that is not running, while the other (not pending) is, goes back to the other. A
     * running proxy is reloaded so that it serves what the file says. Returns the colour that serves, if one runs.
     */
    static Optional<String> reconcile(Hook h) {
        Proxy proxy = h.stack().proxy();
        Optional<String> named = proxy.serving().filter(Colours.ALL::contains);
        if (named.isEmpty()) {
            return named;
        }
        String colour = named.get();
        String other = Colours.other(colour);
        Optional<String> unfinished = Colours.pendingAny(h);
        boolean revert = unfinished.filter(colour::equals).isPresent() && running(h, other);
        if (revert || !running(h, colour) && running(h, other) && !unfinished.filter(other::equals).isPresent()) {
            h.log().info("repair: %s; %s serves again", revert ? "the switch to " + colour + " did not finish (its deploy failed)"
                    : "the upstream file names " + colour + ", which is not running, while " + other + " is", other);
            colour = other;
            proxy.write(colour, Colours.container(h.settings(), colour), Colours.appPort(h.compose(), h.settings()));
        }
        Optional<String> id = Proxy.container(h.docker(), h.settings().project(), h.settings().proxy());
        if (id.isPresent() && running(h, colour)) { // with nothing running (after stop) the next switch writes the file anew
            try {
                Proxy.reload(h.docker(), id.get());
            } catch (Cli.Fail f) {
                h.log().info("repair: warning: the proxy kept its configuration: %s", Cli.firstLine(f.getMessage()));
            }
        }
        return Optional.of(colour).filter(c -> running(h, c));
    }

    /** A colour serves behind the proxy (the upstream file names it and it runs). */
    static boolean colourServes(Hook h) {
        return h.stack().proxy().serving().filter(Colours.ALL::contains).filter(c -> running(h, c)).isPresent();
    }

    // ---- validate ----

    /** ValidateService: the new colour's health by its own address; then the switch, the drain and the old colour's stop. */
    static int validate(Hook h, Duration limit, int logLines) {
        Settings s = h.settings();
        Optional<String> serving = h.stack().proxy().serving().filter(Colours.ALL::contains);
        Optional<String> pending = Colours.pending(h);
        if (pending.isEmpty() && serving.filter(c -> h.image().equals(imageOf(h, c))).isPresent()) {
            return alreadyServing(h, serving.get(), limit); // validate run again after its switch
        }
        String target = pending.orElseGet(() -> serving.map(Colours::other).orElse("blue"));
        String name = Colours.container(s, target);
        Optional<String> from = Optional.of(Colours.other(target)).filter(c -> running(h, c));
        Health.Outcome outcome = Colours.awaitHealth(h, name, limit);
        if (!outcome.healthy()) {
            return notHealthy(h, target, outcome, logLines);
        }
        h.log().info("validate: %s (%s) is healthy after %s (%s)", target, h.image(), Clock.seconds(outcome.waited()), outcome.detail());
        Set<String> oldWorkers;
        try {
            oldWorkers = switchTo(h, target);
        } catch (Cli.Fail f) {
            Colours.remove(h, target, Template.gracePeriod(h.compose(), s)); // the reverting reload may still finish a request to it
            Colours.deletePending(h);
            boolean served = h.stack().proxy().serving().filter(c -> running(h, c)).isPresent() || legacy(h).isPresent();
            throw new Cli.Fail(served ? Cli.ROLLED_BACK : Cli.FAILED, "release " + h.release() + ": " + Cli.firstLine(f.getMessage())
                    + (served ? "; the proxy serves the version before" : ""), "fix the cause above and deploy again");
        }
        Duration grace = Template.gracePeriod(h.compose(), s);
        from.ifPresent(old -> retire(h, old, grace, oldWorkers));
        legacy(h).ifPresent(c -> retireInPlace(h, c.name(), grace, oldWorkers)); // served in place behind the proxy until now
        h.docker().removeService(s.project(), s.service()); // the in-place container, stopped
        h.stack().commitLive(); // what an in-place rollback (--switch recreate) would go back to
        h.stack().record(Stack.CURRENT, h.image());
        Colours.served(h, target);
        Colours.deletePending(h);
        return h.done();
    }

    private static int notHealthy(Hook h, String target, Health.Outcome outcome, int logLines) {
        Settings s = h.settings();
        String name = Colours.container(s, target);
        List<String> log = h.docker().logs(name, logLines);
        Colours.remove(h, target, Duration.ZERO);
        Colours.deletePending(h);
        h.log().info("validate: last %d log lines of %s %s:", log.size(), name, h.image());
        log.forEach(line -> h.log().raw("  | " + Mask.line(line)));
        String failed = "release " + h.release() + " is not healthy: " + outcome.detail() + "; the proxy never sent it a request and it was removed";
        Optional<String> serving = h.stack().proxy().serving().filter(c -> running(h, c)).map(c -> c + " (" + Colours.container(s, c) + ")")
                .or(() -> legacy(h).map(c -> c.name() + " (in place)"));
        if (serving.isEmpty()) {
            throw new Cli.Fail(Cli.FAILED, failed + "; nothing else serves here", "fix the release and deploy again (its log is above)");
        }
        throw new Cli.Fail(Cli.ROLLED_BACK, failed + "; " + serving.get() + " keeps serving", "see the container log above");
    }

    /**
     * The proxy to {@code colour}: the upstream file replaced, the proxy started when absent (the first deploy, or
     * the migration from the in-place layout: the one short outage), checked and reloaded, and the switch confirmed
     * through the proxy by the colour header. On any failure the file goes back and the proxy serves what it did.
     */
    static Set<String> switchTo(Hook h, String colour) {
        Settings s = h.settings();
        Proxy proxy = h.stack().proxy();
        Optional<String> before = proxy.serving();
        Instant t = Instant.now();
        Optional<Docker.Container> inPlace = legacy(h).filter(c -> Proxy.container(h.docker(), s.project(), s.proxy()).isEmpty());
        Set<String> oldWorkers;
        proxy.write(colour, Colours.container(s, colour), Colours.appPort(h.compose(), s));
        try {
            if (inPlace.isPresent()) { // it publishes the port itself: the proxy can take it only once it has stopped
                h.log().info("validate: moving from the in-place layout: %s stops and the proxy takes its port %s (a short outage, once)",
                        inPlace.get().name(), Template.publishedPorts(h.compose()));
                Colours.stopContainer(h, inPlace.get().name(), Template.gracePeriod(h.compose(), s));
            }
            List<String> services = List.of("--no-deps", s.proxy());
            h.stack().up(h.docker(), h.docker().compose(), services, Duration.ofSeconds(120), h.log(), false);
            String id = Proxy.container(h.docker(), s.project(), s.proxy())
                    .orElseThrow(() -> new Cli.Fail(Cli.FAILED, "the proxy service " + s.proxy() + " is not running after compose up", "see docker ps -a"));
            oldWorkers = Proxy.reload(h.docker(), id);
            if (!Proxy.confirm(s.healthUrl(), colour, Proxy.CONFIRM)) {
                throw new Cli.Fail(Cli.FAILED, "the proxy did not answer from " + colour + " at " + s.healthUrl() + " within "
                        + Proxy.CONFIRM.toSeconds() + " s of the reload", "check the proxy: docker logs " + id);
            }
        } catch (Cli.Fail f) {
            before.filter(Colours.ALL::contains).filter(c -> running(h, c))
                    .ifPresent(c -> proxy.write(c, Colours.container(s, c), Colours.appPort(h.compose(), s)));
            Optional<String> id = Proxy.container(h.docker(), s.project(), s.proxy());
            if (inPlace.isPresent()) { // back to the layout that served: the proxy lets go of the port, the app takes it again
                id.ifPresent(p -> h.docker().docker(Duration.ofSeconds(30), "stop", p));
                h.docker().docker(Duration.ofSeconds(60), "start", inPlace.get().name());
            } else {
                id.ifPresent(p -> {
                    try {
                        Proxy.reload(h.docker(), p);
                    } catch (Cli.Fail ignored) { // the first failure is the one to report
                    }
                });
            }
            throw f;
        }
        h.log().info("validate: the proxy sends new requests to %s (switched in %s)", colour, Clock.since(t));
        return oldWorkers;
    }

    /**
     * The old colour after a switch: the proxy's workers from before the reload ({@code oldWorkers}) finish their
     * requests to it (bounded by its grace period), then it stops.
     */
    static void retire(Hook h, String colour, Duration grace, Set<String> oldWorkers) {
        Instant t = Instant.now();
        Proxy.container(h.docker(), h.settings().project(), h.settings().proxy()).ifPresent(id -> {
            if (!Proxy.drain(h.docker(), id, oldWorkers, grace)) {
                h.log().info("validate: warning: requests to %s still ran after its grace period (%s)", colour, Clock.seconds(grace));
            }
        });
        Colours.remove(h, colour, grace);
        h.log().info("%s: %s drained and stopped (%s)", h.name(), colour, Clock.since(t));
    }

    /** The container that served in place behind the proxy: drained like a colour, then stopped. */
    private static void retireInPlace(Hook h, String name, Duration grace, Set<String> oldWorkers) {
        Proxy.container(h.docker(), h.settings().project(), h.settings().proxy()).ifPresent(id -> Proxy.drain(h.docker(), id, oldWorkers, grace));
        Colours.stopContainer(h, name, grace);
        h.log().info("%s: %s (in place) drained and stopped", h.name(), name);
    }

    /** This release serves already: its health is the verdict, and nothing is switched. */
    private static int alreadyServing(Hook h, String colour, Duration limit) {
        String name = Colours.container(h.settings(), colour);
        Health.Outcome o = Colours.awaitHealth(h, name, limit);
        if (!o.healthy()) {
            throw new Cli.Fail(Cli.FAILED, "release " + h.release() + " serves from " + colour + " but is not healthy: " + o.detail(),
                    "check its log (docker logs " + name + "), or go back: hooks/validate --rollback");
        }
        h.log().info("validate: %s serves from %s already and is healthy (%s)", h.image(), colour, o.detail());
        return h.done();
    }

    /**
     * In place behind a proxy ({@code switchMode recreate}): the upstream names the app container itself, and after
     * each swap the proxy is started when absent and reloaded, so it sends to the new container's address.
     */
    static void proxyInPlace(Hook h) {
        Settings s = h.settings();
        h.stack().proxy().write("in-place", s.container(), Colours.appPort(h.compose(), s));
        h.stack().up(h.docker(), h.docker().compose(), List.of("--no-deps", s.proxy()), Duration.ofSeconds(120), h.log(), false);
        Set<String> oldWorkers = Proxy.container(h.docker(), s.project(), s.proxy()).map(id -> Proxy.reload(h.docker(), id)).orElse(Set.of());
        for (String colour : Colours.ALL) { // back from blue/green: the colours that served are drained and stopped
            if (running(h, colour)) {
                retire(h, colour, Template.gracePeriod(h.compose(), s), oldWorkers);
            }
        }
    }

    // ---- state ----

    private static String imageOf(Hook h, String colour) {
        return h.docker().container(Colours.container(h.settings(), colour)).filter(Docker.Container::running).map(Docker.Container::image).orElse(null);
    }

    static boolean running(Hook h, String colour) {
        return h.docker().container(Colours.container(h.settings(), colour)).filter(Docker.Container::running).isPresent();
    }

    /** The app running in place (the layout before the proxy): the template's container name in the main project. */
    static Optional<Docker.Container> legacy(Hook h) {
        return h.docker().container(h.settings().container()).filter(Docker.Container::running)
                .filter(c -> h.settings().project().equals(c.project()));
    }
}
