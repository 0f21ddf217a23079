import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local CodeDeploy endpoint checked with another client built from the service model: Debian's AWS CLI (botocore)
 * sends its requests and must parse every answer (timestamps, nested shapes, paging, errors, throttling retries).
 */
class CodeDeployEndpointTest {
    CodeDeployEndpoint cd;

    @BeforeEach
    void start() throws Exception {
        cd = new CodeDeployEndpoint().group("art", "art-prod");
    }

    @AfterEach
    void stop() {
        cd.close();
    }

    ReleaseEndToEndTest.Result aws(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ReleaseEndToEndTest.AWS_CLI, "deploy"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--endpoint-url", cd.uri().toString(), "--output", "json"));
        Map<String, String> env = ReleaseFixture.env();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", System.getProperty("java.io.tmpdir"));
        Path config = java.nio.file.Files.createTempFile("cdeploy-test-aws-cli", ".config"); // this run's own: machines are shared
        config.toFile().deleteOnExit();
        java.nio.file.Files.writeString(config, "[default]\ncli_timestamp_format = iso8601\n"); // v2's default; v1 prints the wire's epoch
        env.put("AWS_CONFIG_FILE", config.toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        env.put("AWS_PAGER", "");
        return ReleaseEndToEndTest.run(cmd, Path.of(System.getProperty("java.io.tmpdir")), env, 120);
    }

    @Test
    void theAwsCliUnderstandsEveryAnswer() throws Exception {
        var group = aws("get-deployment-group", "--application-name", "art", "--deployment-group-name", "art-prod");
        assertEquals(0, group.exit(), group.toString());
        assertEquals("CodeDeployDefault.OneAtATime", group.json().path("deploymentGroupInfo").path("deploymentConfigName").asText());

        cd.instances = 30;
        cd.failing = List.of(new CodeDeployEndpoint.Failing(12, "BeforeInstall", "hooks/pull", "ScriptFailed",
                "Script at specified location: hooks/pull failed with exit code 4", "[stderr]pull: Docker daemon down"));
        cd.throttle("CreateDeployment", 1); // the CLI retries it too
        var created = aws("create-deployment", "--application-name", "art", "--deployment-group-name", "art-prod",
                "--s3-location", "bucket=bundles,key=k.zip,bundleType=zip,eTag=0123", "--auto-rollback-configuration",
                "enabled=true,events=DEPLOYMENT_FAILURE", "--file-exists-behavior", "OVERWRITE", "--description", "cli");
        assertEquals(0, created.exit(), created.toString());
        String id = created.json().path("deploymentId").asText();
        assertEquals(2, cd.calls("CreateDeployment").size());

        JsonNode info = null;
        for (int i = 0; i < 3; i++) {
            var got = aws("get-deployment", "--deployment-id", id);
            assertEquals(0, got.exit(), got.toString());
            info = got.json().path("deploymentInfo");
        }
        assertEquals("Failed", info.path("status").asText());
        assertTrue(info.path("createTime").asText().startsWith("2026-01-02T03:04:05.678"), "an epoch-seconds timestamp parsed: " + info);
        assertEquals(12, info.path("deploymentOverview").path("Failed").asInt(), info.toString());
        assertEquals("HEALTH_CONSTRAINTS", info.path("errorInformation").path("code").asText());
        assertNotEquals("", info.path("rollbackInfo").path("rollbackDeploymentId").asText());

        var targets = aws("list-deployment-targets", "--deployment-id", id, "--target-filters", "TargetStatus=Failed");
        assertEquals(0, targets.exit(), targets.toString());
        assertEquals(12, targets.json().path("targetIds").size(), "the CLI follows nextToken across pages of 10");
        assertEquals(2, cd.calls("ListDeploymentTargets").size());

        var batch = aws("batch-get-deployment-targets", "--deployment-id", id, "--target-ids", CodeDeployEndpoint.instanceId(0));
        assertEquals(0, batch.exit(), batch.toString());
        JsonNode it = batch.json().path("deploymentTargets").get(0).path("instanceTarget");
        JsonNode failed = it.path("lifecycleEvents").get(2);
        assertEquals("BeforeInstall", failed.path("lifecycleEventName").asText());
        assertEquals("ScriptFailed", failed.path("diagnostics").path("errorCode").asText());
        assertEquals("[stderr]pull: Docker daemon down", failed.path("diagnostics").path("logTail").asText());

        // the group's active deployments (the rollback and two of someone else's), one per page: the CLI follows nextToken
        cd.listPageSize = 1;
        String a = cd.active("art", "art-prod", 1000);
        String b = cd.active("art", "art-prod", 1000);
        var active = aws("list-deployments", "--application-name", "art", "--deployment-group-name", "art-prod",
                "--include-only-statuses", "Created", "Queued", "InProgress", "Baking", "Ready");
        assertEquals(0, active.exit(), active.toString());
        List<String> ids = new ArrayList<>();
        active.json().path("deployments").forEach(d -> ids.add(d.asText()));
        assertEquals(List.of(info.path("rollbackInfo").path("rollbackDeploymentId").asText(), a, b), ids);
        assertEquals(3, cd.calls("ListDeployments").size());

        var missing = aws("get-deployment-group", "--application-name", "nope", "--deployment-group-name", "x");
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("ApplicationDoesNotExistException") && missing.err().contains("No application found for name: nope"),
                missing.err());

        cd.denied.add("GetDeployment");
        var denied = aws("get-deployment", "--deployment-id", id);
        assertTrue(denied.err().contains("(AccessDeniedException)") && denied.err().contains("codedeploy:GetDeployment"), denied.err());

        // the CLI's requests fit the SDK's model of the same service, and every one was signed
        assertEquals(List.of(), cd.violations);
        var create = (software.amazon.awssdk.services.codedeploy.model.CreateDeploymentRequest) cd.calls("CreateDeployment").get(1).request();
        assertEquals("OVERWRITE", create.fileExistsBehaviorAsString());
        assertEquals("0123", create.revision().s3Location().eTag());
    }
}
