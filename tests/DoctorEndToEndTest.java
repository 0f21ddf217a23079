import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code ./jbang doctor} as a user runs it: after a deploy-local whose hook failed, {@code doctor --local} names the
 * deployment, the event, the agent's error and the hook's log tail, as deploy-local itself reported them; on this
 * live machine the Docker and Compose checks ask the real engine.
 */
@Tag("jbang")
class DoctorEndToEndTest extends DeployLocalFixture {
    @Test
    void afterAFailedLocalDeploymentDoctorNamesTheHookAndItsTail() throws Exception {
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hook("ValidateService", "scripts/check.sh", 20, ""),
                "scripts/check.sh", "#!/bin/sh\necho 'health: connection refused' >&2\nexit 3\n");
        Run deployed = local.deploy("-l", rev.toString());
        assertFailure(deployed, "ValidateService", "scripts/check.sh", "ScriptFailed", "Script at specified location: scripts/check.sh failed with exit code 3");

        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("jbang").toString(), REPO.resolve("scripts/doctor.java").toString(), "--local", "--deployment-root", local.root.toString(),
                "--state-dir", local.tmp.resolve("state").toString(), "--json"));
        Run r = run(cmd, local.work, Map.of(), false);
        assertEquals(1, r.exit(), r.toString());
        JsonNode last = finding(r.json(), "last deployment");
        String id = deployed.json().path("deploymentId").asText();
        assertEquals("FAIL", last.path("status").asText(), r.toString());
        assertTrue(last.path("saw").asText().startsWith(id + " (group " + deployed.json().path("deploymentGroupId").asText() + ") Failed at ValidateService"), r.toString());
        List<String> detail = new ArrayList<>();
        last.path("detail").forEach(d -> detail.add(d.asText()));
        assertEquals(deployed.failure().path("event").asText() + " scripts/check.sh failed on 1 instance (this machine): ScriptFailed: "
                + "Script at specified location: scripts/check.sh failed with exit code 3", detail.get(0));
        assertTrue(detail.contains("  | [stderr]health: connection refused"), detail.toString());
        assertEquals("SKIP", finding(r.json(), "agent").path("status").asText(), "no agent with --local");
        assertEquals("PASS", finding(r.json(), "docker").path("status").asText(), "the live engine answers: " + r);
        assertEquals("PASS", finding(r.json(), "compose").path("status").asText(), r.toString());
    }

    static JsonNode finding(JsonNode report, String check) {
        for (JsonNode f : report.path("findings")) {
            if (f.path("check").asText().equals(check)) {
                return f;
            }
        }
        throw new AssertionError("no " + check + " in " + report);
    }
}
