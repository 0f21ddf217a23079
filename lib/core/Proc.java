import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Child processes: run one with a timeout, stdin empty, both streams drained on their own threads (a full pipe never
 * blocks the child, a timeout still fires), and on timeout the whole process tree terminated, waited for, then killed.
 * {@link Runner} is the seam tests replace with a recorded one.
 */
final class Proc {
    /** What ran and what it said. Exit 124 is a timeout, 127 a command that could not start, 130 an interrupt. */
    record Result(List<String> command, int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }

        /** The last non-blank line of stderr (or stdout): what the tool said went wrong. */
        String reason() {
            String text = err.isBlank() ? out : err;
            List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "exit code " + exit : lines.get(lines.size() - 1).strip();
        }
    }

    /** Runs a command; each output line also goes to {@code echo} (from two threads, one per stream) when it is set. */
    @FunctionalInterface
    interface Runner {
        Result run(List<String> command, Duration timeout, Consumer<String> echo);
    }

    /** Time the tree gets between SIGTERM and SIGKILL after a timeout. */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);

    /** The real runner: a child process, its time counted in {@link Clock} as time spent on other programs. */
    static final Runner SYSTEM = (command, timeout, echo) -> {
        long started = System.nanoTime();
        try {
            return start(command, timeout, echo);
        } finally {
            Clock.addChild(System.nanoTime() - started);
        }
    };

    private Proc() {}

    private static Result start(List<String> command, Duration timeout, Consumer<String> echo) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            return new Result(command, 127, "", command.get(0) + ": not found (" + e.getMessage() + ")");
        }
        FutureTask<String> out = drainInBackground(p.getInputStream(), echo);
        FutureTask<String> err = drainInBackground(p.getErrorStream(), echo);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p);
                return new Result(command, 124, "", "timed out after " + timeout.toSeconds() + " s: " + Mask.command(command));
            }
            // a grandchild that inherited the pipes may keep them open: take what came, boundedly
            return new Result(command, p.exitValue(), drained(out), drained(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree(p);
            return new Result(command, 130, "", "interrupted");
        } catch (ExecutionException e) {
            return new Result(command, p.exitValue(), "", "cannot read the output of " + command.get(0) + ": " + e.getCause());
        }
    }

    /** SIGTERM to the process and every descendant, a bounded wait, then SIGKILL to whatever is left. */
    static void killTree(Process p) {
        List<ProcessHandle> tree = p.descendants().toList(); // taken first: children are re-parented once p exits
        tree.forEach(ProcessHandle::destroy);
        p.destroy();
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        for (ProcessHandle h : concat(p.toHandle(), tree)) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // still running after the grace period (or the wait was interrupted): killed below
            }
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static List<ProcessHandle> concat(ProcessHandle first, List<ProcessHandle> rest) {
        List<ProcessHandle> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static String drained(FutureTask<String> stream) throws InterruptedException, ExecutionException {
        try {
            return stream.get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            stream.cancel(true);
            return "";
        }
    }

    private static FutureTask<String> drainInBackground(InputStream in, Consumer<String> echo) {
        FutureTask<String> task = new FutureTask<>(() -> drain(in, echo));
        Thread t = new Thread(task, "drain");
        t.setDaemon(true);
        t.start();
        return task;
    }

    private static String drain(InputStream in, Consumer<String> echo) {
        StringBuilder all = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                all.append(line).append('\n');
                if (echo != null) {
                    echo.accept(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }
}
