//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code setup --cloudformation}: one JSON template a user deploys as it is (with CAPABILITY_IAM): the bundle bucket
 * (SSE-S3 by default, public access blocked, old bundles expired after a parameter's days), GitHub's OIDC provider
 * unless the account's existing one is given as a parameter, the CI, instance and CodeDeploy service roles with
 * {@link IamPolicies}' statements, the instance profile, and the CodeDeploy application and deployment group as
 * {@link GroupSettings} sets them. Outputs: the values the deploy workflow and the instances need.
 */
final class CfnTemplate {
    /** A release can outlast the default hour (a build, a busy group, an hour of deployment and rollback): two hours. */
    static final int CI_SESSION_SECONDS = 7200;
    static final String OIDC_CONDITION = "CreateGitHubOidcProvider";
    static final String BUCKET_CONDITION = "BucketNameGiven";
    /** GitHub's OIDC certificate thumbprints (IAM no longer checks them for GitHub, but older stacks want the list). */
    static final List<String> THUMBPRINTS = List.of("6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd");
    private static final JsonNodeFactory N = JsonNodeFactory.instance;

    private CfnTemplate() {}

    static ObjectNode of(IamNames n, GroupSettings g) {
        ObjectNode t = N.objectNode();
        t.put("AWSTemplateFormatVersion", "2010-09-09");
        t.put("Description", "cdeploy for " + g.application() + "/" + g.group() + ": bundle bucket, GitHub OIDC, CI, instance and "
                + "CodeDeploy service roles, instance profile, CodeDeploy application and deployment group (setup --cloudformation)");
        t.set("Parameters", parameters(n));
        ObjectNode conditions = t.putObject("Conditions");
        conditions.set(OIDC_CONDITION, fn("Fn::Equals", ref("GitHubOidcProviderArn"), N.textNode("")));
        conditions.set(BUCKET_CONDITION, fn("Fn::Not", fn("Fn::Equals", ref("BundleBucketName"), N.textNode(""))));
        ObjectNode r = t.putObject("Resources");
        r.set(IamNames.BUCKET_RESOURCE, bucket(n));
        ObjectNode oidc = resource(r, "GitHubOidcProvider", "AWS::IAM::OIDCProvider");
        oidc.put("Condition", OIDC_CONDITION);
        ObjectNode op = (ObjectNode) oidc.get("Properties");
        op.put("Url", "https://" + IamNames.OIDC_HOST);
        op.set("ClientIdList", IamPolicies.strings(List.of(IamNames.OIDC_AUDIENCE)));
        op.set("ThumbprintList", IamPolicies.strings(THUMBPRINTS));
        oidc.put("DeletionPolicy", "Retain"); // one provider per URL serves the whole account: other stacks may trust it
        oidc.put("UpdateReplacePolicy", "Retain");
        JsonNode provider = fn("Fn::If", N.textNode(OIDC_CONDITION), ref("GitHubOidcProvider"), ref("GitHubOidcProviderArn"));
        props(role(r, "CiRole", "the deploy job of " + n.repository() + " (" + n.subject() + "): what release calls",
                IamPolicies.ciTrust(n, provider), IamPolicies.ci(n), "release")).put("MaxSessionDuration", CI_SESSION_SECONDS);
        role(r, "InstanceRole", "EC2 instances of " + g.application() + "/" + g.group() + ": bundles, the CodeDeploy agent",
                IamPolicies.serviceTrust("ec2.amazonaws.com"), IamPolicies.instance(n), "codedeploy-instance");
        props(resource(r, "InstanceProfile", "AWS::IAM::InstanceProfile")).set("Roles", N.arrayNode().add(ref("InstanceRole")));
        ObjectNode service = role(r, "ServiceRole", "CodeDeploy acting for " + g.application() + "/" + g.group(),
                IamPolicies.serviceTrust("codedeploy.amazonaws.com"), List.of(), null);
        props(service).set("ManagedPolicyArns", N.arrayNode().add(n.managedPolicyArn(IamPolicies.SERVICE_ROLE_POLICY)));
        ObjectNode app = props(resource(r, "Application", "AWS::CodeDeploy::Application"));
        app.put("ApplicationName", g.application());
        app.put("ComputePlatform", "Server");
        r.set("DeploymentGroup", group(g));
        t.set("Outputs", outputs());
        return t;
    }

    private static ObjectNode parameters(IamNames n) {
        ObjectNode p = N.objectNode();
        ObjectNode name = p.putObject("BundleBucketName");
        name.put("Type", "String");
        name.put("Default", n.bucket() == null ? "" : n.bucket());
        name.put("Description", "The bundle bucket's name (release's --bucket, CODEDEPLOY_BUCKET); empty lets CloudFormation name it");
        ObjectNode days = p.putObject("BundleExpirationDays");
        days.put("Type", "Number");
        days.put("Default", 90);
        days.put("MinValue", 1);
        days.put("Description", "Days a bundle is kept. CodeDeploy's automatic rollback redeploys the last successful revision: "
                + "keep this longer than the time between two releases");
        ObjectNode oidc = p.putObject("GitHubOidcProviderArn");
        oidc.put("Type", "String");
        oidc.put("Default", "");
        oidc.put("Description", "The ARN of this account's existing " + IamNames.OIDC_HOST + " provider (an account holds one "
                + "per URL); empty creates it");
        return p;
    }

    private static ObjectNode bucket(IamNames n) {
        ObjectNode b = N.objectNode();
        b.put("Type", "AWS::S3::Bucket");
        b.put("DeletionPolicy", "Retain");
        b.put("UpdateReplacePolicy", "Retain");
        ObjectNode p = b.putObject("Properties");
        p.set("BucketName", fn("Fn::If", N.textNode(BUCKET_CONDITION), ref("BundleBucketName"), ref("AWS::NoValue")));
        p.putObject("BucketEncryption").putArray("ServerSideEncryptionConfiguration").addObject()
                .putObject("ServerSideEncryptionByDefault").put("SSEAlgorithm", "AES256");
        p.putObject("PublicAccessBlockConfiguration").put("BlockPublicAcls", true).put("BlockPublicPolicy", true)
                .put("IgnorePublicAcls", true).put("RestrictPublicBuckets", true);
        p.putObject("OwnershipControls").putArray("Rules").addObject().put("ObjectOwnership", "BucketOwnerEnforced");
        ObjectNode rule = p.putObject("LifecycleConfiguration").putArray("Rules").addObject();
        rule.put("Id", "ExpireOldBundles");
        rule.put("Status", "Enabled");
        if (!n.keyPrefix().isEmpty()) {
            rule.put("Prefix", n.keyPrefix());
        }
        rule.set("ExpirationInDays", ref("BundleExpirationDays"));
        return b;
    }

    private static ObjectNode role(ObjectNode resources, String id, String description, ObjectNode trust, List<IamPolicies.Statement> statements,
                                   String policyName) {
        ObjectNode role = resource(resources, id, "AWS::IAM::Role");
        ObjectNode p = props(role);
        p.put("Description", description.length() > 1000 ? description.substring(0, 1000) : description);
        p.set("AssumeRolePolicyDocument", trust);
        if (!statements.isEmpty()) {
            ObjectNode policy = p.putArray("Policies").addObject();
            policy.put("PolicyName", policyName);
            policy.set("PolicyDocument", IamPolicies.policy(statements));
        }
        return role;
    }

    private static ObjectNode group(GroupSettings g) {
        ObjectNode d = N.objectNode();
        d.put("Type", "AWS::CodeDeploy::DeploymentGroup");
        ObjectNode p = d.putObject("Properties");
        p.set("ApplicationName", ref("Application"));
        p.put("DeploymentGroupName", g.group());
        p.set("ServiceRoleArn", fn("Fn::GetAtt", N.textNode("ServiceRole"), N.textNode("Arn")));
        p.put("DeploymentConfigName", g.config());
        ArrayNode tags = p.putArray("Ec2TagFilters");
        g.tags().forEach(tag -> tags.addObject().put("Key", tag.key()).put("Value", tag.value()).put("Type", "KEY_AND_VALUE"));
        boolean rollbackOn = g.autoRollback() == null || g.autoRollback(); // a new group's default: on
        ObjectNode rollback = p.putObject("AutoRollbackConfiguration").put("Enabled", rollbackOn);
        if (rollbackOn) {
            rollback.set("Events", IamPolicies.strings(List.of(GroupSettings.ROLLBACK_EVENT)));
        }
        if (g.targetGroup() != null) {
            p.putObject("LoadBalancerInfo").putArray("TargetGroupInfoList").addObject().put("Name", g.targetGroup());
        }
        p.putObject("DeploymentStyle").put("DeploymentType", "IN_PLACE")
                .put("DeploymentOption", g.targetGroup() == null ? "WITHOUT_TRAFFIC_CONTROL" : "WITH_TRAFFIC_CONTROL");
        return d;
    }

    private static ObjectNode outputs() {
        ObjectNode o = N.objectNode();
        output(o, "CiRoleArn", "The deploy workflow's AWS_ROLE_ARN variable", fn("Fn::GetAtt", N.textNode("CiRole"), N.textNode("Arn")));
        output(o, "BundleBucketName", "The deploy workflow's CODEDEPLOY_BUCKET variable", ref(IamNames.BUCKET_RESOURCE));
        output(o, "InstanceProfileName", "The instance profile to attach to the group's instances", ref("InstanceProfile"));
        output(o, "ServiceRoleArn", "The CodeDeploy service role (setup --service-role-arn)",
                fn("Fn::GetAtt", N.textNode("ServiceRole"), N.textNode("Arn")));
        return o;
    }

    private static void output(ObjectNode outputs, String name, String description, JsonNode value) {
        ObjectNode o = outputs.putObject(name);
        o.put("Description", description);
        o.set("Value", value);
    }

    private static ObjectNode resource(ObjectNode resources, String id, String type) {
        ObjectNode r = resources.putObject(id);
        r.put("Type", type);
        r.putObject("Properties");
        return r;
    }

    private static ObjectNode props(ObjectNode resource) {
        return (ObjectNode) resource.get("Properties");
    }

    static JsonNode ref(String name) {
        return N.objectNode().put("Ref", name);
    }

    static JsonNode fn(String name, JsonNode... args) {
        ObjectNode f = N.objectNode();
        if (args.length == 1) {
            f.set(name, name.equals("Fn::Not") ? N.arrayNode().add(args[0]) : args[0]);
        } else {
            ArrayNode a = f.putArray(name);
            for (JsonNode x : args) {
                a.add(x);
            }
        }
        return f;
    }
}
