import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hook location in appspec.yml runs under both kinds of executor: a plain execve (it needs its own #! line)
 * and the current agent's /bin/sh fallback; with stdin closed, cwd /, a minimal PATH and no HOME.
 */
class AppspecLocationsTest {
    static Stream<String> locations() throws IOException {
        List<String> all = new ArrayList<>();
        JsonNode hooks = Json.YAML.readTree(HookProcess.REPO.resolve("appspec.yml").toFile()).path("hooks");
        hooks.forEach(scripts -> scripts.forEach(s -> all.add(s.path("location").asText())));
        return all.stream();
    }

    @Test
    void appspec_wires_pull_start_validate_and_nothing_stops_the_service_first() throws IOException {
        JsonNode spec = Json.YAML.readTree(HookProcess.REPO.resolve("appspec.yml").toFile());
        assertEquals("hooks/pull", spec.at("/hooks/BeforeInstall/0/location").asText());
        assertEquals("hooks/start", spec.at("/hooks/ApplicationStart/0/location").asText());
        assertEquals("hooks/validate", spec.at("/hooks/ValidateService/0/location").asText());
        assertTrue(spec.at("/hooks/ApplicationStop").isMissingNode(), "no stop before the new image is on the host");
        assertTrue(spec.path("permissions").isMissingNode() && spec.path("files").isMissingNode(), "nothing made world-writable");
        assertEquals(0.0, spec.path("version").asDouble());
        assertTrue(spec.path("version").isNumber(), "the v1 agent rejects a quoted version");
    }

    @ParameterizedTest(name = "{0} by execve")
    @MethodSource("locations")
    void runs_by_plain_execve(String location) throws IOException {
        Path file = HookProcess.REPO.resolve(location);
        assertTrue(Files.isExecutable(file), location + " is executable");
        assertTrue(Files.readString(file).startsWith("#!/bin/sh\n"), location + " has its own #! line");
        HookProcess.Result r = HookProcess.run(List.of(file.toString(), "--help"), Path.of("/"), "BeforeInstall", Map.of(), true);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stdout().startsWith("Usage: "), r.toString());
    }

    @ParameterizedTest(name = "{0} by /bin/sh")
    @MethodSource("locations")
    void runs_through_the_agents_shell_fallback(String location) throws IOException {
        HookProcess.Result r = HookProcess.run(List.of("/bin/sh", HookProcess.REPO.resolve(location).toString(), "--help"),
                Path.of("/"), "BeforeInstall", Map.of(), true);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stdout().startsWith("Usage: "), r.toString());
    }
}
