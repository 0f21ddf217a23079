import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * setup --cloudformation's template through a CloudFormation linter from npm (tests/cfn-lint: cfn-lint's checks of
 * properties, types, required properties, Ref and GetAtt, against the resource specification of @aws-cdk/cfnspec),
 * for several option sets; a broken copy proves the linter looks. Needs node and npm; the packages come from
 * tests/cfn-lint/package-lock.json ({@code npm ci --prefix tests/cfn-lint}, run here when they are missing).
 */
class CfnLintTest {
    static final Path DIR = Path.of("tests/cfn-lint").toAbsolutePath();

    @BeforeAll
    static void install() throws Exception {
        if (Files.isDirectory(DIR.resolve("node_modules/cfn-lint")) && Files.isDirectory(DIR.resolve("node_modules/@aws-cdk/cfnspec"))) {
            return;
        }
        Result r = run("npm", "ci", "--no-audit", "--no-fund", "--prefix", DIR.toString());
        assertEquals(0, r.exit(), "npm ci --prefix tests/cfn-lint (node and npm needed):\n" + r);
    }

    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    static Result run(String... command) throws Exception {
        Path out = Files.createTempFile("cfn-lint", ".out");
        Path err = Files.createTempFile("cfn-lint", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 5 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result lint(Path file) throws Exception {
        return run("node", DIR.resolve("lint.js").toString(), file.toString());
    }

    @Test
    void everyVariantOfTheTemplateLintsClean(@TempDir Path tmp) throws Exception {
        List<String[]> variants = List.of(new String[] {},
                new String[] {"--target-group", "art-tg", "--deployment-config", "CodeDeployDefault.HalfAtATime"},
                new String[] {"--bucket", "", "--key-prefix", "/", "--no-auto-rollback", "--kms-key", PoliciesTest.KMS, "--image-name", PoliciesTest.ECR},
                new String[] {"--ecr-repository", "team/art", "--kms-key", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "--ec2-tag", "env=prod"});
        int i = 0;
        for (String[] v : variants) {
            Path file = tmp.resolve("template-" + i++ + ".json");
            Files.writeString(file, PoliciesTest.template(v).toPrettyString());
            Result r = lint(file);
            assertEquals(0, r.exit(), String.join(" ", v) + ":\n" + r);
            JsonNode result = ReleaseFixture.JSON.readTree(r.stdout());
            assertTrue(result.path("templateValid").asBoolean(), result.toPrettyString());
            assertEquals(0, result.path("errors").path("crit").size() + result.path("errors").path("warn").size(), result.toPrettyString());
            assertEquals("mock-ref-BundleBucket", result.path("outputs").path("BundleBucketName").asText(), "the linter resolved the outputs");
        }
    }

    @Test
    void theLinterFindsWhatIsWrong(@TempDir Path tmp) throws Exception {
        ObjectNode t = (ObjectNode) PoliciesTest.template();
        ObjectNode r = (ObjectNode) t.path("Resources");
        ((ObjectNode) r.path("BundleBucket").path("Properties")).put("BucketEncryptionTypo", true);
        ((ObjectNode) r.path("DeploymentGroup").path("Properties").path("AutoRollbackConfiguration")).put("Enabled", "maybe");
        ((ObjectNode) r.path("InstanceProfile").path("Properties")).remove("Roles");
        Path file = Files.writeString(tmp.resolve("broken.json"), t.toPrettyString());
        Result res = lint(file);
        assertEquals(1, res.exit(), res.toString());
        List<String> messages = new ArrayList<>();
        ReleaseFixture.JSON.readTree(res.stdout()).path("errors").path("crit").forEach(e -> messages.add(e.path("message").asText()));
        String all = String.join("\n", messages);
        assertTrue(all.contains("BucketEncryptionTypo is not a valid property of AWS::S3::Bucket"), all);
        assertTrue(all.contains("Expecting a Boolean, got 'maybe'"), all);
        assertTrue(all.contains("Required property Roles missing for type AWS::IAM::InstanceProfile"), all);
        assertFalse(all.isEmpty());
    }
}
