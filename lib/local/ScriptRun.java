import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One hook script run as the CodeDeploy agent runs it: by its absolute path with no shell between (or through
 * {@code su <user> -c} / {@code sudo} for {@code runas} / {@code sudo}, as the agent's table says), stdin closed, in a
 * process group of its own ({@code setsid}), with the agent's variables on top of this environment. One deadline
 * (the script's timeout) covers its exit and then the end of its stdout and stderr: a script still running is sent
 * SIGTERM as a group (ScriptTimedOut); one that exited while a background child still holds stdout is the agent's
 * "failed to close STDOUT", and that child is left running, as the agent leaves it.
 *
 * <p>The output goes through named pipes rather than Java's own: the JVM closes its pipe when the child exits, which
 * would hide the background child that keeps the script's output open.
 */
final class ScriptRun {
    /** Agent error codes (ScriptError). */
    static final int SUCCEEDED = 0, SCRIPT_MISSING = 1, NOT_EXECUTABLE = 2, TIMED_OUT = 3, FAILED = 4, UNKNOWN = 5, OUTPUTS_LEFT_OPEN = 6;
    /** Our difference: after SIGTERM the group gets this long before SIGKILL (the agent waits for it without end). */
    static final long KILL_GRACE_MS = 5000;

    /** How the script ended: the agent's code and message ({@code exit} is the script's own code, or -1). */
    record Outcome(int code, String message, int exit) {
        boolean ok() {
            return code == SUCCEEDED;
        }
    }

    /** A file without {@code #!}: agent 1.x runs it through /bin/sh (Ruby's fallback), agent 2.x fails it. */
    enum NoShebang { sh, fail }

    private ScriptRun() {}

    static Outcome run(Path script, AppSpec.Script spec, Map<String, String> env, ScriptLog log, NoShebang noShebang, Path cwd) {
        String loc = spec.location();
        List<String> command = command(script, spec, noShebang);
        if (command == null) {
            return new Outcome(FAILED, "Script at specified location: " + loc + " failed with error Errno::ENOEXEC with message Exec format error - " + script, -1);
        }
        log.append("Script - " + loc);
        Path fifos;
        try {
            fifos = Files.createTempDirectory("deploy-local-");
        } catch (IOException e) {
            return new Outcome(UNKNOWN, "cannot create the script's output pipes: " + e.getMessage(), -1);
        }
        try {
            return run(command, spec, env, log, cwd, fifos);
        } finally {
            Layout.deleteTree(fifos);
        }
    }

    private static Outcome run(List<String> command, AppSpec.Script spec, Map<String, String> env, ScriptLog log, Path cwd, Path fifos) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(spec.timeout());
        Path out = fifos.resolve("stdout"), err = fifos.resolve("stderr");
        Reader stdout, stderr;
        Process p;
        try {
            mkfifo(out, err);
            stdout = Reader.start(out, "[stdout]", log);
            stderr = Reader.start(err, "[stderr]", log);
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            try {
                p = pb.start();
            } catch (IOException e) {
                unblock(out);
                unblock(err);
                return new Outcome(FAILED, prefix(spec) + " failed with error " + e.getClass().getSimpleName() + " with message " + e.getMessage(), -1);
            }
        } catch (IOException e) {
            return new Outcome(UNKNOWN, "cannot run " + command.get(command.size() - 1) + ": " + e.getMessage(), -1);
        }
        try {
            if (!p.waitFor(left(deadline), TimeUnit.NANOSECONDS)) {
                signalGroup(p.pid(), "TERM");
                if (!p.waitFor(KILL_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    signalGroup(p.pid(), "KILL");
                    p.waitFor(KILL_GRACE_MS, TimeUnit.MILLISECONDS);
                }
                return new Outcome(TIMED_OUT, "Script at specified location: " + spec.location() + " failed to complete in " + spec.timeout() + " seconds", -1);
            }
            if (!stdout.done.await(left(deadline), TimeUnit.NANOSECONDS)) {
                return new Outcome(OUTPUTS_LEFT_OPEN, "Script at specified location: " + spec.location() + " failed to close STDOUT", p.exitValue());
            }
            if (!stderr.done.await(left(deadline), TimeUnit.NANOSECONDS)) {
                return new Outcome(OUTPUTS_LEFT_OPEN, "Script at specified location: " + spec.location() + " failed to close STDERR", p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            signalGroup(p.pid(), "TERM");
            return new Outcome(UNKNOWN, "interrupted while " + spec.location() + " ran", -1);
        }
        int exit = p.exitValue();
        return exit == 0 ? new Outcome(SUCCEEDED, "", 0) : new Outcome(FAILED, prefix(spec) + " failed with exit code " + exit, exit);
    }

    /** The agent's command table; {@code null} when a file without {@code #!} must fail. */
    static List<String> command(Path script, AppSpec.Script spec, NoShebang noShebang) {
        List<String> c = new ArrayList<>(List.of("setsid"));
        if (spec.sudo()) {
            c.add("sudo");
        }
        if (spec.runas() != null) {
            c.addAll(List.of("su", spec.runas(), "-c", script.toString()));
            return c;
        }
        if (!hasShebang(script)) {
            if (noShebang == NoShebang.fail) {
                return null;
            }
            c.add("/bin/sh");
        }
        c.add(script.toString());
        return c;
    }

    static String prefix(AppSpec.Script spec) {
        return "Script at specified location: " + spec.location() + (spec.runas() == null ? "" : " run as user " + spec.runas());
    }

    private static boolean hasShebang(Path script) {
        try (InputStream in = Files.newInputStream(script)) {
            return in.read() == '#' && in.read() == '!';
        } catch (IOException e) {
            return true; // unreadable here: let the exec say why
        }
    }

    private static long left(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static void mkfifo(Path... fifos) throws IOException {
        List<String> c = new ArrayList<>(List.of("mkfifo", "-m", "600"));
        for (Path f : fifos) {
            c.add(f.toString());
        }
        Proc.Result r = Proc.SYSTEM.run(c, java.time.Duration.ofSeconds(10), null);
        if (!r.ok()) {
            throw new IOException("mkfifo: " + r.reason());
        }
    }

    /** A reader still waiting for a writer that never came: open and close a write end (O_RDWR never blocks). */
    private static void unblock(Path fifo) {
        try (RandomAccessFile f = new RandomAccessFile(fifo.toFile(), "rw")) {
            f.getFD().sync();
        } catch (IOException e) {
            // the reader already ended
        }
    }

    /** SIGTERM or SIGKILL to the script's whole process group (setsid made its pid the group id). */
    static void signalGroup(long pgid, String signal) {
        Proc.SYSTEM.run(List.of("kill", "-" + signal, "--", "-" + pgid), java.time.Duration.ofSeconds(5), null);
    }

    /** One output stream of the script, read line by line into the log until its last writer closes it. */
    private static final class Reader implements Runnable {
        private final Path fifo;
        private final String prefix;
        private final ScriptLog log;
        final CountDownLatch done = new CountDownLatch(1);

        private Reader(Path fifo, String prefix, ScriptLog log) {
            this.fifo = fifo;
            this.prefix = prefix;
            this.log = log;
        }

        static Reader start(Path fifo, String prefix, ScriptLog log) {
            Reader r = new Reader(fifo, prefix, log);
            Thread t = new Thread(r, "deploy-local" + prefix);
            t.setDaemon(true); // a background child may hold the pipe long after we are done
            t.start();
            return r;
        }

        @Override
        public void run() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(fifo.toFile()), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    log.append(prefix + line);
                }
            } catch (IOException e) {
                log.append(prefix + "(output unreadable: " + e.getMessage() + ")");
            } finally {
                done.countDown();
            }
        }
    }
}
