import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./jbang setup-instance} on this machine, with this run's names: the default template's copy (its own
 * network, mounted folder), env file, state root and jbang prefix under the test's folder; the metadata service and
 * the clock on 127.0.0.1. A dry run changes nothing; a run sets up what is missing and doctor passes it (only the
 * agent, which is not installed here, fails); a second run finds everything there.
 */
@Tag("jbang")
class SetupInstanceTest {
    @TempDir
    Path work;
    RunNames n;

    @AfterEach
    void removeWhatThisRunMade() throws Exception {
        if (n != null) {
            DeployLocalFixture.run(List.of("docker", "network", "rm", n.id), work, Map.of(), false);
        }
    }

    DeployLocalFixture.Run setup(ImdsStub imds, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(HookProcess.REPO.resolve("jbang").toString(), HookProcess.REPO.resolve("scripts/setup_instance.java").toString(),
                "--kit", HookProcess.REPO.toString(), "--compose", work.resolve("compose.yml").toString(), "--env-file", work.resolve("env/app.env").toString(),
                "--state-dir", work.resolve("state").toString(), "--prefix", work.resolve("prefix").toString(), "--region", "ap-northeast-2",
                "--imds-endpoint", imds.url(), "--clock-url", imds.clockUrl(), "--json"));
        cmd.addAll(List.of(more));
        return DeployLocalFixture.run(cmd, work, Map.of(), false);
    }

    static Set<String> failed(JsonNode report) {
        Set<String> out = new TreeSet<>();
        report.path("findings").forEach(f -> {
            if (f.path("status").asText().equals("FAIL")) {
                out.add(f.path("check").asText());
            }
        });
        return out;
    }

    @Test
    void aDryRunChangesNothingARunSetsUpWhatDoctorChecksAndASecondRunFindsItThere() throws Exception {
        n = RunNames.create(work);
        Files.writeString(work.resolve("compose.yml"), n.template());
        try (ImdsStub imds = new ImdsStub()) {
            DeployLocalFixture.Run dry = setup(imds, "--dry-run");
            assertEquals(1, dry.exit(), dry.toString());
            assertTrue(dry.err().contains("[1/6] jbang: would run env CDEPLOY_PREFIX=" + work.resolve("prefix") + " bash "
                    + HookProcess.REPO.resolve("lib/setup-host.sh") + " jbang"), dry.err());
            assertTrue(dry.err().contains("[3/6] template: would make network " + n.id + ", empty env file " + work.resolve("env/app.env")
                    + ", folder " + work.resolve("profiles")), dry.err());
            assertTrue(dry.err().contains("[4/6] state root: would make " + work.resolve("state") + " (0755)"), dry.err());
            assertTrue(dry.err().contains("[6/6] agent: install it with sudo apt-get install -y ruby-full wget && cd /tmp && wget "
                    + "https://aws-codedeploy-ap-northeast-2.s3.ap-northeast-2.amazonaws.com/latest/install"), dry.err());
            for (String made : List.of("prefix", "state", "env", "profiles")) {
                assertFalse(Files.exists(work.resolve(made)), made + " made by a dry run");
            }
            assertFalse(DeployLocalFixture.run(List.of("docker", "network", "inspect", n.id), work, Map.of(), false).exit() == 0, "no network");

            DeployLocalFixture.Run run = setup(imds);
            assertEquals(1, run.exit(), "doctor fails the agent only:\n" + run);
            assertEquals(Set.of("agent installed"), failed(run.json()), run.out());
            assertTrue(run.err().contains("[3/6] template: made network " + n.id), run.err());
            assertTrue(run.err().contains("[5/6] hooks warm: built pull, start, validate, stop"), run.err());
            assertTrue(Files.isExecutable(work.resolve("prefix/bin/jbang")));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("env/app.env"))));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("state"))));
            for (String check : List.of("jbang", "java", "docker", "compose", "state folder", "credentials", "instance profile")) {
                assertEquals("PASS", DoctorEndToEndTest.finding(run.json(), check).path("status").asText(), check + ": " + run.out());
            }

            DeployLocalFixture.Run again = setup(imds);
            for (String step : List.of("[1/6] jbang: jbang ", "[2/6] docker: Docker ", "[3/6] template: its networks, env file and mounted folders are there",
                    "[4/6] state root: " + work.resolve("state") + " is there")) {
                assertTrue(again.err().contains(step), step + "\n" + again.err());
            }
            assertFalse(again.err().contains("would ") || again.err().contains(" made ") || again.err().contains(" ran "), again.err());
        }
    }
}
