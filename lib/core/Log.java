import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress on a command's own error writer: one line each, prefixed with the wall clock and flushed at once. */
final class Log {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintWriter err;

    Log(PrintWriter err) {
        this.err = err;
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
