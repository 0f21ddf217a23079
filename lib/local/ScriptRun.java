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
    /** The codes by name, as CodeDeploy's diagnostics name them (6, outputs left open, has no public name). */
    static final List<String> CODE_NAMES = List.of("Succeeded", "ScriptMissing", "ScriptNotExecutable", "ScriptTimedOut",
            "ScriptFailed", "UnknownError", "ScriptFailed");
    /** Our difference: after SIGTERM the group gets this long before SIGKILL (the agent waits for it without end). */
    static final long KILL_GRACE_MS = 5000;
    /** The process group of the script running now (-1: none), for {@link #stopRunning} when this JVM is stopped. */
    private static final java.util.concurrent.atomic.AtomicLong RUNNING = new java.util.concurrent.atomic.AtomicLong(-1);

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
        String cannot = cannotExec(script, spec, noShebang);
        if (cannot != null) {
            return new Outcome(FAILED, prefix(spec) + " failed with error " + cannot, -1);
        }
        List<String> command = command(script, spec, noShebang);
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
            Disk.deleteTree(fifos);
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
        RUNNING.set(p.pid());
        try {
            if (!p.waitFor(left(deadline), TimeUnit.NANOSECONDS)) {
                signalGroup(p.pid(), false);
                if (!p.waitFor(KILL_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    signalGroup(p.pid(), true);
                    p.waitFor(KILL_GRACE_MS, TimeUnit.MILLISECONDS);
                }
                stdout.done.await(1, TimeUnit.SECONDS); // the last lines it wrote belong in the tail
                stderr.done.await(1, TimeUnit.SECONDS);
                return new Outcome(TIMED_OUT, "Script at specified location: " + spec.location() + " failed to complete in " + spec.timeout() + " seconds", -1);
            }
            if (!stdout.done.await(left(deadline), TimeUnit.NANOSECONDS)) {
                return new Outcome(OUTPUTS_LEFT_OPEN, "Script at specified location: " + spec.location() + " failed to close STDOUT", -1);
            }
            if (!stderr.done.await(left(deadline), TimeUnit.NANOSECONDS)) {
                return new Outcome(OUTPUTS_LEFT_OPEN, "Script at specified location: " + spec.location() + " failed to close STDERR", -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            signalGroup(p.pid(), false);
            return new Outcome(UNKNOWN, "interrupted while " + spec.location() + " ran", -1);
        } finally {
            RUNNING.set(-1);
        }
        int exit = p.exitValue();
        return exit == 0 ? new Outcome(SUCCEEDED, "", 0) : new Outcome(FAILED, prefix(spec) + " failed with exit code " + exit, exit);
    }

    /**
     * This JVM is being stopped (Ctrl-C, SIGTERM) while a script runs in its own session, where the signal does not
     * reach it: the script's group gets SIGTERM, then SIGKILL after the grace, so no hook goes on swapping containers
     * after the deployment's lock is gone.
     */
    static void stopRunning() {
        long pgid = RUNNING.get();
        if (pgid <= 0 || signalGroup(pgid, false) == 0) {
            return;
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_GRACE_MS);
        while (System.nanoTime() < until && signalGroup(pgid, false) > 0) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                break;
            }
        }
        signalGroup(pgid, true);
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
        if (noShebang == NoShebang.sh && shebang(script) == null) {
            c.add("/bin/sh");
        }
        c.add(script.toString());
        return c;
    }

    /**
     * Why the script cannot be executed, as Ruby's spawn would say it (the agent reports it as a ScriptFailed "failed
     * with error"), or null: the checks a direct exec makes, done before setsid would hide them behind its own exit code.
     */
    static String cannotExec(Path script, AppSpec.Script spec, NoShebang noShebang) {
        if (spec.runas() != null || spec.sudo()) {
            return null; // su's and sudo's shells report for themselves
        }
        if (Files.isDirectory(script)) {
            return "Errno::EACCES with message Permission denied - " + script;
        }
        String interpreter = shebang(script);
        if (interpreter == null) {
            return noShebang == NoShebang.fail ? "Errno::ENOEXEC with message Exec format error - " + script : null;
        }
        if (interpreter.isEmpty() || !Files.isExecutable(Path.of(interpreter)) || Files.isDirectory(Path.of(interpreter))) {
            return "Errno::ENOENT with message No such file or directory - " + script; // a \r after the name is part of it
        }
        return null;
    }

    static String prefix(AppSpec.Script spec) {
        return "Script at specified location: " + spec.location() + (spec.runas() == null ? "" : " run as user " + spec.runas());
    }

    /** The interpreter a {@code #!} line names (up to the first blank; "" when none), or null without {@code #!}. */
    private static String shebang(Path script) {
        try (InputStream in = Files.newInputStream(script)) {
            if (in.read() != '#' || in.read() != '!') {
                return null;
            }
            String line = new String(in.readNBytes(256), StandardCharsets.ISO_8859_1).split("\n", 2)[0]; // a \r stays: it is in the name
            return line.replaceFirst("^[ \t]+", "").split("[ \t]", 2)[0];
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return ""; // unreadable here: the exec says why
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

    /**
     * SIGTERM (or, {@code force}, SIGKILL) to every process of the script's group (setsid made its pid the group id),
     * found in /proc: no kill(1) needed, which minimal images lack. Returns how many were signalled.
     */
    static int signalGroup(long pgid, boolean force) {
        int n = 0;
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                if (group(proc) == pgid) {
                    var h = ProcessHandle.of(Long.parseLong(proc.getFileName().toString()));
                    if (h.isPresent() && (force ? h.get().destroyForcibly() : h.get().destroy())) {
                        n++;
                    }
                }
            }
        } catch (IOException e) {
            // /proc unreadable: nothing more can be done here
        }
        return n;
    }

    /** The process group of /proc/PID (field 5 of its stat line, after the parenthesised name). */
    private static long group(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[2]);
        } catch (IOException | RuntimeException e) {
            return -1; // gone meanwhile
        }
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
            } catch (IOException | RuntimeException e) {
                log.append(prefix + "(output unreadable: " + e.getMessage() + ")");
            } finally {
                done.countDown();
            }
        }
    }
}
