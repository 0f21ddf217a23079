///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION setup: the CodeDeploy application and deployment group, idempotently; least-privilege IAM for CI (GitHub OIDC), instances and CodeDeploy, or one CloudFormation template
//JAVA 17+
//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS info.picocli:picocli:4.7.7
//SOURCES ../lib/core/Cli.java ../lib/core/Json.java ../lib/core/Log.java
//SOURCES ../lib/aws/Aws.java ../lib/aws/AwsOptions.java ../lib/aws/NameTheEndpoint.java
//SOURCES ../lib/setup/GroupSettings.java ../lib/setup/GroupSetup.java ../lib/setup/IamNames.java ../lib/setup/IamPolicies.java
//SOURCES ../lib/setup/CfnTemplate.java ../lib/setup/IamReadme.java ../lib/setup/SetupOutput.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;

@Command(name = "setup", sortOptions = false, mixinStandardHelpOptions = true, version = "setup " + Cli.VERSION,
        description = {"Run once per application, with admin credentials. Creates the CodeDeploy application (compute platform "
                + "Server) and its deployment group, or brings a group that exists to these settings with one "
                + "UpdateDeploymentGroup, and says what it changed (created, updated FIELD: old -> new, unchanged); a second run "
                + "with the same options changes nothing. --dry-run reads (GetApplication, GetDeploymentGroup) and prints the plan.",
                "--policies prints the least-privilege IAM documents (the CI role through GitHub OIDC for this repository's deploy "
                        + "job, the instance role, the CodeDeploy service role) as JSON; --cloudformation prints one template that "
                        + "creates them with the bundle bucket, the OIDC provider, the instance profile, the application and the group. "
                        + "Neither creates anything through IAM."},
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {" 0:done (or, with --dry-run, planned; with --policies or --cloudformation, printed)",
                " 2:invalid input: options; a missing --service-role-arn or --ec2-tag when the group must be created (nothing was changed)",
                " 4:environment: no AWS credentials, or the endpoint unreachable after retries", Cli.EXIT_AWS, Cli.EXIT_INTERNAL})
