import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.services.codedeploy.model.BatchGetDeploymentTargetsRequest;
import software.amazon.awssdk.services.codedeploy.model.CreateDeploymentRequest;
import software.amazon.awssdk.services.codedeploy.model.GetDeploymentGroupRequest;
import software.amazon.awssdk.services.codedeploy.model.GetDeploymentRequest;
import software.amazon.awssdk.services.codedeploy.model.ListDeploymentTargetsRequest;
import software.amazon.awssdk.services.codedeploy.model.ListDeploymentsRequest;
import software.amazon.awssdk.services.codedeploy.model.RegisterApplicationRevisionRequest;

/**
 * What release calls, as IAM sees it: real in-process releases (ReleaseFixture's way: S3Proxy behind S3Endpoint, the
 * local CodeDeploy, the local STS) down every path that calls something of its own (a deployment that succeeds, one
 * that fails and is rolled back, a group busy with another deployment, a dry run, an upload encrypted with a KMS key),
 * each recorded request turned into the IAM action it needs and the ARN it acts on. STS GetCallerIdentity needs no
 * permission and is left out; a request with no known IAM action fails the test.
 */
final class ReleaseCalls {
    record Access(String action, String resource) {}

    static final String ACCOUNT = StsEndpoint.ACCOUNT;

    private ReleaseCalls() {}

    /** Every access of the releases; {@code kmsKey} is the key of the encrypted upload. */
    static List<Access> record(String kmsKey) throws Exception {
        List<Access> all = new ArrayList<>();
        try (S3Endpoint s3 = ReleaseFixture.s3(); RegistryStub registry = new RegistryStub()) {
            all.addAll(scenario(s3, cd -> {}, 0));
            all.addAll(scenario(s3, cd -> cd.failing = List.of(new CodeDeployEndpoint.Failing(2, "ValidateService", "hooks/validate",
                    "ScriptFailed", "Script at specified location: hooks/validate failed with exit code 3", "[stderr]validate: not healthy")),
                    Cli.ROLLED_BACK));
            all.addAll(scenario(s3, cd -> cd.active(ReleaseFixture.APP, ReleaseFixture.GROUP, 2), 0));
            int sts = ReleaseFixture.STS.calls.size();
            all.addAll(scenario(s3, cd -> {}, 0, "--dry-run", "--image", registry.host() + "/cdeploy-test/app:1.4.2@" + ReleaseFixture.DIGEST));
            assertTrue(ReleaseFixture.STS.calls.subList(sts, ReleaseFixture.STS.calls.size()).contains("GetCallerIdentity"),
                    "the dry run asked STS (which needs no permission)");
            all.addAll(scenario(s3, cd -> {}, 0, "--sse", "aws:kms", "--sse-kms-key-id", kmsKey, "--no-wait"));
            all.addAll(s3(s3));
        }
        return all;
    }

    private static List<Access> scenario(S3Endpoint s3, java.util.function.Consumer<CodeDeployEndpoint> setUp, int exit, String... more)
            throws Exception {
        try (CodeDeployEndpoint cd = new CodeDeployEndpoint().group(ReleaseFixture.APP, ReleaseFixture.GROUP)) {
            setUp.accept(cd);
            ReleaseFixture.Run r = ReleaseFixture.run(ReleaseFixture.env(), ReleaseFixture.args(s3, cd, more));
            assertEquals(exit, r.exit(), r.toString());
            assertEquals(List.of(), cd.violations);
            List<Access> out = new ArrayList<>();
            for (CodeDeployEndpoint.Call c : cd.calls) {
                out.add(new Access("codedeploy:" + c.operation(), codeDeployArn(cd, c)));
            }
            return out;
        }
    }

    /** The ARN a CodeDeploy call acts on, as CodeDeploy's IAM resource types name it. */
    private static String codeDeployArn(CodeDeployEndpoint cd, CodeDeployEndpoint.Call c) {
        Object q = c.request();
        if (q instanceof RegisterApplicationRevisionRequest r) {
            return arn("application:" + r.applicationName());
        }
        if (q instanceof GetDeploymentGroupRequest r) {
            return group(r.applicationName(), r.deploymentGroupName());
        }
        if (q instanceof CreateDeploymentRequest r) {
            return group(r.applicationName(), r.deploymentGroupName());
        }
        if (q instanceof ListDeploymentsRequest r) {
            return group(r.applicationName(), r.deploymentGroupName());
        }
        if (q instanceof ListDeploymentTargetsRequest || q instanceof BatchGetDeploymentTargetsRequest) {
            return "*"; // no resource type in IAM's reference for CodeDeploy: only "*" grants them
        }
        String id = q instanceof GetDeploymentRequest r ? r.deploymentId() : null;
        if (id == null) {
            throw new AssertionError("no IAM resource known for CodeDeploy " + c.operation());
        }
        CodeDeployEndpoint.Deployment d = cd.deployments.get(id); // a deployment's actions act on its group
        return group(d.application, d.group);
    }

    private static String group(String application, String group) {
        return arn("deploymentgroup:" + application + "/" + group);
    }

    private static String arn(String resource) {
        return "arn:aws:codedeploy:" + ReleaseFixture.REGION + ":" + ACCOUNT + ":" + resource;
    }

    /** S3 requests as IAM actions: HeadBucket is s3:ListBucket on the bucket, PutObject s3:PutObject on the key (and KMS). */
    private static List<Access> s3(S3Endpoint s3) {
        List<Access> out = new ArrayList<>();
        for (S3Endpoint.Request q : s3.requests) {
            String path = q.path().replaceFirst("^/", "");
            boolean bucketOnly = !path.contains("/") || path.endsWith("/") && path.indexOf('/') == path.length() - 1;
            if (q.method().equals("HEAD") && bucketOnly) {
                out.add(new Access("s3:ListBucket", "arn:aws:s3:::" + path.replaceFirst("/$", "")));
            } else if (q.method().equals("PUT") && !bucketOnly && q.query() == null) {
                out.add(new Access("s3:PutObject", "arn:aws:s3:::" + path));
                String key = q.header("x-amz-server-side-encryption-aws-kms-key-id");
                if (key != null) {
                    out.add(new Access("kms:GenerateDataKey", key));
                }
            } else {
                throw new AssertionError("no IAM action known for S3 " + q.method() + " " + q.path() + (q.query() == null ? "" : "?" + q.query()));
            }
        }
        return out;
    }
}
