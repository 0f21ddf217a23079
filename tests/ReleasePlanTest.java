import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** release's plan: options and environment resolved up front (blank = unset, option > variables), checked, no request. */
@Tag("fast")
class ReleasePlanTest {
    static final Versioning V = new Versioning("1.4.2", ReleaseFixture.COMMIT, Instant.EPOCH, "--release-version");

    /** The command as picocli fills it from {@code args} and {@code env}; nothing runs. */
    static release parsed(Map<String, String> env, String... args) {
        release cmd = new release();
        cmd.env = env;
        cmd.cwd = ReleaseFixture.REPO;
        Cli.commandLine(cmd).parseArgs(args);
        return cmd;
    }

    static Map<String, String> env(String... kv) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    @Test
    void theEnvironmentFillsWhatTheCommandLineLeavesOpenFirstNonBlankVariableWins() {
        Map<String, String> env = env("CODEDEPLOY_BUCKET", "", "AWS_S3_BUCKET_NAME", "bundles",
                "CODEDEPLOY_APPLICATION", "  ", "AWS_CODE_DEPLOY_NAME", "art",
                "CODEDEPLOY_DEPLOYMENT_GROUP", "art-prod", "AWS_CODE_DEPLOY_GROUP", "ignored",
                "RELEASE_IMAGE", ReleaseFixture.IMAGE, "CODEDEPLOY_KEY_PREFIX", "/deep/er//", "AWS_MAX_ATTEMPTS", "7",
                "CDEPLOY_SOURCE", "hooks/..", "GITHUB_SHA", ReleaseFixture.COMMIT);
        release cmd = parsed(env, "--dry-run");
        Plan plan = cmd.plan();
        assertEquals("bundles", plan.storage().bucket(), "a blank CODEDEPLOY_BUCKET is unset: the next variable counts");
        assertEquals("art", plan.deployment().application());
        assertEquals("art-prod", plan.deployment().group(), "the first variable set wins");
        assertEquals(new Plan.Use(ReleaseFixture.IMAGE), plan.image());
        assertEquals("deep/er/", plan.storage().keyPrefix());
        assertEquals(ReleaseFixture.REPO, plan.source().dir(), "CDEPLOY_SOURCE resolved against the working folder");
        assertEquals(7, cmd.aws.maxAttempts);
        assertEquals(ReleaseFixture.COMMIT, cmd.commit);
    }

    @Test
    void anOptionWinsOverItsVariablesAndDefaultsApplyWhenNeitherIsSet() {
        Map<String, String> env = env("CODEDEPLOY_BUCKET", "from-env", "IMAGE_NAME", "registry.example.com/team/app",
                "CODEDEPLOY_APPLICATION", "a", "CODEDEPLOY_DEPLOYMENT_GROUP", "g");
        release cmd = parsed(env, "--dry-run", "--bucket", "from-option", "--key-prefix", "/", "--dockerfile", "x/Dockerfile");
        Plan plan = cmd.plan();
        assertEquals("from-option", plan.storage().bucket());
        assertEquals("", plan.storage().keyPrefix(), "'/' is the bucket's root");
        Plan.Build build = assertInstanceOf(Plan.Build.class, plan.image());
        assertEquals("registry.example.com/team/app", build.repository());
        assertEquals(ReleaseFixture.REPO.resolve("x/Dockerfile"), build.dockerfile());
        assertEquals(5, cmd.aws.maxAttempts, "AWS_MAX_ATTEMPTS unset: 5");
        assertEquals("codedeploy/", parsed(env, "--dry-run").plan().storage().keyPrefix());
        assertEquals("AES256", plan.storage().sse());
        assertTrue(plan.deployment().autoRollback());
        assertEquals(Duration.ofSeconds(600), plan.deployment().waitForActive());
        assertEquals(Duration.ofMillis(10_000), plan.deployment().poll());
    }

