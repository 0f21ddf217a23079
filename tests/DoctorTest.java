import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * doctor on copies of an instance built by the tests: a healthy one passes; the seed's two incidents, a failed hook,
 * unsafe folders and a stale marker each fail (or warn) naming cause and fix; the metadata service is a server on
 * 127.0.0.1 that requires IMDSv2 tokens. No secret and no whole key id is ever printed.
 */
@Tag("fast")
class DoctorTest {
    @TempDir
    Path s;
    ImdsStub imds;

    record Run(int exit, String out, String err, JsonNode json) {
        JsonNode finding(String check) {
            for (JsonNode f : json.path("findings")) {
                if (f.path("check").asText().equals(check)) {
                    return f;
                }
            }
            throw new AssertionError("no finding " + check + " in\n" + out);
        }

        String status(String check) {
            return finding(check).path("status").asText();
        }

        String saw(String check) {
            return finding(check).path("saw").asText();
        }

        String fix(String check) {
            return finding(check).path("fix").asText();
        }
    }

    @BeforeEach
    void start() throws Exception {
        imds = new ImdsStub();
    }

    @AfterEach
    void stop() {
        imds.close();
    }

    /** doctor in-process on the sysroot with the stub as IMDS and clock; --json, and the text form alongside. */
    Run doctor(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--sysroot", s.toString(), "--imds-endpoint", imds.url(), "--clock-url", imds.clockUrl()));
        args.addAll(List.of(more));
        String[] text = run(args);
        args.add("--json");
        String[] json = run(args);
        assertEquals(text[0], json[0], "the same verdict either way");
        for (String out : new String[] {text[1], json[1], text[2]}) {
            assertFalse(out.contains(Sysroots.SECRET) || out.contains(Sysroots.KEY), "no secret, no whole key id:\n" + out);
        }
        return new Run(Integer.parseInt(json[0]), text[1], text[2], Json.MAPPER.readTree(json[1]));
    }

    private static String[] run(List<String> args) {
        doctor cmd = new doctor();
        cmd.env = Map.of();
        ReleaseFixture.Run r = ReleaseFixture.execute(cmd, args);
        return new String[] {Integer.toString(r.exit()), r.out(), r.err()};
    }

    static Set<String> with(Run r, String status) {
        Set<String> checks = new TreeSet<>();
        r.json().path("findings").forEach(f -> {
            if (f.path("status").asText().equals(status)) {
                checks.add(f.path("check").asText());
            }
        });
        return checks;
    }

    @Test
    void aHealthyInstancePassesEverythingItCanCheckFromACopy() throws Exception {
        Sysroots.healthy(s);
        Run r = doctor();
        assertEquals(0, r.exit(), r.out());
        assertEquals(Set.of(), with(r, "FAIL"), r.out());
        assertEquals(Set.of(), with(r, "WARN"), r.out());
        assertEquals(Set.of("agent running", "compose", "disk space", "docker", "old images"), with(r, "SKIP"), "only what needs a live system:\n" + r.out());
        assertEquals("version 1.7.0-92", r.saw("agent installed"));
        assertTrue(r.saw("credentials").startsWith("the instance role artscope-ec2-role; nothing in root's chain comes before it"), r.saw("credentials"));
        assertEquals("role artscope-ec2-role on i-0e9fe7b11be081a65 (IMDSv2)", r.saw("instance profile"));
        assertEquals("ap-northeast-2", r.saw("region"));
        assertTrue(r.saw("clock").startsWith("in step with http://127.0.0.1:"), r.saw("clock"));
        assertTrue(r.saw("last deployment").startsWith(Sysroots.DEPLOYMENT + " (group " + Sysroots.GROUP + "): ran through ValidateService"), r.out());
        assertTrue(r.saw("registry login").contains("through the instance role (amazon-ecr-credential-helper)"), r.out());
        assertEquals("start and validate of " + Sysroots.DEPLOYMENT + " start without JBang", r.saw("hooks compiled"));
        assertEquals("/var/lib/cdeploy: art (lock last taken by validate (pid 5151) since 10:00:00)", r.saw("state folder"));
        assertTrue(r.out().lines().allMatch(l -> l.matches("(PASS|WARN|FAIL|SKIP) .*|\\d+ passed, 0 warnings, 0 failed, 5 skipped \\(\\d+\\.\\d\\d s\\)")), r.out());
        assertEquals("PUT /latest/api/token", imds.requests.get(0), "a token first (IMDSv2)");
        assertTrue(imds.requests.stream().filter(q -> q.startsWith("GET")).allMatch(q -> q.endsWith(" token")), imds.requests.toString());
    }

