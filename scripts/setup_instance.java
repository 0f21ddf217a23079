///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION setup-instance: prepare an Ubuntu/Debian instance for the hooks, idempotently, then run doctor
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0
//SOURCES ../lib/core/Cli.java ../lib/core/Disk.java ../lib/core/Mask.java ../lib/core/Proc.java ../lib/core/Clock.java ../lib/core/Json.java ../lib/core/Log.java ../lib/core/Deadline.java
//SOURCES ../lib/bundle/AgentText.java ../lib/bundle/AppSpec.java ../lib/bundle/Settings.java ../lib/bundle/ServiceOptions.java ../lib/bundle/EventFailure.java ../lib/bundle/ImageRef.java
//SOURCES ../lib/host/Docker.java ../lib/host/Template.java ../lib/host/Proxy.java ../lib/host/Health.java ../lib/host/HostPrep.java ../lib/instance/InstanceSetup.java
//SOURCES ../lib/doctor/Finding.java ../lib/doctor/Sysroot.java ../lib/doctor/Agent.java ../lib/doctor/AgentLog.java ../lib/doctor/Credentials.java
//SOURCES ../lib/doctor/Metadata.java ../lib/doctor/DeploymentRoot.java ../lib/doctor/DeployFolders.java ../lib/doctor/HostChecks.java ../lib/doctor/Doctor.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "setup-instance", sortOptions = false, mixinStandardHelpOptions = true, version = "setup-instance " + Cli.VERSION,
        description = {"Prepares an Ubuntu or Debian instance for the hooks, as root, from a checkout of this kit: a JDK and jbang where "
                + "the agent's PATH finds them and Docker with Compose (through lib/setup-host.sh), the template's networks, env file "
                + "(empty, owner-only) and mounted folders, the hooks' state root, the JBang cache warmed for the hooks; prints the "
                + "agent's install command for the region. Each step checks first, so a second run changes nothing; --dry-run says "
                + "what it would do. Ends by running doctor, whose report goes to stdout."},
        exitCodeListHeading = Cli.EXIT_HEADING,
        exitCodeList = {" 0:set up, and doctor found nothing failed (a dry run: 0 when its checks ran)",
                " 1:set up, and doctor found a failure (its line names the fix)",
                Cli.EXIT_INPUT, Cli.EXIT_ENVIRONMENT, Cli.EXIT_INTERNAL})
class setup_instance implements Callable<Integer> {
    @Option(names = "--kit", description = "The checkout of this kit to set up from (default: the current folder)")
    Path kit;
    @Option(names = "--compose", description = "The compose template the instance will run (default: compose.yml of the kit)")
    Path compose;
    @Mixin
    ServiceOptions names = new ServiceOptions();
    @Option(names = "--state-dir", description = "The hooks' state root (default: CDEPLOY_STATE_DIR, else " + Doctor.STATE_ROOT + ")")
    String stateDir;
    @Option(names = "--prefix", defaultValue = "/usr/local", description = "Where jbang goes: PREFIX/bin/jbang (default: ${DEFAULT-VALUE}, on the agent's PATH)")
    String prefix;
    @Option(names = "--region", description = "The region, for the agent's install command (default: AWS_REGION, else the instance's)")
    String region;
    @Option(names = "--dry-run", description = "Say what each step would do; change nothing")
    boolean dryRun;
    @Option(names = "--imds-endpoint", description = "For doctor: the instance metadata service (default: AWS_EC2_METADATA_SERVICE_ENDPOINT, else EC2's)")
    String imdsEndpoint;
    @Option(names = "--clock-url", description = "For doctor: a server whose Date header the clock is checked against")
    String clockUrl;
    @Option(names = "--json", description = "Print doctor's report as JSON on stdout")
    boolean json;

    /** What the command reads instead of the process: replaced by tests. */
    Map<String, String> env = System.getenv();
    Path cwd = Path.of("").toAbsolutePath();
    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new setup_instance()).execute(args));
    }

    @Override
    public Integer call() {
        Path kitDir = kit == null ? cwd : cwd.resolve(kit);
        String state = Cli.first(stateDir, env.get("CDEPLOY_STATE_DIR"), Doctor.STATE_ROOT);
        Settings settings;
        try {
            settings = Settings.of(names.project, names.service, names.container, names.envFile, null, null);
        } catch (Cli.Fail f) {
            throw new Cli.Fail(f.exitCode, "bad option: " + f.getMessage());
        }
        String imds = Cli.first(imdsEndpoint, env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
        String where = Cli.first(region, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
        if (where == null) { // the instance knows its region
            where = Metadata.query(Cli.first(imds, Metadata.DEFAULT_ENDPOINT), Duration.ofSeconds(1)).region();
        }
        InstanceSetup.Options o = new InstanceSetup.Options(kitDir, compose == null ? kitDir.resolve("compose.yml") : cwd.resolve(compose), settings,
                state, prefix, where, dryRun);
        Log log = new Log(spec.commandLine().getErr());
        new InstanceSetup(o, Proc.SYSTEM, env, log).run();
        log.info("setup-instance: doctor's report follows");
        Doctor.Report report = new Doctor(new Doctor.Options(Path.of("/"), false, null, state, imds, clockUrl, Duration.ofMillis(1500),
                o.jbang().toString(), o.region()), Proc.SYSTEM).run();
        report.print(spec.commandLine().getOut(), json);
        if (dryRun) { // what doctor fails here is mostly what the run would make; the steps above say which
            log.info("setup-instance: a dry run: doctor's findings are the instance as it is now, before any step ran");
            return Cli.OK;
        }
        return report.exitCode();
    }
}
