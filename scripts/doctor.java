///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION doctor: on the instance, name the cause of a failing CodeDeploy agent or deployment in seconds, with the fix
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0
//SOURCES ../lib/core/Cli.java ../lib/core/Disk.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java
//SOURCES ../lib/bundle/EventFailure.java ../lib/bundle/ImageRef.java ../lib/local/Layout.java
//SOURCES ../lib/doctor/Finding.java ../lib/doctor/Sysroot.java ../lib/doctor/Agent.java ../lib/doctor/AgentLog.java ../lib/doctor/Credentials.java
//SOURCES ../lib/doctor/Metadata.java ../lib/doctor/DeploymentRoot.java ../lib/doctor/DeployFolders.java ../lib/doctor/HostChecks.java ../lib/doctor/Doctor.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "doctor", sortOptions = false, mixinStandardHelpOptions = true, version = "doctor " + Cli.VERSION,
        description = {"Checks an instance the way the CodeDeploy agent and the hooks see it, and names the cause of a failure with "
                + "its fix: the agent (installed, running, its log's known errors), the credentials root really uses (the agent's own "
                + "order: a key in /root/.aws shadows the instance role), the instance profile (IMDSv2), region and clock, Docker, "
                + "Compose, jbang and a JDK on the agent's PATH, the last deployment (a failed hook's log tail), leftovers and "
                + "unsafe folders. Each check prints PASS, WARN, FAIL or SKIP; it reads and never changes anything."},
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {" 0:no check failed (warnings may remain)", " 1:a check failed (its line names the cause and the fix)",
                " 2:invalid options (nothing was read)", Cli.EXIT_INTERNAL})
class doctor implements Callable<Integer> {
    @Option(names = "--local", description = "Read deploy-local's deployment root instead of the agent's; no agent or credentials checks")
    boolean local;
    @Option(names = "--deployment-root", description = "The deployment root to read (default: the agent's :root_dir:, or deploy-local's with --local)")
    String deploymentRoot;
    @Option(names = "--state-dir", description = "The hooks' state root (default: CDEPLOY_STATE_DIR, else " + Doctor.STATE_ROOT + ")")
    String stateDir;
    @Option(names = "--sysroot", paramLabel = "DIR", description = "Read every file under DIR instead of / (a copied instance); checks that need "
            + "a live system are skipped")
    Path sysroot;
    @Option(names = "--imds-endpoint", description = "The instance metadata service (default: AWS_EC2_METADATA_SERVICE_ENDPOINT, else "
            + Metadata.DEFAULT_ENDPOINT + "; under --sysroot only when given)")
    String imdsEndpoint;
    @Option(names = "--clock-url", description = "An HTTPS server whose Date header the clock is checked against (default: the region's "
            + "CodeDeploy command endpoint)")
    String clockUrl;
    @Option(names = "--timeout", defaultValue = "1.5", description = "Seconds each network or Docker question may take (default: ${DEFAULT-VALUE})")
    double timeout;
    @Option(names = "--json", description = "Print the findings as JSON on stdout")
    boolean json;

    /** What the command reads instead of the process: replaced by tests. */
    Map<String, String> env = System.getenv();
    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new doctor()).execute(args));
    }

    @Override
    public Integer call() {
        Doctor.Report report = new Doctor(options(), Proc.SYSTEM).run();
        report.print(spec.commandLine().getOut(), json);
        return report.exitCode();
    }

    Doctor.Options options() {
        if (timeout <= 0 || timeout > 60) {
            throw new Cli.Fail(Cli.INPUT, "--timeout " + timeout + " is not between 0 and 60 seconds", "give, say, --timeout 2");
        }
        Path root = sysroot == null ? Path.of("/") : sysroot.toAbsolutePath();
        if (!java.nio.file.Files.isDirectory(root)) {
            throw new Cli.Fail(Cli.INPUT, "--sysroot " + sysroot + " is not a folder", "give the folder a copied instance's / is in");
        }
        String localRoot = local && deploymentRoot == null ? Layout.defaultRoot(Disk.root(), env).toString() : deploymentRoot;
        String state = Cli.first(stateDir, env.get("CDEPLOY_STATE_DIR"),
                local && !Disk.root() ? Layout.defaultStateDir(env).toString() : Doctor.STATE_ROOT);
        // locally the hooks fall back to this checkout's wrapper, as release --local and deploy-local hand it to them
        String wrapper = local && java.nio.file.Files.isExecutable(Path.of("jbang")) ? Path.of("jbang").toAbsolutePath().toString() : null;
        return new Doctor.Options(root, local, localRoot, state, Cli.first(imdsEndpoint, env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")), clockUrl,
                Duration.ofMillis((long) (timeout * 1000)), Cli.first(env.get("CDEPLOY_JBANG"), wrapper), Cli.first(env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")));
    }
}
