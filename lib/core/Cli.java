//DEPS info.picocli:picocli:4.7.7
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr
//COMPILE_OPTIONS -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1

import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What every command shares: the one exit-code table, the one-line failure, and a picocli command line wired to
 * both, with option defaults read from the (injected) environment.
 */
final class Cli {
    /** The version every command's {@code --version} prints. */
    static final String VERSION = "0.5.0";

    static final int OK = 0;
    static final int FAILED = 1;
    static final int INPUT = 2;
    static final int ROLLED_BACK = 3;
    static final int ENVIRONMENT = 4;
    static final int AWS = 5;
    static final int INTERNAL = 70;

    /** The exit-code table, one row a code, for {@code @Command(exitCodeList = ...)}: each command lists its rows. */
    static final String EXIT_HEADING = "%nExit codes:%n";
    static final String EXIT_OK = " 0:success";
    static final String EXIT_FAILED = " 1:failed: the new version did not get healthy and could not be rolled back, or the deployment failed";
    static final String EXIT_INPUT = " 2:invalid input: options, bundle, manifest, template, appspec.yml (nothing was changed)";
    static final String EXIT_ROLLED_BACK = " 3:rolled back: the new version failed and the previous one serves again";
    static final String EXIT_ENVIRONMENT = " 4:environment: Docker, Compose, jbang, a registry or an endpoint is missing or unreachable";
    static final String EXIT_AWS = " 5:AWS refused: access denied (the IAM action is named), unknown resource, throttled";
    static final String EXIT_INTERNAL = "70:internal error (a bug: the stack trace follows the message)";

    private Cli() {}

    /** A failure a user can act on: one line naming the problem and the fix. */
    static final class Fail extends RuntimeException {
        final int exitCode;
        /** What a tool said at length (an SDK's whole message): shown with --verbose only, never in the one line. */
        final String detail;

        Fail(int exitCode, String problem, String fix, String detail) {
            super(fix == null || fix.isBlank() ? problem : problem + "; " + fix);
            this.exitCode = exitCode;
            this.detail = detail;
        }

        Fail(int exitCode, String problem, String fix) {
            this(exitCode, problem, fix, null);
        }

        Fail(int exitCode, String problem) {
            this(exitCode, problem, null);
        }

        /** The value of {@code work}, or null with its input problem (exit 2) added to {@code problems}; other failures pass. */
        static <T> T collect(List<Fail> problems, java.util.function.Supplier<T> work) {
            try {
                return work.get();
            } catch (Fail f) {
                if (f.exitCode != INPUT) {
                    throw f;
                }
                problems.add(f);
                return null;
            }
        }

        /** Nothing when {@code problems} is empty; the one problem; or all of them, a line each, as one failure. */
        static void throwAll(List<Fail> problems) {
            if (problems.size() == 1) {
                throw problems.get(0);
            }
            if (problems.size() > 1) {
                StringBuilder all = new StringBuilder(problems.size() + " problems with the input (nothing was sent anywhere):");
                problems.forEach(p -> all.append("\n  - ").append(p.getMessage()));
                throw new Fail(INPUT, all.toString());
            }
        }
    }

    /** A command whose option defaults come from environment variables: option name to variables, first set wins. */
    interface EnvDefaults {
        Map<String, String> env();

        Map<String, List<String>> defaultsFromEnv();
    }

    /**
     * A picocli command line wired to the exit-code table: a {@link Fail} exits with its own code and one line on the
     * command's error writer; anything else is an internal error with its stack trace. Usage errors are 2 (INPUT).
     */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            String name = line.getCommandName();
            if (ex instanceof Fail f) {
                line.getErr().println(name + ": " + f.getMessage());
                line.getErr().flush();
                return f.exitCode;
            }
            line.getErr().println(name + ": internal error: " + ex);
            ex.printStackTrace(line.getErr());
            line.getErr().flush();
            return INTERNAL;
        });
        if (command instanceof EnvDefaults d) {
            cl.setDefaultValueProvider(fromEnv(d.env(), d.defaultsFromEnv()));
        }
        return cl;
    }

    /** Defaults from the environment; a blank variable counts as unset (workflows pass empty ones). */
    static IDefaultValueProvider fromEnv(Map<String, String> env, Map<String, List<String>> variables) {
        return (ArgSpec arg) -> {
            if (!(arg instanceof OptionSpec o)) {
                return null;
            }
            for (String var : variables.getOrDefault(o.longestName(), List.of())) {
                String v = first(env.get(var));
                if (v != null) {
                    return v.replace("${", "$${"); // picocli interpolates defaults: keep the value as written
                }
            }
            return null;
        };
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
}
