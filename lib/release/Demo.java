import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The demo service release --local deploys when the application has no Dockerfile (demo/ in this repository, shipped
 * in the command's jar): busybox's httpd answering /actuator/health with the release's version, a one-service compose
 * template with nothing host-specific, and the settings that go with it. Its base image is the official busybox
 * where it can be pulled, else a stand-in built FROM scratch with this host's static busybox, so it builds with no
 * registry reachable.
 */
final class Demo {
    static final String OFFICIAL_BASE = "busybox:1.37.0";
    static final String STAND_IN_BASE = "cdeploy-demo-base:static-busybox";

    private Demo() {}

    /** The demo folder: demo/ of this checkout when run from it (and in the tests), else the one in the command's jar. */
    static Path dir(Path cwd) {
        Path here = cwd.resolve("demo");
        if (Files.isRegularFile(here.resolve("Dockerfile")) && Files.isRegularFile(here.resolve("compose.yml"))
                && Files.isRegularFile(cwd.resolve("jbang-catalog.json"))) {
            return here;
        }
        Path kit = Kit.extract();
        if (kit == null || !Files.isRegularFile(kit.resolve("demo/Dockerfile"))) {
            throw new Cli.Fail(Cli.INPUT, "no Dockerfile here and no demo service shipped with this command", "give --dockerfile, or --image");
        }
        return kit.resolve("demo");
    }

    /** The demo's settings, where the options give none: its own project, service, container, no env file. */
    static Settings settings(String project, String service, String container, String envFile, String healthUrl, Integer healthTimeout) {
        return Settings.of(Cli.first(project, "cdeploy-demo"), Cli.first(service, "demo"), Cli.first(container, "cdeploy-demo"),
                envFile == null ? "" : envFile, healthUrl, healthTimeout == null ? 60 : healthTimeout);
    }

    /** The demo's health URL on another port than its template's 8080; null (the default) for none. */
    static String healthUrl(Integer port) {
        return port == null ? null : "http://127.0.0.1:" + port + "/actuator/health";
    }

    /** The demo's template, its proxy publishing {@code port} instead of 8080 when one is given (a copy, gone when the JVM ends). */
    static Path template(Path dir, Integer port) {
        Path template = dir.resolve("compose.yml");
        if (port == null) {
            return template;
        }
        if (port < 1 || port > 65535) {
            throw new Cli.Fail(Cli.INPUT, "--demo-port " + port + " is not a port", "give one from 1 to 65535");
        }
        try {
            Path copy = Files.createTempFile("cdeploy-demo-", ".yml");
            copy.toFile().deleteOnExit();
            return Files.writeString(copy, Files.readString(template).replace("\"127.0.0.1:8080:80\"", "\"127.0.0.1:" + port + ":80\""));
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot write the demo's template: " + e.getMessage(), "check /tmp");
        }
    }

    /** The base image to build the demo on: present or pulled official busybox, else the stand-in (built once). */
    static String base(Docker docker, HostReady host, Log log) {
        if (docker.imageExists(OFFICIAL_BASE) || docker.docker(Duration.ofSeconds(30), "pull", "--quiet", OFFICIAL_BASE).ok()) {
            return OFFICIAL_BASE;
        }
        if (docker.imageExists(STAND_IN_BASE)) {
            return STAND_IN_BASE;
        }
        Path busybox = host.staticBusybox();
        try {
            Path ctx = Files.createTempDirectory("cdeploy-demo-base");
            try {
                Files.copy(busybox, ctx.resolve("busybox"));
                Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n");
                Proc.Result r = docker.docker(Duration.ofMinutes(5), "build", "--quiet", "--tag", STAND_IN_BASE, ctx.toString());
                if (!r.ok()) {
                    throw new Cli.Fail(Cli.ENVIRONMENT, "cannot build the demo's base image (" + r.reason() + ")", "check that Docker can build images");
                }
            } finally {
                Disk.deleteTree(ctx);
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot prepare the demo's base image: " + e.getMessage(), "check /tmp");
        }
        log.info("release: %s cannot be pulled here; built %s from this host's static busybox", OFFICIAL_BASE, STAND_IN_BASE);
        return STAND_IN_BASE;
    }
}