class setup implements Callable<Integer>, Cli.EnvDefaults {
    @Option(names = "--application", description = "CodeDeploy application (default: CODEDEPLOY_APPLICATION, AWS_CODE_DEPLOY_NAME)")
    String application;
    @Option(names = "--deployment-group", description = "Deployment group (default: CODEDEPLOY_DEPLOYMENT_GROUP, AWS_CODE_DEPLOY_GROUP)")
    String group;
    @Option(names = "--ec2-tag", paramLabel = "KEY=VALUE", description = "An EC2 tag the group's instances carry (repeatable; "
            + "KEY_AND_VALUE filters, an instance matching any is in the group). Needed to create the group; given, it replaces the group's filters")
    List<String> ec2Tags = new ArrayList<>();
    @Option(names = "--service-role-arn", paramLabel = "ARN", description = "The role CodeDeploy acts with (serviceRole of --policies, "
            + "ServiceRoleArn of --cloudformation's outputs). Needed to create the group")
    String serviceRoleArn;
    @Option(names = "--deployment-config", paramLabel = "NAME", description = "The group's deployment configuration (a new group's "
            + "default: " + GroupSettings.DEFAULT_CONFIG + "; not given, an existing group keeps its own)")
    String deploymentConfig;
    @Option(names = "--auto-rollback", negatable = true, description = "Roll back automatically on DEPLOYMENT_FAILURE, or not with "
            + "--no-auto-rollback (a new group's default: on; not given, an existing group keeps its own)")
    Boolean autoRollback;
    @Option(names = "--target-group", paramLabel = "NAME", description = "An ALB/NLB target group: CodeDeploy takes each instance out "
            + "of it while it deploys there (WITH_TRAFFIC_CONTROL, IN_PLACE). Use a rolling configuration with it, such as "
            + "--deployment-config CodeDeployDefault.HalfAtATime, so that instances keep serving")
    String targetGroup;
    @Option(names = "--dry-run", description = "Read the application and the group and print what would change; change nothing")
    boolean dryRun;
    @Option(names = "--policies", description = "Print the IAM trust and permission documents of the three roles as JSON; change nothing")
    boolean policies;
    @Option(names = "--cloudformation", description = "Print one CloudFormation template (JSON; deploy it with CAPABILITY_IAM) "
            + "that creates the bucket, the OIDC provider, the roles, the instance profile, the application and the group")
    boolean cloudFormation;
    @Option(names = "--github-repo", paramLabel = "OWNER/REPO", description = "The repository whose deploy job may assume the CI role (default: GITHUB_REPOSITORY)")
    String githubRepo;
    @Option(names = "--github-environment", paramLabel = "NAME", defaultValue = IamNames.DEFAULT_ENVIRONMENT,
            description = "The environment the deploy job runs in (its OIDC subject is repo:OWNER/REPO:environment:NAME; default: "
                    + "${DEFAULT-VALUE}, as .github/workflows/deploy.yml)")
    String githubEnvironment;
    @Option(names = "--account-id", paramLabel = "ID", description = "The AWS account (default: the credentials', from STS GetCallerIdentity)")
    String accountId;
    @Option(names = "--bucket", description = "S3 bucket for bundles (default: CODEDEPLOY_BUCKET, AWS_S3_BUCKET_NAME)")
    String bucket;
    @Option(names = "--key-prefix", description = "S3 key prefix, as release's (default: CODEDEPLOY_KEY_PREFIX, else codedeploy/)")
    String keyPrefix;
    @Option(names = "--kms-key", paramLabel = "ID|ARN", description = "The KMS key of release's --sse aws:kms --sse-kms-key-id: CI may "
            + "encrypt with it, instances decrypt")
    String kmsKey;
    @Option(names = "--ecr-repository", paramLabel = "NAME|URI", description = "An ECR repository holding the image: instances may pull it, CI push it")
    String ecrRepository;
    @Option(names = "--image-name", paramLabel = "REPOSITORY", description = "The image repository release pushes to; an ECR one "
            + "counts as --ecr-repository (default: IMAGE_NAME)")
    String imageName;
    @Option(names = "--json", description = "Print the result as JSON on stdout")
    boolean json;
    @Mixin
    AwsOptions aws = new AwsOptions();

