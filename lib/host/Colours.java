import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * The two colours of the app, blue and green: each is its own compose project ({@code <project>-<colour>}) made from
 * the release's template byte for byte plus an override that names the container {@code <container>-<colour>} and
 * declares the stack's volumes and networks external under the names the main project gave them, so both colours
 * share them with the side services. Only the app service of a colour is ever started ({@code --no-deps}); it
 * publishes nothing: the proxy reaches it by name on the shared network, and validate by its container address.
 */
final class Colours {
    static final List<String> ALL = List.of("blue", "green");
    static final String DIR = "colours";
    /** Which colour start brought up for which image: {@code colours/pending}, "green <image>". */
    static final String PENDING = "pending";
    private static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).disable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private Colours() {}

    static String other(String colour) {
        return colour.equals("blue") ? "green" : "blue";
    }

    static String container(Settings s, String colour) {
        return s.container() + "-" + colour;
    }

    static String project(Settings s, String colour) {
        return s.project() + "-" + colour;
    }

    static Path dir(Path stateDir, String colour) {
        return stateDir.resolve(DIR).resolve(colour);
    }

    /** The template has the proxy service: the hooks own its configuration (both switch modes). */
    static boolean hasProxy(ObjectNode compose, Settings s) {
        return compose.path("services").path(s.proxy()).isObject();
    }

    /** Two colours behind the proxy: the template has it and the release did not ask to swap in place. */
    static boolean on(ObjectNode compose, Settings s) {
        return hasProxy(compose, s) && Settings.BLUE_GREEN.equals(s.switchMode());
    }

    /** The services of the main project besides the app and the proxy: never restarted by a deploy unless changed. */
    static List<String> sideServices(ObjectNode compose, Settings s) {
        List<String> names = new ArrayList<>();
        compose.path("services").fieldNames().forEachRemaining(n -> {
            if (!n.equals(s.service()) && !n.equals(s.proxy())) {
                names.add(n);
            }
        });
        return names;
    }

    /** What an in-place {@code up} starts: everything, but behind a proxy not the proxy, which waits for its file. */
    static List<String> inPlaceServices(ObjectNode compose, Settings s) {
        if (!hasProxy(compose, s)) {
            return List.of();
        }
        List<String> names = new ArrayList<>(sideServices(compose, s));
        names.add(s.service());
        return names;
    }

    /** Named volumes and networks the stack makes, key to the name Docker knows them by (external ones are left out). */
    static Map<String, String> shared(ObjectNode compose, Settings s, String kind) {
        Map<String, String> names = new LinkedHashMap<>();
        compose.path(kind).properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (!v.path("external").asBoolean(false) && !v.path("external").isObject()) { // external: {name: x}, the old form
                names.put(e.getKey(), v.path("name").asText(s.project() + "_" + e.getKey()));
            }
        });
        if (kind.equals("networks") && !compose.path("networks").has("default")) {
            names.put("default", s.project() + "_default");
        }
        return names;
    }

    /** The colour's override: the hooks' fields on the app, and the main project's volumes and networks, external. */
    static String override(ObjectNode template, String image, Settings s, String colour) {
        Map<String, Object> app = new LinkedHashMap<>();
        app.put("image", image);
        app.put("container_name", container(s, colour));
        Template.addedEnvFile(template, s).ifPresent(f -> app.put("env_file", List.of(f)));
        Map<String, Object> root = new LinkedHashMap<>();
        if (template.path("version").isValueNode()) {
            root.put("version", template.path("version").asText());
        }
        root.put("services", Map.of(s.service(), app));
        for (String kind : List.of("volumes", "networks")) {
            Map<String, Object> ext = new LinkedHashMap<>();
            shared(template, s, kind).forEach((key, name) -> ext.put(key, Map.of("external", true, "name", name)));
            if (!ext.isEmpty()) {
                root.put(kind, ext);
            }
        }
        try {
            return "# Written by the cdeploy hooks: the " + colour + " colour of the app, merged by Compose over the template\n"
                    + "# beside it (the release's compose.yml byte for byte); the stack's volumes and networks are shared.\n"
                    + YAML_OUT.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates, with Compose's own labels, the shared volumes and networks the main project has not made yet. */
    static void ensureShared(Docker docker, ObjectNode compose, Settings s) {
        for (String kind : List.of("volumes", "networks")) {
            String type = kind.substring(0, kind.length() - 1);
            shared(compose, s, kind).forEach((key, name) -> {
                if (!docker.docker(Duration.ofSeconds(20), type, "inspect", name).ok()) {
                    Proc.Result r = docker.docker(Duration.ofSeconds(30), type, "create", "--label", "com.docker.compose.project=" + s.project(),
                            "--label", "com.docker.compose." + type + "=" + key, name);
                    if (!r.ok()) {
                        throw new Cli.Fail(Cli.ENVIRONMENT, "cannot create the " + type + " " + name + ": " + r.reason(), "check the Docker daemon");
                    }
                }
            });
        }
    }

    /** The colour's app container, started from its pair in {@code colours/<colour>/} (relative paths as in the state folder). */
    static void up(Hook h, String colour, Duration timeout) {
        Path dir = dir(h.stack().stateDir, colour);
        Docker.Compose compose = h.docker().compose();
        List<String> cmd = compose.up(project(h.settings(), colour), h.stack().stateDir,
                List.of(dir.resolve(Stack.COMPOSE_FILE), dir.resolve(Stack.OVERRIDE_FILE)), List.of("--no-deps", h.settings().service()));
        Proc.Result r = h.docker().run(cmd, timeout, null);
        if (!r.ok()) {
            (r.out() + r.err()).lines().forEach(line -> h.log().info("  %s", line));
            throw new Cli.Fail(Cli.FAILED, "compose up of the " + colour + " colour failed: " + r.reason(), "see the compose output above");
        }
    }

    /** Stops (SIGTERM, then the grace period) and removes every container of the colour's project. */
    static void remove(Hook h, String colour, Duration grace) {
        stopContainer(h, container(h.settings(), colour), grace);
        h.docker().removeService(project(h.settings(), colour), h.settings().service());
    }

    /** SIGTERM, then SIGKILL after {@code grace}: the app finishes what it serves (Spring's graceful shutdown). */
    static void stopContainer(Hook h, String name, Duration grace) {
        if (h.docker().container(name).filter(Docker.Container::running).isPresent()) {
            h.docker().docker(grace.plusSeconds(30), "stop", "--time", Long.toString(grace.toSeconds()), name);
        }
    }

    /** The port the app listens on in its container: the first it exposes in the template, else the health URL's. */
    static int appPort(ObjectNode compose, Settings s) {
        String first = compose.path("services").path(s.service()).path("expose").path(0).asText("").replaceFirst("/tcp$", "");
        return first.matches("\\d{1,5}") ? Integer.parseInt(first) : s.port();
    }

    /** The health URL as the colour answers it: the container's own address, the app's port and the URL's path. */
    static Optional<String> url(Docker docker, String container, Settings s, int port) {
        Proc.Result r = docker.docker(Duration.ofSeconds(10), "inspect", "--format",
                "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", container);
        String ip = r.ok() ? r.out().strip().split("\\s+")[0] : "";
        if (ip.isEmpty()) {
            return Optional.empty();
        }
        URI u = URI.create(s.healthUrl());
        return Optional.of("http://" + ip + ":" + port + (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
    }

    /** The colour start brought up for this very release, if that is what it did last. */
    static Optional<String> pending(Hook h) {
        Path f = h.stack().stateDir.resolve(DIR).resolve(PENDING);
        try {
            String[] p = Files.isRegularFile(f) ? Files.readString(f).strip().split(" ") : new String[0];
            return p.length == 2 && ALL.contains(p[0]) && p[1].equals(h.image()) ? Optional.of(p[0]) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The colour a deploy brought up and whose validate has not finished, whatever its image. */
    static Optional<String> pendingAny(Hook h) {
        Path f = h.stack().stateDir.resolve(DIR).resolve(PENDING);
        try {
            String[] p = Files.isRegularFile(f) ? Files.readString(f).strip().split(" ") : new String[0];
            return p.length >= 1 && ALL.contains(p[0]) ? Optional.of(p[0]) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** Marks the colour's kept files as a release that served (what {@code --rollback} may go back to). */
    static void served(Hook h, String colour) {
        Disk.writeAtomically(dir(h.stack().stateDir, colour).resolve(SERVED), h.image() + "\n");
    }

    static boolean wasServed(Hook h, String colour) {
        return Files.isRegularFile(dir(h.stack().stateDir, colour).resolve(SERVED));
    }

    /** The colour's kept files are about to be another release's. */
    static void forget(Hook h, String colour) {
        try {
            Files.deleteIfExists(dir(h.stack().stateDir, colour).resolve(SERVED));
        } catch (java.io.IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot update " + dir(h.stack().stateDir, colour) + " (" + e.getMessage() + ")", "check the disk");
        }
    }

    static final String SERVED = "served";

    static void deletePending(Hook h) {
        try {
            Files.deleteIfExists(h.stack().stateDir.resolve(DIR).resolve(PENDING));
        } catch (java.io.IOException e) {
            h.log().info("warning: cannot remove %s: %s", PENDING, e.getMessage());
        }
    }
}
