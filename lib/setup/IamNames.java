//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * What the IAM documents name: the account, region, bundle bucket and key prefix, application, group and GitHub
 * repository, with the optional KMS key and ECR repository. {@link #arn} fills an ARN pattern ({@code ${Partition}},
 * {@code ${Region}}, {@code ${Account}}, {@code ${Bucket}}): as text for {@code setup --policies} and README, or, for
 * the CloudFormation template ({@code cfn}), as an {@code Fn::Sub} over the stack's own account, region and bucket.
 */
record IamNames(boolean cfn, String region, String account, String bucket, String keyPrefix, String application, String group,
                String repository, String environment, String kmsKey, String ecrRepository) {
    static final String OIDC_HOST = "token.actions.githubusercontent.com";
    static final String OIDC_AUDIENCE = "sts.amazonaws.com";
    /** The environment the shipped .github/workflows/deploy.yml runs its release job in. */
    static final String DEFAULT_ENVIRONMENT = "production";
    static final String BUCKET_RESOURCE = "BundleBucket";
    private static final Pattern ECR = Pattern.compile("(\\d{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)(?:[:@].*)?");
    private static final Pattern KMS_ARN = Pattern.compile("arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+");

    /** {@code keyPrefix} as {@link #prefix} gives it; the environment "production" when not given. */
    IamNames {
        environment = Cli.first(environment, DEFAULT_ENVIRONMENT);
    }

    /** The key prefix as release normalises it (lib/release/Plan.Storage): "" or "dir/", "codedeploy/" when unset. */
    static String prefix(String given) {
        String p = Cli.first(given, "codedeploy/");
        return p.equals("/") ? "" : p.replaceFirst("^/+", "").replaceFirst("/*$", "/");
    }

    /** The partition of a region's ARNs. */
    static String partition(String region) {
        return region == null ? "aws" : region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    }

    /** The OIDC token's subject of the deploy job: its repository and the environment it runs in. */
    String subject() {
        return "repo:" + repository + ":environment:" + environment;
    }

    /** The keys release writes: {@code <prefix><application>/<version>-<sha>.zip}. */
    String bundleKeys() {
        return keyPrefix + application + "/*";
    }

    JsonNode arn(String pattern) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        if (cfn) {
            String sub = pattern.replace("${Partition}", "${AWS::Partition}").replace("${Region}", "${AWS::Region}")
                    .replace("${Account}", "${AWS::AccountId}").replace("${Bucket}", "${" + BUCKET_RESOURCE + "}");
            return sub.contains("${") ? n.objectNode().put("Fn::Sub", sub) : n.textNode(sub);
        }
        return n.textNode(pattern.replace("${Partition}", partition(region)).replace("${Region}", region)
                .replace("${Account}", account).replace("${Bucket}", bucket));
    }

    JsonNode bucketArn() {
        return arn("arn:${Partition}:s3:::${Bucket}");
    }

    JsonNode bundlesArn() {
        return arn("arn:${Partition}:s3:::${Bucket}/" + bundleKeys());
    }

    JsonNode applicationArn() {
        return arn("arn:${Partition}:codedeploy:${Region}:${Account}:application:" + application);
    }

    JsonNode groupArn() {
        return arn("arn:${Partition}:codedeploy:${Region}:${Account}:deploymentgroup:" + application + "/" + group);
    }

    /** Any deployment configuration: release's --deployment-config may name any, and CreateDeployment reads it. */
    JsonNode configsArn() {
        return arn("arn:${Partition}:codedeploy:${Region}:${Account}:deploymentconfig:*");
    }

    JsonNode oidcProviderArn() {
        return arn("arn:${Partition}:iam::${Account}:oidc-provider/" + OIDC_HOST);
    }

    JsonNode managedPolicyArn(String name) {
        return arn("arn:${Partition}:iam::aws:policy/" + name);
    }

    /** The KMS key's ARN, or null: an ARN as given, a key id in this account and region. */
    JsonNode kmsKeyArn() {
        if (kmsKey == null) {
            return null;
        }
        return KMS_ARN.matcher(kmsKey).matches() ? JsonNodeFactory.instance.textNode(kmsKey) : arn("arn:${Partition}:kms:${Region}:${Account}:key/" + kmsKey);
    }

    /** The ECR repository's ARN, or null: from a registry URI its account and region, from a bare name this account's. */
    JsonNode ecrRepositoryArn() {
        if (ecrRepository == null) {
            return null;
        }
        Matcher m = ECR.matcher(ecrRepository);
        if (m.matches()) {
            String p = partition(m.group(2));
            return JsonNodeFactory.instance.textNode("arn:" + p + ":ecr:" + m.group(2) + ":" + m.group(1) + ":repository/" + m.group(3));
        }
        return arn("arn:${Partition}:ecr:${Region}:${Account}:repository/" + ecrRepository);
    }

    /** Whether an image name is in an ECR registry (account.dkr.ecr.region.amazonaws.com/name). */
    static boolean isEcr(String image) {
        return image != null && ECR.matcher(image).matches();
    }

    /** A KMS key as the policies can scope it: a key ARN or key id; an alias is refused (IAM cannot scope by alias). */
    static String kmsKey(String given) {
        String k = Cli.first(given);
        if (k != null && (k.startsWith("alias/") || k.contains(":alias/"))) {
            throw new Cli.Fail(Cli.INPUT, "--kms-key " + k + " is an alias, which an IAM policy cannot scope",
                    "give the key's id or ARN (aws kms describe-key --key-id " + k + ")");
        }
        if (k != null && !KMS_ARN.matcher(k).matches() && !k.matches("(mrk-)?[A-Za-z0-9-]{20,}")) {
            throw new Cli.Fail(Cli.INPUT, "--kms-key " + k + " is neither a KMS key id nor a key ARN", "give e.g. arn:aws:kms:REGION:ACCOUNT:key/ID");
        }
        return k;
    }
}
