import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

@Tag("fast")
class StackTest {
    @TempDir
    Path dir;

    Stack stack;

    @BeforeEach
    void bundle() throws IOException {
        Files.copy(Path.of("compose.yml"), dir.resolve("compose.yml"));
        Files.copy(Path.of("appspec.yml"), dir.resolve("appspec.yml"));
        Files.writeString(dir.resolve("image.txt"), "reg.example/app:2\n");
        stack = new Stack(Bundle.load(dir), dir.resolve("state"));
    }

    @Test
    void render_sets_the_app_image_name_and_env_file_and_keeps_the_original_stack() throws IOException {
        ObjectNode c = stack.render("reg.example/app:2");
        JsonNode app = c.path("services").path("art-be");
        assertEquals("reg.example/app:2", app.path("image").asText());
        assertEquals("art-backend", app.path("container_name").asText());
        assertEquals("/home/ubuntu/env/.env", app.path("env_file").get(0).asText());
        assertEquals(List.of("nginx:1.26.2", "reg.example/app:2", "pinpointdocker/pinpoint-agent:2.5.2", "redis:7.0-alpine", "filebeat-custom:0.18"),
                Template.images(c));
        assertEquals(Map.of("proxy", "art-proxy", "pinpoint-agent", "art-pinpoint-agent", "redis", "art-redis", "filebeat", "art-filebeat",
                        "art-be", "art-backend"), Template.containerNames(c));
        assertEquals(List.of("art"), Template.externalNetworks(c));
        assertEquals(Set.of(8080), Template.publishedPorts(c));
        assertEquals(List.of("/home/ubuntu/env/.env"), Template.envFiles(c));
        assertTrue(c.path("volumes").has("logs_data") && c.path("volumes").has("pinpoint-volumes"));
        // what compose is given: the template's own bytes, and an override with only the hooks' fields
        List<Path> live = stack.install("reg.example/app:2");
        assertEquals(Files.readString(dir.resolve("compose.yml")), Files.readString(live.get(0)));
        assertEquals(Json.MAPPER.readTree("""
                {"services": {"art-be": {"image": "reg.example/app:2", "container_name": "art-backend",
                 "env_file": ["/home/ubuntu/env/.env"]},
                 "proxy": {"command": ["nginx", "-c", "/etc/nginx/cdeploy/nginx.conf", "-g", "daemon off;"],
                 "volumes": ["%s/proxy:/etc/nginx/cdeploy:ro"]}}}""".formatted(dir.resolve("state"))), Json.YAML.readTree(live.get(1).toFile()));
    }

