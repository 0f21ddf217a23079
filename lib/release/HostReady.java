import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a machine needs for release --local, found or set up: the Docker daemon, Compose (v2 or v1), a registry on
 * 127.0.0.1 and, for the demo's stand-in base image, a static busybox. What answers is left alone; what is missing is
 * named in one line, then installed by the project's own set-up script ({@code lib/setup-host.sh}, through sudo when
 * not root). Nothing is installed on a machine that has it all.
 */
final class HostReady {
    static final String REGISTRY = "127.0.0.1:" + 5000;

    private final Docker docker;
    private final Log log;
    private final Map<String, String> env;
    private final Path setupScript;

    HostReady(Docker docker, Log log, Map<String, String> env, Path setupScript) {
        this.docker = docker;
        this.log = log;
        this.env = env;
        this.setupScript = setupScript;
    }

    /** The registry release --local pushes to: {@code CDEPLOY_REGISTRY} (host:port) or 127.0.0.1:5000. */
    static String registry(Map<String, String> env) {
        return Cli.first(env.get("CDEPLOY_REGISTRY"), REGISTRY);
    }

    /** Docker, Compose and the registry answer, set up first when not; returns what was found, for the check's line. */
    String ensure() {
        List<String> parts = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (!daemonAnswers() || !composeFound()) {
            parts.add("docker");
            missing.add(daemonAnswers() ? "Docker Compose" : "a Docker daemon that answers");
        }
        if (!registryAnswers()) {
            if (!registry(env).matches("(127\\.0\\.0\\.1|localhost):\\d+")) {
                throw new Cli.Fail(Cli.ENVIRONMENT, "the registry " + registry(env) + " (CDEPLOY_REGISTRY) does not answer",
                        "start it, or leave CDEPLOY_REGISTRY unset for one on 127.0.0.1:5000 that release --local sets up");
            }
            parts.add("registry");
            missing.add("a registry on " + registry(env));
        }
        if (!parts.isEmpty()) {
            setUp(parts, String.join(", ", missing));
            docker.requireDaemon();
            if (!registryAnswers()) {
                throw new Cli.Fail(Cli.ENVIRONMENT, "the registry on " + registry(env) + " still does not answer after set-up",
                        "see /var/log/cdeploy-registry.log");
            }
        }
        return "Docker, Compose " + docker.compose().describe() + ", registry " + registry(env);
    }

    /** The proxy's nginx image when this host lacks it: pulled, or where no registry answers, built offline by set-up. */
    void proxyImage(String image) {
        if (!docker.imageExists(image)) {
            setUp(List.of("nginx"), "the proxy's image " + image + " (pulled, else built offline from Debian's nginx-light)", "CDEPLOY_NGINX_IMAGE=" + image);
        }
    }

    /** Installs a static busybox (for the demo's base image) when this host has none. */
    Path staticBusybox() {
        Path found = findStaticBusybox();
        if (found == null) {
            setUp(List.of("busybox"), "a static busybox (to build the demo's base image with no registry)");
            found = findStaticBusybox();
        }
        if (found == null) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "no static busybox on this host", "install Debian's busybox-static, or give --image");
        }
        return found;
    }

    private static Path findStaticBusybox() {
        for (String p : List.of("/bin/busybox", "/usr/bin/busybox")) {
            Path b = Path.of(p);
            if (Files.isExecutable(b) && !Proc.SYSTEM.run(List.of("ldd", p), Duration.ofSeconds(10), null).ok()) {
                return b; // ldd refuses a static executable
            }
        }
        return null;
    }

    /** Runs the set-up script for {@code parts}, as root or through sudo, after saying what it installs and why. */
    private void setUp(List<String> parts, String missing, String... extraEnv) {
        if (setupScript == null || !Files.isRegularFile(setupScript)) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "this machine lacks " + missing, "install it (README: 'The two commands'), then run this again");
        }
        List<String> command = new ArrayList<>();
        if (!root()) {
            command.addAll(List.of("sudo", "--non-interactive"));
        }
        String port = registry(env).replaceFirst(".*:", "");
        command.addAll(List.of("env", "CDEPLOY_REGISTRY_PORT=" + port));
        command.addAll(List.of(extraEnv));
        command.addAll(List.of("bash", setupScript.toString()));
        command.addAll(parts);
        log.info("release: this machine lacks %s; setting it up: %s", missing, String.join(" ", command));
        Proc.Result r = Proc.SYSTEM.run(command, Duration.ofMinutes(30), line -> log.raw("    " + line));
        if (!r.ok()) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "set-up failed (" + r.reason() + ")",
                    root() ? "fix the cause above and run this again" : "run as root, or give this user passwordless sudo, or run "
                            + String.join(" ", command.subList(2, command.size())) + " as root");
        }
    }

    private boolean daemonAnswers() {
        Proc.Result r = docker.docker(Duration.ofSeconds(20), "version", "--format", "{{.Server.Version}}");
        return r.ok() && !r.out().isBlank();
    }

    private boolean composeFound() {
        try {
            docker.compose();
            return true;
        } catch (Cli.Fail f) {
            return false;
        }
    }

    private boolean registryAnswers() {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + registry(env) + "/v2/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200 || r.statusCode() == 401;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean root() {
        return Disk.root();
    }
}