    @Test
    void seedIncident1AccessDeniedIsTheInstanceRolesPermissions() throws Exception {
        Sysroots.healthy(s);
        Sysroots.agentLog(s, "access-denied.agent.log");
        Run r = doctor();
        assertEquals(1, r.exit(), r.out());
        assertEquals("FAIL", r.status("agent log"));
        assertTrue(r.saw("agent log").startsWith("AccessDeniedException 1 time, last at 2023-07-22 10:56:39: the identity the agent uses may not "
                + "call CodeDeploy's command service: the instance role lacks the agent's permissions"), r.saw("agent log"));
        assertTrue(r.fix("agent log").startsWith("give the instance role the agent's policy"), r.fix("agent log"));
        assertEquals("PASS", r.status("credentials"), "nothing shadows the role: the role itself lacks the permissions");
    }

    @Test
    void seedIncident2UnrecognizedClientIsAStaleKeyOfRootsShadowingTheRole() throws Exception {
        Sysroots.healthy(s);
        Sysroots.agentLog(s, "unrecognized-client.agent.log");
        Files.copy(Sysroots.FIXTURES.resolve("unrecognized-client.wire.log"), s.resolve("var/log/aws/codedeploy-agent/codedeploy-agent.aws_wire.log"));
        Sysroots.rootKey(s);
        Run r = doctor();
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.saw("agent log").startsWith("UnrecognizedClientException 1 time, last at 2023-07-25 00:00:00: AWS does not know the key"), r.out());
        assertEquals("FAIL", r.status("credentials"));
        assertEquals("the agent (root) uses static key AKIA****0001 from /root/.aws/credentials [default] ahead of the instance role "
                + "artscope-ec2-role; the wire log shows the agent signing with it", r.saw("credentials"));
        assertTrue(r.fix("credentials").startsWith("remove it (root needs no keys on EC2), then: sudo systemctl restart codedeploy-agent"), r.out());
    }

    @Test
    void theMetadataServiceWithoutARoleOrWithoutTokensIsAFailWithItsFix() throws Exception {
        Sysroots.healthy(s);
        imds.role = null;
        Run r = doctor();
        assertEquals("FAIL", r.status("instance profile"));
        assertTrue(r.saw("instance profile").startsWith("none on i-0e9fe7b11be081a65"), r.out());
        assertTrue(r.saw("credentials").startsWith("none: nothing in root's chain and no instance profile"), r.out());
        imds.v1Only = true;
        r = doctor();
        assertTrue(r.saw("instance profile").contains("it answered 403 to an IMDSv2 token request"), r.out());
        imds.clockOffsetSeconds = -600;
        assertTrue(doctor().saw("clock").startsWith("600 s ahead of "), "a skew beyond 5 minutes");
    }

    @Test
    void aFailedHookIsTheLastDeploymentWithItsLogTailAsReleaseShowsIt() throws Exception {
        Sysroots.healthy(s);
        LocalDateTime at = LocalDateTime.now().minusMinutes(1);
        Sysroots.deployment(s, "d-FAILED001", at, "validate: rolled back to 1.4.1; the new version never got healthy");
        Sysroots.appendAgentLog(s, at.plusSeconds(40).format(Sysroots.AT).replace(' ', 'T') + " ERROR [codedeploy-agent(4242)]: "
                + "InstanceAgent::Plugins::CodeDeployPlugin::CommandExecutor: Error during perform: InstanceAgent::Plugins::CodeDeployPlugin::ScriptError"
                + " - Script at specified location: hooks/validate run as user root failed with exit code 3 - "
                + "/opt/codedeploy-agent/lib/instance_agent/plugins/codedeploy/hook_executor.rb:173:in `execute_script'\n");
        Run r = doctor();
        assertEquals("FAIL", r.status("last deployment"));
        assertEquals("d-FAILED001 (group " + Sysroots.GROUP + ") failed at ValidateService", r.saw("last deployment"));
        List<String> detail = new ArrayList<>();
        r.finding("last deployment").path("detail").forEach(d -> detail.add(d.asText()));
        assertEquals(List.of("ValidateService hooks/validate failed on 1 instance (this instance): ScriptFailed: Script at specified location: "
                        + "hooks/validate run as user root failed with exit code 3", "log tail:", "  | LifecycleEvent - ValidateService",
                "  | Script - hooks/validate", "  | [stderr]validate: rolled back to 1.4.1; the new version never got healthy"), detail);
        assertTrue(r.out().contains("\n         | [stderr]validate: rolled back"), "the tail under its finding:\n" + r.out());
        assertEquals("FAIL", r.status("agent log"), "the same failure, from the log's side");
    }

    @Test
    void worldWritableFoldersAndAStaleMarkerAreNamed() throws Exception {
        Sysroots.healthy(s);
        Path archive = Sysroots.deployment(s, "d-OPEN00001", LocalDateTime.now().minusMinutes(1), "validate: healthy");
        Files.writeString(archive.resolve("appspec.yml"), "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /home/ubuntu/deploy\n"
                + "permissions:\n  - object: /home/ubuntu/deploy\n    mode: 777\n");
        Files.setPosixFilePermissions(Files.createDirectories(s.resolve("home/ubuntu/deploy")), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(s.resolve("var/lib/cdeploy/art"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Sysroots.age(Sysroots.write(s, Sysroots.ROOT.substring(1) + "/ongoing-deployment/d-GONE00001", "cmd-1"), 2);
        Run r = doctor();
        assertEquals("/home/ubuntu/deploy is writable by anyone; the appspec gives /home/ubuntu/deploy mode 777: any user could replace what "
                + "the agent deploys and runs as root", r.saw("deploy folders"));
        assertEquals("FAIL", r.status("state folder"));
        assertTrue(r.saw("state folder").startsWith("/var/lib/cdeploy/art writable by anyone"), r.out());
        assertEquals("WARN", r.status("in-progress markers"));
        Files.setPosixFilePermissions(s.resolve("var/lib/cdeploy/art"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(s.resolve("var/lib/cdeploy"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(doctor().saw("state folder").startsWith("/var/lib/cdeploy is writable by anyone"), "the root itself, too");
        assertTrue(r.saw("in-progress markers").startsWith("stale: d-GONE00001"), r.out());
    }

    @Test
    void otherUsersKeysAreShownMaskedAsNotTheAgents() throws Exception {
        Sysroots.healthy(s);
        Sysroots.write(s, "home/ubuntu/.aws/credentials", "[default]\naws_access_key_id=" + Sysroots.KEY + "\naws_secret_access_key=" + Sysroots.SECRET + "\n");
        Run r = doctor();
        assertEquals("ubuntu: static key AKIA****0001 from /home/ubuntu/.aws/credentials [default] (not read by the agent, which runs as root)",
                r.saw("other users' keys"));
        assertEquals("PASS", r.status("credentials"));
    }

    @Test
    void aNewDeploymentThatFailedBeforeItsDownloadIsTheLastOneNotTheMarkersOlderOne() throws Exception {
        Sysroots.healthy(s); // d-HEALTHY01 is the marker's; d-STOPFAIL1 never got past ApplicationStop
        String at = LocalDateTime.now().minusSeconds(30).format(Sysroots.AT);
        String dir = Sysroots.ROOT.substring(1) + "/" + Sysroots.GROUP + "/d-STOPFAIL1";
        Sysroots.write(s, dir + "/logs/scripts.log", at + " LifecycleEvent - ApplicationStop\n" + at + " Script - hooks/stop\n"
                + at + " [stderr]stop: docker: permission denied\n");
        Sysroots.appendAgentLog(s, at.replace(' ', 'T') + " ERROR [codedeploy-agent(4242)]: InstanceAgent::Plugins::CodeDeployPlugin::CommandExecutor: "
                + "Error during perform: InstanceAgent::Plugins::CodeDeployPlugin::ScriptError - Script at specified location: hooks/stop run as "
                + "user root failed with exit code 4 - /opt/codedeploy-agent/lib/instance_agent/plugins/codedeploy/hook_executor.rb:173:in `execute_script'\n");
        Run r = doctor();
        assertEquals("d-STOPFAIL1 (group " + Sysroots.GROUP + ") failed at ApplicationStop", r.saw("last deployment"));
        assertTrue(r.finding("last deployment").path("detail").get(0).asText().startsWith("ApplicationStop hooks/stop failed on 1 instance"), r.out());
        assertTrue(r.out().contains("  | [stderr]stop: docker: permission denied"), r.out());
    }

    @Test
    void rootsFilesAreReadAsTheRubySdkReadsThem() throws Exception {
        Sysroots.healthy(s);
        Sysroots.write(s, "root/.aws/config", "[profile default]\naws_access_key_id = " + Sysroots.KEY + "\n");
        assertEquals("FAIL", doctor().status("credentials"), "[profile default] in config is the default profile");
        Sysroots.write(s, "root/.aws/config", "[default]\n");
        Sysroots.write(s, "root/.aws/credentials", "[default] ; written by ssm\naws_access_key_id = " + Sysroots.KEY + " ; a comment\n");
        Run r = doctor();
        assertEquals("FAIL", r.status("credentials"), "a comment after the header");
        assertTrue(r.saw("credentials").contains("static key AKIA****0001 from /root/.aws/credentials [default]"), r.out());
        Sysroots.write(s, "root/.aws/credentials", "[default]\nAWS_ACCESS_KEY_ID = " + Sysroots.KEY + "\n  aws_access_key_id = " + Sysroots.KEY + "\n");
        assertEquals("PASS", doctor().status("credentials"), "an upper-case or an indented key is not the SDK's key");
    }

    @Test
    void aCopysLinksAreFollowedInsideTheCopyNeverToThisMachinesFiles() throws Exception {
        Sysroots.healthy(s);
        Files.delete(s.resolve("usr/local/bin/jbang"));
        Sysroots.executable(s, "usr/local/lib/cdeploy-jbang/jbang", "#!/bin/sh\n");
        Files.createSymbolicLink(s.resolve("usr/local/bin/jbang"), Path.of("/usr/local/lib/cdeploy-jbang/jbang")); // as setup-host makes it
        Files.delete(s.resolve("usr/bin/java"));
        Files.createSymbolicLink(s.resolve("usr/bin/java"), Path.of("/etc/alternatives/java")); // this machine has one; the copy does not
        Run r = doctor();
        assertEquals("PASS", r.status("jbang"), r.out());
        assertEquals("FAIL", r.status("java"), "not this machine's java:\n" + r.out());
    }

    @Test
    void anErrorDoctorDoesNotKnowIsAWarningAndADamagedLineOrAFifoBreaksNothing() throws Exception {
        Sysroots.healthy(s);
        String now = LocalDateTime.now().format(Sysroots.AT).replace(' ', 'T');
        Sysroots.appendAgentLog(s, "2024-02-30T10:00:00 ERROR [codedeploy-agent(1)]: a damaged date\r\n"
                + now + ".123456Z ERROR codedeploy_agent::poller: something new went wrong\r\n");
        assertEquals(0, new ProcessBuilder("mkfifo", s.resolve("var/log/aws/codedeploy-agent/codedeploy-agent.20260101.log").toString())
                .inheritIO().start().waitFor());
        Run r = doctor("--timeout", "0.5");
        assertEquals("WARN", r.status("agent log"), r.out());
        assertTrue(r.saw("agent log").startsWith("1 error line(s) in the log's last hour that doctor does not know; the newest: "
                + "codedeploy_agent::poller: something new went wrong"), r.out());
        assertTrue(r.json().path("seconds").asDouble() < 3, "a FIFO is not read: " + r.json().path("seconds"));
    }

    @Test
    void badInputIsOneLineAndTheStateRootIsTheHooks() {
        String[] r = run(List.of("--sysroot", "/nonexistent/copy"));
        assertEquals("2", r[0]);
        assertEquals("doctor: --sysroot /nonexistent/copy is not a folder; give the folder a copied instance's / is in\n", r[2]);
        assertEquals("2", run(List.of("--timeout", "0"))[0]);
        assertEquals(Bundle.STATE_ROOT, Doctor.STATE_ROOT);
    }
}
