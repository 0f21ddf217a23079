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
            known("UnrecognizedClientException", "UnrecognizedClientException|security token included in the request is invalid",
                    "AWS does not know the key the agent signs with: credentials root reads (often /root/.aws/credentials, "
                            + "left by aws configure as root) shadow the instance role",
                    "delete those keys (the credentials check names the file), then: sudo systemctl restart codedeploy-agent"),
            known("S3 AccessDenied", "S3::Errors::AccessDenied|AccessDenied.*(S3|[Bb]ucket|GetObject)",
                    "the agent may not download the bundle: the instance role cannot read the bucket, or the bucket is in another region",
                    "allow s3:GetObject on the bundles' prefix to the instance role, with the bucket in the instance's region"),
            known("AccessDeniedException", "AccessDenied(Exception)?",
                    "the identity the agent uses may not call CodeDeploy's command service: the instance role lacks the agent's "
                            + "permissions, or root's credentials are another principal's",
                    "give the instance role the agent's policy (setup --policies), remove static keys from root's ~/.aws, then restart the agent"),
            known("Missing credentials", "Missing credentials|[Nn]o credentials",
                    "the agent found no credentials: no instance profile, the metadata service unreachable, or the role attached after the agent started",
                    "attach an instance profile, then: sudo systemctl restart codedeploy-agent"),
            known("Signature expired", "Signature expired|RequestTimeTooSkewed",
                    "this host's clock is further off than AWS accepts", "turn on time sync (timedatectl set-ntp true, or chrony), then restart the agent"),
            known("IMDSv2 unsupported", "HTTP error from metadata service, code 401",
                    "an agent older than 1.2.1 cannot use IMDSv2, which this instance requires", "update the agent: sudo bash install auto"),
            known("endpoint unreachable", "(Failed to open TCP connection|Net::OpenTimeout|execution expired|Errno::ECONNREFUSED|SocketError|"
                            + "[Cc]onnection (refused|timed out)|dns error)",
                    "the agent cannot reach CodeDeploy's command endpoint (codedeploy-commands.REGION.amazonaws.com:443)",
                    "allow HTTPS out (security group, network ACL, a VPC endpoint), or set :proxy_uri: in codedeployagent.yml"),
            known("restarted mid-deployment", "Failing in-progress lifecycle event after an agent restart",
                    "the agent restarted during a deployment (a reboot, an update), which failed the running event",
                    "deploy again, and do not restart the agent while it deploys"),
            known("hook failed", "Script (at|does not exist at) specified location: \\S+",
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
        return scan(lines, new ArrayList<>());
    }

    /** The same; ERROR and FATAL lines no known failure matches go to {@code unknown} as (time, line). */
    static List<Seen> scan(List<String> lines, List<Map.Entry<LocalDateTime, String>> unknown) {
        Map<Known, Set<LocalDateTime>> seen = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || m.group(3).equals("DEBUG") || m.group(3).equals("INFO")) {
                continue; // backtrace lines and routine entries
            }
            LocalDateTime at = time(m.group(1) + "T" + m.group(2));
            if (at == null) {
                continue; // a damaged line is not a verdict
            }
            Known hit = KNOWN.stream().filter(k -> k.pattern().matcher(m.group(4)).find()).findFirst().orElse(null);
            if (hit != null) {
                seen.computeIfAbsent(hit, x -> new LinkedHashSet<>()).add(at); // one incident logs two lines in the same second
            } else if (!m.group(3).equals("WARN")) {
                unknown.add(Map.entry(at, m.group(4)));
            }
        }
        List<Seen> out = new ArrayList<>();
        seen.forEach((k, times) -> out.add(new Seen(k, times, times.stream().max(Comparator.naturalOrder()).orElseThrow())));
        out.sort(Comparator.comparing(Seen::last).reversed());
        return out;
    }

    /** {@code yyyy-MM-ddTHH:mm:ss}, or null for one that is no date (a damaged log line). */
    static LocalDateTime time(String isoLocal) {
        try {
            return LocalDateTime.parse(isoLocal);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** The newest timestamp in the lines: "now" as far as the log knows. */
    static LocalDateTime newest(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = LINE.matcher(lines.get(i));
            LocalDateTime at = m.matches() ? time(m.group(1) + "T" + m.group(2)) : null;
            if (at != null) {
                return at;
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
                String text = sys.read(f);
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

    /** The findings of the agent's log, {@code lines} as {@link #lines} read them. */
    static List<Finding> check(Agent agent, List<String> lines) {
        if (lines.isEmpty()) {
            return List.of(agent.version == null ? Finding.skip("agent log", "no agent")
                    : Finding.warn("agent log", "no log in " + agent.logDir(), "the agent has not run yet, or :log_dir: points elsewhere"));
        }
        LocalDateTime newest = newest(lines);
        List<Map.Entry<LocalDateTime, String>> unknown = new ArrayList<>();
        List<Seen> seen = scan(lines, unknown);
        List<Finding> out = new ArrayList<>();
        List<String> recentUnknown = unknown.stream().filter(e -> newest == null || !e.getKey().isBefore(newest.minusHours(1)))
                .map(Map.Entry::getValue).toList();
        if (!recentUnknown.isEmpty()) {
            String last = recentUnknown.get(recentUnknown.size() - 1);
            out.add(Finding.warn("agent log", recentUnknown.size() + " error line(s) in the log's last hour that doctor does not know; the newest: "
                    + Mask.line(last.length() > 200 ? last.substring(0, 200) + "..." : last), "read the log: sudo tail -n 100 " + agent.logDir() + "/codedeploy-agent.log"));
        }
        if (seen.isEmpty()) {
            if (out.isEmpty()) {
                out.add(Finding.pass("agent log", "no known error in " + lines.size() + " lines of " + agent.logDir()));
            }
            return out;
        }
        for (Seen s : seen) {
            boolean recent = newest == null || Duration.between(s.last(), newest).compareTo(Duration.ofHours(1)) <= 0;
            String saw = s.known().name() + " " + s.times().size() + (s.times().size() == 1 ? " time" : " times") + ", last at "
                    + s.last().format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + (recent ? "" : " (not in the log's last hour)") + ": " + s.known().cause();
            out.add(recent ? Finding.fail("agent log", saw, s.known().fix()) : Finding.warn("agent log", saw, s.known().fix()));
        }
        return out;
    }
}
