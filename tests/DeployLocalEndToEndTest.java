import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./jbang deploy-local} as a user runs it, against /work/shared/reference/codedeploy-agent.md: a real JVM per
 * deployment, a temporary deployment root and destination, revisions written here. This class: how hooks run
 * (environment, cwd, stdin, runas, timeouts, outputs left open, failures and their report) and the helpers;
 * DeployLocalInstallTest: bundles, files and permissions, successive deployments, refusals.
 */
@Tag("jbang")
class DeployLocalEndToEndTest extends DeployLocalFixture {
    @Test
    void a_hook_sees_the_agents_variables_its_absolute_path_the_commands_cwd_and_a_closed_stdin() throws Exception {
        String script = "#!/bin/sh\necho \"vars $LIFECYCLE_EVENT $DEPLOYMENT_ID $APPLICATION_NAME $DEPLOYMENT_GROUP_NAME $DEPLOYMENT_GROUP_ID "
                + "${BUNDLE_KEY-nobundle}\"\necho \"inherited $E2E_INHERITED\"\necho \"cwd $(pwd -P)\"\necho \"zero $0\"\ncat\necho \"stdin ended $?\"\n";
        String hooks = hook("BeforeInstall", "scripts/env.sh", 20, "") + hook("ValidateService", "/scripts/env.sh", 20, "");
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hooks, "scripts/env.sh", script);
        // stdin of deploy-local stays open: a script that inherited it would wait in cat until its timeout
        Run r = local.deploy(Map.of("E2E_INHERITED", "yes"), true, "-l", rev.toString(),
                "-a", "my-app", "-d", "my-group-name", "-g", "my-group-id");
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        String id = j.path("deploymentId").asText();
        Path dir = local.root.resolve("my-group-id").resolve(id);
        assertEquals(dir, r.dir());
        assertEquals(List.of("my-app", "my-group-name", "my-group-id"), List.of(j.path("applicationName").asText(),
                j.path("deploymentGroupName").asText(), j.path("deploymentGroupId").asText()));
        List<String> expected = new ArrayList<>();
        for (String[] e : new String[][] {{"BeforeInstall", "scripts/env.sh"}, {"ValidateService", "/scripts/env.sh"}}) {
            expected.addAll(List.of("LifecycleEvent - " + e[0], "Script - " + e[1],
                    "[stdout]vars " + e[0] + " " + id + " my-app my-group-name my-group-id nobundle", "[stdout]inherited yes",
                    "[stdout]cwd " + local.work.toRealPath(), "[stdout]zero " + dir.resolve("deployment-archive/scripts/env.sh"), "[stdout]stdin ended 0"));
        }
        assertEquals(expected, entries(r), "3.1, 3.2; a leading '/' is still under the archive (1.7)");
    }

    @Test
    void runas_runs_the_script_as_that_user_and_names_the_user_when_it_fails() throws Exception {
        String user = "cdeploy-runas-test";
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hook("BeforeInstall", "scripts/who.sh", 30, "runas: " + user)
                + hook("AfterInstall", "scripts/fail.sh", 30, "runas: " + user), "scripts/who.sh", "#!/bin/sh\necho \"user $(id -un)\"\n",
                "scripts/fail.sh", "#!/bin/sh\nexit 3\n");
        if (!isRoot()) {
            Run r = local.deploy("-l", rev.toString());
            assertEquals(2, r.exit(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.errLines().get(0).startsWith("deploy-local: ") && r.errLines().get(0).contains(user), r.toString());
            assertEquals(Set.of(), names(local.root.resolve("default-local-deployment-group")), "no deployment folder");
            return;
        }
        if (run(List.of("id", user), tmp, Map.of(), false).exit() != 0) {
            Run add = run(List.of("useradd", "-M", "-s", "/bin/sh", user), tmp, Map.of(), false);
            assertEquals(0, add.exit(), add.toString());
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // the user must reach the scripts
        Run r = local.deploy("-l", rev.toString());
        assertFailure(r, "AfterInstall", "scripts/fail.sh", "ScriptFailed",
                "Script at specified location: scripts/fail.sh run as user " + user + " failed with exit code 3");
        assertEquals(List.of("LifecycleEvent - BeforeInstall", "Script - scripts/who.sh", "[stdout]user " + user,
                "LifecycleEvent - AfterInstall", "Script - scripts/fail.sh"), entries(r), "su <user> -c <script> (3.3)");
    }

    @Test
    void a_script_past_its_timeout_is_ScriptTimedOut_and_its_process_group_is_gone() throws Exception {
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hook("ApplicationStart", "scripts/slow.sh", 2, ""),
                "scripts/slow.sh", "#!/bin/sh\necho $$ > @DEST@/pgid\necho waiting\nsleep 60\necho never\n");
        Path pgid = local.dest.resolve("pgid");
        try {
            Run r = local.deploy("-l", rev.toString());
            assertFailure(r, "ApplicationStart", "scripts/slow.sh", "ScriptTimedOut",
                    "Script at specified location: scripts/slow.sh failed to complete in 2 seconds");
            JsonNode event = r.json().path("events").get(EVENTS.indexOf("ApplicationStart"));
            assertEquals(3, event.path("agentCode").asInt(), event.toString());
            assertTrue(event.path("seconds").asDouble() >= 2 && event.path("seconds").asDouble() < 10, event.toString());
            assertTrue(r.failure().path("logTail").asText().contains("[stdout]waiting"), r.toString());
            assertEquals(List.of(), group(Long.parseLong(Files.readString(pgid).strip())), "SIGTERM to the script's process group (3.4)");
        } finally {
            if (Files.exists(pgid)) {
                killGroup(Long.parseLong(Files.readString(pgid).strip()));
            }
        }
    }

    @Test
    void a_background_child_holding_stdout_fails_the_script_and_is_left_running() throws Exception {
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hook("AfterInstall", "scripts/bg.sh", 3, ""),
                "scripts/bg.sh", "#!/bin/sh\necho $$ > @DEST@/pgid\nsleep 30 &\necho started\n");
        Path pgid = local.dest.resolve("pgid");
        try {
            Run r = local.deploy("-l", rev.toString());
            assertFailure(r, "AfterInstall", "scripts/bg.sh", "ScriptFailed", "Script at specified location: scripts/bg.sh failed to close STDOUT");
            assertEquals(6, r.json().path("events").get(EVENTS.indexOf("AfterInstall")).path("agentCode").asInt(), r.toString());
            assertFalse(group(Long.parseLong(Files.readString(pgid).strip())).isEmpty(), "the agent does not kill the background process (3.4)");
        } finally {
            if (Files.exists(pgid)) {
                killGroup(Long.parseLong(Files.readString(pgid).strip()));
            }
        }
    }

    @Test
    void a_script_exiting_3_is_ScriptFailed_with_its_code_and_the_events_log_tail_and_the_rest_is_skipped() throws Exception {
        String hooks = hook("BeforeInstall", "scripts/ok.sh", 30, "") + "  AfterInstall:\n    - location: scripts/ok.sh\n    - location: scripts/fail.sh\n"
                + hook("ValidateService", "scripts/ok.sh", 30, "");
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hooks,
                "scripts/ok.sh", HOOK, "scripts/fail.sh", "#!/bin/sh\necho about to fail\necho bad config >&2\nexit 3\n");
        Run r = local.deploy("-l", rev.toString());
        assertFailure(r, "AfterInstall", "scripts/fail.sh", "ScriptFailed", "Script at specified location: scripts/fail.sh failed with exit code 3");
        JsonNode j = r.json();
        assertEquals(3, j.path("scriptExitCode").asInt(), r.toString());
        assertEquals(1, j.path("exitCode").asInt());
        JsonNode event = j.path("events").get(EVENTS.indexOf("AfterInstall"));
        assertEquals(List.of(4, 3), List.of(event.path("agentCode").asInt(), event.path("scriptExit").asInt()), event.toString());
        assertEquals(List.of(host()), List.of(r.failure().path("instances").get(0).asText()));
        String tail = r.failure().path("logTail").asText();
        assertTrue(tail.startsWith("LifecycleEvent - AfterInstall\nScript - scripts/ok.sh\n[stdout]hook AfterInstall\nScript - scripts/fail.sh\n"), tail);
        assertTrue(tail.contains("[stdout]about to fail") && tail.contains("[stderr]bad config") && !tail.contains("BeforeInstall"),
                "this event's entries only: " + tail);
        assertFalse(entries(r).contains("LifecycleEvent - ValidateService"), "later events do not run");
        assertEquals(r.dir().toString(), Files.readString(local.root.resolve("deployment-instructions/default-local-deployment-group_last_successful_install")),
                "the marker is written at the end of Install, whatever fails later (2.3)");
    }

    @Test
    void a_missing_script_is_ScriptMissing_with_its_absolute_path_in_the_table() throws Exception {
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hook("BeforeInstall", "scripts/nope.sh", 30, ""));
        Run r = local.text(Map.of(), false, "-l", rev.toString());
        assertEquals(1, r.exit(), r.toString());
        Matcher first = Pattern.compile("Deployment (d-[A-Z0-9]{9}-local) Failed \\(application " + Pattern.quote(rev.toString())
                + ", group LocalFleet / default-local-deployment-group\\)").matcher(r.out().lines().findFirst().orElse(""));
        assertTrue(first.matches(), r.out());
        Path dir = local.root.resolve("default-local-deployment-group").resolve(first.group(1));
        assertTrue(r.out().contains("\nBeforeInstall scripts/nope.sh failed on 1 instance (" + host() + "): ScriptMissing: "
                + "Script does not exist at specified location: " + dir.resolve("deployment-archive/scripts/nope.sh")
                + "\nlog tail:\n  | LifecycleEvent - BeforeInstall\nLog: " + dir.resolve("logs/scripts.log") + "\n"), r.out());
        assertTrue(Pattern.compile("^  Install +Skipped$", Pattern.MULTILINE).matcher(r.out()).find(), r.out());
    }

    @Test
    void a_deploy_local_stopped_by_sigterm_stops_its_running_hook_and_clears_its_marker() throws Exception {
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hook("BeforeInstall", "scripts/long.sh", 600, ""),
                "scripts/long.sh", "#!/bin/sh\necho $$ > @DEST@/pgid\nsleep 300\n");
        Path pgid = local.dest.resolve("pgid");
        Process p = new ProcessBuilder(REPO.resolve("jbang").toString(), REPO.resolve("scripts/deploy_local.java").toString(),
                "--deployment-root", local.root.toString(), "-l", rev.toString()).directory(local.work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(local.tmp.resolve("out.txt").toFile()).start();
        try {
            for (int i = 0; i < 600 && !Files.exists(pgid); i++) {
                Thread.sleep(100);
            }
            long group = Long.parseLong(Files.readString(pgid).strip());
            assertFalse(group(group).isEmpty(), "the hook runs, in a session of its own (Ctrl-C would not reach it)");
            p.toHandle().destroy(); // SIGTERM, as systemd or a CI runner stops a job
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), Files.readString(local.tmp.resolve("out.txt")));
            assertEquals(List.of(), group(group), "the running hook was stopped with its command");
            assertEquals(Set.of(), names(local.root.resolve("ongoing-deployment")), "no in-progress marker left");
        } finally {
            p.destroyForcibly();
            if (Files.exists(pgid)) {
                killGroup(Long.parseLong(Files.readString(pgid).strip()));
            }
        }
    }
}
