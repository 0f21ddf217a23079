import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.codedeploy.model.CreateApplicationRequest;
import software.amazon.awssdk.services.codedeploy.model.CreateDeploymentGroupRequest;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupInfo;
import software.amazon.awssdk.services.codedeploy.model.EC2TagFilter;
import software.amazon.awssdk.services.codedeploy.model.UpdateDeploymentGroupRequest;

/**
 * setup in-process against the local CodeDeploy endpoint: a first run creates the application and the group (every
 * field of the requests asserted), a second identical run writes nothing and says unchanged, a changed option makes
 * one UpdateDeploymentGroup with that field alone, a dry run only reads, and each refusal is one line with its exit
 * code and nothing changed.
 */
@Tag("fast")
class SetupTest {
    static final String APP = ReleaseFixture.APP;
    static final String GROUP = ReleaseFixture.GROUP;
    static final String ROLE = "arn:aws:iam::123456789012:role/cdeploy-codedeploy";
    CodeDeployEndpoint cd;

    @BeforeEach
    void start() throws Exception {
        cd = new CodeDeployEndpoint();
    }

    @AfterEach
    void stop() {
        assertEquals(List.of(), cd.violations, "every request fits the SDK's model of CodeDeploy");
        cd.close();
    }

    static synchronized ReleaseFixture.Run runRaw(Map<String, String> env, List<String> args) {
        setup cmd = new setup();
        cmd.env = env;
        cmd.aws.attemptTimeout = Duration.ofSeconds(5);
        return ReleaseFixture.execute(cmd, args);
    }

    ReleaseFixture.Run run(String... args) {
        List<String> all = new ArrayList<>(List.of("--codedeploy-endpoint-url", cd.uri().toString(), "--application", APP,
                "--deployment-group", GROUP));
        all.addAll(List.of(args));
        return runRaw(ReleaseFixture.env(), all);
    }

    static final String[] FULL = {"--ec2-tag", "Name=art-prod", "--ec2-tag", "env=prod", "--service-role-arn", ROLE,
            "--target-group", "art-tg", "--deployment-config", "CodeDeployDefault.HalfAtATime"};

    List<String> ops() {
        return cd.calls.stream().map(CodeDeployEndpoint.Call::operation).toList();
    }

