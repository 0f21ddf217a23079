import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress on a command's own error writer: one line each, prefixed with the wall clock and flushed at once. */
final class Log {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintWriter err;
    private final boolean verbose;

    Log(PrintWriter err) {
        this(err, true);
    }

    /** {@code verbose}: other tools' output is shown as it comes (else only when they fail). */
    Log(PrintWriter err, boolean verbose) {
        this.err = err;
        this.verbose = verbose;
    }

    boolean verbose() {
        return verbose;
    }

    void info(String format, Object... args) {
        err.println(LocalTime.now().format(CLOCK) + " " + String.format(format, args));
        err.flush();
    }

    /** A line as it is (a tool's output, an annotation the CI runner reads). */
    void raw(String line) {
        err.println(line);
        err.flush();
    }
}
