import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs hook files the way the CodeDeploy agent does: by their path with a plain execve (no shell), stdin closed at
 * once, cwd "/", a minimal PATH, no HOME, the agent's variables; and fails a hook that leaves stdout open.
 */
final class HookProcess {
    static final Path REPO = Path.of("").toAbsolutePath();
    static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static Path jbangBin;

    record Result(String location, int exit, String stdout, String stderr, Duration took) {
        String lastLine() {
            List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        @Override
        public String toString() {
            return location + " exited " + exit + " after " + took.toMillis() + " ms\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** A folder with only a {@code jbang} link to the repository's wrapper: what an instance's PATH would give. */
    static synchronized Path jbangBin() throws IOException {
        if (jbangBin == null) {
            jbangBin = Files.createTempDirectory("cdeploy-jbang-bin");
            Files.createSymbolicLink(jbangBin.resolve("jbang"), REPO.resolve("jbang"));
        }
        return jbangBin;
    }

    /** A bundle as release lays it out: the hooks, their helpers, appspec.yml, compose.yml and the release files. */
    static Path bundle(Path dir, String image, Map<String, Object> settings) throws IOException {
        Files.createDirectories(dir);
        for (String top : List.of("hooks", "lib", "appspec.yml", "compose.yml")) {
            copyTree(REPO.resolve(top), dir.resolve(top));
        }
        Files.writeString(dir.resolve("image.txt"), image + "\n");
        Files.writeString(dir.resolve("release.json"), new ObjectMapper().writeValueAsString(
                Map.of("version", image.replaceAll(".*:", "").replaceAll("@.*", ""), "commit", "0123abc", "image", image,
                        "settings", settings)));
        return dir;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static Result run(Path bundle, String location, String event, Map<String, String> extraEnv) throws IOException {
        return run(List.of(bundle.resolve(location).toString()), Path.of("/"), event, extraEnv, true);
    }

    /** Runs {@code command} in {@code cwd}; {@code withJbang} puts a jbang on the minimal PATH. */
    static Result run(List<String> command, Path cwd, String event, Map<String, String> extraEnv, boolean withJbang)
            throws IOException {
        String location = REPO.relativize(Path.of(command.get(command.get(0).equals("/bin/sh") ? 1 : 0)).toAbsolutePath()).toString();
        Instant start = Instant.now();
        Process p = start(command, cwd, event, extraEnv, withJbang);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        Duration limit = Duration.ofMinutes(5);
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                fail(location + " did not finish within " + limit);
            }
            String stdout = out.get(30, TimeUnit.SECONDS);  // like the agent: a hook must close its outputs
            String stderr = err.get(30, TimeUnit.SECONDS);
            return new Result(location, p.exitValue(), stdout, stderr, Duration.between(start, Instant.now()));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(location + " exited but left stdout or stderr open", e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same, started and left running: stdin closed at once, as the agent does (a test may kill it). */
    static Process start(List<String> command, Path cwd, String event, Map<String, String> extraEnv, boolean withJbang)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", (withJbang ? jbangBin() + ":" : "") + SYSTEM_PATH);
        env.put("CDEPLOY_JBANG_VERBOSE", "1"); // the wrapper hides JBang's build lines; tests look for them
        env.put("LIFECYCLE_EVENT", event);
        env.put("DEPLOYMENT_ID", "d-TEST12345");
        env.put("APPLICATION_NAME", "artscope-codedeploy");
        env.put("DEPLOYMENT_GROUP_NAME", "artscope-codedeploy-group");
        env.put("DEPLOYMENT_GROUP_ID", "4e2e8d6e-0000-4000-8000-000000000000");
        for (Map.Entry<String, String> e : extraEnv.entrySet()) {
            if (e.getValue() == null) {
                env.remove(e.getKey());
            } else {
                env.put(e.getKey(), e.getValue());
            }
        }
        Process p = pb.start();
        p.getOutputStream().close(); // the agent closes stdin at once
        return p;
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> env(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
