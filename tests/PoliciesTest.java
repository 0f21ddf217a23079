import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The IAM setup prints and the template it writes, parsed and checked: no wildcard action anywhere (so no `*` on `*`),
 * `*` resources only for actions that have no resource type, the CI role's OIDC subject the one the shipped deploy
 * workflow's token carries, the CI role's actions exactly what release calls (its calls recorded by the test endpoints
 * in real in-process releases, each checked against the statement that allows it), the template's structure and its
 * policies the printed ones, and README's IAM section the generated one.
 */
@Tag("fast")
class PoliciesTest {
    static final String ACCOUNT = StsEndpoint.ACCOUNT;
    static final String REPO = "octo-org/art";
    static final String KMS = "arn:aws:kms:eu-west-1:" + ACCOUNT + ":key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    static final String ECR = ACCOUNT + ".dkr.ecr.eu-west-1.amazonaws.com/team/art";
    /** Actions that have no resource type: a `*` resource is the only one IAM accepts for them. */
    static final Set<String> NO_RESOURCE_TYPE = Set.of("codedeploy-commands-secure:GetDeploymentSpecification",
            "codedeploy-commands-secure:PollHostCommand", "codedeploy-commands-secure:PutHostCommandAcknowledgement",
            "codedeploy-commands-secure:PutHostCommandComplete", "ecr:GetAuthorizationToken",
            "codedeploy:ListDeploymentTargets", "codedeploy:BatchGetDeploymentTargets");
    /**
     * In the CI policy although release never sends them, so no endpoint records them: CreateDeployment's own
     * authorization checks the caller for codedeploy:GetApplicationRevision on the application and
     * codedeploy:GetDeploymentConfig on the configuration the deployment uses. The CodeDeploy user guide's sample CI
     * policy grants both for that reason; without them CreateDeployment is refused naming one of them.
     */
    static final Set<String> NEEDED_BY_CREATE_DEPLOYMENT = Set.of("codedeploy:GetApplicationRevision", "codedeploy:GetDeploymentConfig");

    static ReleaseFixture.Run setup(String... args) {
        List<String> all = new ArrayList<>(List.of("--application", ReleaseFixture.APP, "--deployment-group", ReleaseFixture.GROUP,
                "--bucket", ReleaseFixture.BUCKET, "--github-repo", REPO));
        all.addAll(List.of(args));
        return SetupTest.runRaw(ReleaseFixture.env(), all);
    }

    static JsonNode json(String... args) throws Exception {
        ReleaseFixture.Run r = setup(args);
        assertEquals(0, r.exit(), r.toString());
        return r.json();
    }

    static JsonNode policies(String... more) throws Exception {
        List<String> a = new ArrayList<>(List.of("--policies", "--account-id", ACCOUNT));
        a.addAll(List.of(more));
        return json(a.toArray(String[]::new));
    }

    static JsonNode template(String... more) throws Exception {
        List<String> a = new ArrayList<>(List.of("--cloudformation", "--ec2-tag", "Name=art-prod"));
        a.addAll(List.of(more));
        return json(a.toArray(String[]::new));
    }

    /** The environment the shipped deploy workflow's release job runs in, read from the YAML. */
    static String deployEnvironment() throws Exception {
        Map<String, Object> jobs = WorkflowTest.cast(WorkflowTest.deploy().doc().get("jobs"));
        for (Object j : jobs.values()) {
            Map<String, Object> job = WorkflowTest.cast(j);
            if (String.valueOf(job.get("steps")).contains("jbang release")) {
                Object env = job.get("environment");
                return env instanceof Map<?, ?> m ? String.valueOf(m.get("name")) : String.valueOf(env);
            }
        }
        throw new AssertionError("no job runs jbang release");
    }

    /** Every statement of every policy document under {@code root} (a document has Version and Statement). */
    static List<JsonNode> statements(JsonNode root) {
        List<JsonNode> all = new ArrayList<>();
        if (root.has("Statement") && root.has("Version")) {
            root.get("Statement").forEach(all::add);
        }
        root.elements().forEachRemaining(child -> all.addAll(statements(child)));
        return all;
    }

