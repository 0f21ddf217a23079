///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION status: a CodeDeploy group's recent deployments, or one deployment's instances with their lifecycle events and failures
//JAVA 17+
//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS info.picocli:picocli:4.7.7
//SOURCES ../lib/core/Cli.java ../lib/core/Mask.java ../lib/core/Json.java ../lib/core/Log.java
//SOURCES ../lib/bundle/EventFailure.java
//SOURCES ../lib/aws/Aws.java ../lib/aws/AwsOptions.java ../lib/aws/NameTheEndpoint.java ../lib/aws/CodeDeploy.java ../lib/aws/Deployments.java ../lib/aws/DeploymentReport.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;
import software.amazon.awssdk.services.codedeploy.model.DeploymentInfo;

@Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true, version = "status " + Cli.VERSION,
        description = {"What CodeDeploy did: a deployment group's most recent deployments (id, status, created, duration, instance "
                + "counts, error, rollback), or one deployment with its instances: a count per status, then each failed or "
                + "unfinished instance with its lifecycle events, their durations and error codes, and the failed events told as "
                + "release tells them (identical failures merged, with their log tail). Progress on stderr, the answer on stdout "
                + "(--json: everything, every instance and event). Reads only: it never changes a deployment."},
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {" 0:shown (whatever the deployments' own status)", " 2:invalid options (nothing was sent)",
                " 4:environment: no AWS credentials, or the endpoint unreachable after retries",
                " 5:AWS refused: access denied (the IAM action is named), unknown application, group or deployment, throttled",
                Cli.EXIT_INTERNAL})
class status implements Callable<Integer>, Cli.EnvDefaults {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DEPLOYMENT", description = "A deployment id, as --deployment")
    String positional;
    @Option(names = "--deployment", paramLabel = "ID", description = "Show this deployment and its instances, e.g. d-A1B2C3D4E")
    String deployment;
    @Option(names = "--application", description = "CodeDeploy application (default: CODEDEPLOY_APPLICATION, AWS_CODE_DEPLOY_NAME)")
    String application;
    @Option(names = "--deployment-group", description = "Deployment group (default: CODEDEPLOY_DEPLOYMENT_GROUP, AWS_CODE_DEPLOY_GROUP)")
    String group;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "10", description = "How many of the group's most recent deployments (default: ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--instance-status", paramLabel = "STATUS", split = ",", description = "With a deployment: only instances in "
            + "these states (Pending, InProgress, Succeeded, Failed, Skipped, Unknown, Ready), as ListDeploymentTargets filters them")
    List<String> instanceStatus = new ArrayList<>();
    @Option(names = "--all", description = "With a deployment: show every instance in full, the succeeded and pending ones too (default: counted)")
    boolean all;
    @Option(names = "--json", description = "Print the result as JSON on stdout (every instance and event)")
    boolean json;
    @Mixin
    AwsOptions aws = new AwsOptions();

    /** What the command reads instead of the process: replaced by tests. */
    Map<String, String> env = System.getenv();
    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new status()).execute(args));
    }

    @Override
    public Integer call() {
        String id = deploymentId();
        List<String> statuses = statuses(id);
        Aws.Config config = aws.config(env);
        Log log = new Log(spec.commandLine().getErr());
        Instant now = Instant.now();
        DeploymentReport report = new DeploymentReport(spec.commandLine().getOut(), json, now);
        try (CodeDeployClient client = Aws.codeDeploy(config)) {
            Deployments deployments = new Deployments(client, config.region(), config.maxAttempts());
            if (id == null) {
                log.info("status: %s / %s (%s): looking for its %d most recent deployment%s", application, group, config.region(), limit,
                        limit == 1 ? "" : "s");
                report.recent(application, group, deployments.recent(application, group, limit, now));
                return Cli.OK;
            }
            DeploymentInfo d = deployments.info(id);
            log.info("status: %s", CodeDeploy.progress(d));
            List<String> ids = deployments.targetIds(id, statuses);
            log.info("status: %s: %d %s; looking them up %d at a time", id, ids.size(), ids.size() == 1 ? "instance" : "instances", CodeDeploy.BATCH);
            report.one(d, deployments.targets(id, ids), statuses, all);
            return Cli.OK;
        }
    }

    /** The deployment asked for (positional or --deployment), or null for a group's listing, whose names must then be known. */
    private String deploymentId() {
        if (positional != null && deployment != null && !positional.equals(deployment)) {
            throw new Cli.Fail(Cli.INPUT, "two deployments given: " + positional + " and --deployment " + deployment, "give one");
        }
        String id = Cli.first(positional, deployment);
        if (id != null && !id.matches("d-[A-Za-z0-9]+")) {
            throw new Cli.Fail(Cli.INPUT, "'" + id + "' is not a deployment id", "give an id as CodeDeploy prints it, e.g. d-A1B2C3D4E");
        }
        if (id != null && spec.commandLine().getParseResult().hasMatchedOption("--limit")) {
            throw new Cli.Fail(Cli.INPUT, "--limit is for a group's listing, not for one deployment", "leave it out");
        }
        if (id != null) {
            return id;
        }
        List<String> missing = new ArrayList<>();
        if (application == null) {
            missing.add("--application (CODEDEPLOY_APPLICATION)");
        }
        if (group == null) {
            missing.add("--deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)");
        }
        if (!missing.isEmpty()) {
            throw new Cli.Fail(Cli.INPUT, "no deployment and no group to list: missing " + String.join(" and ", missing),
                    "give a deployment id, or the application and group");
        }
        if (limit < 1) {
            throw new Cli.Fail(Cli.INPUT, "--limit " + limit + " is not a positive number", "give 1 or more");
        }
        return null;
    }

    /** --instance-status, spelt as the service spells it; only for one deployment. */
    private List<String> statuses(String id) {
        List<String> out = new ArrayList<>();
        for (String s : instanceStatus) {
            String known = Deployments.targetStatus(s);
            if (known == null) {
                throw new Cli.Fail(Cli.INPUT, "--instance-status " + s + " is not an instance status",
                        "use " + String.join(", ", Deployments.TARGET_STATUSES));
            }
            if (!out.contains(known)) {
                out.add(known);
            }
        }
        if ((!out.isEmpty() || all) && id == null) {
            throw new Cli.Fail(Cli.INPUT, (all ? "--all" : "--instance-status") + " is for one deployment", "give a deployment id too");
        }
        return out;
    }

    @Override
    public Map<String, List<String>> defaultsFromEnv() {
        return Map.of("--application", List.of("CODEDEPLOY_APPLICATION", "AWS_CODE_DEPLOY_NAME"),
                "--deployment-group", List.of("CODEDEPLOY_DEPLOYMENT_GROUP", "AWS_CODE_DEPLOY_GROUP"),
                "--max-attempts", List.of("AWS_MAX_ATTEMPTS"));
    }

    @Override
    public Map<String, String> env() {
        return env;
    }
}