    @Test
    void blankVariablesAndOptionsAreUnsetAndEveryMissingInputIsNamedAtOnce() {
        Map<String, String> env = env("CODEDEPLOY_BUCKET", "", "AWS_S3_BUCKET_NAME", " ", "CODEDEPLOY_APPLICATION", "",
                "CODEDEPLOY_DEPLOYMENT_GROUP", "", "IMAGE_NAME", "", "RELEASE_IMAGE", "");
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> parsed(env, "--dry-run", "--image", "").plan());
        assertEquals(Cli.INPUT, f.exitCode);
        assertEquals("missing --bucket (CODEDEPLOY_BUCKET), --application (CODEDEPLOY_APPLICATION), --deployment-group "
                + "(CODEDEPLOY_DEPLOYMENT_GROUP), --repository (IMAGE_NAME) or --image (RELEASE_IMAGE); pass them as options or set "
                + "the variables (or try --local); see --help", f.getMessage());
    }

    @Test
    void oneImageSourceAndKnownChoices() {
        Map<String, String> env = env("CODEDEPLOY_BUCKET", "b", "CODEDEPLOY_APPLICATION", "a", "CODEDEPLOY_DEPLOYMENT_GROUP", "g",
                "IMAGE_NAME", "registry.example.com/team/app");
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> parsed(env, "--dry-run", "--image", ReleaseFixture.IMAGE).plan());
        assertTrue(f.getMessage().contains("give one"), f.getMessage());
        assertInstanceOf(Plan.Build.class, parsed(env, "--dry-run", "--image", "").plan().image(), "--image '' is unset");
        f = assertThrows(Cli.Fail.class, () -> parsed(env, "--dry-run", "--sse", "aes").plan());
        assertEquals("--sse 'aes' is not AES256, aws:kms or none", f.getMessage());
        f = assertThrows(Cli.Fail.class, () -> parsed(env, "--dry-run", "--file-exists-behavior", "KEEP").plan());
        assertEquals("--file-exists-behavior 'KEEP' is not DISALLOW, OVERWRITE or RETAIN", f.getMessage());
        f = assertThrows(Cli.Fail.class, () -> parsed(env, "--dry-run", "--project", "Bad Name").plan());
        assertTrue(f.getMessage().startsWith("release options: project 'Bad Name'"), f.getMessage());
    }

    @Test
    void aDryRunConfiguresAwsToReadAndAnOfflineOneDoesNot() {
        Map<String, String> env = env("CODEDEPLOY_BUCKET", "b", "CODEDEPLOY_APPLICATION", "a", "CODEDEPLOY_DEPLOYMENT_GROUP", "g",
                "RELEASE_IMAGE", ReleaseFixture.IMAGE, "AWS_REGION", "eu-west-1", "AWS_MAX_ATTEMPTS", "3");
        assertEquals("eu-west-1", parsed(env, "--dry-run").plan().aws().region(), "a dry run reads");
        Plan dry = parsed(env, "--offline").plan();
        assertNull(dry.aws(), "--offline: no AWS at all");
        assertTrue(dry.dryRun() && !dry.waits());
        Plan real = parsed(env, "--endpoint-url", "http://127.0.0.1:9").plan();
        assertEquals("eu-west-1", real.aws().region());
        assertEquals(3, real.aws().maxAttempts());
        assertTrue(real.waits());
        assertTrue(!parsed(env, "--no-wait").plan().waits());

        Target target = Target.of(dry, null, null, Map.of());
        assertInstanceOf(Target.DryRun.class, target);
        assertEquals("; --offline: credentials, bucket, group and registry not checked", target.check(null));
        assertEquals("would use " + ReleaseFixture.IMAGE, target.image(V).detail());
        Kit.Zip zip = new Kit.Zip(new byte[0], "ab".repeat(32), dry.key(V, "ab".repeat(32)), List.of());
        assertEquals("codedeploy/a/1.4.2-abababababababab.zip", zip.key());
        assertEquals("would put s3://b/codedeploy/a/1.4.2-abababababababab.zip (SSE AES256, SHA-256 checksum) and register it with a",
                target.upload(zip, V, "d").detail());
        assertEquals("would create a deployment of a/g, auto-rollback on", target.deploy(null, "d").detail());
    }

    @Test
    void theDemoMovesToAnotherPortWithItsHealthUrlAndOnlyTheDemoTakesOne() throws Exception {
        Plan p = parsed(env(), "--local", "--demo-port", "18080").plan(); // this checkout has no Dockerfile: the demo
        assertTrue(java.nio.file.Files.readString(p.source().compose()).contains("\"127.0.0.1:18080:80\""), p.source().compose().toString());
        assertEquals("http://127.0.0.1:18080/actuator/health", p.source().settings().healthUrl());
        assertEquals("http://127.0.0.1:8080/actuator/health", parsed(env(), "--local").plan().source().settings().healthUrl());
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> parsed(env(), "--local", "--demo-port", "0").plan());
        assertEquals("--demo-port 0 is not a port; give one from 1 to 65535", f.getMessage());
        f = assertThrows(Cli.Fail.class, () -> parsed(env(), "--local", "--demo-port", "18080", "--image", ReleaseFixture.IMAGE).plan());
        assertTrue(f.getMessage().contains("--demo-port is for the demo service; use it with --local"), f.getMessage());
    }

    @Test
    void theDescriptionDefaultsToTheVersionAndImage() {
        Map<String, String> env = env("CODEDEPLOY_BUCKET", "b", "CODEDEPLOY_APPLICATION", "a", "CODEDEPLOY_DEPLOYMENT_GROUP", "g",
                "RELEASE_IMAGE", ReleaseFixture.IMAGE);
        ImageRef image = ImageRef.parse(ReleaseFixture.IMAGE, "test");
        assertEquals("release 1.4.2 " + ReleaseFixture.IMAGE, parsed(env, "--dry-run").plan().description(V, image));
        assertEquals("hotfix", parsed(env, "--dry-run", "--description", "hotfix").plan().description(V, image));
    }

    @Test
    void theVersionSaysWhetherTheOptionOrTheVariableChoseIt() {
        Map<String, String> env = ReleaseFixture.env();
        env.put("RELEASE_VERSION", "2.0.0");
        List<String> args = List.of("--offline", "--bucket", "b", "--application", "a", "--deployment-group", "g", "--image",
                ReleaseFixture.IMAGE, "--commit", ReleaseFixture.COMMIT, "--source", ReleaseFixture.REPO.toString());
        ReleaseFixture.Run r = ReleaseFixture.run(env, args);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("version: 2.0.0 (RELEASE_VERSION), commit " + ReleaseFixture.COMMIT), r.err());

        List<String> given = new java.util.ArrayList<>(args);
        given.addAll(List.of("--release-version", "3.0.0"));
        r = ReleaseFixture.run(env, given);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("version: 3.0.0 (--release-version)"), r.err());
        assertTrue(r.out().startsWith("Planned 3.0.0 " + ReleaseFixture.IMAGE), r.out());
    }

    @Test
    void theKitComesFromTheSourceElseTheWorkingFolder(@TempDir Path empty) {
        Log log = new Log(new java.io.PrintWriter(java.io.Writer.nullWriter()));
        assertEquals(ReleaseFixture.REPO, Kit.find(ReleaseFixture.REPO, empty, log));
        assertEquals(ReleaseFixture.REPO, Kit.find(null, ReleaseFixture.REPO, log));
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> Kit.find(empty, ReleaseFixture.REPO, log));
        assertEquals("no appspec.yml in " + empty + "; point --source at the folder with appspec.yml and hooks/", f.getMessage());
        // compiled classes, not a jar: no shipped kit to fall back to
        f = assertThrows(Cli.Fail.class, () -> Kit.find(null, empty, log));
        assertTrue(f.getMessage().startsWith("no appspec.yml in " + empty + " and no kit inside this command's jar"), f.getMessage());
    }
}
