import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The service's compose stack on this instance, in its state folder (it outlives CodeDeploy's revision clean-up):
 * the live pair Compose runs -- {@code docker-compose.yml}, the release's template byte for byte, and
 * {@code docker-compose.override.yml}, what the hooks own ({@link Template#override}) -- the pair last brought up
 * ({@code current/}: what a failed swap restores), the pair that served before it ({@code previous/}: what validate's
 * rollback restores), and the image history. Every file is replaced atomically and
 * durably (written beside its name, flushed, renamed, the folder flushed).
 */
final class Stack {
    static final String COMPOSE_FILE = "docker-compose.yml";
    static final String OVERRIDE_FILE = "docker-compose.override.yml";
    static final List<String> LIVE = List.of(COMPOSE_FILE, OVERRIDE_FILE);
    static final String CURRENT_DIR = "current";
    static final String PREVIOUS_DIR = "previous";
    static final String PREVIOUS = "previous-image";
    static final String CURRENT = "current-image";

    final Bundle bundle;
    final Settings settings;
    final Path stateDir;

    Stack(Bundle bundle, Path stateDir) {
        this.bundle = bundle;
        this.settings = bundle.settings();
        this.stateDir = stateDir;
    }

    private String templateText;
    private ObjectNode template;

    /** The bundle's template as Compose reads it: parsed once for the checks, the swap and the override alike. */
    private ObjectNode template() {
        String text = Bundle.read(bundle.template());
        if (!text.equals(templateText)) {
            template = Template.read(bundle.template(), settings);
            templateText = text;
        }
        return template;
    }

    /** The template as read, not to be changed (a copy for that: {@link #render}). */
    ObjectNode templateView() {
        return template();
    }

    /** What Compose will run for {@code appImage}: the bundle's template with the hooks' fields (for the checks). */
    ObjectNode render(String appImage) {
        return Template.apply(template().deepCopy(), appImage, settings);
    }

    Duration gracePeriod(ObjectNode compose) {
        return Template.gracePeriod(compose, settings);
    }

    Duration healthDeadline(ObjectNode compose) {
        return Template.healthDeadline(bundle.appSpec(), compose, settings);
    }

    /** The live pair, the order Compose is given it in. */
    List<Path> files() {
        return LIVE.stream().map(stateDir::resolve).toList();
    }

    /** Writes the live pair for {@code appImage}: the template's bytes, then the override. */
    List<Path> install(String appImage) {
        Disk.writeAtomically(stateDir.resolve(COMPOSE_FILE), Bundle.read(bundle.template()));
        Disk.writeAtomically(stateDir.resolve(OVERRIDE_FILE), override(appImage));
        return files();
    }

    String override(String appImage) {
        return Template.override(template(), appImage, settings, Colours.hasProxy(template(), settings) ? stateDir.resolve(Proxy.DIR) : null);
    }

    /**
     * Before a swap to {@code appImage}: the pair that serves ({@code current/}; on a host set up by an older release,
     * the live pair) becomes the one validate's rollback restores ({@code previous/}), unless it is the very pair
     * about to be installed (a plain redeploy keeps the earlier target). Compared by content, not by image: the same
     * image with another template or setting is another release.
     */
    Shift shiftForSwap(String appImage) {
        Path serving = stateDir.resolve(CURRENT_DIR);
        if (!Files.isRegularFile(serving.resolve(COMPOSE_FILE))) {
            if (!Files.isRegularFile(stateDir.resolve(COMPOSE_FILE))) {
                return Shift.NOTHING_KEPT;
            }
            for (String name : LIVE) { // a host set up by an older release: its live pair is what serves
                copy(stateDir.resolve(name), serving.resolve(name));
            }
        }
        if (read(serving.resolve(COMPOSE_FILE)).equals(Bundle.read(bundle.template())) && read(serving.resolve(OVERRIDE_FILE)).equals(override(appImage))) {
            return Shift.SAME_PAIR;
        }
        for (String name : LIVE) {
            copy(serving.resolve(name), stateDir.resolve(PREVIOUS_DIR).resolve(name));
        }
        return Shift.KEPT;
    }

    /** What {@link #shiftForSwap} did: kept the serving pair, found it identical to the release, or found none. */
    enum Shift { KEPT, SAME_PAIR, NOTHING_KEPT }

    /** After a successful {@code up}: the live pair is what serves now. */
    void commitLive() {
        for (String name : LIVE) {
            copy(stateDir.resolve(name), stateDir.resolve(CURRENT_DIR).resolve(name));
        }
    }

    boolean has(String keptDir) {
        return Files.isRegularFile(stateDir.resolve(keptDir).resolve(COMPOSE_FILE));
    }

    /**
     * Brings a kept pair ({@code current/} or {@code previous/}) up straight from where it is kept, with the state
     * folder as Compose's project directory (relative paths mean what they meant live), so a full disk cannot stop
     * a restore; then puts it back live and, as what serves, into {@code current/}, as far as the disk allows.
     */
    void upKept(String keptDir, Docker docker, Docker.Compose compose, Duration timeout, Log log) {
        Path kept = stateDir.resolve(keptDir);
        up(docker, compose.up(settings.project(), stateDir, LIVE.stream().map(kept::resolve).toList(), List.of()), timeout, log, false);
        try {
            for (String name : LIVE) {
                copy(kept.resolve(name), stateDir.resolve(name));
                if (!keptDir.equals(CURRENT_DIR)) {
                    copy(kept.resolve(name), stateDir.resolve(CURRENT_DIR).resolve(name));
                }
            }
        } catch (Cli.Fail f) {
            log.info("warning: %s is up, but the live files could not be updated: %s", keptDir, Cli.firstLine(f.getMessage()));
        }
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code from} over {@code to}, atomically; an absent {@code from} removes {@code to} (a pair from an older layout). */
    private static void copy(Path from, Path to) {
        try {
            if (Files.isRegularFile(from)) {
                Disk.writeAtomically(to, Files.readString(from));
            } else {
                Files.deleteIfExists(to);
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot update " + to + " (" + e.getMessage() + ")", "check the disk and the folder's owner");
        }
    }

    Optional<String> recorded(String name) {
        Path f = stateDir.resolve(name);
        try {
            return Files.isRegularFile(f) ? Optional.of(Files.readString(f).strip()).filter(s -> !s.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void record(String name, String image) {
        Disk.writeAtomically(stateDir.resolve(name), image + "\n");
    }

    /**
     * {@code compose up} for the live pair: starts what is absent, recreates what changed, never pulls. Compose's
     * output is shown as it comes when {@code verbose}, else only when it fails. {@code timeout} keeps the one-line
     * failure inside the hook's own appspec timeout.
     */
    void up(Docker docker, Docker.Compose compose, Duration timeout, Log log, boolean verbose) {
        up(docker, compose, List.of(), timeout, log, verbose);
    }

    /** The same for some services only ({@code services} may begin with options such as {@code --no-deps}). */
    void up(Docker docker, Docker.Compose compose, List<String> services, Duration timeout, Log log, boolean verbose) {
        up(docker, compose.up(settings.project(), files(), services), timeout, log, verbose);
    }

    /** The proxy's folder in this state folder (used when the template has a proxy service). */
    Proxy proxy() {
        return new Proxy(stateDir);
    }

    private static void up(Docker docker, List<String> command, Duration timeout, Log log, boolean verbose) {
        Proc.Result r = docker.run(command, timeout, verbose ? line -> log.info("  %s", line) : null);
        if (!r.ok()) {
            if (!verbose) {
                (r.out() + r.err()).lines().forEach(line -> log.info("  %s", line));
            }
            throw new Cli.Fail(Cli.FAILED, "compose up failed: " + r.reason(), "see the compose output above");
        }
    }
}