    @Test
    void the_in_place_template_has_no_proxy_and_its_override_only_the_apps_fields() throws IOException {
        Files.copy(Path.of("tests/fixtures/inplace-compose.yml"), dir.resolve("compose.yml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ObjectNode c = stack.render("reg.example/app:2");
        assertFalse(Colours.hasProxy(c, Settings.DEFAULTS));
        assertEquals("8080:8080", c.path("services").path("art-be").path("ports").get(0).asText());
        assertEquals(Json.MAPPER.readTree("""
                {"services": {"art-be": {"image": "reg.example/app:2", "container_name": "art-backend",
                 "env_file": ["/home/ubuntu/env/.env"]}}}"""), Json.YAML.readTree(stack.install("reg.example/app:2").get(1).toFile()));
    }

    @Test
    void published_host_ports_in_every_syntax_compose_takes() throws IOException {
        Files.writeString(dir.resolve("compose.yml"), """
                services:
                  art-be: {ports: ["8080:8080", "127.0.0.1:9000:9000/tcp", "[::1]:9001:80", "9002:53/udp", "3000", "7000-7001:7000-7001"]}
                  web: {ports: [{target: 80, published: 8081}, {target: 81, published: "8082", host_ip: 127.0.0.1}, {target: 82}]}
                """);
        assertEquals(Set.of(8080, 9000, 9001, 8081, 8082), Template.publishedPorts(stack.render("a:1")));
    }

    @Test
    void the_release_env_file_comes_after_the_templates_own() throws IOException {
        Files.writeString(dir.resolve("compose.yml"), "services:\n  art-be:\n    env_file: common.env\n");
        assertEquals(List.of("common.env", "/home/ubuntu/env/.env"), Template.envFiles(stack.render("a:1")));
        Files.writeString(dir.resolve("compose.yml"), "services:\n  art-be:\n    env_file: [a.env, /home/ubuntu/env/.env]\n");
        assertEquals(List.of("a.env", "/home/ubuntu/env/.env"), Template.envFiles(stack.render("a:1")));
    }

    @Test
    void only_the_proxy_publishes_a_port_and_the_app_and_redis_are_private() {
        ObjectNode c = stack.render("reg.example/app:2");
        assertEquals("8080:80", c.path("services").path("proxy").path("ports").get(0).asText());
        assertTrue(Colours.on(c, Settings.DEFAULTS), "the shipped template deploys two colours behind the proxy");
        assertEquals(8080, Colours.appPort(c, Settings.DEFAULTS));
        for (String side : List.of("art-be", "redis", "pinpoint-agent", "filebeat")) {
            assertTrue(c.path("services").path(side).path("ports").isMissingNode(), side + " publishes a port");
        }
    }

    @Test
    void grace_period_parses_compose_durations() throws IOException {
        assertEquals(Duration.ofSeconds(30), stack.gracePeriod(stack.render("a:1")));
        for (var e : Map.of("1m30s", 90_000L, "500ms", 500L, "2h", 7_200_000L, "1.5s", 1500L).entrySet()) {
            Files.writeString(dir.resolve("compose.yml"), "services:\n  art-be:\n    stop_grace_period: " + e.getKey() + "\n");
            assertEquals(e.getValue(), stack.gracePeriod(stack.render("a:1")).toMillis(), e.getKey());
        }
        Files.writeString(dir.resolve("compose.yml"), "services:\n  art-be:\n    stop_grace_period: soon\n");
        assertTrue(assertThrows(Cli.Fail.class, () -> stack.gracePeriod(stack.render("a:1"))).getMessage().contains("is not a duration"));
        Files.writeString(dir.resolve("compose.yml"), "services:\n  art-be: {}\n");
        assertEquals(Duration.ofSeconds(10), stack.gracePeriod(stack.render("a:1")));
    }

    @Test
    void invalid_templates_fail_with_one_line() throws IOException {
        Files.writeString(dir.resolve("compose.yml"), "services: [\n");
        assertTrue(assertThrows(Cli.Fail.class, () -> stack.render("a:1")).getMessage().contains("is not valid YAML"));
        Files.writeString(dir.resolve("compose.yml"), "volumes: {}\n");
        assertTrue(assertThrows(Cli.Fail.class, () -> stack.render("a:1")).getMessage().contains("has no 'services' mapping"));
        Files.writeString(dir.resolve("compose.yml"), "services:\n  web: {image: x:1}\n");
        assertTrue(assertThrows(Cli.Fail.class, () -> stack.render("a:1")).getMessage().contains("has no service 'art-be'"));
        Files.delete(dir.resolve("compose.yml"));
        assertTrue(assertThrows(Cli.Fail.class, () -> stack.render("a:1")).getMessage().startsWith("no compose template compose.yml"));
    }

    @Test
    void validate_budget_must_hold_the_wait_plus_a_rollback() throws IOException {
        Files.writeString(dir.resolve("appspec.yml"), "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n"
                + "    - location: hooks/validate\n      timeout: 200\n");
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> stack.healthDeadline(stack.render("a:1")));
        assertEquals("the ValidateService timeout (200 s) cannot hold the health wait (120 s) plus a rollback "
                + "(grace 30 s + 120 s) and 35 s margin; raise the timeout of hooks/validate in appspec.yml to at least 305 s, "
                + "or lower healthTimeoutSeconds in release.json", f.getMessage());
    }

    @Test
    void write_replaces_the_file_atomically_and_leaves_no_temporary_file() throws IOException {
        Path target = dir.resolve("state").resolve(Stack.COMPOSE_FILE);
        Disk.writeAtomically(target, "image: a:1\n");
        Disk.writeAtomically(target, "image: a:2\n");
        assertTrue(Files.readString(target).contains("image: a:2"));
        try (var files = Files.list(target.getParent())) {
            assertEquals(List.of(target), files.toList());
        }
    }

    @Test
    void compose_commands_for_v1_and_v2() {
        Path f = Path.of("/var/lib/cdeploy/art/docker-compose.yml");
        Docker.Compose v2 = new Docker.Compose(List.of("docker", "compose"), true, "2.29.7");
        assertEquals(List.of("docker", "compose", "--project-name", "art", "--file", f.toString(),
                "up", "--detach", "--no-build", "--pull", "never"), v2.up("art", List.of(f), List.of()));
        assertEquals(List.of("docker", "compose", "--project-name", "art", "--file", f.toString(), "config", "--quiet"),
                v2.config("art", List.of(f)));
        Docker.Compose v1 = new Docker.Compose(List.of("docker-compose"), false, "1.29.2");
        assertEquals(List.of("docker-compose", "--project-name", "art", "--file", f.toString(), "up", "--detach", "--no-build"),
                v1.up("art", List.of(f), List.of()));
    }

    @Test
    void behind_a_proxy_the_app_publishes_nothing_and_the_proxy_publishes_the_health_urls_port() throws IOException {
        Files.writeString(dir.resolve("compose.yml"), "services:\n  proxy: {image: 'nginx:1.26.2', ports: ['8080:80']}\n  art-be: {ports: ['8080:8080']}\n");
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> Proxy.checkTemplate(stack.render("a:1"), Settings.DEFAULTS));
        assertEquals(Cli.INPUT, f.exitCode);
        assertTrue(f.getMessage().startsWith("the app service art-be publishes [\"8080:8080\"], but its two colours run side by side"), f.getMessage());
        Proxy.checkTemplate(stack.render("a:1"), Settings.DEFAULTS.withSwitch(Settings.RECREATE)); // in place, as asked: no refusal
        Files.writeString(dir.resolve("compose.yml"), "services:\n  proxy: {image: 'nginx:1.26.2', ports: ['9090:80']}\n  art-be: {expose: ['8080']}\n");
        f = assertThrows(Cli.Fail.class, () -> Proxy.checkTemplate(stack.render("a:1"), Settings.DEFAULTS));
        assertTrue(f.getMessage().startsWith("the proxy service proxy does not publish port 8080 of the health URL"), f.getMessage());
        Files.writeString(dir.resolve("compose.yml"), "services:\n  art-be: {ports: ['8080:8080']}\n");
        Proxy.checkTemplate(stack.render("a:1"), Settings.DEFAULTS); // no proxy: the in-place swap, which publishes the app
        assertThrows(Cli.Fail.class, () -> Settings.DEFAULTS.withSwitch("rolling"));
    }

