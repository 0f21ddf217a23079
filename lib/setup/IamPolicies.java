//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The three roles a deployment needs, least privilege, as IAM JSON: the CI role (assumed by the deploy job through
 * GitHub OIDC, allowed exactly what {@code release} calls), the instance role (read the bundles, the CodeDeploy
 * agent's command channel, ECR pull when the image is in ECR) and the CodeDeploy service role (AWS's managed
 * AWSCodeDeployRole). The same statements make {@code setup --policies}, the CloudFormation template and README's
 * IAM section, so the three cannot drift apart.
 */
final class IamPolicies {
    static final String VERSION = "2012-10-17";
    static final String SERVICE_ROLE_POLICY = "service-role/AWSCodeDeployRole";
    /** What release's check, upload and deploy steps call on the group (paged lists and batches included). */
    static final List<String> GROUP_ACTIONS = List.of("codedeploy:GetDeploymentGroup", "codedeploy:CreateDeployment",
            "codedeploy:GetDeployment", "codedeploy:ListDeployments");
    /** How a failed deployment's instances are looked up: IAM gives these two no resource type, so only "*" grants them. */
    static final List<String> TARGET_ACTIONS = List.of("codedeploy:ListDeploymentTargets", "codedeploy:BatchGetDeploymentTargets");
    static final List<String> AGENT_ACTIONS = List.of("codedeploy-commands-secure:GetDeploymentSpecification",
            "codedeploy-commands-secure:PollHostCommand", "codedeploy-commands-secure:PutHostCommandAcknowledgement",
            "codedeploy-commands-secure:PutHostCommandComplete");
    static final List<String> ECR_PULL = List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability");
    static final List<String> ECR_PUSH = List.of("ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer");

    /** One Allow statement: its Sid, why it is there (README says it), its actions and resources. */
    record Statement(String sid, String why, List<String> actions, List<JsonNode> resources) {
        ObjectNode json() {
            ObjectNode s = JsonNodeFactory.instance.objectNode();
            s.put("Sid", sid);
            s.put("Effect", "Allow");
            s.set("Action", strings(actions));
            ArrayNode r = s.putArray("Resource");
            resources.forEach(r::add);
            return s;
        }
    }

    private IamPolicies() {}

    /** The CI role's permissions: what release calls, on the bucket, prefix, application, group and configs alone. */
    static List<Statement> ci(IamNames n) {
        List<Statement> all = new ArrayList<>();
        all.add(new Statement("FindTheBucket", "HeadBucket in release's check step (exists, same region, may list)",
                List.of("s3:ListBucket"), List.of(n.bucketArn())));
        all.add(new Statement("UploadBundles", "PutObject of the bundle, under the key prefix and the application",
                List.of("s3:PutObject"), List.of(n.bundlesArn())));
        if (n.kmsKeyArn() != null) {
            all.add(new Statement("EncryptBundles", "PutObject with `--sse aws:kms` and this key", List.of("kms:GenerateDataKey"),
                    List.of(n.kmsKeyArn())));
        }
        all.add(new Statement("RegisterRevisions", "RegisterApplicationRevision; GetApplicationRevision, which CreateDeployment checks "
                + "on the caller", List.of("codedeploy:RegisterApplicationRevision", "codedeploy:GetApplicationRevision"), List.of(n.applicationArn())));
        all.add(new Statement("DeployToTheGroup", "the group checked, the deployment created and followed, a busy group's deployments "
                + "listed", GROUP_ACTIONS, List.of(n.groupArn())));
        all.add(new Statement("ExplainFailures", "a failed deployment's instances and their lifecycle events (read-only; these actions "
                + "have no resource type)", TARGET_ACTIONS, List.of(text("*"))));
        all.add(new Statement("ReadDeploymentConfigs", "GetDeploymentConfig, which CreateDeployment checks on the caller",
                List.of("codedeploy:GetDeploymentConfig"), List.of(n.configsArn())));
        if (n.ecrRepositoryArn() != null) {
            all.add(new Statement("EcrLogin", "docker login to ECR (the token has no resource type)", List.of("ecr:GetAuthorizationToken"),
                    List.of(text("*"))));
            all.add(new Statement("EcrPush", "docker push and pull of the release image", ECR_PUSH, List.of(n.ecrRepositoryArn())));
        }
        return all;
    }

