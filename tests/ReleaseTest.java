import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.codedeploy.model.CreateDeploymentRequest;
import software.amazon.awssdk.services.codedeploy.model.RegisterApplicationRevisionRequest;
import org.junit.jupiter.api.Tag;

/**
 * release in-process against S3Proxy (behind a recording front) and the local CodeDeploy endpoint: every request's
 * fields, the uploaded bytes, and each failure path's exit code, single line and absence of half-done work.
 */
@Tag("fast")
class ReleaseTest {
    static S3Endpoint s3;
    static CodeDeployEndpoint cd;

    @BeforeAll
    static void start() {
        s3 = ReleaseFixture.s3();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @BeforeEach
    void fresh() throws Exception {
        if (cd != null) {
            cd.close();
        }
        cd = new CodeDeployEndpoint().group(ReleaseFixture.APP, ReleaseFixture.GROUP);
        s3.requests.clear();
    }

    static ReleaseFixture.Run run(String... more) {
        return ReleaseFixture.run(ReleaseFixture.env(), ReleaseFixture.args(s3, cd, more));
    }

    @Test
    void deploysAndEveryRequestCarriesWhatItShould() throws Exception {
        ReleaseFixture.Run r = run();
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals("Succeeded", j.path("status").asText());
        assertEquals(ReleaseFixture.IMAGE, j.path("image").asText());
        String key = j.path("key").asText();
        assertTrue(key.matches("codedeploy/art/1\\.4\\.2-[0-9a-f]{16}\\.zip"), key);

        // S3: one PUT of the bundle with SSE and a SHA-256 checksum that matches the bytes; the HEAD before it
        List<S3Endpoint.Request> puts = s3.requests("PUT");
        assertEquals(1, puts.size(), s3.requests.toString());
        S3Endpoint.Request put = puts.get(0);
        assertEquals("/" + ReleaseFixture.BUCKET + "/" + key, put.path());
        assertEquals("AES256", put.header("x-amz-server-side-encryption"));
        byte[] body = put.payload();
        assertEquals(put.header("x-amz-decoded-content-length") == null ? body.length : Integer.parseInt(put.header("x-amz-decoded-content-length")), body.length);
        assertEquals(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body)), put.header("x-amz-checksum-sha256"));
        assertEquals("application/zip", put.header("content-type"));
        assertTrue(put.header("authorization").startsWith("AWS4-HMAC-SHA256 Credential=" + ReleaseFixture.KEY_ID + "/"), put.header("authorization"));
        assertEquals("1.4.2", put.header("x-amz-meta-release-version"));
        assertEquals(1, s3.requests("HEAD").size(), "HeadBucket before anything is built");
        assertEquals(Kit.sha256(body), j.path("sha256").asText());

        // what S3 holds is what was sent
        try (var client = software.amazon.awssdk.services.s3.S3Client.builder().endpointOverride(s3.backend()).forcePathStyle(true)
                .region(software.amazon.awssdk.regions.Region.of(ReleaseFixture.REGION))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            var got = client.getObjectAsBytes(b -> b.bucket(ReleaseFixture.BUCKET).key(key));
            assertArrayEquals(body, got.asByteArray());
            assertEquals(got.response().eTag().replace("\"", ""), j.path("eTag").asText());
        }