    static List<String> list(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(x -> out.add(x.isTextual() ? x.asText() : x.toString()));
        } else if (!n.isMissingNode()) {
            out.add(n.isTextual() ? n.asText() : n.toString());
        }
        return out;
    }

    @Test
    void noWildcardActionAndStarResourcesOnlyWhereIamHasNoOther() throws Exception {
        List<JsonNode> docs = List.of(policies(), policies("--kms-key", KMS, "--image-name", ECR), template(),
                template("--kms-key", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "--ecr-repository", "team/art", "--target-group", "art-tg"));
        int checked = 0;
        for (JsonNode doc : docs) {
            for (JsonNode s : statements(doc)) {
                assertEquals("Allow", s.path("Effect").asText(), s.toString());
                assertFalse(s.has("NotAction") || s.has("NotResource") || s.has("NotPrincipal"), s.toString());
                List<String> actions = list(s.path("Action"));
                assertFalse(actions.isEmpty(), s.toString());
                for (String a : actions) {
                    assertFalse(a.contains("*") || a.contains("?"), "no wildcard action (neither * nor service:*): " + a);
                    assertTrue(a.matches("[a-z0-9-]+:[A-Za-z]+"), a);
                }
                if (list(s.path("Resource")).contains("*")) {
                    assertTrue(NO_RESOURCE_TYPE.containsAll(actions), "a * resource for actions that have a resource type: " + s);
                }
                checked++;
            }
        }
        assertTrue(checked >= 30, "found the statements: " + checked);
    }

    @Test
    void theCiRoleTrustsOnlyThisRepositorysDeployJobInItsEnvironment() throws Exception {
        String environment = deployEnvironment();
        assertEquals("production", environment, "the shipped workflow");
        for (JsonNode trust : List.of(policies().path("ciRole").path("trust"),
                template().path("Resources").path("CiRole").path("Properties").path("AssumeRolePolicyDocument"))) {
            assertEquals(1, trust.path("Statement").size(), trust.toString());
            JsonNode s = trust.path("Statement").get(0);
            assertEquals("sts:AssumeRoleWithWebIdentity", s.path("Action").asText());
            JsonNode eq = s.path("Condition").path("StringEquals");
            assertEquals(Set.of("StringEquals"), Set.copyOf(iterate(s.path("Condition").fieldNames())), "exact match, no StringLike");
            assertEquals("repo:" + REPO + ":environment:" + environment, eq.path("token.actions.githubusercontent.com:sub").asText());
            assertEquals("sts.amazonaws.com", eq.path("token.actions.githubusercontent.com:aud").asText());
        }
        JsonNode p = policies("--github-environment", "staging").path("ciRole").path("trust");
        assertTrue(p.toString().contains("\"repo:" + REPO + ":environment:staging\""), p.toString());
        assertEquals("arn:aws:iam::" + ACCOUNT + ":oidc-provider/token.actions.githubusercontent.com",
                policies().path("ciRole").path("trust").path("Statement").get(0).path("Principal").path("Federated").asText());
    }

    @Test
    void theDocumentsNameTheAccountRegionBucketPrefixApplicationAndGroup() throws Exception {
        int before = ReleaseFixture.STS.calls.size();
        JsonNode p = policies("--key-prefix", "/releases//");
        assertEquals(before, ReleaseFixture.STS.calls.size(), "--account-id: STS not asked");
        assertEquals(Set.of("ciRole", "instanceRole", "serviceRole"), Set.copyOf(iterate(p.fieldNames())));
        Map<String, List<String>> ci = byAction(p.path("ciRole").path("policy"));
        assertEquals(List.of("arn:aws:s3:::bundles"), ci.get("s3:ListBucket"));
        assertEquals(List.of("arn:aws:s3:::bundles/releases/art/*"), ci.get("s3:PutObject"));
        assertEquals(List.of("arn:aws:codedeploy:eu-west-1:" + ACCOUNT + ":application:art"), ci.get("codedeploy:RegisterApplicationRevision"));
        assertEquals(List.of("arn:aws:codedeploy:eu-west-1:" + ACCOUNT + ":deploymentgroup:art/art-prod"), ci.get("codedeploy:CreateDeployment"));
        assertEquals(List.of("arn:aws:codedeploy:eu-west-1:" + ACCOUNT + ":deploymentconfig:*"), ci.get("codedeploy:GetDeploymentConfig"));
        assertEquals(List.of("*"), ci.get("codedeploy:ListDeploymentTargets"), "no resource type in IAM's reference: only * grants it");
        Map<String, List<String>> instance = byAction(p.path("instanceRole").path("policy"));
        assertEquals(Set.of("s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "codedeploy-commands-secure:GetDeploymentSpecification",
                "codedeploy-commands-secure:PollHostCommand", "codedeploy-commands-secure:PutHostCommandAcknowledgement",
                "codedeploy-commands-secure:PutHostCommandComplete"), instance.keySet(), "no ECR, no KMS unless asked");
        assertEquals(List.of("arn:aws:s3:::bundles/releases/art/*"), instance.get("s3:GetObject"));
        assertEquals("ec2.amazonaws.com", p.path("instanceRole").path("trust").path("Statement").get(0).path("Principal").path("Service").asText());
        assertEquals("codedeploy.amazonaws.com", p.path("serviceRole").path("trust").path("Statement").get(0).path("Principal").path("Service").asText());
        assertEquals("[\"arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole\"]", p.path("serviceRole").path("managedPolicyArns").toString());
        assertEquals(List.of("arn:aws:s3:::bundles/codedeploy/art/*"), byAction(policies().path("ciRole").path("policy")).get("s3:PutObject"),
                "release's default prefix");

        // without --account-id, the credentials' account from STS
        ReleaseFixture.Run r = setup("--policies");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("GetCallerIdentity", ReleaseFixture.STS.calls.get(ReleaseFixture.STS.calls.size() - 1));
        assertTrue(r.out().contains(":" + ACCOUNT + ":deploymentgroup:art/art-prod"), r.out());
        assertTrue(r.err().contains("account from STS: " + StsEndpoint.ARN), r.err());
    }

    @Test
    void kmsAndEcrAddTheirStatementsOnlyWhenAsked() throws Exception {
        JsonNode p = policies("--kms-key", KMS, "--image-name", ECR);
        Map<String, List<String>> ci = byAction(p.path("ciRole").path("policy"));
        Map<String, List<String>> instance = byAction(p.path("instanceRole").path("policy"));
        String repo = "arn:aws:ecr:eu-west-1:" + ACCOUNT + ":repository/team/art";
        assertEquals(List.of(KMS), ci.get("kms:GenerateDataKey"));
        assertEquals(List.of(KMS), instance.get("kms:Decrypt"));
        assertEquals(List.of("*"), instance.get("ecr:GetAuthorizationToken"));
        for (String a : List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability")) {
            assertEquals(List.of(repo), instance.get(a), a);
        }
        assertEquals(List.of(repo), ci.get("ecr:PutImage"));
        assertFalse(instance.containsKey("ecr:PutImage"), "instances only pull");
        Map<String, List<String>> plain = byAction(policies("--image-name", "registry.example.com/team/art").path("instanceRole").path("policy"));
        assertFalse(plain.keySet().stream().anyMatch(a -> a.startsWith("ecr:") || a.startsWith("kms:")), plain.toString());

        ReleaseFixture.Run alias = setup("--policies", "--account-id", ACCOUNT, "--kms-key", "alias/bundles");
        assertEquals(Cli.INPUT, alias.exit(), alias.toString());
        assertTrue(alias.err().contains("--kms-key alias/bundles is an alias, which an IAM policy cannot scope"), alias.err());
    }

    /** Each action of a policy document with its resources (one statement per action, as setup writes them). */
    static Map<String, List<String>> byAction(JsonNode policy) {
        Map<String, List<String>> m = new HashMap<>();
        for (JsonNode s : policy.path("Statement")) {
            for (String a : list(s.path("Action"))) {
                m.merge(a, list(s.path("Resource")), (x, y) -> {
                    List<String> both = new ArrayList<>(x);
                    both.addAll(y);
                    return both;
                });
            }
        }
        return m;
    }

    static <T> List<T> iterate(java.util.Iterator<T> it) {
        List<T> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void theCiRoleMayDoExactlyWhatReleaseCalls() throws Exception {
        List<ReleaseCalls.Access> calls = ReleaseCalls.record(KMS);
        JsonNode policy = policies("--kms-key", KMS).path("ciRole").path("policy");
        for (ReleaseCalls.Access a : calls) {
            assertTrue(allows(policy, a.action(), a.resource()), "release called " + a + ", which the CI policy does not allow:\n" + policy);
        }
        Set<String> called = calls.stream().map(ReleaseCalls.Access::action).collect(Collectors.toCollection(TreeSet::new));
        Set<String> granted = new TreeSet<>(byAction(policy).keySet());
        Set<String> expected = new TreeSet<>(called);
        expected.addAll(NEEDED_BY_CREATE_DEPLOYMENT);
        assertEquals(expected, granted, "the CI policy grants what release calls, plus what CreateDeployment checks on the caller");
        assertTrue(called.containsAll(Set.of("s3:ListBucket", "s3:PutObject", "kms:GenerateDataKey", "codedeploy:GetDeploymentGroup",
                "codedeploy:RegisterApplicationRevision", "codedeploy:CreateDeployment", "codedeploy:GetDeployment",
                "codedeploy:ListDeployments", "codedeploy:ListDeploymentTargets", "codedeploy:BatchGetDeploymentTargets")),
                "the releases exercised every path: " + called);
        assertFalse(called.stream().anyMatch(NEEDED_BY_CREATE_DEPLOYMENT::contains), "the exceptions are not called; else drop them from the list");
    }

    /** Whether an Allow statement names {@code action} with a Resource pattern matching {@code resource}. */
    static boolean allows(JsonNode policy, String action, String resource) {
        for (JsonNode s : policy.path("Statement")) {
            if (list(s.path("Action")).contains(action) && list(s.path("Resource")).stream().anyMatch(p -> glob(p, resource))) {
                return true;
            }
        }
        return false;
    }

    static boolean glob(String pattern, String value) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return value.matches(re.toString());
    }

    @Test
    void theTemplateHoldsTogether() throws Exception {
        for (JsonNode t : List.of(template(), template("--bucket", "", "--no-auto-rollback", "--target-group", "art-tg", "--kms-key", KMS,
                "--ecr-repository", "team/art", "--key-prefix", "/"))) {
            assertEquals(List.of(), CfnCheck.problems(t), t.toPrettyString());
        }
        JsonNode t = template("--target-group", "art-tg", "--deployment-config", "CodeDeployDefault.HalfAtATime");
        JsonNode bucket = t.path("Resources").path("BundleBucket").path("Properties");
        assertEquals("AES256", bucket.path("BucketEncryption").path("ServerSideEncryptionConfiguration").get(0)
                .path("ServerSideEncryptionByDefault").path("SSEAlgorithm").asText());
        bucket.path("PublicAccessBlockConfiguration").forEach(b -> assertTrue(b.asBoolean()));
        assertEquals(4, bucket.path("PublicAccessBlockConfiguration").size());
        assertEquals("Retain", t.path("Resources").path("GitHubOidcProvider").path("DeletionPolicy").asText(), "the account's one provider outlives the stack");
        int session = t.path("Resources").path("CiRole").path("Properties").path("MaxSessionDuration").asInt();
        assertEquals(7200, session, "a release can outlast the default hour");
        assertTrue(Files.readString(ReleaseFixture.REPO.resolve(".github/workflows/deploy.yml")).contains("role-duration-seconds: " + session),
                "the workflow asks for the session the role allows");
        JsonNode rule = bucket.path("LifecycleConfiguration").path("Rules").get(0);
        assertEquals("{\"Ref\":\"BundleExpirationDays\"}", rule.path("ExpirationInDays").toString());
        assertEquals("codedeploy/", rule.path("Prefix").asText());
        assertEquals(90, t.path("Parameters").path("BundleExpirationDays").path("Default").asInt());
        assertEquals("bundles", t.path("Parameters").path("BundleBucketName").path("Default").asText());
        assertEquals("CreateGitHubOidcProvider", t.path("Resources").path("GitHubOidcProvider").path("Condition").asText());
        assertEquals("", t.path("Parameters").path("GitHubOidcProviderArn").path("Default").asText());
        JsonNode g = t.path("Resources").path("DeploymentGroup").path("Properties");
        assertEquals("{\"Fn::GetAtt\":[\"ServiceRole\",\"Arn\"]}", g.path("ServiceRoleArn").toString());
        assertEquals("[{\"Key\":\"Name\",\"Value\":\"art-prod\",\"Type\":\"KEY_AND_VALUE\"}]", g.path("Ec2TagFilters").toString());
        assertEquals("CodeDeployDefault.HalfAtATime", g.path("DeploymentConfigName").asText());
        assertEquals("{\"Enabled\":true,\"Events\":[\"DEPLOYMENT_FAILURE\"]}", g.path("AutoRollbackConfiguration").toString());
        assertEquals("{\"TargetGroupInfoList\":[{\"Name\":\"art-tg\"}]}", g.path("LoadBalancerInfo").toString());
        assertEquals("{\"DeploymentType\":\"IN_PLACE\",\"DeploymentOption\":\"WITH_TRAFFIC_CONTROL\"}", g.path("DeploymentStyle").toString());
        assertEquals("Server", t.path("Resources").path("Application").path("Properties").path("ComputePlatform").asText());
        assertEquals("{\"Ref\":\"InstanceRole\"}", t.path("Resources").path("InstanceProfile").path("Properties").path("Roles").get(0).toString());
        assertEquals(Set.of("CiRoleArn", "BundleBucketName", "InstanceProfileName", "ServiceRoleArn"), Set.copyOf(iterate(t.path("Outputs").fieldNames())));

        ReleaseFixture.Run noTags = setup("--cloudformation");
        assertEquals(Cli.INPUT, noTags.exit(), noTags.toString());
        assertTrue(noTags.err().contains("missing --ec2-tag KEY=VALUE"), noTags.err());
    }

    @Test
    void theStructuralCheckFindsWhatItLooksFor() throws Exception {
        ObjectNode t = (ObjectNode) template();
        ObjectNode r = (ObjectNode) t.path("Resources");
        ((ObjectNode) r.path("DeploymentGroup").path("Properties")).set("ServiceRoleArn", JsonNodeFactory.instance.objectNode()
                .set("Fn::GetAtt", JsonNodeFactory.instance.arrayNode().add("Nope").add("Arn")));
        ((ObjectNode) r.path("GitHubOidcProvider")).put("Condition", "Missing");
        ((ObjectNode) r.path("InstanceProfile")).put("Type", "IAM::InstanceProfile");
        ((ObjectNode) r.path("InstanceRole").path("Properties")).set("X", JsonNodeFactory.instance.objectNode().put("Ref", "Ghost"));
        ((ObjectNode) r.path("Application").path("Properties")).set("Y", JsonNodeFactory.instance.objectNode().put("Fn::Sub", "${Nobody}-${AWS::Region}"));
        List<String> p = CfnCheck.problems(t);
        assertEquals(5, p.size(), p.toString());
        String all = String.join("\n", p);
        for (String s : List.of("Fn::GetAtt of unknown resource Nope", "uses unknown condition Missing", "has Type 'IAM::InstanceProfile'",
                "Ref to unknown Ghost", "Fn::Sub names unknown ${Nobody}")) {
            assertTrue(all.contains(s), s + " in " + all);
        }
    }

    @Test
    void theTemplatesPoliciesAreThePrintedOnes() throws Exception {
        String[] opts = {"--kms-key", KMS, "--ecr-repository", "team/art"};
        JsonNode printed = policies(opts);
        List<String> t = new ArrayList<>(List.of(opts));
        JsonNode r = resolve(template(t.toArray(String[]::new)).path("Resources"));
        JsonNode ci = r.path("CiRole").path("Properties");
        assertEquals(printed.path("ciRole").path("trust"), ci.path("AssumeRolePolicyDocument"));
        assertEquals(printed.path("ciRole").path("policy"), ci.path("Policies").get(0).path("PolicyDocument"));
        JsonNode instance = r.path("InstanceRole").path("Properties");
        assertEquals(printed.path("instanceRole").path("trust"), instance.path("AssumeRolePolicyDocument"));
        assertEquals(printed.path("instanceRole").path("policy"), instance.path("Policies").get(0).path("PolicyDocument"));
        JsonNode service = r.path("ServiceRole").path("Properties");
        assertEquals(printed.path("serviceRole").path("trust"), service.path("AssumeRolePolicyDocument"));
        assertEquals(printed.path("serviceRole").path("managedPolicyArns"), service.path("ManagedPolicyArns"));
    }

    /** The template's values as CloudFormation would make them in eu-west-1 for the test account, the provider created. */
    static JsonNode resolve(JsonNode n) {
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            n.forEach(x -> a.add(resolve(x)));
            return a;
        }
        if (!n.isObject()) {
            return n;
        }
        if (n.has("Fn::Sub")) {
            return JsonNodeFactory.instance.textNode(n.get("Fn::Sub").asText().replace("${AWS::Partition}", "aws")
                    .replace("${AWS::Region}", ReleaseFixture.REGION).replace("${AWS::AccountId}", ACCOUNT).replace("${BundleBucket}", ReleaseFixture.BUCKET));
        }
        if (n.has("Fn::If")) {
            return resolve(n.get("Fn::If").get(1));
        }
        if (n.size() == 1 && n.has("Ref") && n.get("Ref").asText().equals("GitHubOidcProvider")) {
            return JsonNodeFactory.instance.textNode("arn:aws:iam::" + ACCOUNT + ":oidc-provider/token.actions.githubusercontent.com");
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        n.fields().forEachRemaining(e -> o.set(e.getKey(), resolve(e.getValue())));
        return o;
    }

    @Test
    void theKeyPrefixIsReleases() {
        for (String given : java.util.Arrays.asList(null, "", " ", "/", "a", "/a/", "a//", "x/y", "//x/y//")) {
            assertEquals(new Plan.Storage("b", given, "AES256", null).keyPrefix(), IamNames.prefix(given), "'" + given + "'");
        }
    }

    @Test
    void readmesIamSectionIsTheGeneratedOne() throws Exception {
        String md = IamReadme.markdown();
        assertTrue(md.chars().allMatch(c -> c < 128), "ASCII");
        assertTrue(md.contains("`repo:OWNER/REPO:environment:" + deployEnvironment() + "`"), md);
        for (String a : byAction(IamPolicies.policy(IamPolicies.ci(IamReadme.placeholders(true)))).keySet()) {
            assertTrue(md.contains("`" + a + "`"), a);
        }
        String readme = Files.readString(Path.of("README.md"));
        int begin = readme.indexOf(IamReadme.BEGIN);
        int end = readme.indexOf(IamReadme.END);
        if (begin < 0 || end < begin) {
            fail("README.md has no " + IamReadme.BEGIN + " ... " + IamReadme.END + " section: paste IamReadme.markdown() between the two markers");
        }
        assertEquals(md, readme.substring(begin + IamReadme.BEGIN.length(), end).strip() + "\n",
                "README's IAM section differs from IamReadme.markdown(): paste the generated text between the markers");
    }
}
