//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Docker CLI and Compose, run as child processes with timeouts; errors become one actionable line. */
final class Docker {
    static final ObjectMapper JSON = new ObjectMapper();

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

    /** A container as {@code docker inspect} reports it. */
    record Container(String name, String image, String status, int exitCode, int restarts, String health, String project) {
        boolean running() {
            return "running".equals(status);
        }
    }

    /** Compose v2 ({@code docker compose}) or v1 ({@code docker-compose}), and the commands it needs. */
    record Compose(List<String> executable, boolean v2, String version) {
        List<String> up(String project, Path file, List<String> services) {
            List<String> cmd = base(project, file);
            cmd.addAll(List.of("up", "--detach", "--no-build"));
            if (v2) {
                cmd.addAll(List.of("--pull", "never")); // v1 has no way to refuse a pull: pull.java pulls first
            }
            cmd.addAll(services);
            return cmd;
        }

        List<String> config(String project, Path file) {
            List<String> cmd = base(project, file);
            cmd.addAll(List.of("config", "--quiet"));
            return cmd;
        }

        private List<String> base(String project, Path file) {
            List<String> cmd = new ArrayList<>(executable);
            cmd.addAll(List.of("--project-name", project, "--file", file.toString()));
            return cmd;
        }
    }

    private final String docker;
    private static final java.util.concurrent.atomic.AtomicLong CHILD_NANOS = new java.util.concurrent.atomic.AtomicLong();
    /** Time spent waiting for the service itself (health probes and the pauses between them), added by Health. */
    static final java.util.concurrent.atomic.AtomicLong SERVICE_NANOS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Where the hook's time went since its launcher started (hooks/launch exports the moment; run by hand, the JVM's
     * start): other programs (docker, compose, jbang build), the service's health wait, and the rest, which is the
     * hook's own cost, JBang and JVM start-up included.
     */
    static String timing() {
        String launched = System.getenv("CDEPLOY_HOOK_START"); // epoch nanoseconds, set by hooks/launch
        java.time.Instant start = launched != null && launched.matches("\\d{19}")
                ? java.time.Instant.ofEpochSecond(0, Long.parseLong(launched))
                : java.time.Instant.ofEpochMilli(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
        Duration total = Duration.between(start, java.time.Instant.now());
        Duration docker = Duration.ofNanos(CHILD_NANOS.get());
        Duration service = Duration.ofNanos(SERVICE_NANOS.get());
        return String.format("%s in all: %s waiting on other programs, %s%s own", Cli.seconds(total), Cli.seconds(docker),
                service.isZero() ? "" : Cli.seconds(service) + " waiting for the service, ",
                Cli.seconds(total.minus(docker).minus(service)));
    }

    Docker() {
        this(System.getenv().getOrDefault("CDEPLOY_DOCKER", "docker"));
    }

    Docker(String docker) {
        this.docker = docker;
    }

    Result docker(Duration timeout, String... args) {
        return docker(timeout, null, args);
    }

    /** The same, with each output line passed to {@code echo} as it comes (a long build shows its progress). */
    Result docker(Duration timeout, Consumer<String> echo, String... args) {
        List<String> cmd = new ArrayList<>(List.of(docker));
        cmd.addAll(List.of(args));
        return run(cmd, timeout, echo);
    }

    /**
     * Runs a command; stdin is empty; stdout and stderr are captured, and each line also goes to {@code echo},
     * which is called from two threads (one per stream).
     */
    static Result run(List<String> command, Duration timeout, Consumer<String> echo) {
        long started = System.nanoTime();
        try {
            return runUntimed(command, timeout, echo);
        } finally {
            CHILD_NANOS.addAndGet(System.nanoTime() - started);
        }
    }

    private static Result runUntimed(List<String> command, Duration timeout, Consumer<String> echo) {
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
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(command, 124, "", "timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
            }
            return new Result(command, p.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            return new Result(command, 130, "", "interrupted");
        } catch (ExecutionException e) {
            return new Result(command, p.exitValue(), "", "cannot read the output of " + command.get(0) + ": " + e.getCause());
        }
    }

    /** Reads a child's stream on its own thread, so that a full pipe never blocks the child and timeouts still work. */
    private static FutureTask<String> drainInBackground(InputStream in, Consumer<String> echo) {
        FutureTask<String> task = new FutureTask<>(() -> drain(in, echo));
        Thread t = new Thread(task, "drain");
        t.setDaemon(true);
        t.start();
        return task;
    }

    private static String drain(InputStream in, Consumer<String> echo) {
        StringBuilder all = new StringBuilder();
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
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

    /** Fails with one line when the daemon does not answer. */
    void requireDaemon() {
        Result r = docker(Duration.ofSeconds(20), "version", "--format", "{{.Server.Version}}");
        if (r.exit == 127) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "the docker command is not installed", "install Docker (lib/setup-host.sh docker, or apt-get install docker.io)");
        }
        if (!r.ok() || r.out.isBlank()) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "the Docker daemon is not answering (" + r.reason() + ")",
                    "start it (systemctl start docker) and check that this user may use /var/run/docker.sock");
        }
    }

    /**
     * Finds Compose: the v2 plugin first, then the v1 {@code docker-compose} command; {@code CDEPLOY_COMPOSE}
     * (a command line such as {@code docker-compose} or {@code docker compose}) forces one.
     */
    Compose compose() {
        String forced = System.getenv("CDEPLOY_COMPOSE");
        List<List<String>> candidates = forced != null && !forced.isBlank()
                ? List.of(List.of(forced.strip().split("\\s+")))
                : List.of(List.of(docker, "compose"), List.of("docker-compose"));
        for (List<String> exe : candidates) {
            List<String> cmd = new ArrayList<>(exe);
            cmd.addAll(List.of("version", "--short"));
            Result r = run(cmd, Duration.ofSeconds(30), null);
            if (r.ok() && !r.out.isBlank()) {
                String version = r.out.strip().replaceFirst("^v", "");
                return new Compose(exe, !version.startsWith("1."), version);
            }
        }
        throw new Cli.Fail(Cli.ENVIRONMENT, "Docker Compose is not installed (tried "
                + candidates.stream().map(c -> String.join(" ", c)).toList() + ")",
                "install the compose plugin (docker compose) or docker-compose");
    }

    boolean imageExists(String ref) {
        return docker(Duration.ofSeconds(20), "image", "inspect", "--format", "{{.Id}}", ref).ok();
    }

    /** Pulls an image; registry trouble becomes one line that tells image-missing from registry-down. */
    void pull(String ref, Duration timeout) {
        Result r = docker(timeout, "pull", "--quiet", ref);
        if (r.ok()) {
            return;
        }
        String why = r.reason();
        String lower = why.toLowerCase();
        if (r.exit == 124 || lower.contains("connection refused") || lower.contains("dial tcp")
                || lower.contains("no such host") || lower.contains("timeout")) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "the registry for " + ref + " cannot be reached (" + why + ")",
                    "check the registry is up and reachable from this instance; the running version was not touched");
        }
        if (lower.contains("pull access denied")) {
            throw new Cli.Fail(Cli.INPUT, "image " + ref + " does not exist or this instance may not pull it (" + why + ")",
                    "check the reference, and log the instance in to the registry (docker login as root)");
        }
        if (lower.contains("manifest unknown") || lower.contains("not found") || lower.contains("name unknown")) {
            throw new Cli.Fail(Cli.INPUT, "image " + ref + " is not in the registry (" + why + ")",
                    "push it first, or fix the reference in image.txt and release.json");
        }
        if (lower.contains("denied") || lower.contains("unauthorized") || lower.contains("authentication required")) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "the registry refused to serve " + ref + " (" + why + ")",
                    "log this instance in to the registry (docker login as root, or a credential helper)");
        }
        throw new Cli.Fail(Cli.ENVIRONMENT, "docker pull " + ref + " failed: " + why, "fix the cause above and deploy again");
    }

    /** The container with exactly this name, if any (the name filter alone would match substrings). */
    Optional<Container> container(String name) {
        Result r = docker(Duration.ofSeconds(20), "container", "inspect", name);
        if (!r.ok()) {
            if (r.err.contains("No such container") || r.err.contains("no such container")) {
                return Optional.empty();
            }
            throw new Cli.Fail(Cli.ENVIRONMENT, "docker inspect " + name + " failed: " + r.reason(), "check the Docker daemon");
        }
        try {
            JsonNode c = JSON.readTree(r.out).get(0);
            if (!("/" + name).equals(c.path("Name").asText())) {
                return Optional.empty(); // an ID prefix matched, not the name
            }
            JsonNode state = c.path("State");
            JsonNode health = state.path("Health");
            return Optional.of(new Container(name, c.path("Config").path("Image").asText(),
                    state.path("Status").asText(), state.path("ExitCode").asInt(), c.path("RestartCount").asInt(),
                    health.isMissingNode() || health.isNull() ? null : health.path("Status").asText(),
                    c.path("Config").path("Labels").path("com.docker.compose.project").asText(null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines the container wrote, stdout and stderr together. */
    List<String> logs(String name, int lines) {
        List<String> all = java.util.Collections.synchronizedList(new ArrayList<>()); // both streams add to it
        List<String> cmd = List.of(docker, "logs", "--tail", Integer.toString(lines), name);
        Result r = run(cmd, Duration.ofSeconds(20), all::add);
        return r.ok() ? all : List.of("(docker logs failed: " + r.reason() + ")");
    }
}
