//DEPS info.picocli:picocli:4.7.7
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr
//COMPILE_OPTIONS -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

import java.nio.file.Path;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every command shares: the exit-code table, the one-line failure, progress logging on stderr.
 *
 * <pre>
 * code  meaning
 *   0   success
 *   1   failed: the deployment or hook did not reach its goal (new version unhealthy, rollback failed,
 *       deployment still running at release's --timeout ...)
 *   2   invalid input: options, image reference, bundle, manifest, compose template, appspec, env file
 *   3   rolled back: the new version failed and the previous one is serving again
 *   4   environment: Docker daemon down, compose or jbang missing, registry unreachable
 *   5   AWS error: access denied, unknown application/group, bucket absent or in another region,
 *       throttled past retries, deployment group busy past --wait-for-active
 *  70   internal error (a bug: please report it with the stack trace printed after the message)
 * </pre>
 */
final class Cli {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INPUT = 2;
    static final int ROLLED_BACK = 3;
    static final int ENVIRONMENT = 4;
    static final int AWS = 5;
    static final int INTERNAL = 70;

    private Cli() {}

    /** A failure a user can act on: one line naming the problem and the fix. */
    static final class Fail extends RuntimeException {
        final int exitCode;

        Fail(int exitCode, String problem, String fix) {
            super(fix == null || fix.isBlank() ? problem : problem + "; " + fix);
            this.exitCode = exitCode;
        }

        Fail(int exitCode, String problem) {
            this(exitCode, problem, null);
        }
    }

    /** A picocli command line wired to this table: a {@link Fail} exits with its own code and one line. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        // picocli already answers a usage error with 2, which is INPUT in this table
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            String name = line.getCommandName();
            if (ex instanceof Fail f) {
                line.getErr().println(name + ": " + f.getMessage());
                return f.exitCode;
            }
            line.getErr().println(name + ": internal error: " + ex);
            ex.printStackTrace(line.getErr());
            return INTERNAL;
        });
        return cl;
    }

    /** The {@code --bundle} option every hook takes ({@code @Mixin}). */
    static final class BundleDir {
        @Option(names = "--bundle", defaultValue = "${env:CDEPLOY_BUNDLE:-.}",
                description = "Unpacked bundle folder (default: the folder above hooks/ when run through a hook launcher, else .)")
        Path dir;
    }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    static PrintStream log = System.err;

    /** One progress line on stderr, prefixed with the wall clock. */
    static void log(String format, Object... args) {
        log.println(LocalTime.now().format(CLOCK) + " " + String.format(format, args));
        log.flush();
    }

    /** The first value that is set and not blank, stripped; {@code null} when there is none. */
    static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    /** The first line of a (possibly multi-line) message, stripped. */
    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip();
    }

    static String seconds(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