    @Test
    void aFirstRunCreatesTheApplicationAndTheGroupWithEverySetting() {
        ReleaseFixture.Run r = run(FULL);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("GetApplication", "CreateApplication", "CreateDeploymentGroup"), ops(), "no group to read in a new application");
        CreateApplicationRequest app = cd.request("CreateApplication", 0);
        assertEquals(APP, app.applicationName());
        assertEquals("Server", app.computePlatformAsString());
        CreateDeploymentGroupRequest g = cd.request("CreateDeploymentGroup", 0);
        assertEquals(APP, g.applicationName());
        assertEquals(GROUP, g.deploymentGroupName());
        assertEquals(List.of("Name=art-prod/KEY_AND_VALUE", "env=prod/KEY_AND_VALUE"), tags(g.ec2TagFilters()));
        assertEquals(ROLE, g.serviceRoleArn());
        assertEquals("CodeDeployDefault.HalfAtATime", g.deploymentConfigName());
        assertTrue(g.autoRollbackConfiguration().enabled());
        assertEquals(List.of("DEPLOYMENT_FAILURE"), g.autoRollbackConfiguration().eventsAsStrings());
        assertEquals("art-tg", g.loadBalancerInfo().targetGroupInfoList().get(0).name());
        assertEquals(1, g.loadBalancerInfo().targetGroupInfoList().size());
        assertEquals("WITH_TRAFFIC_CONTROL", g.deploymentStyle().deploymentOptionAsString());
        assertEquals("IN_PLACE", g.deploymentStyle().deploymentTypeAsString());
        assertEquals("application art: created (compute platform Server)\n"
                + "deployment group art/art-prod: created (ec2TagFilters Name=art-prod, env=prod, serviceRoleArn " + ROLE
                + ", deploymentConfigName CodeDeployDefault.HalfAtATime, autoRollbackConfiguration on (DEPLOYMENT_FAILURE), "
                + "loadBalancerInfo target group art-tg, deploymentStyle WITH_TRAFFIC_CONTROL/IN_PLACE)\n", r.out());
        assertTrue(r.err().contains("setup: created deployment group art-prod"), r.err());
    }

    @Test
    void aSecondIdenticalRunChangesNothingAndSaysSo() throws Exception {
        assertEquals(0, run(FULL).exit());
        cd.calls.clear();
        ReleaseFixture.Run again = run(FULL);
        assertEquals(0, again.exit(), again.toString());
        assertEquals(List.of("GetApplication", "GetDeploymentGroup"), ops(), "no Create or Update call");
        assertEquals("application art: unchanged\ndeployment group art/art-prod: unchanged\n", again.out());

        List<String> json = new ArrayList<>(List.of(FULL));
        json.add("--json");
        JsonNode j = run(json.toArray(String[]::new)).json();
        assertEquals("unchanged", j.path("application").path("action").asText());
        assertEquals("unchanged", j.path("deploymentGroup").path("action").asText());
        assertEquals(0, j.path("deploymentGroup").path("changes").size());
        assertFalse(j.path("dryRun").asBoolean());
        assertEquals("eu-west-1", j.path("region").asText());
    }

    @Test
    void aChangedOptionIsOneUpdateOfThatFieldAlone() throws Exception {
        assertEquals(0, run(FULL).exit());
        cd.calls.clear();
        List<String> args = new ArrayList<>(List.of(FULL));
        args.set(args.indexOf("CodeDeployDefault.HalfAtATime"), "CodeDeployDefault.AllAtOnce");
        args.add("--json");
        ReleaseFixture.Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("GetApplication", "GetDeploymentGroup", "UpdateDeploymentGroup"), ops());
        UpdateDeploymentGroupRequest u = cd.request("UpdateDeploymentGroup", 0);
        assertEquals(APP, u.applicationName());
        assertEquals(GROUP, u.currentDeploymentGroupName());
        assertEquals("CodeDeployDefault.AllAtOnce", u.deploymentConfigName());
        assertFalse(u.hasEc2TagFilters());
        assertNull(u.serviceRoleArn());
        assertNull(u.autoRollbackConfiguration());
        assertNull(u.loadBalancerInfo());
        assertNull(u.deploymentStyle());
        assertNull(u.newDeploymentGroupName());
        JsonNode g = r.json().path("deploymentGroup");
        assertEquals("updated", g.path("action").asText());
        assertEquals(1, g.path("changes").size());
        assertEquals("deploymentConfigName", g.path("changes").get(0).path("field").asText());
        assertEquals("CodeDeployDefault.HalfAtATime", g.path("changes").get(0).path("from").asText());
        assertEquals("CodeDeployDefault.AllAtOnce", g.path("changes").get(0).path("to").asText());

        cd.calls.clear();
        args.remove("--json");
        args.add("--no-auto-rollback");
        ReleaseFixture.Run off = run(args.toArray(String[]::new));
        assertEquals(0, off.exit(), off.toString());
        assertEquals("application art: unchanged\ndeployment group art/art-prod: updated\n"
                + "  autoRollbackConfiguration: on (DEPLOYMENT_FAILURE) -> off\n", off.out());
        UpdateDeploymentGroupRequest u2 = cd.request("UpdateDeploymentGroup", 0);
        assertFalse(u2.autoRollbackConfiguration().enabled());
        assertNull(u2.deploymentConfigName());
        assertEquals(1, cd.calls("UpdateDeploymentGroup").size());
    }

    @Test
    void aGroupThatExistsWithOtherSettingsGetsEachDifferenceReported() {
        cd.existing(DeploymentGroupInfo.builder().applicationName(APP).deploymentGroupName(GROUP).deploymentGroupId("g-1")
                .computePlatform("Server").serviceRoleArn(ROLE).deploymentConfigName("CodeDeployDefault.OneAtATime")
                .ec2TagFilters(EC2TagFilter.builder().key("Name").value("old").type("KEY_AND_VALUE").build()).build());
        ReleaseFixture.Run kept = run("--ec2-tag", "Name=old");
        assertEquals("application art: unchanged\ndeployment group art/art-prod: unchanged\n", kept.out(),
                "options not given (config, auto-rollback) leave what the group has");
        ReleaseFixture.Run r = run("--ec2-tag", "Name=art-prod", "--auto-rollback");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("application art: unchanged\ndeployment group art/art-prod: updated\n"
                + "  ec2TagFilters: Name=old -> Name=art-prod\n"
                + "  autoRollbackConfiguration: off -> on (DEPLOYMENT_FAILURE)\n", r.out());
        UpdateDeploymentGroupRequest u = cd.request("UpdateDeploymentGroup", 0);
        assertEquals(List.of("Name=art-prod/KEY_AND_VALUE"), tags(u.ec2TagFilters()));
        assertTrue(u.autoRollbackConfiguration().enabled());
        assertNull(u.serviceRoleArn(), "not given: the group keeps its role");
        assertNull(u.deploymentConfigName(), "the default is what it has");

        cd.calls.clear();
        ReleaseFixture.Run tg = run("--ec2-tag", "Name=art-prod", "--auto-rollback", "--target-group", "art-tg");
        assertEquals(0, tg.exit(), tg.toString());
        assertTrue(tg.out().contains("  loadBalancerInfo: none -> target group art-tg\n"
                + "  deploymentStyle: WITHOUT_TRAFFIC_CONTROL/IN_PLACE -> WITH_TRAFFIC_CONTROL/IN_PLACE\n"), tg.out());
        UpdateDeploymentGroupRequest both = cd.request("UpdateDeploymentGroup", 0);
        assertEquals("art-tg", both.loadBalancerInfo().targetGroupInfoList().get(0).name());
        assertEquals("WITH_TRAFFIC_CONTROL", both.deploymentStyle().deploymentOptionAsString());
    }

    @Test
    void aDryRunOnlyReads() throws Exception {
        ReleaseFixture.Run fresh = run(FULL[0], FULL[1], FULL[2], FULL[3], FULL[4], FULL[5], "--dry-run");
        assertEquals(0, fresh.exit(), fresh.toString());
        assertEquals(List.of("GetApplication"), ops());
        assertTrue(fresh.out().startsWith("application art: would create (compute platform Server)\n"
                + "deployment group art/art-prod: would create (ec2TagFilters Name=art-prod, env=prod, "), fresh.out());
        assertTrue(cd.groups.isEmpty(), "nothing made");

        assertEquals(0, run(FULL).exit());
        cd.calls.clear();
        List<String> args = new ArrayList<>(List.of(FULL));
        args.set(args.indexOf("art-tg"), "art-tg-2");
        args.addAll(List.of("--dry-run", "--json"));
        ReleaseFixture.Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("GetApplication", "GetDeploymentGroup"), ops());
        assertTrue(cd.calls.stream().allMatch(c -> c.operation().startsWith("Get")), "reads only");
        JsonNode j = r.json();
        assertTrue(j.path("dryRun").asBoolean());
        assertEquals("updated", j.path("deploymentGroup").path("action").asText(), "what it would do");
        assertEquals("loadBalancerInfo", j.path("deploymentGroup").path("changes").get(0).path("field").asText());
        assertTrue(r.err().contains("dry run: application unchanged, group would update; nothing was changed"), r.err());
    }

    @Test
    void creatingWithoutAServiceRoleOrTagsIsRefusedBeforeAnyWrite() {
        ReleaseFixture.Run r = run("--ec2-tag", "Name=art-prod");
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("setup: ")).toList();
        assertEquals(1, lines.size(), "one line (progress lines carry the time): " + r.err());
        assertTrue(lines.get(0).startsWith("setup: deployment group 'art-prod' does not exist in a new application 'art' (eu-west-1) "
                + "and creating it needs --service-role-arn"), r.err());
        assertTrue(lines.get(0).endsWith("; give them (nothing was changed)"), r.err());
        assertEquals(List.of("GetApplication"), ops(), "no Create call");

        cd.group(APP, "other");
        cd.calls.clear();
        ReleaseFixture.Run noTags = run("--service-role-arn", ROLE);
        assertEquals(Cli.INPUT, noTags.exit(), noTags.toString());
        assertTrue(noTags.err().contains("in application 'art' (eu-west-1) and creating it needs --ec2-tag KEY=VALUE"), noTags.err());
        assertEquals(List.of("GetApplication", "GetDeploymentGroup"), ops());
    }

    @Test
    void accessDeniedIsOneLineNamingTheAction() {
        cd.denied.add("CreateDeploymentGroup");
        ReleaseFixture.Run r = run(FULL);
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("setup: ")).count(), "one line (progress lines carry the time): " + r.err());
        assertTrue(r.err().contains("setup: access denied: codedeploy:CreateDeploymentGroup on application art, group art-prod"), r.err());
        assertTrue(r.err().contains("; allow codedeploy:CreateDeploymentGroup on application art, group art-prod to the role this job uses"), r.err());

        cd.denied.add("GetApplication");
        ReleaseFixture.Run read = run(FULL);
        assertEquals(Cli.AWS, read.exit(), read.toString());
        assertTrue(read.err().contains("access denied: codedeploy:GetApplication on application art"), read.err());
    }

    @Test
    void badInputIsRefusedBeforeAnyRequest() {
        ReleaseFixture.Run r = run("--ec2-tag", "Name", "--service-role-arn", "nope", "--target-group", "arn:aws:elasticloadbalancing:x");
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("--ec2-tag 'Name' is not KEY=VALUE"), r.err());
        assertTrue(r.err().contains("--service-role-arn 'nope' is not an IAM role ARN"), r.err());
        assertEquals(List.of(), cd.calls);

        ReleaseFixture.Run none = runRaw(ReleaseFixture.env(), List.of("--codedeploy-endpoint-url", cd.uri().toString()));
        assertEquals(Cli.INPUT, none.exit(), none.toString());
        assertTrue(none.err().contains("missing --application (CODEDEPLOY_APPLICATION), --deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)"), none.err());

        ReleaseFixture.Run both = run("--policies", "--cloudformation", "--github-repo", "o/r", "--bucket", "b", "--ec2-tag", "a=b");
        assertEquals(Cli.INPUT, both.exit(), both.toString());
        assertTrue(both.err().contains("give one of --policies, --cloudformation and --dry-run"), both.err());
        assertEquals(List.of(), cd.calls);
    }

    @Test
    void anApplicationForAnotherComputePlatformIsRefused() {
        cd.group(APP, GROUP);
        cd.platforms.put(APP, "Lambda");
        ReleaseFixture.Run r = run(FULL);
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("CodeDeploy application 'art' in eu-west-1 is for Lambda, not EC2 (Server)"), r.err());
        assertEquals(List.of("GetApplication"), ops());
    }

    @Test
    void theNamesComeFromTheVariablesReleaseReads() {
        Map<String, String> env = ReleaseFixture.env();
        env.put("AWS_CODE_DEPLOY_NAME", APP);
        env.put("CODEDEPLOY_DEPLOYMENT_GROUP", GROUP);
        env.put("AWS_ENDPOINT_URL_CODEDEPLOY", cd.uri().toString());
        List<String> args = new ArrayList<>(List.of(FULL));
        ReleaseFixture.Run r = runRaw(env, args);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(GROUP, ((CreateDeploymentGroupRequest) cd.request("CreateDeploymentGroup", 0)).deploymentGroupName());
    }

    static List<String> tags(List<EC2TagFilter> filters) {
        return filters.stream().map(f -> f.key() + "=" + f.value() + "/" + f.typeAsString()).toList();
    }
}