    @Test
    void behind_a_proxy_the_validate_budget_holds_the_switch_and_two_grace_periods() throws IOException {
        Files.writeString(dir.resolve("compose.yml"), "services:\n  proxy: {image: 'nginx:1.26.2', ports: ['8080:80']}\n"
                + "  art-be: {expose: ['8080'], stop_grace_period: 2m}\n");
        Files.writeString(dir.resolve("release.json"), "{\"image\": \"reg.example/app:2\", \"settings\": {\"healthTimeoutSeconds\": 60}}");
        Stack s = new Stack(Bundle.load(dir), dir.resolve("state"));
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> s.healthDeadline(s.render("a:1")));
        assertEquals("the ValidateService timeout (330 s) cannot hold the health wait (60 s), the switch (60 s), the drain and the old colour's stop "
                + "(grace 120 s each) and 15 s margin", f.getMessage().substring(0, f.getMessage().indexOf(';')));
        Files.writeString(dir.resolve("release.json"), "{\"image\": \"reg.example/app:2\", \"settings\": {\"healthTimeoutSeconds\": 60, \"switchMode\": \"recreate\"}}");
        Stack inPlace = new Stack(Bundle.load(dir), dir.resolve("state"));
        assertEquals(Duration.ofSeconds(60), inPlace.healthDeadline(inPlace.render("a:1")), "in place: 275 s fit in 330");
    }
}
