import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Docker CLI and Compose: builds their commands, runs them through a {@link Proc.Runner} (replaceable, so that
 * the hooks' decisions are testable in-process) and interprets their answers; errors become one actionable line.
 */
final class Docker {
    /** A container as {@code docker inspect} reports it; {@code address}: its first network's IP, null without one. */
    record Container(String name, String image, String status, int exitCode, int restarts, String health, String project, String address) {
        boolean running() {
            return "running".equals(status);
        }
    }

    /** Compose v2 ({@code docker compose}) or v1 ({@code docker-compose}), and the commands it needs. */
    record Compose(List<String> executable, boolean v2, String version) {
        List<String> up(String project, List<Path> files, List<String> services) {
            List<String> cmd = base(project, files);
            cmd.addAll(List.of("up", "--detach", "--no-build"));
            if (v2) {
                cmd.addAll(List.of("--pull", "never")); // v1 has no way to refuse a pull: pull.java pulls first
            }
            cmd.addAll(services);
            return cmd;
        }

        /** The same from files kept elsewhere, relative paths resolved against {@code projectDir} as for the live pair. */
        List<String> up(String project, Path projectDir, List<Path> files, List<String> services) {
            List<String> cmd = up(project, files, services);
            cmd.addAll(executable.size() + 2, List.of("--project-directory", projectDir.toString()));
            return cmd;
        }

        List<String> config(String project, List<Path> files) {
            List<String> cmd = base(project, files);
            cmd.addAll(List.of("config", "--quiet"));
            return cmd;
        }

        /** The project name, then every file in order: later files are merged over earlier ones. */
        private List<String> base(String project, List<Path> files) {
            List<String> cmd = new ArrayList<>(executable);
            cmd.addAll(List.of("--project-name", project));
            files.forEach(f -> cmd.addAll(List.of("--file", f.toString())));
            return cmd;
        }

        String describe() {
            return (v2 ? "v2 " : "v1 ") + version;
        }
    }

    private final Proc.Runner runner;
    private final String docker;
    private final String forcedCompose;

    /**
     * Docker through {@code runner}; {@code CDEPLOY_DOCKER} names the docker command and {@code CDEPLOY_COMPOSE} (a
     * command line such as {@code docker-compose} or {@code docker compose}) forces a Compose.
     */
    Docker(Proc.Runner runner, Map<String, String> env) {
        this.runner = runner;
        this.docker = Optional.ofNullable(Cli.first(env.get("CDEPLOY_DOCKER"))).orElse("docker");
        this.forcedCompose = Cli.first(env.get("CDEPLOY_COMPOSE"));
    }

    /** The real Docker of this process's environment. */
    static Docker system() {
        return new Docker(Proc.SYSTEM, System.getenv());
    }

    Proc.Result docker(Duration timeout, String... args) {
        return docker(timeout, null, args);
    }

    /** The same, with each output line passed to {@code echo} as it comes (a long build shows its progress). */
    Proc.Result docker(Duration timeout, Consumer<String> echo, String... args) {
        List<String> cmd = new ArrayList<>(List.of(docker));
        cmd.addAll(List.of(args));
        return runner.run(cmd, timeout, echo);
    }

    /** A Compose command line (see {@link Compose}), through the same runner. */
    Proc.Result run(List<String> command, Duration timeout, Consumer<String> echo) {
        return runner.run(command, timeout, echo);
    }

    /** Fails with one line when the daemon does not answer. */
    void requireDaemon() {
        Proc.Result r = docker(Duration.ofSeconds(20), "version", "--format", "{{.Server.Version}}");
        if (r.exit() == 127) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "the docker command is not installed", "install Docker (lib/setup-host.sh docker, or apt-get install docker.io)");
        }
        if (!r.ok() || r.out().isBlank()) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "the Docker daemon is not answering (" + r.reason() + ")",
                    "start it (systemctl start docker) and check that this user may use /var/run/docker.sock");
        }
    }

    /**
     * Finds Compose: the v2 plugin first, then the v1 {@code docker-compose} command; {@code CDEPLOY_COMPOSE}
     * (a command line such as {@code docker-compose} or {@code docker compose}) forces one.
     */
    Compose compose() {
        List<List<String>> candidates = forcedCompose != null
                ? List.of(List.of(forcedCompose.split("\\s+")))
                : List.of(List.of(docker, "compose"), List.of("docker-compose"));
        for (List<String> exe : candidates) {
            List<String> cmd = new ArrayList<>(exe);
            cmd.addAll(List.of("version", "--short"));
            Proc.Result r = run(cmd, Duration.ofSeconds(30), null);
            if (r.ok() && !r.out().isBlank()) {
                String version = r.out().strip().replaceFirst("^v", "");
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
        Proc.Result r = docker(timeout, "pull", "--quiet", ref);
        if (r.ok()) {
            return;
        }
        String why = r.reason();
        String lower = why.toLowerCase();
        if (r.exit() == 124 || lower.contains("connection refused") || lower.contains("dial tcp")
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

    /**
     * Removes every container of a compose service, whatever its name: after a failed recreate Compose v1 leaves the
     * old one renamed {@code <id>_<name>} and the new one created, and a later {@code up} would revive the renamed one.
     */
    void removeService(String project, String service) {
        Proc.Result r = docker(Duration.ofSeconds(20), "ps", "--all", "--quiet", "--filter", "label=com.docker.compose.project=" + project,
                "--filter", "label=com.docker.compose.service=" + service);
        List<String> ids = r.ok() ? r.out().lines().filter(l -> !l.isBlank()).toList() : List.of();
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm", "--force"));
            rm.addAll(ids);
            docker(Duration.ofSeconds(60), rm.toArray(String[]::new));
        }
    }

    /** Running containers that publish this host port, each "name\tcompose project" (project empty outside Compose). */
    List<String[]> publishers(int port) {
        Proc.Result r = docker(Duration.ofSeconds(20), "ps", "--filter", "publish=" + port, "--format",
                "{{.Names}}\t{{.Label \"com.docker.compose.project\"}}");
        if (!r.ok()) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "docker ps failed: " + r.reason(), "check the Docker daemon");
        }
        return r.out().lines().filter(l -> !l.isBlank()).map(l -> (l + "\t").split("\t", -1)).toList();
    }

    boolean networkExists(String name) {
        return docker(Duration.ofSeconds(20), "network", "inspect", name).ok();
    }

    /** The container with exactly this name, if any (the name filter alone would match substrings). */
    Optional<Container> container(String name) {
        Proc.Result r = docker(Duration.ofSeconds(20), "container", "inspect", name);
        if (!r.ok()) {
            if (r.err().contains("No such container") || r.err().contains("no such container")) {
                return Optional.empty();
            }
            throw new Cli.Fail(Cli.ENVIRONMENT, "docker inspect " + name + " failed: " + r.reason(), "check the Docker daemon");
        }
        try {
            JsonNode c = Json.MAPPER.readTree(r.out()).get(0);
            if (!("/" + name).equals(c.path("Name").asText())) {
                return Optional.empty(); // an ID prefix matched, not the name
            }
            JsonNode state = c.path("State");
            JsonNode health = state.path("Health");
            return Optional.of(new Container(name, c.path("Config").path("Image").asText(),
                    state.path("Status").asText(), state.path("ExitCode").asInt(), c.path("RestartCount").asInt(),
                    health.isMissingNode() || health.isNull() ? null : health.path("Status").asText(),
                    c.path("Config").path("Labels").path("com.docker.compose.project").asText(null), address(c)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String address(JsonNode container) {
        for (JsonNode net : container.path("NetworkSettings").path("Networks")) {
            String ip = net.path("IPAddress").asText("");
            if (!ip.isEmpty()) {
                return ip;
            }
        }
        return null;
    }

    /** The last lines the container wrote, stdout and stderr together. */
    List<String> logs(String name, int lines) {
        List<String> all = java.util.Collections.synchronizedList(new ArrayList<>()); // both streams add to it
        List<String> cmd = List.of(docker, "logs", "--tail", Integer.toString(lines), name);
        Proc.Result r = run(cmd, Duration.ofSeconds(20), all::add);
        return r.ok() ? all : List.of("(docker logs failed: " + r.reason() + ")");
    }
}
