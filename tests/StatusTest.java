import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.codedeploy.model.BatchGetDeploymentTargetsRequest;
import software.amazon.awssdk.services.codedeploy.model.BatchGetDeploymentsRequest;
import software.amazon.awssdk.services.codedeploy.model.ListDeploymentTargetsRequest;
import software.amazon.awssdk.services.codedeploy.model.ListDeploymentsRequest;

/**
 * status in-process against the local CodeDeploy endpoint (fake credentials, loopback only): the requests it makes
 * (every ListDeploymentTargets page followed, BatchGetDeploymentTargets 25 at a time, ListDeployments by creation-time
 * windows, BatchGetDeployments), what it prints as text and as JSON (durations, counts, failures told by EventFailure
 * as release tells them), and each refusal as one line with its exit code.
 */
@Tag("fast")
class StatusTest {
    static final String APP = ReleaseFixture.APP;
    static final String GROUP = ReleaseFixture.GROUP;
    static final CodeDeployEndpoint.Failing PULL = new CodeDeployEndpoint.Failing(2, "BeforeInstall", "hooks/pull", "ScriptFailed",
            "Script at specified location: hooks/pull failed with exit code 4",
            "[stderr]pull: Docker daemon down\n[stderr]pull: registry password=hunter2 refused");
    static final CodeDeployEndpoint.Failing VALIDATE = new CodeDeployEndpoint.Failing(1, "ValidateService", "hooks/validate", "ScriptTimedOut",
            "Script at specified location: hooks/validate failed to complete in 330 seconds", "[stdout]waiting for health");
    CodeDeployEndpoint cd;

    @BeforeEach
    void start() throws Exception {
        cd = new CodeDeployEndpoint().group(APP, GROUP).group(APP, "art-staging");
    }

    @AfterEach
    void stop() {
        assertEquals(List.of(), cd.violations, "every request fits the SDK's model of CodeDeploy");
        cd.close();
    }

