import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What Compose sees is the user's template with only the app's image, container name and env file changed: the
 * template's bytes go live untouched and the hooks' fields come in an override. Checked with Compose itself
 * (config of the live pair against config of the template, edited only there; v2 or v1), with a YAML 1.2
 * reader (as Compose v2 reads), and in a running container's environment.
 */
class TemplateFidelityTest {
    static final String IMAGE = "reg.example/team/app:1.4.2@sha256:" + "ab".repeat(32);
    /** Everything the earlier renderer changed: anchors and aliases, merge keys, YAML 1.1 numbers in quotes, multi-line strings. */
    static final String CORPUS = """
            x-common: &common
              restart: unless-stopped
              logging: &logging
                driver: json-file
                options: {max-size: "10m", max-file: "3"}
            x-env: &env
              PORTS: "2222:22"
              TIME: "12:30:00"
              HEX: "0x1F"
              UNDERSCORE: "1_000"
              OCTAL: "0755"
              SWITCH: "on"
            services:
              app:
                <<: *common
                image: old/app:1
                env_file: common.env
                environment:
                  <<: *env
                  MULTI: |
                    first line
                    second: line
                  FOLDED: >
                    folded
                    text
                labels:
                  <<: {team: web, "com.example.port": "8080"}
                  tier: "1_0"
                ports: ["127.0.0.1:18089:8080"]
                stop_grace_period: 1m30s
              redis:
                <<: *common
                image: &redis redis:7.0-alpine
                logging: *logging
              cache:
                image: *redis
                environment:
                  - "PORTS=2222:22"
                  - HEX=0x1F
            """;

    @TempDir
    Path dir;

    static final Settings SETTINGS = Settings.of("fid", "app", "cdeploy-fidelity-app", null, null, null);

    Settings settings() {
        return Settings.of("fid", "app", "cdeploy-fidelity-app", dir.resolve("release.env").toString(), null, null);
    }

    /** The live pair as start writes it, in its own state folder. */
    List<Path> live(String template) throws IOException {
        Path t = Files.writeString(dir.resolve("compose.yml"), template);
        Files.writeString(dir.resolve("common.env"), "COMMON=1\n");
        Files.writeString(dir.resolve("release.env"), "RELEASE_ONLY=yes\n");
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.copy(dir.resolve("common.env"), state.resolve("common.env"));
        Files.writeString(state.resolve(Stack.COMPOSE_FILE), template);
        Files.writeString(state.resolve(Stack.OVERRIDE_FILE), Template.override(Template.read(t, settings()), IMAGE, settings()));
        return List.of(state.resolve(Stack.COMPOSE_FILE), state.resolve(Stack.OVERRIDE_FILE));
    }

    static JsonNode config(List<Path> files) throws IOException {
        // whichever Compose this host has, v2 or v1: both read the pair and the plain template alike
        List<String> cmd = new ArrayList<>(Docker.system().compose().config("fid", files));
        cmd.remove("--quiet");
        Proc.Result r = Proc.SYSTEM.run(cmd, Duration.ofSeconds(60), null);
        assertEquals(0, r.exit(), r.err());
        return Json.YAML.readTree(r.out());
    }

    @Test
    @Tag("compose")
    void compose_sees_the_template_with_only_the_hooks_fields_changed() throws IOException {
        List<Path> live = live(CORPUS);
        JsonNode actual = config(live);
        // the expectation: Compose's own reading of the template with those three fields edited in its text, nothing else
        String edited = CORPUS.replace("    image: old/app:1\n", "    image: \"" + IMAGE + "\"\n    container_name: cdeploy-fidelity-app\n")
                .replace("    env_file: common.env\n", "    env_file: [common.env, \"" + dir.resolve("release.env") + "\"]\n");
        Path plain = Files.writeString(dir.resolve("state").resolve("edited.yml"), edited);
        JsonNode expected = config(List.of(plain));
        assertEquals(expected, actual);
        JsonNode env = actual.path("services").path("app").path("environment");
        assertEquals("2222:22", env.path("PORTS").asText());
        assertEquals("0x1F", env.path("HEX").asText());
        assertEquals("first line\nsecond: line\n", env.path("MULTI").asText());
        assertEquals("redis:7.0-alpine", actual.path("services").path("cache").path("image").asText());
    }

