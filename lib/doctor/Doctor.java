import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * doctor's run: every check in parallel, each bounded by a short timeout, then the findings in a fixed order (the
 * agent, its identity, the host, the deployments). Reads only: nothing on the instance is changed.
 */
final class Doctor {
    /** The hooks' state root (Bundle.STATE_ROOT; DoctorTest keeps them equal). */
    static final String STATE_ROOT = "/var/lib/cdeploy";

    /**
     * What to examine: {@code sysroot} ("/" for this machine), deploy-local's root instead of the agent's
     * ({@code local}), where to ask for the instance's identity and the time (null: the defaults, or skipped), and a
     * jbang the launcher is told of ({@code CDEPLOY_JBANG}; null: none), and the region for the agent's install line.
     */
    record Options(Path sysroot, boolean local, String deploymentRoot, String stateRoot, String imdsEndpoint, String clockUrl, Duration timeout,
                   String jbang, String region) {}

    record Report(List<Finding> findings, double seconds) {
        long count(Finding.Status s) {
            return findings.stream().filter(f -> f.status() == s).count();
        }

        int exitCode() {
            return count(Finding.Status.FAIL) == 0 ? Cli.OK : Cli.FAILED;
        }

        void print(PrintWriter out, boolean json) {
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("findings", findings);
                m.put("passed", count(Finding.Status.PASS));
                m.put("warnings", count(Finding.Status.WARN));
                m.put("failed", count(Finding.Status.FAIL));
                m.put("skipped", count(Finding.Status.SKIP));
                m.put("seconds", seconds);
                m.put("exitCode", exitCode());
                out.println(Json.write(m));
            } else {
                findings.forEach(f -> f.lines().forEach(out::println));
                out.println(String.format("%d passed, %d warnings, %d failed, %d skipped (%.2f s)", count(Finding.Status.PASS),
                        count(Finding.Status.WARN), count(Finding.Status.FAIL), count(Finding.Status.SKIP), seconds));
            }
            out.flush();
        }
    }

    private final Options o;
    private final Sysroot sys;
    private final Proc.Runner runner;

    Doctor(Options o, Proc.Runner runner) {
        this.o = o;
        this.sys = new Sysroot(o.sysroot());
        this.runner = runner;
    }

    Report run() {
        long t0 = System.nanoTime();
        Agent agent = Agent.read(sys);
        String root = o.deploymentRoot() != null ? o.deploymentRoot() : agent.rootDir();
        DeploymentRoot deployments = new DeploymentRoot(sys, root, o.local());
        HostChecks host = new HostChecks(sys, runner, o.timeout());
        ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "doctor");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<List<Finding>>> parts = new ArrayList<>();
            List<String> fallbacks = new ArrayList<>();
            // read once (up to 2 MB a day of logs), for the agent-log check and the last deployment's verdict; producers
            // are submitted before the checks that wait on them, so a pool thread never waits on unscheduled work
            CompletableFuture<List<String>> agentLog = CompletableFuture.supplyAsync(() -> AgentLog.lines(sys, agent), pool);
            if (o.local()) {
                add(parts, fallbacks, pool, "agent", () -> List.of(Finding.skip("agent", "deploy-local's root: no agent involved")));
            } else {
                CompletableFuture<Metadata.Identity> imds = !sys.live && o.imdsEndpoint() == null ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.supplyAsync(() -> Metadata.query(Cli.first(o.imdsEndpoint(), Metadata.DEFAULT_ENDPOINT), o.timeout()), pool);
                add(parts, fallbacks, pool, "agent installed", () -> agent.check(sys, o.region()));
                add(parts, fallbacks, pool, "agent log", () -> AgentLog.check(agent, agentLog.join()));
                add(parts, fallbacks, pool, "credentials", () -> Credentials.check(sys, agent, reached(imds), AgentLog.signingKey(sys, agent)));
                add(parts, fallbacks, pool, "instance profile", () -> identity(imds));
            }
            add(parts, fallbacks, pool, "docker", host::docker);
            add(parts, fallbacks, pool, "jbang", () -> host.tools(agent, Cli.first(o.jbang(), agent.env.get("CDEPLOY_JBANG"))));
            add(parts, fallbacks, pool, "last deployment", () -> {
                DeploymentRoot.Last last = deployments.newest("_last_successful_install");
                List<Finding> out = new ArrayList<>(deployments.check(agentLog.join()));
                out.add(host.warm(last));
                out.add(host.registry(last, sys.homes().getOrDefault("root", "/root")));
                out.add(host.images(last));
                out.add(host.disk(root));
                return out;
            });
            add(parts, fallbacks, pool, "state folder", () -> List.of(DeployFolders.state(sys, o.stateRoot())));
            add(parts, fallbacks, pool, "colours", () -> host.colours(o.stateRoot()));
            List<Finding> findings = new ArrayList<>();
            if (sys.live && !Disk.root()) {
                findings.add(Finding.warn("privileges", "not root: root's files, the agent's environment and 0700 folders cannot be read",
                        "run it as root: sudo ./jbang doctor"));
            }
            long budget = o.timeout().toMillis() * 3 + 1000;
            long deadline = System.nanoTime() + budget * 1_000_000;
            for (int i = 0; i < parts.size(); i++) {
                try { // one deadline for the whole run, not one per check
                    findings.addAll(parts.get(i).get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS));
                } catch (Exception e) {
                    findings.add(Finding.warn(fallbacks.get(i), "no answer within " + budget + " ms (" + e.getClass().getSimpleName() + ")",
                            "run doctor again; a hung Docker daemon or file system shows here"));
                }
            }
            if (!sys.denied.isEmpty()) {
                List<String> some = sys.denied.stream().sorted().limit(3).toList();
                findings.add(Finding.warn("unreadable", sys.denied.size() + " file(s) or folder(s) could not be read, so checks on them may pass "
                        + "wrongly: " + String.join(", ", some), "run it as root: sudo ./jbang doctor"));
            }
            return new Report(findings, (System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void add(List<CompletableFuture<List<Finding>>> parts, List<String> names, ExecutorService pool, String name,
                            Supplier<List<Finding>> check) {
        names.add(name);
        parts.add(CompletableFuture.supplyAsync(() -> {
            try {
                return check.get();
            } catch (RuntimeException | Error e) { // a check that breaks is a finding, never the end of the run
                return List.of(Finding.warn(name, "the check failed: " + e, "report it (a bug in doctor)"));
            }
        }, pool));
    }

    /** The metadata service's answer if it came in time (the credentials verdict does not wait on a hung one). */
    private Metadata.Identity reached(CompletableFuture<Metadata.Identity> imds) {
        try {
            Metadata.Identity id = imds.get(o.timeout().toMillis() * 2 + 500, TimeUnit.MILLISECONDS);
            return id != null && id.reached() && id.problem() == null ? id : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The instance profile (IMDSv2), the region and the clock. */
    private List<Finding> identity(CompletableFuture<Metadata.Identity> imds) {
        Metadata.Identity id;
        try {
            id = imds.get(o.timeout().toMillis() * 2 + 500, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            id = new Metadata.Identity(o.imdsEndpoint(), false, null, null, null, "no answer in time");
        }
        if (id == null) {
            return List.of(Finding.skip("instance profile", "a copy: give --imds-endpoint (or AWS_EC2_METADATA_SERVICE_ENDPOINT) to ask one"));
        }
        List<Finding> out = new ArrayList<>(Metadata.check(id));
        String clock = o.clockUrl() != null ? o.clockUrl()
                : sys.live && id.region() != null && o.imdsEndpoint() == null ? "https://codedeploy-commands." + id.region() + ".amazonaws.com" : null;
        out.add(clock != null ? Metadata.clock(clock, o.timeout()) : Finding.skip("clock", id.region() == null
                ? "the region is not known, so there is no default server to ask; give --clock-url" : "give --clock-url to check it against a server"));
        return out;
    }
}
