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
    /** The env file, two folders down: the outer one is made 0755, its own 0700. */
    static final String ENV = "env/deep/app.env";
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
                "--kit", HookProcess.REPO.toString(), "--compose", work.resolve("compose.yml").toString(), "--env-file", work.resolve(ENV).toString(),
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

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** A line added to a file lib/setup-host.sh installed (as root: through sudo when the test is not root). */
    void appendAsItsOwner(Path file, String line) throws Exception {
        List<String> cmd = new ArrayList<>(Disk.root() ? List.of() : List.of("sudo", "--non-interactive"));
        cmd.addAll(List.of("sh", "-c", "printf '%s\\n' \"$1\" >> \"$2\"", "sh", line, file.toString()));
        assertEquals(0, DeployLocalFixture.run(cmd, work, Map.of(), false).exit(), "appended to " + file);
    }

    @Test
    void aDryRunChangesNothingARunSetsUpWhatDoctorChecksAndASecondRunFindsItThere() throws Exception {
        n = RunNames.create(work);
        Files.writeString(work.resolve("compose.yml"), n.template());
        try (ImdsStub imds = new ImdsStub()) {
            DeployLocalFixture.Run dry = setup(imds, "--dry-run");
            assertEquals(0, dry.exit(), "a dry run: 0 whatever doctor finds before the steps ran\n" + dry);
            String sudo = ""; // the prefix is this user's: no sudo even without root (as on GitHub's runners)
            assertTrue(dry.err().contains("[1/6] jbang: would run " + sudo + "env CDEPLOY_PREFIX=" + work.resolve("prefix") + " bash "
                    + HookProcess.REPO.resolve("lib/setup-host.sh") + " jbang"), dry.err());
            assertTrue(dry.err().contains("[3/6] template: would make network " + n.id + ", empty env file " + work.resolve(ENV)
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
            assertEquals("rw-------", mode(work.resolve(ENV)));
            assertEquals("rwx------", mode(work.resolve(ENV).getParent()), "the env file's own folder");
            assertEquals("rwxr-xr-x", mode(work.resolve("env")), "a folder above it");
            assertEquals("rwxr-xr-x", mode(work.resolve("state")));
            for (String check : List.of("jbang", "java", "docker", "compose", "state folder", "instance profile")) {
                assertEquals("PASS", DoctorEndToEndTest.finding(run.json(), check).path("status").asText(), check + ": " + run.out());
            }
            // without root, root's ~/.aws cannot be read: doctor says so rather than pass it (as on GitHub's runners)
            assertEquals(DeployLocalFixture.isRoot() ? "PASS" : "WARN", DoctorEndToEndTest.finding(run.json(), "credentials").path("status").asText(), run.out());

            // what drifted since is put right: an old wrapper, an env file others may read, a state root others may write
            Path wrapper = work.resolve("prefix/lib/cdeploy-jbang/jbang");
            appendAsItsOwner(wrapper, "# an older kit's wrapper");
            Files.setPosixFilePermissions(work.resolve(ENV), PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(work.resolve("state"), PosixFilePermissions.fromString("rwxrwxrwx"));
            DeployLocalFixture.Run repair = setup(imds);
            assertEquals(1, repair.exit(), repair.toString());
            assertTrue(repair.err().contains("[1/6] jbang: ran ") && repair.err().contains(" jbang (the kit's jbang differs from " + wrapper + ")"), repair.err());
            assertEquals(-1L, Files.mismatch(HookProcess.REPO.resolve("jbang"), wrapper), "the kit's wrapper installed again");
            assertTrue(repair.err().contains("[3/6] template: made env file " + work.resolve(ENV) + " owner-only (0600; it was 0644)"), repair.err());
            assertEquals("rw-------", mode(work.resolve(ENV)));
            assertTrue(repair.err().contains("[4/6] state root: made " + work.resolve("state") + " 0755 (it was 0777: others could write to it)"), repair.err());
            assertEquals("rwxr-xr-x", mode(work.resolve("state")));

            DeployLocalFixture.Run again = setup(imds);
            for (String step : List.of("[1/6] jbang: jbang ", "[2/6] docker: Docker ", "[3/6] template: its networks, env file and mounted folders are there",
                    "[4/6] state root: " + work.resolve("state") + " is there")) {
                assertTrue(again.err().contains(step), step + "\n" + again.err());
            }
            assertFalse(again.err().contains("would ") || again.err().contains(" made ") || again.err().contains(" ran "), again.err());
        }
    }

    /** Lines setup-instance itself wrote (JBang may print its own). */
    static List<String> own(DeployLocalFixture.Run r) {
        return r.err().lines().filter(l -> l.startsWith("setup-instance: ")).toList();
    }

    @Test
    void aTemplateWhoseAppServiceIsNotArtBeNeedsServiceAndAStateRootOfAnotherUserIsRefused() throws Exception {
        Files.writeString(work.resolve("compose.yml"), "services:\n  web:\n    image: busybox\n");
        try (ImdsStub imds = new ImdsStub()) {
            DeployLocalFixture.Run web = setup(imds, "--dry-run", "--service", "web", "--container", "web-1", "--project", "shop");
            assertTrue(web.exit() == 0 || web.exit() == 1, web.toString());
            assertTrue(web.err().contains("[3/6] template: would make empty env file " + work.resolve(ENV) + "\n"), web.err());

            DeployLocalFixture.Run plain = setup(imds, "--dry-run");
            assertEquals(2, plain.exit(), plain.toString());
            assertEquals(List.of("setup-instance: compose template " + work.resolve("compose.yml") + " has no service 'art-be'; "
                    + "name its app service with --service NAME (and its container with --container NAME)"), own(plain), plain.err());

            if (Disk.root()) { // not as root, a folder of another user's cannot be made here
                Files.createDirectories(work.resolve("state"));
                Files.setAttribute(work.resolve("state"), "unix:uid", 65534);
                DeployLocalFixture.Run other = setup(imds, "--dry-run", "--service", "web");
                assertEquals(4, other.exit(), other.toString());
                assertEquals(1, own(other).stream().filter(l -> l.contains("the state root " + work.resolve("state") + " is owned by ")
                        && l.contains(", not root; chown root:root ")).count(), other.err());
            }
        }
    }
}
