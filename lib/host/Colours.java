import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("services", Map.of(s.service(), Template.appFields(template, image, container(s, colour), s)));
        for (String kind : List.of("volumes", "networks")) {
            Map<String, Object> ext = new LinkedHashMap<>();
            shared(template, s, kind).forEach((key, name) -> ext.put(key, Map.of("external", true, "name", name)));
            if (!ext.isEmpty()) {
                top.put(kind, ext);
            }
        }
        return Template.overrideFile("# Written by the cdeploy hooks: the " + colour + " colour of the app, merged by Compose over the template\n"
                + "# beside it (the release's compose.yml byte for byte); the stack's volumes and networks are shared.\n", template, top);
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

    /** The health URL as the container answers it: its own address, the app's port and the URL's path; null without an address. */
    static String url(Docker.Container c, Settings s, int port) {
        if (c.address() == null) {
            return null;
        }
        URI u = URI.create(s.healthUrl());
        return "http://" + c.address() + ":" + port + (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** Waits for the container {@code name} to be healthy, asked at its own address (it publishes nothing). */
    static Health.Outcome awaitHealth(Hook h, String name, Duration limit) {
        int port = appPort(h.compose(), h.settings());
        return Health.await(h.docker(), name, c -> url(c, h.settings(), port), limit);
    }

    /** The colour start brought up for this very release, if that is what it did last. */
    static Optional<String> pending(Hook h) {
        String[] p = pendingRecord(h);
        return p.length == 2 && p[1].equals(h.image()) ? Optional.of(p[0]) : Optional.empty();
    }

    /** The colour a deploy brought up and whose validate has not finished, whatever its image. */
    static Optional<String> pendingAny(Hook h) {
        String[] p = pendingRecord(h);
        return p.length >= 1 ? Optional.of(p[0]) : Optional.empty();
    }

    /** {@code colours/pending} as "colour image", or nothing when absent, unreadable or not naming a colour. */
    private static String[] pendingRecord(Hook h) {
        Path f = h.stack().stateDir.resolve(DIR).resolve(PENDING);
        try {
            String[] p = Files.isRegularFile(f) ? Files.readString(f).strip().split(" ") : new String[0];
            return p.length >= 1 && ALL.contains(p[0]) ? p : new String[0];
        } catch (java.io.IOException e) {
            return new String[0];
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