        // the bundle: exactly the computed files, modes kept, image and manifest agree, the hooks' reader accepts it
        Map<String, Integer> modes = new HashMap<>();
        Map<String, byte[]> content = new HashMap<>();
        try (var zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(body)).get()) {
            for (ZipArchiveEntry e : java.util.Collections.list(zip.getEntries())) {
                modes.put(e.getName(), e.getUnixMode() & 0777);
                content.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        }
        assertEquals(List.of("appspec.yml", "compose.yml", "hooks/fastpath.sh", "hooks/launch", "hooks/pull", "hooks/pull.java", "hooks/start",
                "hooks/start.java", "hooks/validate", "hooks/validate.java", "image.txt",
                "lib/bundle/AgentText.java", "lib/bundle/AppSpec.java", "lib/bundle/Bundle.java", "lib/bundle/ImageRef.java", "lib/bundle/Manifest.java", "lib/bundle/Settings.java",
                "lib/core/Cli.java", "lib/core/Clock.java", "lib/core/Deadline.java", "lib/core/Disk.java", "lib/core/Json.java", "lib/core/Log.java", "lib/core/Mask.java", "lib/core/Proc.java",
                "lib/host/BlueGreen.java", "lib/host/ColourRollback.java", "lib/host/Colours.java", "lib/host/Docker.java", "lib/host/Health.java", "lib/host/Hook.java", "lib/host/Lock.java",
                "lib/host/Proxy.java", "lib/host/Stack.java", "lib/host/Template.java", "lib/host/WarmUp.java", "release.json"),
                modes.keySet().stream().sorted().toList());
        assertEquals(0755, modes.get("hooks/pull"));
        assertEquals(0755, modes.get("hooks/launch"));
        assertEquals(0644, modes.get("hooks/pull.java"));
        assertEquals(ReleaseFixture.IMAGE + "\n", new String(content.get("image.txt")));
        JsonNode manifest = ReleaseFixture.JSON.readTree(content.get("release.json"));
        assertEquals(ReleaseFixture.IMAGE, manifest.path("image").asText());
        assertTrue(ReleaseFixture.IMAGE.endsWith("@" + ReleaseFixture.DIGEST) && !manifest.has("digest"), "the digest is in the image, once");
        assertEquals(ReleaseFixture.COMMIT, manifest.path("commit").asText());
        assertEquals("2026-01-01T00:00:00Z", manifest.path("time").asText(), "SOURCE_DATE_EPOCH");
        assertEquals("art-backend", manifest.path("settings").path("container").asText());
        Path unpacked = Files.createTempDirectory("bundle");
        for (var e : content.entrySet()) {
            Path f = unpacked.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        Bundle loaded = Bundle.load(unpacked);
        assertEquals("1.4.2", loaded.version());
        assertEquals(ReleaseFixture.IMAGE, loaded.image().toString());

        // CodeDeploy: checked group, registered revision with the ETag, created deployment with every field
        assertEquals(List.of(), cd.violations);
        assertEquals(List.of("GetDeploymentGroup", "RegisterApplicationRevision", "CreateDeployment"),
                cd.calls.stream().map(CodeDeployEndpoint.Call::operation).filter(o -> !o.equals("GetDeployment")).toList());
        RegisterApplicationRevisionRequest reg = cd.request("RegisterApplicationRevision", 0);
        assertEquals("S3", reg.revision().revisionTypeAsString());
        assertEquals(ReleaseFixture.BUCKET, reg.revision().s3Location().bucket());
        assertEquals(key, reg.revision().s3Location().key());
        assertEquals("zip", reg.revision().s3Location().bundleTypeAsString());
        assertEquals(j.path("eTag").asText(), reg.revision().s3Location().eTag());
        CreateDeploymentRequest create = cd.request("CreateDeployment", 0);
        assertEquals(ReleaseFixture.APP, create.applicationName());
        assertEquals(ReleaseFixture.GROUP, create.deploymentGroupName());
        assertEquals(reg.revision(), create.revision());
        assertEquals("DISALLOW", create.fileExistsBehaviorAsString());
        assertTrue(create.autoRollbackConfiguration().enabled());
        assertEquals(List.of("DEPLOYMENT_FAILURE"), create.autoRollbackConfiguration().eventsAsStrings());
        assertEquals("release 1.4.2 " + ReleaseFixture.IMAGE, create.description());
        assertNull(create.deploymentConfigName(), "the group's configuration unless one is given");

        // progress: one line per step with a duration
        for (String step : List.of("[1/7] version", "[2/7] check", "[3/7] image", "[4/7] bundle", "[5/7] upload", "[6/7] deploy", "[7/7] wait")) {
            assertTrue(r.err().lines().anyMatch(l -> l.contains(step) && l.matches(".*\\(\\d+\\.\\d s\\)$")), step + "\n" + r.err());
        }
        assertTrue(r.err().contains("pending") && r.err().contains("succeeded"), r.err());
        assertFalse(r.err().contains(ReleaseFixture.SECRET), "no secret is printed");

        // same inputs, same bytes: a second release uploads the identical object under the same key
        ReleaseFixture.Run again = run("--no-wait");
        assertEquals(0, again.exit(), again.toString());
        assertEquals(key, again.json().path("key").asText());
        assertArrayEquals(body, s3.requests("PUT").get(1).payload());
        assertEquals("Created", again.json().path("status").asText());
    }

    @Test
    void failedDeploymentIsExplainedOncePerCauseAndTheRollbackFollowed(@TempDir Path tmp) throws Exception {
        cd.instances = 250;
        cd.failing = List.of(
                new CodeDeployEndpoint.Failing(120, "BeforeInstall", "hooks/pull", "ScriptFailed",
                        "Script at specified location: hooks/pull failed with exit code 2",
                        "[stderr]pull: image 127.0.0.1:5000/cdeploy-test/app:1.4.2 is not in the registry"),
                new CodeDeployEndpoint.Failing(3, "ValidateService", "hooks/validate", "ScriptTimedOut",
                        "Script at specified location: hooks/validate failed to complete in 300 seconds", "[stdout]waiting for health"));
        Path output = tmp.resolve("output");
        Path summary = tmp.resolve("summary.md");
        Map<String, String> env = ReleaseFixture.env();
        env.put("GITHUB_ACTIONS", "true");
        env.put("GITHUB_OUTPUT", output.toString());
        env.put("GITHUB_STEP_SUMMARY", summary.toString());
        ReleaseFixture.Run r = ReleaseFixture.run(env, ReleaseFixture.args(s3, cd));
        assertEquals(Cli.ROLLED_BACK, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals("RolledBack", j.path("status").asText());
        String id = j.path("deploymentId").asText();
        String rollback = j.path("rollbackDeploymentId").asText();
        assertTrue(rollback.startsWith("d-") && !rollback.equals(id), j.toString());
        assertEquals("Succeeded", j.path("rollbackStatus").asText());
        assertEquals(2, j.path("failures").size());
        assertEquals(120, j.path("failures").get(0).path("instances").size());

        // each cause once, with its instance count, script, code, message and log tail
        assertEquals(1, r.err().lines().filter(l -> !l.startsWith("::") && l.contains("BeforeInstall hooks/pull failed on 120 instances")).count(), r.err());
        assertTrue(r.err().contains("ScriptFailed: Script at specified location: hooks/pull failed with exit code 2"), r.err());
        assertTrue(r.err().contains("| [stderr]pull: image 127.0.0.1:5000/cdeploy-test/app:1.4.2 is not in the registry"), r.err());
        assertTrue(r.err().contains("ValidateService hooks/validate failed on 3 instances"), r.err());
        assertTrue(r.err().contains("and 110 more"), "long instance lists are cut");
        assertTrue(r.err().contains("rollback deployment " + rollback), r.err());

        // every list call paged, lookups batched by 25
        assertEquals(13, cd.calls("ListDeploymentTargets").size(), "123 failed targets, 10 per page");
        List<CodeDeployEndpoint.Call> batches = cd.calls("BatchGetDeploymentTargets");
        assertEquals(5, batches.size());
        assertTrue(batches.stream().allMatch(c -> ((software.amazon.awssdk.services.codedeploy.model.BatchGetDeploymentTargetsRequest)
                c.request()).targetIds().size() <= 25));
        assertEquals(List.of(), cd.violations);

        // GitHub Actions: annotations, outputs, job summary
        assertTrue(r.err().contains("::error title=BeforeInstall failed (" + id + ")::"), r.err());
        String outputs = Files.readString(output);
        assertTrue(outputs.contains("deployment-id=" + id + "\n") && outputs.contains("version=1.4.2\n")
                && outputs.contains("image=" + ReleaseFixture.IMAGE + "\n"), outputs);
        String md = Files.readString(summary);
        assertTrue(md.contains("### release 1.4.2: RolledBack") && md.contains(rollback) && md.contains("is not in the registry"), md);
    }

    @Test
    void failedRollbackIsAFailure() {
        cd.failing = List.of(new CodeDeployEndpoint.Failing(1, "ApplicationStart", "hooks/start", "ScriptFailed",
                "Script at specified location: hooks/start failed with exit code 4", "[stderr]start: compose up failed"));
        cd.rollbackSucceeds = false;
        ReleaseFixture.Run r = run();
        assertEquals(Cli.FAILED, r.exit(), r.toString());
        assertEquals("Failed", r.json().path("status").asText());
        assertEquals("Failed", r.json().path("rollbackStatus").asText());
        assertTrue(r.err().contains("HEALTH_CONSTRAINTS"), r.err());
    }

    @Test
    void withoutAutoRollbackAFailureIsExitOne() {
        cd.failing = List.of(new CodeDeployEndpoint.Failing(1, "ValidateService", "hooks/validate", "ScriptFailed", "exit code 3", ""));
        ReleaseFixture.Run r = run("--no-auto-rollback");
        assertEquals(Cli.FAILED, r.exit(), r.toString());
        CreateDeploymentRequest create = cd.request("CreateDeployment", 0);
        assertFalse(create.autoRollbackConfiguration().enabled());
        assertTrue(r.json().path("rollbackDeploymentId").isMissingNode());
    }

    @Test
    void throttlingIsRetriedWithBackoff() {
        cd.throttle("CreateDeployment", 2);
        ReleaseFixture.Run r = run();
        assertEquals(0, r.exit(), r.toString());
        assertEquals(3, cd.calls("CreateDeployment").size());
        assertEquals(1, cd.deployments.size(), "one deployment, however many attempts");
    }

    @Test
    void throttledPastTheRetriesIsAnAwsError() {
        cd.throttle("GetDeploymentGroup", 10);
        ReleaseFixture.Run r = run("--max-attempts", "2");
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertTrue(r.err().contains("codedeploy:GetDeploymentGroup") && r.err().contains("throttled") && r.err().contains("2 attempts"), r.err());
        assertEquals(List.of(), s3.requests("PUT"), "nothing uploaded");
    }

    @Test
    void waitsForADeploymentAlreadyInProgress() {
        String active = cd.active(ReleaseFixture.APP, ReleaseFixture.GROUP, 3);
        ReleaseFixture.Run r = run();
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("already has " + active + " in progress; waiting"), r.err());
        assertEquals(2, cd.calls("CreateDeployment").size());
    }

    @Test
    void failsClearlyWhenTheGroupStaysBusy() {
        String active = cd.active(ReleaseFixture.APP, ReleaseFixture.GROUP, 1000);
        ReleaseFixture.Run r = run("--wait-for-active", "0");
        assertEquals(Cli.AWS, r.exit(), r.toString());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("release: deployment group 'art-prod' already has " + active + " in progress"), last);
        assertTrue(last.contains("aws deploy stop-deployment --deployment-id " + active), last);
        assertEquals(1, cd.deployments.size(), "no deployment was created");
    }

    @Test
    void accessDeniedNamesTheMissingAction() {
        cd.denied.add("CreateDeployment");
        ReleaseFixture.Run r = run();
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertTrue(r.err().contains("access denied: codedeploy:CreateDeployment on application art, group art-prod"), r.err());
        assertEquals(0, cd.deployments.size());
        assertEquals("Error", r.json().path("status").asText());
    }

    @Test
    void s3AccessDeniedStopsBeforeRegistering() {
        s3.deny("PUT", "/" + ReleaseFixture.BUCKET + "/");
        try {
            ReleaseFixture.Run r = run();
            assertEquals(Cli.AWS, r.exit(), r.toString());
            assertTrue(r.err().contains("access denied: s3:PutObject on s3://bundles/codedeploy/art/"), r.err());
            assertTrue(r.err().contains("(Access Denied)"), "S3's own message is quoted: " + r.err());
            assertEquals(List.of(), cd.calls("RegisterApplicationRevision"));
            assertEquals(List.of(), cd.calls("CreateDeployment"));
        } finally {
            fresh_s3();
        }
    }

    @Test
    void bucketInAnotherRegionIsNamed() {
        s3.bucketRegion("elsewhere", "us-west-2");
        ReleaseFixture.Run r = run("--bucket", "elsewhere");
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertTrue(r.err().contains("bucket elsewhere is in region us-west-2, not eu-west-1"), r.err());
        assertEquals(List.of(), s3.requests("PUT"));
        assertEquals(List.of(), cd.calls("CreateDeployment"));
    }

    @Test
    void absentBucketUnknownApplicationAndGroup() {
        ReleaseFixture.Run r = run("--bucket", "no-such-bucket");
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertTrue(r.err().contains("bucket no-such-bucket does not exist"), r.err());

        r = run("--application", "nope");
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertTrue(r.err().contains("CodeDeploy application 'nope' does not exist in eu-west-1"), r.err());

        r = run("--deployment-group", "nope");
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertTrue(r.err().contains("deployment group 'nope' does not exist in application 'art'"), r.err());
        assertEquals(List.of(), s3.requests("PUT"));
    }

    @Test
    void missingSettingsAreAllNamedAtOnce() {
        ReleaseFixture.Run r = ReleaseFixture.run(ReleaseFixture.env(), List.of("--image", ReleaseFixture.IMAGE, "--release-version", "1"));
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("missing --bucket (CODEDEPLOY_BUCKET), --application (CODEDEPLOY_APPLICATION), "
                + "--deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void environmentGivesTheDefaultsCiUsersExpect() {
        Map<String, String> env = ReleaseFixture.env();
        env.put("AWS_S3_BUCKET_NAME", ReleaseFixture.BUCKET);
        env.put("AWS_CODE_DEPLOY_NAME", ReleaseFixture.APP);
        env.put("AWS_CODE_DEPLOY_GROUP", ReleaseFixture.GROUP);
        env.put("AWS_ENDPOINT_URL_S3", s3.uri().toString());
        env.put("AWS_ENDPOINT_URL_CODEDEPLOY", cd.uri().toString());
        env.put("RELEASE_IMAGE", ReleaseFixture.IMAGE);
        env.put("GITHUB_SHA", ReleaseFixture.COMMIT);
        env.put("GITHUB_RUN_NUMBER", "57");
        ReleaseFixture.Run r = ReleaseFixture.run(env, List.of("--source", ReleaseFixture.REPO.toString(), "--poll-interval", "0.01", "--json", "--no-wait"));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.json().path("version").asText().endsWith("-ci.57"), r.out());
        assertEquals(1, cd.calls("CreateDeployment").size());
    }

    @Test
    void invalidAppspecAndMissingHookFailBeforeAnyRequest(@TempDir Path tmp) throws Exception {
        Path kit = ReleaseFixture.copyKit(tmp.resolve("quoted"));
        Files.writeString(kit.resolve("appspec.yml"), Files.readString(kit.resolve("appspec.yml")).replace("version: 0.0", "version: \"0.0\""));
        ReleaseFixture.Run r = run("--source", kit.toString());
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains(AgentText.badVersion("0.0")), r.err());

        Path kit2 = ReleaseFixture.copyKit(tmp.resolve("missing"));
        Files.delete(kit2.resolve("hooks/validate.java"));
        r = run("--source", kit2.toString());
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("hooks/validate (runs launch validate) names hooks/validate.java, which is not in"), r.err());

        Path kit3 = ReleaseFixture.copyKit(tmp.resolve("typo"));
        Files.writeString(kit3.resolve("appspec.yml"), Files.readString(kit3.resolve("appspec.yml")).replace("ValidateService:", "ValidateServise:"));
        r = run("--source", kit3.toString());
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("appspec.yml file contains unknown lifecycle events: [\"ValidateServise\"]"), r.err());

        assertEquals(List.of(), s3.requests, "no S3 request");
        assertEquals(List.of(), cd.calls, "no CodeDeploy request");
    }

    @Test
    void dryRunChecksEverythingItReadsAndWritesNothing(@TempDir Path tmp) throws Exception {
        try (RegistryStub registry = new RegistryStub()) {
            dryRunReads(tmp, registry);
            assertTrue(registry.requests.stream().allMatch(q -> q.startsWith("GET ") || q.startsWith("HEAD ")), registry.requests.toString());
        }
    }

    private void dryRunReads(Path tmp, RegistryStub registry) throws Exception {
        String image = registry.host() + "/cdeploy-test/app:1.4.2@" + ReleaseFixture.DIGEST;
        ReleaseFixture.Run r = run("--dry-run", "--image", image);
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals("Planned", j.path("status").asText());
        assertTrue(j.path("key").asText().startsWith("codedeploy/art/1.4.2-"));
        assertTrue(j.path("files").toString().contains("hooks/pull.java"));
        assertTrue(r.err().contains("credentials of " + StsEndpoint.ARN + "; bucket and group exist; image " + image + " is in registry"), r.err());
        assertTrue(r.err().contains("would put s3://bundles/") && r.err().contains("would create a deployment of art/art-prod"), r.err());
        assertTrue(s3.requests.stream().allMatch(q -> q.method().equals("HEAD") || q.method().equals("GET")), "S3: reads only");
        assertEquals(List.of("GetDeploymentGroup"), cd.calls.stream().map(CodeDeployEndpoint.Call::operation).toList(), "CodeDeploy: reads only");

        Path dockerfile = Files.writeString(tmp.resolve("Dockerfile"), "FROM scratch\n");
        ReleaseFixture.Run build = run("--dry-run", "--image", "", "--repository", registry.host() + "/cdeploy-test/app",
                "--dockerfile", dockerfile.toString(), "--context", tmp.toString());
        assertEquals(0, build.exit(), build.toString());
        assertTrue(build.err().contains("registry " + registry.host() + " answers"), build.err());
        assertTrue(build.err().contains("would run docker build --file") && build.err().contains("--tag " + registry.host() + "/cdeploy-test/app:1.4.2"), build.err());
    }

    @Test
    void aDryRunFailsAsTheReleaseWouldOnEachWrongThingItReadsInOneLine() throws Exception {
        RegistryStub registry = new RegistryStub();
        String good = registry.host() + "/cdeploy-test/app:1.4.2@" + ReleaseFixture.DIGEST;
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put("bucket nope does not exist", new String[] {"--bucket", "nope"});
        cases.put("deployment group 'nope' does not exist", new String[] {"--deployment-group", "nope"});
        cases.put("is not in registry " + registry.host(), new String[] {"--image", registry.host() + "/cdeploy-test/nope:1@sha256:" + "0".repeat(64)});
        cases.put("registry 127.0.0.1:9 cannot be reached", new String[] {"--image", "127.0.0.1:9/cdeploy-test/app:1@sha256:" + "0".repeat(64)});
        for (var c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("--dry-run", "--image", good));
            args.addAll(List.of(c.getValue()));
            ReleaseFixture.Run r = run(args.toArray(String[]::new));
            assertTrue(List.of(Cli.AWS, Cli.INPUT, Cli.ENVIRONMENT).contains(r.exit()), c.getKey() + ": " + r);
            List<String> lines = r.err().lines().filter(l -> l.startsWith("release: ")).toList();
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.get(0).contains(c.getKey()), lines.get(0));
        }
        ReleaseFixture.STS.refuse = true;
        try {
            ReleaseFixture.Run r = run("--dry-run", "--image", good);
            assertEquals(Cli.AWS, r.exit(), r.toString());
            assertTrue(r.err().contains("sts:GetCallerIdentity on these credentials: the credentials were refused (InvalidClientTokenId)"), r.err());
        } finally {
            ReleaseFixture.STS.refuse = false;
            registry.close();
        }
        assertTrue(s3.requests.stream().allMatch(q -> q.method().equals("HEAD") || q.method().equals("GET")), "S3: reads only");
        assertTrue(cd.calls.stream().allMatch(c -> c.operation().startsWith("Get") || c.operation().startsWith("List")), "CodeDeploy: reads only");
    }

    @Test
    void everyInputProblemIsToldAtOnceBeforeAnyRequest(@TempDir Path tmp) {
        ReleaseFixture.Run r = run("--commit", "not-a-commit", "--image", "", "--repository", "127.0.0.1:5000/cdeploy-test/app",
                "--dockerfile", tmp.resolve("Nope").toString(), "--service", "nope");
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("release: 3 problems with the input (nothing was sent anywhere):\n  - commit 'not-a-commit' is not a git commit id"), r.err());
        assertTrue(r.err().contains("\n  - ") && r.err().contains("has no service 'nope'") && r.err().contains("no Dockerfile at "), r.err());
        assertEquals(List.of(), s3.requests);
        assertEquals(List.of(), cd.calls);
    }

    @Test
    void whatTheInstanceOrTheBuildWouldRefuseFailsBeforeAnyRequestEvenInADryRun(@TempDir Path tmp) throws Exception {
        Path badYaml = Files.writeString(tmp.resolve("compose.yml"), "services: [\n");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("--service=nope", "has no service 'nope'");
        cases.put("--health-timeout=200", "the ValidateService timeout (330 s) cannot hold the health wait (200 s)");
        cases.put("--compose=" + badYaml, "is not valid YAML");
        cases.put("--repository=127.0.0.1:5000/cdeploy-test/app", "no Dockerfile at ");
        cases.put("--repository=BAD REPO", "--repository 'BAD REPO' is not a valid image repository name; use lowercase");
        for (var c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of(c.getKey()));
            if (c.getKey().startsWith("--repository")) {
                args.addAll(List.of("--image", "", "--dockerfile", tmp.resolve("Nope").toString()));
            }
            for (String mode : List.of("--dry-run", "--no-wait")) {
                List<String> all = new ArrayList<>(args);
                all.add(mode);
                ReleaseFixture.Run r = run(all.toArray(String[]::new));
                assertEquals(Cli.INPUT, r.exit(), c.getKey() + " " + mode + ": " + r);
                assertTrue(r.err().contains(c.getValue()), c.getKey() + ": " + r.err());
            }
        }
        assertEquals(List.of(), s3.requests, "no S3 request");
        assertEquals(List.of(), cd.calls, "no CodeDeploy request");
    }

    @Test
    void unreachableServiceIsAnEnvironmentErrorAfterRetries() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ReleaseFixture.Run r = run("--codedeploy-endpoint-url", "http://127.0.0.1:" + port, "--max-attempts", "2");
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        assertTrue(r.err().contains("codedeploy:GetDeploymentGroup") && r.err().contains("cannot be reached after 2 attempts"), r.err());
        assertTrue(r.err().contains("[endpoint http://127.0.0.1:" + port + "]"), "the endpoint is named:\n" + r.err());
        assertTrue(!r.err().contains("See cause"), r.err());
    }

    @Test
    void aFailureAfterCreateDeploymentNamesTheDeployment() {
        cd.denied.add("GetDeployment");
        ReleaseFixture.Run r = run();
        assertEquals(Cli.AWS, r.exit(), r.toString());
        String id = cd.deployments.keySet().iterator().next();
        assertTrue(r.err().contains("release: deployment " + id + ": access denied: codedeploy:GetDeployment"), r.err());
    }

    @Test
    void dockersOutputIsShownWhenItFailsItsLastLinesOnlyOrAllOfItWithVerbose(@TempDir Path tmp) throws Exception {
        Path fake = tmp.resolve("docker");
        Files.writeString(fake, "#!/bin/sh\ncase \"$1\" in\n  version) echo 24.0.0 ;;\n"
                + "  build) i=1; while [ $i -le 100 ]; do echo \"step $i\"; i=$((i+1)); done; echo 'error: boom'; echo 'error: boom' >&2; exit 1 ;;\n"
                + "  *) exit 0 ;;\nesac\n");
        fake.toFile().setExecutable(true);
        Files.writeString(tmp.resolve("Dockerfile"), "FROM scratch\n");
        for (boolean verbose : new boolean[] {false, true}) {
            List<String> args = new java.util.ArrayList<>(ReleaseFixture.args(s3, cd, "--image", "", "--repository", "127.0.0.1:5000/cdeploy-test/app",
                    "--dockerfile", tmp.resolve("Dockerfile").toString(), "--context", tmp.toString()));
            if (verbose) {
                args.add("--verbose");
            }
            ReleaseFixture.Run r = ReleaseFixture.run(ReleaseFixture.env(), args, c -> c.docker = new Docker(Proc.SYSTEM, Map.of("CDEPLOY_DOCKER", fake.toString())));
            assertEquals(Cli.INPUT, r.exit(), r.toString());
            assertTrue(r.err().contains("  | step 100\n") && r.err().contains("  | error: boom\n"), "the end of the build's output:\n" + r.err());
            // (stdout and stderr are read by two threads: the test's failure line is on both, so their order cannot matter)
            assertEquals(verbose, r.err().contains("  | step 1\n"), "all of it only with --verbose:\n" + r.err());
            assertEquals(verbose ? 102 : ImagePush.Output.TAIL, r.err().lines().filter(l -> l.startsWith("  | ")).count(), r.err());
            assertTrue(r.err().contains("release: docker build failed: error: boom"), r.err());
        }
    }

    @Test
    void dockerDownImageMissingAndNoDockerfileFailBeforeUploading(@TempDir Path tmp) throws Exception {
        Path fake = tmp.resolve("docker");
        Files.writeString(fake, "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);
        Map<String, String> env = ReleaseFixture.env();
        ReleaseFixture.Run r = ReleaseFixture.run(env, ReleaseFixture.args(s3, cd, "--image", "127.0.0.1:5000/cdeploy-test/app:1.4.2"),
                c -> c.docker = new Docker(Proc.SYSTEM, Map.of("CDEPLOY_DOCKER", fake.toString())));
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        assertTrue(r.err().contains("the Docker daemon is not answering (Cannot connect to the Docker daemon"), r.err());

        r = run("--image", "127.0.0.1:5000/cdeploy-test/no-such-image:1.0");
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("image 127.0.0.1:5000/cdeploy-test/no-such-image:1.0 is not in the registry")
                || r.err().contains("image 127.0.0.1:5000/cdeploy-test/no-such-image:1.0 does not exist"), r.err());

        r = run("--image", "", "--repository", "127.0.0.1:5000/cdeploy-test/app", "--dockerfile", tmp.resolve("Nope").toString());
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("no Dockerfile at " + tmp.resolve("Nope")), r.err());

        r = run("--image", "127.0.0.1:5000/cdeploy-test/app:latest");
        assertEquals(Cli.INPUT, r.exit(), r.toString());
        assertTrue(r.err().contains("uses the moving tag 'latest'"), r.err());

        assertEquals(List.of(), s3.requests("PUT"), "nothing uploaded");
        assertEquals(List.of(), cd.calls("CreateDeployment"), "no deployment");
    }

    private static void fresh_s3() {
        try {
            s3.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        s3 = ReleaseFixture.s3();
    }
}