    /** What the command reads instead of the process: replaced by tests. */
    Map<String, String> env = System.getenv();
    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new setup()).execute(args));
    }

    @Override
    public Integer call() {
        GroupSettings settings = settings();
        SetupOutput out = new SetupOutput(spec.commandLine().getOut(), json);
        Log log = new Log(spec.commandLine().getErr());
        if (cloudFormation) {
            out.document(CfnTemplate.of(names(true, null, null), settings));
            log.info("setup: deploy it with: aws cloudformation deploy --template-file FILE --stack-name %s-cdeploy --capabilities CAPABILITY_IAM",
                    settings.application());
            return Cli.OK;
        }
        Aws.Config config = aws.config(env);
        if (policies) {
            out.document(IamPolicies.all(names(false, config.region(), account(config, log))));
            return Cli.OK;
        }
        try (CodeDeployClient client = Aws.codeDeploy(config)) {
            out.outcome(new GroupSetup(client, config.maxAttempts(), log).apply(settings, config.region(), dryRun));
            return Cli.OK;
        }
    }

    /** The options as group settings, every input problem named at once before anything is asked. */
    private GroupSettings settings() {
        List<Cli.Fail> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (application == null) {
            missing.add("--application (CODEDEPLOY_APPLICATION)");
        }
        if (group == null) {
            missing.add("--deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)");
        }
        if ((policies || cloudFormation) && githubRepo == null) {
            missing.add("--github-repo OWNER/REPO (GITHUB_REPOSITORY)");
        }
        if (policies && bucket == null) {
            missing.add("--bucket (CODEDEPLOY_BUCKET)");
        }
        if (cloudFormation && ec2Tags.isEmpty()) {
            missing.add("--ec2-tag KEY=VALUE");
        }
        if (!missing.isEmpty()) {
            problems.add(new Cli.Fail(Cli.INPUT, "missing " + String.join(", ", missing), "pass them (the names in parentheses are the variables "
                    + "that can give them); see --help"));
        }
        List<GroupSettings.Tag> tags = new ArrayList<>();
        ec2Tags.forEach(t -> Cli.Fail.collect(problems, () -> tags.add(GroupSettings.Tag.parse(t))));
        Cli.Fail.collect(problems, this::checkOptions);
        Cli.Fail.throwAll(problems);
        return new GroupSettings(application, group, tags, serviceRoleArn, deploymentConfig, autoRollback, targetGroup);
    }

    private Void checkOptions() {
        if (policies && cloudFormation || (policies || cloudFormation) && dryRun) {
            throw new Cli.Fail(Cli.INPUT, "give one of --policies, --cloudformation and --dry-run", "--policies and --cloudformation only print");
        }
        if (githubRepo != null && !githubRepo.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
            throw new Cli.Fail(Cli.INPUT, "--github-repo '" + githubRepo + "' is not OWNER/REPO", "write it as GitHub shows it, e.g. octo-org/app");
        }
        if (accountId != null && !accountId.matches("\\d{12}")) {
            throw new Cli.Fail(Cli.INPUT, "--account-id '" + accountId + "' is not a 12-digit AWS account id", null);
        }
        if (serviceRoleArn != null && !serviceRoleArn.matches("arn:aws[a-z-]*:iam::\\d{12}:role/.+")) {
            throw new Cli.Fail(Cli.INPUT, "--service-role-arn '" + serviceRoleArn + "' is not an IAM role ARN", "give arn:aws:iam::ACCOUNT:role/NAME");
        }
        if (targetGroup != null && !targetGroup.matches("[A-Za-z0-9-]{1,32}")) {
            throw new Cli.Fail(Cli.INPUT, "--target-group '" + targetGroup + "' is not a target group name", "give its name (not its ARN)");
        }
        IamNames.kmsKey(kmsKey);
        return null;
    }

    private IamNames names(boolean cfn, String inRegion, String account) {
        String ecr = Cli.first(ecrRepository, IamNames.isEcr(imageName) ? imageName : null);
        return new IamNames(cfn, inRegion, account, bucket, IamNames.prefix(keyPrefix), application, group, githubRepo,
                githubEnvironment, IamNames.kmsKey(kmsKey), ecr);
    }

    /** --account-id, else the credentials' account as STS tells it (GetCallerIdentity needs no permission). */
    private String account(Aws.Config config, Log log) {
        if (accountId != null) {
            return accountId;
        }
        String arn;
        try {
            arn = Aws.identity(config);
        } catch (Cli.Fail f) {
            throw new Cli.Fail(f.exitCode, "the account is needed and STS did not give it: " + f.getMessage(), "or give --account-id", f.detail);
        }
        log.info("setup: account from STS: %s", arn);
        return arn.split(":")[4];
    }

    @Override
    public Map<String, List<String>> defaultsFromEnv() {
        return Map.ofEntries(Map.entry("--bucket", List.of("CODEDEPLOY_BUCKET", "AWS_S3_BUCKET_NAME")),
                Map.entry("--application", List.of("CODEDEPLOY_APPLICATION", "AWS_CODE_DEPLOY_NAME")),
                Map.entry("--deployment-group", List.of("CODEDEPLOY_DEPLOYMENT_GROUP", "AWS_CODE_DEPLOY_GROUP")),
                Map.entry("--key-prefix", List.of("CODEDEPLOY_KEY_PREFIX")), Map.entry("--github-repo", List.of("GITHUB_REPOSITORY")),
                Map.entry("--image-name", List.of("IMAGE_NAME")), Map.entry("--max-attempts", List.of("AWS_MAX_ATTEMPTS")));
    }

    @Override
    public Map<String, String> env() {
        return env;
    }
}
