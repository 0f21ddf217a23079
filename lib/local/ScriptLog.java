import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * What the agent records while hooks run: each entry ({@code LifecycleEvent - X}, {@code Script - loc},
 * {@code [stdout]line}, {@code [stderr]line}) appended to the deployment's {@code logs/scripts.log} as
 * {@code YYYY-MM-DD HH:MM:SS <entry>} (local time), to the root's deployments log as
 * {@code [YYYY-MM-DD HH:MM:SS.mmm] [<deployment id>]<entry>}, and to the tail CodeDeploy shows for a failure: the
 * newest whole entries within 2048 characters. Entries come from two reader threads; each is written whole.
 */
final class ScriptLog implements AutoCloseable {
    static final int TAIL_CHARS = 2048;
    private static final DateTimeFormatter SCRIPTS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter DEPLOYMENTS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private final Writer scripts;
    private final Writer deployments;
    private final String deploymentId;
    private final Consumer<String> echo;
    private final Deque<String> tail = new ArrayDeque<>();
    private int tailChars;
    private boolean closed;

    ScriptLog(Path scriptsLog, Path deploymentsLog, String deploymentId, Consumer<String> echo) {
        this.deploymentId = deploymentId;
        this.echo = echo;
        this.scripts = open(scriptsLog);
        this.deployments = open(deploymentsLog);
    }

    private static Writer open(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a new tail: each event's diagnostics carry only its own entries. */
    synchronized void newEvent() {
        tail.clear();
        tailChars = 0;
    }

    /** One entry, without its newline. */
    synchronized void append(String entry) {
        if (closed) {
            return; // a background child still writing after its deployment ended: the agent stops recording too
        }
        LocalDateTime now = LocalDateTime.now();
        try {
            scripts.write(now.format(SCRIPTS) + " " + entry + "\n");
            scripts.flush();
            deployments.write("[" + now.format(DEPLOYMENTS) + "] [" + deploymentId + "]" + entry.strip() + "\n");
            deployments.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String line = entry + "\n";
        tail.addLast(line);
        tailChars += line.length();
        while (tailChars > TAIL_CHARS && tail.size() > 1) {
            tailChars -= tail.removeFirst().length();
        }
        if (echo != null) {
            echo.accept(entry);
        }
    }

    /** The event's tail as CodeDeploy shows it: whole entries, newest last. */
    synchronized String tail() {
        return String.join("", tail);
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            scripts.close();
            deployments.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