    /**
     * The shipped template, nginx in front of two colours: the main project's pair changes only the app's three fields
     * and the proxy's command and configuration folder; a colour's pair changes the app's fields and declares the
     * stack's volumes external under the main project's names. Each checked against Compose's reading of the template
     * with exactly those edits made in its text.
     */
    @Test
    @Tag("compose")
    void the_shipped_template_reaches_compose_with_only_the_hooks_fields_changed_in_both_projects() throws IOException {
        String shipped = Files.readString(RunNames.SHIPPED);
        Path t = Files.writeString(dir.resolve("compose.yml"), shipped);
        Path env = Files.writeString(dir.resolve("release.env"), "RELEASE_ONLY=yes\n");
        Settings s = Settings.of("fid", "art-be", "art-backend", env.toString(), null, null);
        ObjectNode read = Template.read(t, s);
        Path state = Files.createDirectories(dir.resolve("state"));
        Path live = Files.writeString(state.resolve(Stack.COMPOSE_FILE), shipped);
        String app = "  art-be:\n    image: \"" + IMAGE + "\"\n    container_name: %s\n    env_file: [\"" + env + "\"]\n";
        // the main project: the app's fields, and the proxy's command and folder
        Path main = Files.writeString(state.resolve(Stack.OVERRIDE_FILE), Template.override(read, IMAGE, s, state.resolve("proxy")));
        String mainEdited = shipped.replace("  art-be:\n", app.formatted("art-backend")).replace("    image: nginx:1.26.2\n",
                "    image: nginx:1.26.2\n    command: [nginx, -c, /etc/nginx/cdeploy/nginx.conf, -g, \"daemon off;\"]\n    volumes: [\""
                        + state.resolve("proxy") + ":/etc/nginx/cdeploy:ro\"]\n");
        assertEquals(mountsSorted(config(List.of(Files.writeString(state.resolve("main-edited.yml"), mainEdited)))), mountsSorted(config(List.of(live, main))));
        // a colour: the app's fields under its own name, the shared volumes external (the network already is)
        Path green = Files.writeString(state.resolve("green.override.yml"), Colours.override(read, IMAGE, s, "green"));
        String greenEdited = shipped.replace("  art-be:\n", app.formatted("art-backend-green"))
                .replace("  logs_data:\n  pinpoint-volumes:\n", "  logs_data: {external: true, name: fid_logs_data}\n"
                        + "  pinpoint-volumes: {external: true, name: fid_pinpoint-volumes}\n");
        assertEquals(mountsSorted(config(List.of(Files.writeString(state.resolve("green-edited.yml"), greenEdited)))), mountsSorted(config(List.of(live, green))));
        assertTrue(!mainEdited.equals(shipped) && !greenEdited.equals(shipped) && greenEdited.contains("fid_logs_data"), "the edits were made");
    }

    /** Compose v1 keys a service's mounts by target when it merges two files, so their order is no part of the meaning. */
    static JsonNode mountsSorted(JsonNode config) {
        config.path("services").forEach(svc -> {
            if (svc.path("volumes").isArray()) {
                List<String> m = new ArrayList<>();
                svc.path("volumes").forEach(v -> m.add(v.toString()));
                m.sort(null);
                com.fasterxml.jackson.databind.node.ArrayNode sorted = Json.MAPPER.createArrayNode();
                m.forEach(v -> sorted.add(Json.MAPPER.valueToTree(v)));
                ((ObjectNode) svc).set("volumes", sorted);
            }
        });
        return config;
    }

