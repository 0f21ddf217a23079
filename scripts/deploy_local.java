///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION deploy-local: run a revision's whole lifecycle on this machine as the CodeDeploy agent would, with no agent and no AWS account
//JAVA 17+
//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS info.picocli:picocli:4.7.7
//SOURCES ../lib/core/Cli.java ../lib/core/Disk.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java
//SOURCES ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/EventFailure.java
//SOURCES ../lib/aws/Aws.java ../lib/aws/NameTheEndpoint.java
//SOURCES ../lib/local/Layout.java ../lib/local/ScriptLog.java ../lib/local/ScriptRun.java ../lib/local/Fetch.java ../lib/local/Installer.java ../lib/local/Instructions.java
//SOURCES ../lib/local/Events.java ../lib/local/Lifecycle.java ../lib/local/LocalResult.java ../lib/local/LocalDeploy.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;

@Command(name = "deploy-local", sortOptions = false, mixinStandardHelpOptions = true, version = "deploy-local " + Cli.VERSION,
        description = {"Runs a revision's lifecycle on this machine as the CodeDeploy agent (1.x) would: the deployment root laid out as "
                + "the agent's, ApplicationStop from the last successful revision, files and permissions installed with the agent's "
                + "rules, hook scripts by absolute path in their own process group with the agent's environment, timeouts and "
                + "error codes. Progress on stderr; at the end each event with its duration and outcome, and a failure's log tail, "
                + "on stdout (--json for machines). Needs only Java: no agent, no AWS account (except for an s3:// bundle)."},
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {Cli.EXIT_OK, " 1:failed: a lifecycle event failed (the summary names it, its error code and log tail)",
                Cli.EXIT_INPUT, Cli.EXIT_ENVIRONMENT, Cli.EXIT_AWS, Cli.EXIT_INTERNAL})
class deploy_local implements Callable<Integer> {
    @Option(names = {"-l", "--bundle-location"}, description = "A folder, a .zip/.tar/.tgz file, or s3://bucket/key[?versionId=V&etag=E] (default: the current folder)")
    String location;
    @Option(names = {"-t", "--type"}, description = "directory, zip, tar or tgz (default: from the location: a folder, or the file name's extension)")
    String type;
    @Option(names = {"-b", "--file-exists-behavior"}, defaultValue = "DISALLOW", description = "DISALLOW, OVERWRITE or RETAIN; the appspec's own value wins (default: ${DEFAULT-VALUE})")
    String fileExistsBehavior;
    @Option(names = {"-g", "--deployment-group"}, defaultValue = Layout.DEFAULT_GROUP, paramLabel = "ID",
            description = "The deployment group ID, as codedeploy-local takes it: it names the folder under the deployment root and "
                    + "becomes DEPLOYMENT_GROUP_ID. Not release's --deployment-group, which is a group name (default: ${DEFAULT-VALUE})")
    String groupId;
    @Option(names = {"-d", "--deployment-group-name"}, defaultValue = "LocalFleet", description = "DEPLOYMENT_GROUP_NAME for the hooks (default: ${DEFAULT-VALUE})")
    String groupName;
    @Option(names = {"-a", "--application-name"}, description = "APPLICATION_NAME for the hooks (default: the bundle location)")
    String applicationName;
    @Option(names = {"-e", "--events"}, paramLabel = "A,B", description = "Events to run, in this order; DownloadBundle and Install are added when missing (default: all, the traffic hooks included)")
    String events;
    @Option(names = "--deployment-root", description = "Deployment root (default: deployment-root in CDEPLOY_LOCAL_ROOT, else in "
            + Layout.BASE_AS_ROOT + " as root, never the agent's; else in $XDG_DATA_HOME/cdeploy-local)")
    Path deploymentRoot;
    @Option(names = "--ignore-application-stop-failures", description = "A failing ApplicationStop, BeforeBlockTraffic or AfterBlockTraffic script does not fail the deployment")
    boolean ignoreStopFailures;
    @Option(names = "--without-shebang", defaultValue = "sh", description = "A script with no #! line: sh runs it through /bin/sh as agent 1.x does; fail fails it as agent 2.x does (default: ${DEFAULT-VALUE})")
    ScriptRun.NoShebang noShebang;
    @Option(names = "--verbose", description = "Echo the scripts' output on stderr as it comes")
    boolean verbose;
    @Option(names = "--json", description = "Print the result as JSON on stdout")
    boolean json;
    @Option(names = "--region", description = "AWS region for an s3:// bundle (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)")
    String region;
    @Option(names = "--s3-endpoint-url", description = "S3 endpoint for an s3:// bundle (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)")
    String s3EndpointUrl;

    /** What the command reads instead of the process: replaced by tests. */
    Map<String, String> env = System.getenv();
    Path cwd = Path.of("").toAbsolutePath();
    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new deploy_local()).execute(args));
    }

    @Override
    public Integer call() {
        LocalDeploy.Request request = new LocalDeploy.Request(location == null ? cwd.toString() : location, type,
                fileExistsBehavior.toUpperCase(java.util.Locale.ROOT), groupId, // the agent upper-cases the deployment's value
                groupName, applicationName, events, deploymentRoot == null ? null : cwd.resolve(deploymentRoot), ignoreStopFailures, noShebang);
        Log log = new Log(spec.commandLine().getErr());
        LocalResult result = new LocalDeploy(request, env, cwd, log, verbose ? log::raw : null, this::download).run();
        result.print(spec.commandLine().getOut(), json);
        return result.exitCode();
    }

    /** GetObject of an s3:// bundle into bundle.tar; the agent reports a failure here as DownloadBundle's. */
    private String download(Fetch.Source source, Path file) {
        Aws.Config config = Aws.config(region, null, s3EndpointUrl, null, 3, Aws.ATTEMPT_TIMEOUT, env);
        try (S3Client s3 = Aws.s3(config)) {
            return s3.getObject(b -> b.bucket(source.bucket()).key(source.key()).versionId(source.version()), ResponseTransformer.toFile(file)).eTag();
        } catch (SdkException e) {
            throw Aws.fail(e, "s3:GetObject", "s3://" + source.bucket() + "/" + source.key(), 3);
        }
    }
}
