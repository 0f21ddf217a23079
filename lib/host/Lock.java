import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * One hook at a time per compose project: a lock on {@code .lock} in the state folder, so a manual run cannot race
 * a deployment's start, validate or stop. A second run waits a bounded time, then fails naming the holder. The
 * operating system drops the lock when its process ends, however it ends.
 */
final class Lock implements AutoCloseable {
    static final String FILE = ".lock";
    static final Duration POLL = Duration.ofMillis(200);
    private final FileChannel channel;
    private final FileLock lock;

    private Lock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the project's lock for {@code hook}, waiting at most {@code wait} for another holder to finish. */
    static Lock take(Path stateDir, String hook, Duration wait, Log log) {
        FileChannel ch;
        try {
            Files.createDirectories(stateDir);
            ch = FileChannel.open(stateDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot open " + stateDir.resolve(FILE) + " (" + e.getMessage() + ")",
                    "run the hook as root, or make " + stateDir + " writable");
        }
        Instant deadline = Instant.now().plus(wait);
        boolean told = false;
        while (true) {
            FileLock l = tryLock(ch);
            if (l != null) {
                holder(ch, hook + " (pid " + ProcessHandle.current().pid() + ") since " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS));
                return new Lock(ch, l);
            }
            if (!told) {
                log.info("%s: waiting for %s, which holds %s", hook, holder(ch), stateDir.resolve(FILE));
                told = true;
            }
            if (Instant.now().isAfter(deadline)) {
                String who = holder(ch);
                close(ch);
                throw new Cli.Fail(Cli.ENVIRONMENT, "another hook holds the lock of " + stateDir + ": " + who + ", still after "
                        + wait.toSeconds() + " s", "let it finish (or check that it is not hung: ps -p <pid>), then run this again");
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cli.Fail(Cli.FAILED, "interrupted while waiting for the project's lock");
        }
    }

    private static FileLock tryLock(FileChannel ch) {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held in this very JVM (a test runs hooks in-process)
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot lock the state folder (" + e.getMessage() + ")", "check the file system");
        }
    }

    /** Writes who holds the lock (for the one that waits), or reads it. */
    private static void holder(FileChannel ch, String who) {
        try {
            ch.truncate(0).write(ByteBuffer.wrap((who + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
        } catch (IOException e) {
            // the lock holds without its label
        }
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(256);
            int n = ch.read(b, 0);
            String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "another hook" : s;
        } catch (IOException e) {
            return "another hook";
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing held
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // released with the channel below
        }
        close(channel);
    }
}