    @Test
    @Tag("compose")
    void a_deployed_container_holds_the_strings_as_written() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("image"));
        Files.copy(Path.of(HooksEndToEndTest.sh("sh", "-c", "command -v busybox").out().strip()), ctx.resolve("busybox"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"sleep\", \"600\"]\n");
        HooksEndToEndTest.ok("docker", "build", "-q", "-t", "cdeploy-fidelity/app:1", ctx.toString());
        Path t = Files.writeString(dir.resolve("compose.yml"), CORPUS);
        List<Path> live = live(CORPUS);
        Files.writeString(live.get(1), Template.override(Template.read(t, settings()), "cdeploy-fidelity/app:1", settings()));
        List<String> up = new ArrayList<>(Docker.system().compose().up("fid", live, List.of("app")));
        try {
            HooksEndToEndTest.ok(up.toArray(String[]::new));
            String env = HooksEndToEndTest.ok("docker", "inspect", "--format", "{{json .Config.Env}}", "cdeploy-fidelity-app");
            for (String v : List.of("PORTS=2222:22", "TIME=12:30:00", "HEX=0x1F", "UNDERSCORE=1_000", "OCTAL=0755", "SWITCH=on",
                    "MULTI=first line\\nsecond: line\\n", "COMMON=1", "RELEASE_ONLY=yes")) {
                assertTrue(env.contains("\"" + v + "\""), v + " in " + env);
            }
        } finally {
            HooksEndToEndTest.sh("docker", "rm", "--force", "cdeploy-fidelity-app"); // not its 1m30s grace: sleep ignores SIGTERM
            List<String> down = new ArrayList<>(up.subList(0, up.indexOf("up"))); // the same compose, project and files
            down.addAll(List.of("down", "--rmi", "local"));
            HooksEndToEndTest.sh(down.toArray(String[]::new));
            HooksEndToEndTest.sh("docker", "rmi", "-f", "cdeploy-fidelity/app:1");
        }
    }

    @Test
    @Tag("fast")
    void the_override_reads_the_same_in_yaml_1_2_and_the_template_goes_live_byte_for_byte() throws IOException {
        List<Path> live = live(CORPUS);
        assertEquals(CORPUS, Files.readString(live.get(0)));
        Object override = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(live.get(1)));
        assertEquals(Map.of("services", Map.of("app", Map.of("image", IMAGE, "container_name", "cdeploy-fidelity-app",
                "env_file", List.of(dir.resolve("release.env").toString())))), override);
    }

    @Test
    @Tag("fast")
    void the_hooks_read_aliases_and_merge_keys_as_compose_does() throws IOException {
        live(CORPUS);
        ObjectNode c = Template.render(dir.resolve("compose.yml"), IMAGE, settings());
        assertEquals(List.of(IMAGE, "redis:7.0-alpine"), Template.images(c), "an alias is its anchor's value, not its name");
        assertEquals(Duration.ofSeconds(90), Template.gracePeriod(c, SETTINGS));
        assertEquals("unless-stopped", c.path("services").path("app").path("restart").asText(), "merge key applied");
        assertEquals(List.of("common.env", dir.resolve("release.env").toString()), Template.envFiles((ObjectNode) c));
    }

    @Test
    @Tag("fast")
    void a_versioned_template_gets_the_same_version_in_its_override() throws IOException {
        Path t = Files.writeString(dir.resolve("compose.yml"), "version: \"3.8\"\nservices:\n  app:\n    image: a:1\n");
        Object override = new Load(LoadSettings.builder().build()).loadFromString(Template.override(Template.read(t, SETTINGS), IMAGE, SETTINGS));
        assertEquals("3.8", ((Map<?, ?>) override).get("version"), "Compose v1 wants one version across the files it merges");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "services:\n  app:\n    image: a:1\n    image: b:2\n",
            "services:\n  app:\n    image: a:1\n  app:\n    image: b:2\n"})
    @Tag("fast")
    void what_cannot_be_kept_is_refused_naming_the_key_and_line(String template) throws IOException {
        Path t = Files.writeString(dir.resolve("compose.yml"), template);
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> Template.read(t, SETTINGS));
        assertEquals(Cli.INPUT, f.exitCode);
        assertTrue(f.getMessage().contains("duplicate key") && f.getMessage().contains("line "), f.getMessage());
        assertEquals(1, f.getMessage().lines().count());
    }
}
