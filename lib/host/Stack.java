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
 * {@code docker-compose.override.yml}, what the hooks own ({@link Template#override}) -- the pair that served before
 * it ({@code previous/}, what a rollback restores), and the image history. Every file is replaced atomically and
 * durably (written beside its name, flushed, renamed, the folder flushed).
 */
final class Stack {
    static final String COMPOSE_FILE = "docker-compose.yml";
    static final String OVERRIDE_FILE = "docker-compose.override.yml";
    static final List<String> LIVE = List.of(COMPOSE_FILE, OVERRIDE_FILE);
    static final String PREVIOUS_DIR = "previous";
    static final String PREVIOUS = "previous-image";
    static final String CURRENT = "current-image";
    static final Duration ROLLBACK_MARGIN = Template.ROLLBACK_MARGIN;
    static final Duration DOCKER_GRACE = Template.DOCKER_GRACE;

    final Bundle bundle;
    final Settings settings;
    final Path stateDir;

    Stack(Bundle bundle, Path stateDir) {
        this.bundle = bundle;
        this.settings = bundle.settings();
        this.stateDir = stateDir;
    }

    /** What Compose will run for {@code appImage}: the bundle's template with the hooks' fields (for the checks). */
    ObjectNode render(String appImage) {
        return Template.render(bundle.template(), appImage, settings);
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
        writeAtomically(stateDir.resolve(COMPOSE_FILE), Bundle.read(bundle.template()));
        writeAtomically(stateDir.resolve(OVERRIDE_FILE), Template.override(Template.read(bundle.template(), settings), appImage, settings));
        return files();
    }

    /** Keeps the live pair (what serves now) as the one a rollback restores; nothing live, nothing kept. */
    void keepAsPrevious() {
        if (!Files.isRegularFile(stateDir.resolve(COMPOSE_FILE))) {
            return;
        }
        for (String name : LIVE) {
            copy(stateDir.resolve(name), stateDir.resolve(PREVIOUS_DIR).resolve(name));
        }
    }

    /** Puts the kept pair back live; false when none was kept (a first deploy, or state from an older release). */
    boolean restorePrevious() {
        Path kept = stateDir.resolve(PREVIOUS_DIR);
        if (!Files.isRegularFile(kept.resolve(COMPOSE_FILE))) {
            return false;
        }
        for (String name : LIVE) {
            copy(kept.resolve(name), stateDir.resolve(name));
        }
        return true;
    }

    /** {@code from} over {@code to}, atomically; an absent {@code from} removes {@code to} (a pair from an older layout). */
    private static void copy(Path from, Path to) {
        try {
            if (Files.isRegularFile(from)) {
                writeAtomically(to, Files.readString(from));
            } else {
                Files.deleteIfExists(to);
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot update " + to + " (" + e.getMessage() + ")", "check the disk and the folder's owner");
        }
    }

    /** Replaces {@code target} atomically and durably; a failed write (a full disk) leaves no temporary file behind. */
    static void writeAtomically(Path target, String content) {
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(StandardCharsets.UTF_8.encode(content));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true); // the rename itself survives a power cut
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot write " + target + " (" + e.getMessage() + ")",
                    "run the hook as root, or make " + target.getParent() + " writable, with free space");
        } finally {
            if (tmp != null) {
                tmp.toFile().delete();
            }
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
        writeAtomically(stateDir.resolve(name), image + "\n");
    }

    /**
     * {@code compose up} for the live pair: starts what is absent, recreates what changed, never pulls. Compose's
     * output is shown as it comes when {@code verbose}, else only when it fails. {@code timeout} keeps the one-line
     * failure inside the hook's own appspec timeout.
     */
    void up(Docker docker, Docker.Compose compose, Duration timeout, Log log, boolean verbose) {
        Proc.Result r = docker.run(compose.up(settings.project(), files(), List.of()), timeout,
                verbose ? line -> log.info("  %s", line) : null);
        if (!r.ok()) {
            if (!verbose) {
                (r.out() + r.err()).lines().forEach(line -> log.info("  %s", line));
            }
            throw new Cli.Fail(Cli.FAILED, "compose up failed: " + r.reason(), "see the compose output above");
        }
    }
}
