//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * README's IAM section, rendered from {@link IamPolicies}' statements with placeholders for the names, so the text a
 * user reads is the policy setup prints. README holds it between {@link #BEGIN} and {@link #END}; a test keeps the two
 * equal.
 */
final class IamReadme {
    static final String BEGIN = "<!-- iam:begin -->";
    static final String END = "<!-- iam:end -->";

    private IamReadme() {}

    /** The names as README shows them, with the optional KMS key and ECR repository when {@code optional}. */
    static IamNames placeholders(boolean optional) {
        return new IamNames(false, "REGION", "ACCOUNT", "BUCKET", IamNames.prefix(null), "APP", "GROUP", "OWNER/REPO", null,
                optional ? "KEY_ID" : null, optional ? "REPOSITORY" : null);
    }

    /** The markdown between the markers (markers excluded), ending with a newline. */
    static String markdown() {
        IamNames n = placeholders(false);
        IamNames all = placeholders(true);
        List<String> out = new ArrayList<>();
        out.add("#### IAM: the three roles, least privilege");
        out.add("");
        out.add("`setup --policies` prints these documents filled in, `setup --cloudformation` creates them; this section is generated");
        out.add("from the same statements (`IamReadme.markdown()`, kept equal by `PoliciesTest`). `ACCOUNT`, `REGION`, `BUCKET`, `APP`,");
        out.add("`GROUP` and `OWNER/REPO` stand for yours; the key prefix is release's default, `" + n.keyPrefix() + "` (`--key-prefix`).");
        out.add("");
        out.add("**CI role**, assumed by the deploy job through GitHub OIDC. It trusts `sts:AssumeRoleWithWebIdentity` from");
        out.add("`" + text(n.oidcProviderArn()) + "` when the token's `aud` is `" + IamNames.OIDC_AUDIENCE + "` and its");
        out.add("`sub` is `" + n.subject() + "` (StringEquals): only a job of that repository that runs in the");
        out.add("`" + n.environment() + "` environment, as the release job of `.github/workflows/deploy.yml` does. Protect the environment:");
        out.add("Settings > Environments > " + n.environment() + " > Deployment branches and tags: `main` only (and required reviewers if");
        out.add("you want them); otherwise a workflow on any branch could name the environment and assume the role. It may do what");
        out.add("`release` calls and no more (`sts:GetCallerIdentity`, asked by a dry run, needs no permission), and, for an image in");
        out.add("ECR, what its `docker push` needs (log the workflow in to ECR through the role, not with registry secrets). Its");
        out.add("maximum session is " + CfnTemplate.CI_SESSION_SECONDS / 3600 + " hours (`MaxSessionDuration`; by hand, `aws iam create-role --max-session-duration "
                + CfnTemplate.CI_SESSION_SECONDS + "`), as");
        out.add("deploy.yml asks (`role-duration-seconds`): a release with a build, a busy group and an hour of deployment outlasts one.");
        out.add("");
        table(out, IamPolicies.ci(n), IamPolicies.ci(all));
        out.add("");
        out.add("**Instance role**, in the instance profile of the group's instances:");
        out.add("");
        table(out, IamPolicies.instance(n), IamPolicies.instance(all));
        out.add("");
        out.add("**CodeDeploy service role**: trusts `codedeploy.amazonaws.com` (`sts:AssumeRole`) and has the AWS managed policy");
        out.add("`" + text(n.managedPolicyArn(IamPolicies.SERVICE_ROLE_POLICY)) + "`; `setup --service-role-arn` names it.");
        out.add("");
        out.add("No action is a wildcard (`*` or `service:*`); the only `*` resources are those of actions that have no resource type");
        out.add("(the agent's command channel, ECR's login token, a deployment's targets: read-only, and CodeDeploy offers no");
        out.add("narrower grant for them).");
        return String.join("\n", out) + "\n";
    }

    /** One row per statement of {@code full}; a row {@code base} lacks says which option adds it. */
    private static void table(List<String> out, List<IamPolicies.Statement> base, List<IamPolicies.Statement> full) {
        Set<String> plain = base.stream().map(IamPolicies.Statement::sid).collect(Collectors.toSet());
        out.add("| actions | resource | why |");
        out.add("| --- | --- | --- |");
        for (IamPolicies.Statement s : full) {
            String when = plain.contains(s.sid()) ? "" : s.actions().get(0).startsWith("kms:") ? "with `--kms-key`: " : "with an ECR image: ";
            String actions = s.actions().stream().map(a -> "`" + a + "`").collect(Collectors.joining(", "));
            String resources = s.resources().stream().map(r -> "`" + text(r) + "`").collect(Collectors.joining(", "));
            out.add("| " + actions + " | " + resources + " | " + when + s.why() + " |");
        }
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : n.toString();
    }
}
