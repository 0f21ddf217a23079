import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's log scanned for the failures users actually hit (reference section 6), newest first, each with its cause and
 * fix, how many times and when it last happened. One that happened within the last hour of the log is a FAIL, an
 * older one a WARN: judged against the log's own newest line, so a copied instance reads the same as a live one.
 */
final class AgentLog {
    record Known(String name, Pattern pattern, String cause, String fix) {}

    record Seen(Known known, Set<LocalDateTime> times, LocalDateTime last) {}

    static final List<Known> KNOWN = List.of(
            known("UnrecognizedClientException", "UnrecognizedClientException",
                    "AWS does not know the key the agent signs with: credentials root reads (often /root/.aws/credentials, "
                            + "left by aws configure as root) shadow the instance role",
                    "delete those keys (the credentials check names the file), then: sudo systemctl restart codedeploy-agent"),
            known("AccessDeniedException", "CodeDeployCommand::Errors::AccessDeniedException",
                    "the identity the agent uses may not call CodeDeploy's command service: the instance role lacks the agent's "
                            + "permissions, or root's credentials are another principal's",
                    "give the instance role the agent's policy (setup --policies), remove static keys from root's ~/.aws, then restart the agent"),
            known("Missing credentials", "Missing credentials - please check if this instance was started with an IAM instance profile",
                    "the agent found no credentials: no instance profile, the metadata service unreachable, or the role attached after the agent started",
                    "attach an instance profile, then: sudo systemctl restart codedeploy-agent"),
            known("Signature expired", "InvalidSignatureException - Signature expired",
                    "this host's clock is further off than AWS accepts", "turn on time sync (timedatectl set-ntp true, or chrony), then restart the agent"),
            known("IMDSv2 unsupported", "HTTP error from metadata service, code 401",
                    "an agent older than 1.2.1 cannot use IMDSv2, which this instance requires", "update the agent: sudo bash install auto"),
            known("S3 AccessDenied", "Aws::S3::Errors::AccessDenied",
                    "the agent may not download the bundle: the instance role cannot read the bucket, or the bucket is in another region",
                    "allow s3:GetObject on the bundles' prefix to the instance role, with the bucket in the instance's region"),
            known("endpoint unreachable", "(Failed to open TCP connection|Net::OpenTimeout|execution expired|Errno::ECONNREFUSED|SocketError)",
                    "the agent cannot reach CodeDeploy's command endpoint (codedeploy-commands.REGION.amazonaws.com:443)",
                    "allow HTTPS out (security group, network ACL, a VPC endpoint), or set :proxy_uri: in codedeployagent.yml"),
            known("restarted mid-deployment", "Failing in-progress lifecycle event after an agent restart",
                    "the agent restarted during a deployment (a reboot, an update), which failed the running event",
                    "deploy again, and do not restart the agent while it deploys"),
            known("hook failed", "Script at specified location: \\S+.* (failed|did not|failed to)",
                    "a hook failed (the last-deployment check shows its log tail)", "see the last deployment's check"));

    private static final Pattern LINE = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}:\\d{2})\\S*\\s+(DEBUG|INFO|WARN|ERROR|FATAL)\\s+(.*)$");
    private static final Pattern WIRE_KEY = Pattern.compile("Credential=([A-Z0-9]{16,128})/");

    private AgentLog() {}

    private static Known known(String name, String regex, String cause, String fix) {
        return new Known(name, Pattern.compile(regex), cause, fix);
    }

    /** The known failures in these lines (oldest first, as a log is written), newest first. */
    static List<Seen> scan(List<String> lines) {
        Map<Known, Set<LocalDateTime>> seen = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || m.group(3).equals("DEBUG") || m.group(3).equals("INFO")) {
                continue; // backtrace lines and routine entries
            }
            LocalDateTime at = LocalDateTime.parse(m.group(1) + "T" + m.group(2));
            for (Known k : KNOWN) {
                if (k.pattern().matcher(m.group(4)).find()) {
                    seen.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(at); // one incident logs two lines in the same second
                    break;
                }
            }
        }
        List<Seen> out = new ArrayList<>();
        seen.forEach((k, times) -> out.add(new Seen(k, times, times.stream().max(Comparator.naturalOrder()).orElseThrow())));
        out.sort(Comparator.comparing(Seen::last).reversed());
        return out;
    }

    /** The newest timestamp in the lines: "now" as far as the log knows. */
    static LocalDateTime newest(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = LINE.matcher(lines.get(i));
            if (m.matches()) {
                return LocalDateTime.parse(m.group(1) + "T" + m.group(2));
            }
        }
        return null;
    }

    /** The agent's logs, the rotated ones (codedeploy-agent.YYYYMMDD.log) first, the current one last. */
    static List<String> lines(Sysroot sys, Agent agent) {
        List<String> lines = new ArrayList<>();
        for (Path f : sys.list(agent.logDir())) {
            String name = f.getFileName().toString();
            if (name.matches("codedeploy-agent(\\.\\d{8}(\\.\\d+)?)?\\.log")) {
                String text = Sysroot.read(f);
                if (text != null) {
                    lines.addAll(text.lines().toList());
                }
            }
        }
        return lines;
    }

    /** The access key id the agent last signed with, from its wire log (when :log_aws_wire: was on), else null. */
    static String signingKey(Sysroot sys, Agent agent) {
        String key = null;
        for (String name : List.of("codedeploy-agent.aws_wire.log", "codedeploy-agent.wire.log")) {
            String text = sys.read(agent.logDir() + "/" + name);
            Matcher m = text == null ? null : WIRE_KEY.matcher(text);
            while (m != null && m.find()) {
                key = m.group(1);
            }
        }
        return key;
    }

    static List<Finding> check(Sysroot sys, Agent agent) {
        List<String> lines = lines(sys, agent);
        if (lines.isEmpty()) {
            return List.of(agent.version == null ? Finding.skip("agent log", "no agent")
                    : Finding.warn("agent log", "no log in " + agent.logDir(), "the agent has not run yet, or :log_dir: points elsewhere"));
        }
        LocalDateTime newest = newest(lines);
        List<Seen> seen = scan(lines);
        if (seen.isEmpty()) {
            return List.of(Finding.pass("agent log", "no known error in " + lines.size() + " lines of " + agent.logDir()));
        }
        List<Finding> out = new ArrayList<>();
        for (Seen s : seen) {
            boolean recent = newest == null || Duration.between(s.last(), newest).compareTo(Duration.ofHours(1)) <= 0;
            String saw = s.known().name() + " " + s.times().size() + (s.times().size() == 1 ? " time" : " times") + ", last at "
                    + s.last().format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + (recent ? "" : " (not in the log's last hour)") + ": " + s.known().cause();
            out.add(recent ? Finding.fail("agent log", saw, s.known().fix()) : Finding.warn("agent log", saw, s.known().fix()));
        }
        return out;
    }
}
