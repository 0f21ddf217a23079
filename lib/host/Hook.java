import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/**
 * What every hook opens with: its bundle, the stack on this host, the release image, the template rendered for it,
 * Docker and the log. {@link Options} is the hooks' shared {@code @Mixin}: the {@code --bundle} option, plus the
 * environment and the process runner, which tests replace to run a hook in-process against a recorded Docker.
 */
record Hook(String name, Bundle bundle, Stack stack, String image, ObjectNode compose, Docker docker, Log log,
            Map<String, String> env, Deadline deadline, Proc.Runner runner) {

    static final class Options {
        @Option(names = "--bundle", defaultValue = "${env:CDEPLOY_BUNDLE:-.}",
                description = "Unpacked bundle folder (default: the folder above hooks/ when run through a hook launcher, else .)")
        Path dir;

        /** What the hook reads instead of the process environment and runs its programs with: replaced by tests. */
        Map<String, String> env = System.getenv();
        Proc.Runner runner = Proc.SYSTEM;

        Docker docker() {
            return new Docker(runner, env);
        }
    }

    /** Loads the bundle, renders its template for the release image and connects to Docker (no request yet). */
    static Hook open(String name, Options o, PrintWriter err) {
        Bundle bundle = Bundle.load(o.dir);
        Stack stack = new Stack(bundle, bundle.stateDir(o.env));
        String image = bundle.image().pinned();
        Deadline deadline = Deadline.of(Clock.started(o.env), name, bundle.hookTimeoutSeconds(EVENTS.get(name), "hooks/" + name));
        Proc.Runner runner = deadline.clip(o.runner); // every program it runs ends before the agent's timeout
        return new Hook(name, bundle, stack, image, stack.render(image), new Docker(runner, o.env), new Log(err), o.env, deadline, runner);
    }

    /** The lifecycle event each hook is written for (appspec.yml says how long the agent gives it). */
    static final Map<String, String> EVENTS = Map.of("pull", "BeforeInstall", "start", "ApplicationStart", "validate", "ValidateService");

    Settings settings() {
        return bundle.settings();
    }

    /** The release as people name it: its version and image, or the image alone. */
    String release() {
        return bundle.version() == null ? image : bundle.version() + " (" + image + ")";
    }

    /** The project's lock, held until closed: one of start, validate and stop at a time ({@code CDEPLOY_LOCK_WAIT} s of patience, default 120). */
    Lock lock() {
        Duration patience = lockWait(env);
        Duration left = deadline.left().dividedBy(4); // waiting must leave the hook its own work's time
        return Lock.take(stack.stateDir, name, patience.compareTo(left) < 0 ? patience : left, log);
    }

    static Duration lockWait(Map<String, String> env) {
        String s = Cli.first(env.get("CDEPLOY_LOCK_WAIT"));
        return Duration.ofSeconds(s != null && s.matches("\\d{1,5}") ? Long.parseLong(s) : 120);
    }

    /** What going back to the version before may take: the app's grace period and a margin (pull checked it fits). */
    Duration rollbackBudget() {
        return Template.gracePeriod(compose, settings()).plus(Template.ROLLBACK_MARGIN);
    }

    /** The hook's closing line: where its time went. */
    int done() {
        log.info("%s: %s", name, Clock.summary(env));
        return Cli.OK;
    }
}
