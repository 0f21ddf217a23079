import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Names of one test run's own, so the suite can share a machine with a real stack using the default names (and with
 * another run of the suite): the compose project, containers, network, volumes, host port, registry repository and
 * side-service stand-in tags all carry this run's id. The default template is deployed as a per-run copy that
 * differs from it in these names alone (RunNamesTest checks it), so the template itself stays what is tested.
 */
final class RunNames {
    final String id;
    final int port;
    final Path work;

    private RunNames(String id, int port, Path work) {
        this.id = id;
        this.port = port;
        this.work = work;
    }

    /** A new run: an id like {@code cdt3f9a1c}, a free loopback port, and a folder for its host paths. */
    static RunNames create(Path work) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return new RunNames("cdt" + UUID.randomUUID().toString().replace("-", "").substring(0, 6), s.getLocalPort(), work);
        }
    }

    String project() {
        return id;
    }

    /** A container of this run: {@code <id>-<role>} (the template's {@code art-<role>}). */
    String container(String role) {
        return id + "-" + role;
    }

    String volume(String name) {
        return id + "_" + name;
    }

    String health() {
        return "http://127.0.0.1:" + port + "/actuator/health";
    }

    /** The app image repository in the test registry. */
    String app(String registry) {
        return registry + "/cdeploy-test/" + id + "/app";
    }

    /** The stand-in for a side service's public image: the same name and tag under this run's prefix. */
    String side(String official) {
        return sidePrefix() + "/" + official.substring(official.lastIndexOf('/') + 1);
    }

    String sidePrefix() {
        return "cdeploy-test-" + id;
    }

    /** Every name the default template holds that a run must not share, and this run's value for it. */
    Map<String, String> renames() {
        Map<String, String> r = new LinkedHashMap<>();
        for (String role : new String[] {"pinpoint-agent", "redis", "filebeat", "proxy"}) {
            r.put("art-" + role, container(role));
        }
        r.put("art", id); // the external network
        r.put("8080:8080", port + ":8080"); // the in-place template's app
        r.put("8080:80", port + ":80"); // the shipped template's proxy
        for (String image : new String[] {"pinpointdocker/pinpoint-agent:2.5.2", "redis:7.0-alpine", "filebeat-custom:0.18"}) {
            r.put(image, side(image));
        }
        r.put("/home/ubuntu/art-be/pinpoint/profiles:/pinpoint-agent/profiles:rw", work.resolve("profiles") + ":/pinpoint-agent/profiles:rw");
        return r;
    }

    /** The default template with this run's names: each name replaced where it stands as a whole YAML scalar. */
    String template(String original) {
        String t = original;
        for (Map.Entry<String, String> e : renames().entrySet()) {
            t = t.replaceAll("(?m)(^|[\\s\"'\\-:]\\s?)" + java.util.regex.Pattern.quote(e.getKey()) + "(?=[\"']?\\s*(#.*)?$)",
                    "$1" + java.util.regex.Matcher.quoteReplacement(e.getValue()));
        }
        return t;
    }

    /** The default template of this repository (the proxy in front of two colours), with this run's names. */
    String template() throws IOException {
        return template(Files.readString(SHIPPED));
    }

    /** The same stack without the proxy (the app published and swapped in place), with this run's names. */
    String inPlaceTemplate() throws IOException {
        return template(Files.readString(IN_PLACE));
    }

    static final Path SHIPPED = HookProcess.REPO.resolve("compose.yml");
    static final Path IN_PLACE = HookProcess.REPO.resolve("tests/fixtures/inplace-compose.yml");
}
