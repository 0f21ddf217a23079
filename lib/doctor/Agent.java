import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CodeDeploy agent on an instance, as its files and (live) its process show it: config, version, whether it
 * runs, and the environment it runs with (its PATH is the one the hooks get, not a login shell's).
 */
final class Agent {
    static final String HOME = "/opt/codedeploy-agent";
    static final String CONFIG = "/etc/codedeploy-agent/conf/codedeployagent.yml";
    static final String ON_PREMISES = "/etc/codedeploy-agent/conf/codedeploy.onpremises.yml";
    static final String PID_FILE = HOME + "/state/.pid/codedeploy-agent.pid";
    /** systemd's PATH for a service, which the agent's unit does not change. */
    static final String SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Pattern CONFIG_LINE = Pattern.compile("^\\s*:?([a-z_]+):\\s*(.*?)\\s*$");
    private static final Pattern VERSION = Pattern.compile("agent_version:\\s*(?:OFFICIAL_)?([0-9][0-9A-Za-z._-]*?)(?:_(?:deb|rpm|msi|zip|tgz))?\\s*$",
            Pattern.MULTILINE);

    final Map<String, String> config;
    final String version;
    final Long pid;
    final Map<String, String> env;

    private Agent(Map<String, String> config, String version, Long pid, Map<String, String> env) {
        this.config = config;
        this.version = version;
        this.pid = pid;
        this.env = env;
    }

    static Agent read(Sysroot sys) {
        Map<String, String> config = new HashMap<>();
        String text = sys.read(CONFIG);
        if (text != null) {
            text.lines().map(CONFIG_LINE::matcher).filter(Matcher::matches)
                    .forEach(m -> config.put(m.group(1), m.group(2).replaceAll("^['\"]|['\"]$", "")));
        }
        String v = sys.read(HOME + "/.version");
        Matcher m = v == null ? null : VERSION.matcher(v);
        String version = m != null && m.find() ? m.group(1) : sys.exists(HOME) ? "unknown version" : null;
        Long pid = sys.live ? runningPid(sys) : null;
        return new Agent(config, version, pid, pid == null ? Map.of() : environ(pid));
    }

    String rootDir() {
        return config.getOrDefault("root_dir", HOME + "/deployment-root");
    }

    String logDir() {
        return config.getOrDefault("log_dir", "/var/log/aws/codedeploy-agent");
    }

    /** The PATH the agent's hooks inherit: the running agent's own, else the service default. */
    String path() {
        return env.getOrDefault("PATH", SERVICE_PATH);
    }

    /** The agent's own installer, from the region's bucket (the agent is Ruby: it needs ruby). */
    static String installCommand(String region) {
        String r = region == null ? "REGION" : region;
        return "sudo apt-get install -y ruby-full wget && cd /tmp && wget https://aws-codedeploy-" + r + ".s3." + r
                + ".amazonaws.com/latest/install && chmod +x ./install && sudo ./install auto";
    }

    /** Installed (and its version), running (live only). */
    List<Finding> check(Sysroot sys, String region) {
        Finding installed = version == null
                ? Finding.fail("agent installed", "no " + HOME + " (the CodeDeploy agent is not installed)",
                        "install it: " + installCommand(region))
                : Finding.pass("agent installed", "version " + version + (sys.exists(CONFIG) ? "" : "; no " + CONFIG + " (defaults apply)"));
        if (!sys.live) {
            String recorded = sys.read(PID_FILE);
            return List.of(installed, Finding.skip("agent running", "needs a live system" + (recorded == null ? "" : "; the pid file says " + recorded.strip())));
        }
        Finding running = pid != null ? Finding.pass("agent running", "pid " + pid + (env.isEmpty() ? " (its environment is not readable: run doctor as root)" : ""))
                : version == null ? Finding.skip("agent running", "not installed")
                : Finding.fail("agent running", "no codedeploy-agent process", "start it: sudo systemctl start codedeploy-agent (and enable it)");
        return List.of(installed, running);
    }

    /** The agent's master process: the pid file's, when it is alive and an agent, else one found by its title. */
    private static Long runningPid(Sysroot sys) {
        String recorded = sys.read(PID_FILE);
        if (recorded != null && recorded.strip().matches("\\d+") && isAgent(Long.parseLong(recorded.strip()))) {
            return Long.parseLong(recorded.strip());
        }
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(Agent::isAgent).findFirst().orElse(null);
    }

    private static boolean isAgent(long pid) {
        try {
            String cmd = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
            return !cmd.contains("codedeploy-local") && (cmd.startsWith("codedeploy-agent: master") || cmd.matches("\\S*/codedeploy-agent( .*)?")
                    || cmd.contains("/codedeploy-agent/bin/codedeploy-agent"));
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, String> environ(long pid) {
        Map<String, String> env = new HashMap<>();
        try {
            String all = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), StandardCharsets.UTF_8);
            for (String kv : all.split("\0")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        } catch (Exception e) {
            // not root: the agent's environment stays unknown
        }
        return env;
    }
}