    /** The instance role's permissions: the bundles, the agent's command channel, ECR pull. */
    static List<Statement> instance(IamNames n) {
        List<Statement> all = new ArrayList<>();
        all.add(new Statement("ReadBundles", "the agent downloads the revision (by version when S3 gave one)",
                List.of("s3:GetObject", "s3:GetObjectVersion"), List.of(n.bundlesArn())));
        all.add(new Statement("ListBundles", "so that a bundle gone (the lifecycle rule) is a 404, not an AccessDenied (key names only)",
                List.of("s3:ListBucket"), List.of(n.bucketArn())));
        if (n.kmsKeyArn() != null) {
            all.add(new Statement("DecryptBundles", "bundles encrypted with this key", List.of("kms:Decrypt"), List.of(n.kmsKeyArn())));
        }
        all.add(new Statement("CodeDeployAgent", "the agent's command channel (these actions have no resource type)",
                AGENT_ACTIONS, List.of(text("*"))));
        if (n.ecrRepositoryArn() != null) {
            all.add(new Statement("EcrLogin", "the ECR credential helper's login (no resource type)", List.of("ecr:GetAuthorizationToken"),
                    List.of(text("*"))));
            all.add(new Statement("EcrPull", "pull's docker pull of the release image", ECR_PULL, List.of(n.ecrRepositoryArn())));
        }
        return all;
    }

    static ObjectNode policy(List<Statement> statements) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("Version", VERSION);
        ArrayNode s = doc.putArray("Statement");
        statements.forEach(st -> s.add(st.json()));
        return doc;
    }

    /** Trust for the deploy job: GitHub's OIDC token for this repository's job in its environment, for STS. */
    static ObjectNode ciTrust(IamNames n, JsonNode provider) {
        ObjectNode st = trustStatement("GitHubDeployJob", "Federated", provider, "sts:AssumeRoleWithWebIdentity");
        ObjectNode eq = st.putObject("Condition").putObject("StringEquals");
        eq.put(IamNames.OIDC_HOST + ":aud", IamNames.OIDC_AUDIENCE);
        eq.put(IamNames.OIDC_HOST + ":sub", n.subject());
        return trust(st);
    }

    static ObjectNode serviceTrust(String service) {
        return trust(trustStatement("Service", "Service", text(service), "sts:AssumeRole"));
    }

    private static ObjectNode trustStatement(String sid, String kind, JsonNode principal, String action) {
        ObjectNode st = JsonNodeFactory.instance.objectNode();
        st.put("Sid", sid);
        st.put("Effect", "Allow");
        st.putObject("Principal").set(kind, principal);
        st.put("Action", action);
        return st;
    }

    private static ObjectNode trust(ObjectNode statement) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("Version", VERSION);
        doc.putArray("Statement").add(statement);
        return doc;
    }

    /** {@code setup --policies}: {"ciRole": {trust, policy}, "instanceRole": {...}, "serviceRole": {trust, managedPolicyArns}}. */
    static ObjectNode all(IamNames n) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ObjectNode ci = out.putObject("ciRole");
        ci.set("trust", ciTrust(n, n.oidcProviderArn()));
        ci.set("policy", policy(ci(n)));
        ObjectNode instance = out.putObject("instanceRole");
        instance.set("trust", serviceTrust("ec2.amazonaws.com"));
        instance.set("policy", policy(instance(n)));
        ObjectNode service = out.putObject("serviceRole");
        service.set("trust", serviceTrust("codedeploy.amazonaws.com"));
        service.putArray("managedPolicyArns").add(n.managedPolicyArn(SERVICE_ROLE_POLICY));
        return out;
    }

    static ArrayNode strings(List<String> values) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        values.forEach(a::add);
        return a;
    }

    static JsonNode text(String s) {
        return JsonNodeFactory.instance.textNode(s);
    }
}
