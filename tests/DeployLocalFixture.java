import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the deploy-local end-to-end tests share: {@code ./jbang deploy-local} run as a user runs it (a real JVM per
 * deployment, stdin from /dev/null unless a test keeps it open), a temporary deployment root, destination and working
 * folder per test, and readers for its JSON, scripts.log and the processes it leaves.
 */
abstract class DeployLocalFixture {
    static final Path REPO = Path.of("").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> EVENTS = List.of("BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop", "DownloadBundle", "BeforeInstall",
            "Install", "AfterInstall", "ApplicationStart", "ValidateService", "BeforeAllowTraffic", "AfterAllowTraffic");
    static final String HOOK = "#!/bin/sh\necho \"hook $LIFECYCLE_EVENT\"\n";
    static final String HEAD = "version: 0.0\nos: linux\n";
    /** This user and its primary group, by name (an appspec's owner and group that work without root). */
    static final String USER = System.getProperty("user.name");
    static final String GROUP_NAME = group();

    private static String group() {
        try {
            return Files.readAttributes(Path.of(System.getProperty("user.home")), java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        } catch (IOException e) {
            return USER;
        }
    }

    /** One deploy-local run; {@code out} is its JSON when run with --json. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + this, e);
            }
        }

        Path dir() {
            return Path.of(json().path("deploymentDir").asText());
        }

        JsonNode failure() {
            return json().path("failure");
        }

        /** "Event:Status" for every event, in order. */
        List<String> statuses() {
            List<String> s = new ArrayList<>();
            json().path("events").forEach(e -> s.add(e.path("event").asText() + ":" + e.path("status").asText()));
            return s;
        }

        /** The command's stderr lines (JBang's own "[jbang] Building jar" lines, when sources changed, left out). */
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank() && !l.startsWith("[jbang]")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /** A test's own folders: the deployment root, the command's cwd, the install destination, revisions beside them. */
    static final class Local {
        final Path tmp, root, work, dest;

        Local(Path tmp) throws IOException {
            this.tmp = tmp;
            root = tmp.resolve("root");
            work = Files.createDirectories(tmp.resolve("work"));
            dest = Files.createDirectories(tmp.resolve("dest"));
        }

        /**
         * A revision folder: appspec.yml and name/content pairs (@DEST@ = the destination, @USER@ and @GROUP@ this user
         * and its group, so owners work without root); *.sh get mode 0755, others 0644.
         */
        Path revision(String name, String appspec, String... files) throws IOException {
            Path dir = Files.createDirectories(tmp.resolve(name));
            Files.writeString(dir.resolve("appspec.yml"), appspec.replace("@DEST@", dest.toString()).replace("@USER@", USER).replace("@GROUP@", GROUP_NAME));
            for (int i = 0; i < files.length; i += 2) {
                Path f = dir.resolve(files[i]);
                Files.createDirectories(f.getParent());
                Files.writeString(f, files[i + 1].replace("@DEST@", dest.toString()));
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(files[i].endsWith(".sh") ? "rwxr-xr-x" : "rw-r--r--"));
            }
            return dir;
        }

        /** {@code ./jbang deploy-local --json --deployment-root ROOT ARGS} from the work folder. */
        Run deploy(String... args) throws Exception {
            return deploy(Map.of(), false, args);
        }

        Run deploy(Map<String, String> env, boolean stdinOpen, String... args) throws Exception {
            List<String> all = new ArrayList<>(List.of("--json"));
            all.addAll(List.of(args));
            return text(env, stdinOpen, all.toArray(String[]::new));
        }

        /** Without --json: the table on stdout. */
        Run text(Map<String, String> env, boolean stdinOpen, String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(REPO.resolve("jbang").toString(), REPO.resolve("scripts/deploy_local.java").toString(),
                    "--deployment-root", root.toString()));
            command.addAll(List.of(args));
            return run(command, work, env, stdinOpen);
        }
    }

    /** Runs a command with a clean AWS environment; stdin is /dev/null, or a pipe kept open until the command ends. */
    static Run run(List<String> command, Path cwd, Map<String, String> env, boolean stdinOpen) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        if (!stdinOpen) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out: " + command);
            }
            return new Run(p.exitValue(), out, err.get(30, TimeUnit.SECONDS));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.getOutputStream().close();
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entries of a scripts.log, each line checked for the agent's "YYYY-MM-DD HH:MM:SS " prefix. */
    static List<String> entries(Path scriptsLog) throws IOException {
        Pattern line = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} (.*)");
        return Files.readAllLines(scriptsLog).stream().map(l -> {
            Matcher m = line.matcher(l);
            assertTrue(m.matches(), "scripts.log line: " + l);
            return m.group(1);
        }).toList();
    }

    static List<String> entries(Run r) throws IOException {
        return entries(r.dir().resolve("logs/scripts.log"));
    }

    /** Processes (zombies left out) whose process group is {@code pgid}. */
    static List<Long> group(long pgid) throws IOException {
        List<Long> live = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (!f[0].equals("Z") && Long.parseLong(f[2]) == pgid) {
                        live.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // it ended while we looked
                }
            }
        }
        return live;
    }

    static void killGroup(long pgid) throws IOException {
        group(pgid).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static String host() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    /** The names in a folder (none when it does not exist). */
    static Set<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    /** One hook in {@code event}: {@code location} with {@code timeout} seconds (and more script keys). */
    static String hook(String event, String location, int timeout, String more) {
        return "  " + event + ":\n    - location: " + location + "\n      timeout: " + timeout + "\n" + (more.isEmpty() ? "" : "      " + more + "\n");
    }

    /** A failed deployment's JSON: the failing event, its script, the agent's code and message. */
    static void assertFailure(Run r, String event, String script, String errorCode, String message) {
        assertEquals(1, r.exit(), r.toString());
        assertEquals("Failed", r.json().path("status").asText(), r.toString());
        JsonNode f = r.failure();
        assertEquals(event, f.path("event").asText(), r.toString());
        assertEquals(script, f.path("script").isNull() ? null : f.path("script").asText(), r.toString());
        assertEquals(errorCode, f.path("errorCode").asText(), r.toString());
        assertEquals(message, f.path("message").asText(), r.toString());
        List<String> statuses = r.statuses();
        int failed = statuses.indexOf(event + ":Failed");
        assertTrue(failed >= 0, statuses.toString());
        statuses.subList(failed + 1, statuses.size()).forEach(s -> assertTrue(s.endsWith(":Skipped"), "after the failure: " + statuses));
    }

    @TempDir
    Path tmp;
    Local local;

    @BeforeEach
    void folders() throws IOException {
        local = new Local(tmp);
    }
}