    ReleaseFixture.Run run(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("--codedeploy-endpoint-url", cd.uri().toString()));
        all.addAll(List.of(args));
        return runRaw(env, all);
    }

    ReleaseFixture.Run run(String... args) {
        return run(ReleaseFixture.env(), args);
    }

    static synchronized ReleaseFixture.Run runRaw(Map<String, String> env, List<String> args) {
        status cmd = new status();
        cmd.env = env;
        cmd.aws.attemptTimeout = Duration.ofSeconds(5);
        return ReleaseFixture.execute(cmd, args);
    }

    /** A failed deployment of 250 instances: 2 failed BeforeInstall, 1 ValidateService timed out, 247 succeeded. */
    String failedOf250() {
        return cd.ended(APP, GROUP, Instant.parse("2026-03-04T05:06:07Z"), Duration.ofSeconds(95), 250, List.of(PULL, VALIDATE));
    }

    @Test
    void oneDeploymentOf250InstancesPagesBatchesAndExplains() {
        String id = failedOf250();
        ReleaseFixture.Run r = run(id);
        assertEquals(0, r.exit(), r.toString());

        // every page followed (10 a page), then 25 a look-up, and nothing else asked
        assertEquals(Set.of("GetDeployment", "ListDeploymentTargets", "BatchGetDeploymentTargets"), CodeDeployEndpoint.ops(cd.calls));
        assertEquals(1, cd.calls("GetDeployment").size());
        List<CodeDeployEndpoint.Call> pages = cd.calls("ListDeploymentTargets");
        assertEquals(25, pages.size(), "250 targets, 10 a page");
        for (int i = 0; i < pages.size(); i++) {
            ListDeploymentTargetsRequest p = (ListDeploymentTargetsRequest) pages.get(i).request();
            assertEquals(id, p.deploymentId());
            assertEquals(i == 0 ? null : Integer.toString(10 * i), p.nextToken(), "page " + i + " follows the previous nextToken");
            assertFalse(p.hasTargetFilters(), "no filter: every instance");
        }
        List<CodeDeployEndpoint.Call> batches = cd.calls("BatchGetDeploymentTargets");
        assertEquals((250 + 24) / 25, batches.size());
        Set<String> asked = new HashSet<>();
        for (CodeDeployEndpoint.Call c : batches) {
            List<String> ids = ((BatchGetDeploymentTargetsRequest) c.request()).targetIds();
            assertTrue(ids.size() <= 25, ids.toString());
            asked.addAll(ids);
        }
        assertEquals(250, asked.size(), "each instance looked up once");

        // the deployment, the counts, the failed instances in full, the succeeded ones counted
        String out = r.out();
        assertTrue(out.startsWith(id + " Failed (application art, group art-prod)\n  created 2026-03-04T05:06:07Z by user, took 1 min 35 s\n"
                + "  0 pending, 0 in progress, 247 succeeded, 3 failed, 0 skipped\n  HEALTH_CONSTRAINTS: The overall deployment failed"), out);
        assertTrue(out.contains("\n250 instances: 247 Succeeded, 3 Failed\n"), out);
        String failed = CodeDeployEndpoint.instanceId(0);
        assertTrue(out.contains("\n" + failed + " Failed (last updated 2026-03-04T05:06:37Z)\n"
                + "  ApplicationStop      Succeeded        1.0 s\n"
                + "  DownloadBundle       Succeeded        2.0 s\n"
                + "  BeforeInstall        Failed          42.0 s  ScriptFailed (hooks/pull)\n"
                + "  Install              Skipped\n"), out);
        assertTrue(out.contains("  ValidateService      Failed          12.0 s  ScriptTimedOut (hooks/validate)\n"), out);
        assertFalse(out.contains(CodeDeployEndpoint.instanceId(3)), "a succeeded instance is only counted");
        assertTrue(out.contains("\nnot shown: 247 Succeeded (--all shows every instance)\n"), out);

        // the failures told exactly as release tells them, masked
        List<String> told = new ArrayList<>(new EventFailure(PULL.event(), PULL.script(), PULL.errorCode(), PULL.message(), PULL.logTail(),
                List.of(CodeDeployEndpoint.instanceId(0), CodeDeployEndpoint.instanceId(1))).describe());
        told.addAll(new EventFailure(VALIDATE.event(), VALIDATE.script(), VALIDATE.errorCode(), VALIDATE.message(), VALIDATE.logTail(),
                List.of(CodeDeployEndpoint.instanceId(2))).describe());
        assertTrue(out.endsWith(String.join("\n", told) + "\n"), out);
        assertTrue(out.contains("BeforeInstall hooks/pull failed on 2 instances (" + CodeDeployEndpoint.instanceId(0) + ", "
                + CodeDeployEndpoint.instanceId(1) + "): ScriptFailed: Script at specified location: hooks/pull failed with exit code 4\nlog tail:\n"
                + "  | [stderr]pull: Docker daemon down\n  | [stderr]pull: registry password=**** refused\n"), out);
        assertFalse(out.contains("hunter2") || r.err().contains("hunter2"), "masked");
        assertTrue(r.err().contains("status: " + id + ": 250 instances; looking them up 25 at a time"), r.err());
    }

    @Test
    void jsonHasEveryInstanceAndEvent() throws Exception {
        String id = failedOf250();
        ReleaseFixture.Run r = run(id, "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        JsonNode d = j.path("deployment");
        assertEquals(id, d.path("deploymentId").asText());
        assertEquals("Failed", d.path("status").asText());
        assertEquals("2026-03-04T05:06:07Z", d.path("createTime").asText());
        assertEquals(95.0, d.path("durationSeconds").asDouble());
        assertEquals(3, d.path("overview").path("failed").asLong());
        assertEquals("HEALTH_CONSTRAINTS", d.path("errorCode").asText());
        assertEquals(Map.of("Succeeded", 247, "Failed", 3), ReleaseFixture.JSON.convertValue(j.path("instanceCounts"), Map.class));
        assertEquals(250, j.path("instances").size());
        JsonNode first = j.path("instances").get(0);
        assertEquals(CodeDeployEndpoint.instanceId(0), first.path("id").asText());
        assertEquals(7, first.path("events").size());
        JsonNode pull = first.path("events").get(2);
        assertEquals("BeforeInstall", pull.path("name").asText());
        assertEquals("Failed", pull.path("status").asText());
        assertEquals(42.0, pull.path("durationSeconds").asDouble());
        assertEquals("2026-03-04T05:06:11Z", pull.path("startTime").asText());
        assertEquals("ScriptFailed", pull.path("errorCode").asText());
        assertEquals("[stderr]pull: Docker daemon down\n[stderr]pull: registry password=**** refused", pull.path("logTail").asText());
        JsonNode skipped = first.path("events").get(3);
        assertEquals("Skipped", skipped.path("status").asText());
        assertTrue(skipped.path("durationSeconds").isMissingNode() && skipped.path("startTime").isMissingNode(), skipped.toString());
        assertEquals(7, j.path("instances").get(249).path("events").size(), "succeeded instances too");
        JsonNode failures = j.path("failures");
        assertEquals(2, failures.size());
        assertEquals("BeforeInstall", failures.get(0).path("event").asText());
        assertEquals(2, failures.get(0).path("instances").size(), "most-hit first");
        assertEquals("ScriptTimedOut", failures.get(1).path("errorCode").asText());
        assertFalse(r.out().contains("hunter2"));
    }

    @Test
    void instanceStatusFilterAndAll() throws Exception {
        String id = failedOf250();
        ReleaseFixture.Run r = run("--deployment", id, "--instance-status", "failed,in-progress");
        assertEquals(0, r.exit(), r.toString());
        ListDeploymentTargetsRequest p = cd.request("ListDeploymentTargets", 0);
        assertEquals(Map.of("TargetStatus", List.of("Failed", "InProgress")), p.targetFiltersAsStrings());
        assertEquals(1, cd.calls("ListDeploymentTargets").size(), "3 targets: one page");
        assertEquals(1, cd.calls("BatchGetDeploymentTargets").size());
        assertTrue(r.out().contains("\n3 instances (--instance-status Failed,InProgress): 3 Failed\n"), r.out());
        assertFalse(r.out().contains("not shown"), r.out());

        ReleaseFixture.Run all = run(id, "--all");
        assertEquals(0, all.exit(), all.toString());
        assertTrue(all.out().contains("\n" + CodeDeployEndpoint.instanceId(249) + " Succeeded (last updated"), "--all shows the succeeded ones");
        assertTrue(all.out().indexOf(CodeDeployEndpoint.instanceId(2) + " Failed") < all.out().indexOf(CodeDeployEndpoint.instanceId(3) + " Succeeded"),
                "failed instances first");
    }

    @Test
    void aRunningDeploymentShowsItsInstanceInProgress() {
        cd.instances = 5;
        String id = cd.active(APP, GROUP, 100);
        cd.deployments.get(id).created = Instant.now().minus(Duration.ofMinutes(5));
        ReleaseFixture.Run r = run(id);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains(id + " InProgress (application art, group art-prod)\n"), r.out());
        assertTrue(r.out().contains(", running for "), r.out());
        assertTrue(r.out().contains("\n5 instances: 4 Pending, 1 InProgress\n"), r.out());
        assertTrue(r.out().contains("\n" + CodeDeployEndpoint.instanceId(0) + " InProgress"), r.out());
        assertTrue(r.out().matches("(?s).*\n  Install              InProgress +[0-9.]+ (s|min|h).* so far\n  AfterInstall         Pending\n.*"), r.out());
        assertTrue(r.out().contains("\nnot shown: 4 Pending (--all shows every instance)"), r.out());
    }

    @Test
    void recentDeploymentsNewestFirstByCreationTime() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // made in an order that is not their creation order, so that the list order proves nothing
        String old = cd.ended(APP, GROUP, now.minus(Duration.ofDays(400)), Duration.ofSeconds(30), 2, List.of());
        String hours = cd.ended(APP, GROUP, now.minus(Duration.ofHours(2)), Duration.ofSeconds(200), 3, List.of());
        String days = cd.ended(APP, GROUP, now.minus(Duration.ofDays(3)), Duration.ofSeconds(50), 3, List.of());
        String failed = cd.ended(APP, GROUP, now.minus(Duration.ofMinutes(20)), Duration.ofSeconds(95), 3,
                List.of(new CodeDeployEndpoint.Failing(1, "ApplicationStart", "hooks/start", "ScriptFailed", "exit code 3", "")));
        String rollback = cd.ended(APP, GROUP, now.minus(Duration.ofMinutes(18)), Duration.ofSeconds(70), 3, List.of());
        cd.deployments.get(failed).rollbackId = rollback;
        cd.deployments.get(rollback).rollbackOf = failed;
        String month = cd.ended(APP, GROUP, now.minus(Duration.ofDays(40)), Duration.ofSeconds(10), 1, List.of());
        cd.ended(APP, "art-staging", now.minus(Duration.ofMinutes(1)), Duration.ofSeconds(10), 1, List.of()); // another group

        ReleaseFixture.Run three = run("--application", APP, "--deployment-group", GROUP, "--limit", "3");
        assertEquals(0, three.exit(), three.toString());
        assertEquals(1, cd.calls("ListDeployments").size(), "the last day holds 3: no wider window asked");
        ListDeploymentsRequest first = cd.request("ListDeployments", 0);
        assertEquals(APP, first.applicationName());
        assertTrue(first.createTimeRange().end() == null && !first.createTimeRange().start().isBefore(now.minus(Duration.ofDays(1)).minusSeconds(60)));
        assertEquals(1, cd.calls("BatchGetDeployments").size());
        List<String> lines = three.out().lines().toList();
        assertEquals("art / art-prod: the 3 most recent deployments, newest first", lines.get(0));
        assertTrue(lines.get(1).startsWith(rollback + "  Succeeded   " + DeploymentReport.time(now.minus(Duration.ofMinutes(18))) + "  1 min 10 s  "
                + "0 pending, 0 in progress, 3 succeeded, 0 failed, 0 skipped"), three.out());
        assertEquals(" ".repeat(rollback.length() + 2) + "rollback of " + failed, lines.get(2));
        assertTrue(lines.get(3).startsWith(failed + "  Failed      "), three.out());
        assertTrue(lines.get(4).trim().startsWith("HEALTH_CONSTRAINTS: The overall deployment failed"), three.out());
        assertEquals("rolled back by " + rollback + " (Automatic rollback triggered by deployment failure)", lines.get(5).trim());
        assertTrue(lines.get(6).startsWith(hours + "  Succeeded"), three.out());
        assertEquals(7, lines.size(), three.out());

        cd.calls.clear();
        cd.listPageSize = 2;
        ReleaseFixture.Run all = run(Map.of(), "--json"); // application and group from the environment below
        assertEquals(2, all.exit(), "no application or group: " + all);
        Map<String, String> env = ReleaseFixture.env();
        env.put("CODEDEPLOY_APPLICATION", APP);
        env.put("AWS_CODE_DEPLOY_GROUP", GROUP);
        ReleaseFixture.Run json = run(env, "--json");
        assertEquals(0, json.exit(), json.toString());
        List<String> ids = new ArrayList<>();
        json.json().path("deployments").forEach(d -> ids.add(d.path("deploymentId").asText()));
        assertEquals(List.of(rollback, failed, hours, days, month, old), ids, "newest first, the other group left out");
        List<ListDeploymentsRequest> windows = cd.calls("ListDeployments").stream().map(c -> (ListDeploymentsRequest) c.request()).toList();
        assertEquals(4 + 1, windows.stream().filter(w -> w.nextToken() == null).count(), "a day, a week, a month, a year, then all time");
        assertNull(windows.get(windows.size() - 1).createTimeRange().start(), "all that is older");
        assertEquals(1, cd.calls("BatchGetDeployments").size(), "6 deployments: one look-up");
        JsonNode f = json.json().path("deployments").get(1);
        assertEquals("Failed", f.path("status").asText());
        assertEquals("HEALTH_CONSTRAINTS", f.path("errorCode").asText());
        assertEquals(rollback, f.path("rollbackDeploymentId").asText());
        assertEquals(95.0, f.path("durationSeconds").asDouble());
        assertEquals(1, f.path("overview").path("failed").asLong());
        assertEquals(APP, json.json().path("application").asText());
    }

    @Test
    void manyRecentDeploymentsAreLookedUp25AtATime() throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < 30; i++) {
            cd.ended(APP, GROUP, now.minus(Duration.ofMinutes(30 - i)), Duration.ofSeconds(60), 1, List.of());
        }
        ReleaseFixture.Run r = run("--application", APP, "--deployment-group", GROUP, "--json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(10, r.json().path("deployments").size(), "the default limit");
        assertEquals("d-TEST00030", r.json().path("deployments").get(0).path("deploymentId").asText(), "the newest");
        List<Integer> sizes = cd.calls("BatchGetDeployments").stream()
                .map(c -> ((BatchGetDeploymentsRequest) c.request()).deploymentIds().size()).toList();
        assertEquals(List.of(25, 5), sizes);
    }

    @Test
    void refusalsAreOneLineWithTheirExitCode() throws Exception {
        ReleaseFixture.Run unknown = run("d-NOPE00000");
        assertEquals(Cli.AWS, unknown.exit(), unknown.toString());
        assertEquals("status: deployment d-NOPE00000 does not exist in eu-west-1; check the id and --region (status --application A "
                + "--deployment-group G lists a group's recent deployments)\n", unknown.err());
        assertEquals("", unknown.out());

        ReleaseFixture.Run group = run("--application", APP, "--deployment-group", "nope");
        assertEquals(Cli.AWS, group.exit(), group.toString());
        assertTrue(group.err().endsWith("status: deployment group 'nope' does not exist in application 'art' (eu-west-1); "
                + "check --deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)\n"), group.err());
        ReleaseFixture.Run app = run("--application", "nope", "--deployment-group", GROUP);
        assertEquals(Cli.AWS, app.exit(), app.toString());
        assertTrue(app.err().endsWith("status: CodeDeploy application 'nope' does not exist in eu-west-1; check --application "
                + "(CODEDEPLOY_APPLICATION) and --region\n"), app.err());

        String id = failedOf250();
        cd.denied.add("ListDeploymentTargets");
        ReleaseFixture.Run denied = run(id);
        assertEquals(Cli.AWS, denied.exit(), denied.toString());
        assertTrue(denied.err().lines().reduce((a, b) -> b).orElse("").startsWith("status: access denied: codedeploy:ListDeploymentTargets on deployment "
                + id), denied.err());
        cd.calls.clear();

        for (List<String> bad : List.<List<String>>of(List.of("x-123"), List.of("d-ONE000000", "--deployment", "d-TWO000000"),
                List.of(id, "--instance-status", "Broken"), List.of("--application", APP, "--deployment-group", GROUP, "--all"),
                List.of(id, "--limit", "3"), List.of("--application", APP, "--deployment-group", GROUP, "--limit", "0"), List.of())) {
            ReleaseFixture.Run r = run(bad.toArray(String[]::new));
            assertEquals(Cli.INPUT, r.exit(), r.toString());
            assertEquals(1, r.err().lines().count(), r.toString());
        }
        assertEquals(List.of(), cd.calls, "input refused before any request");
        assertTrue(run().err().contains("missing --application (CODEDEPLOY_APPLICATION) and --deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)"));
    }

    @Test
    void anUnreachableEndpointIsTheEnvironment() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(ReleaseFixture.env());
        ReleaseFixture.Run r = runRaw(env, List.of("d-ABCDEFGHI", "--codedeploy-endpoint-url", "http://127.0.0.1:" + port, "--max-attempts", "1"));
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().startsWith("status: codedeploy:GetDeployment on deployment d-ABCDEFGHI: the service cannot be reached after 1 attempt"), r.err());
    }
}
