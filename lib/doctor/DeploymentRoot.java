import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A deployment root as the agent (or deploy-local) leaves it: the newest deployment and how it ended, with the
 * failing hook's log tail from scripts.log told by the one failure renderer; in-progress markers left behind; deploy
 * folders anyone may write to. deploy-local records its outcome in logs/result.json; for the agent's own deployments
 * the outcome is read from the agent's log (a script error after the deployment began), which is all it records.
 */
final class DeploymentRoot {
    static final Duration STALE = Duration.ofHours(1);
    private static final Pattern SCRIPTS_LINE = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}) (.*)$");
    private static final Pattern AGENT_LINE = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}:\\d{2})\\S*\\s+(?:ERROR|WARN)\\s+(.*)$");
    private static final Pattern NAMED_SCRIPT = Pattern.compile("specified location: (\\S+)");
    /** The agent's "Error during perform: Class - message - backtrace", or a script error's own text. */
    private static final List<Pattern> SCRIPT_ERRORS = List.of(
            Pattern.compile("Error during perform: \\S+ - (.*?)(?: - /\\S+\\.rb:\\d+:in .*)?$"),
            Pattern.compile("((?:Script (?:at|does not exist at) specified location: |Failed: Failing in-progress).*?)(?: - /\\S+\\.rb:\\d+:in .*)?$"));

    /** The newest deployment: its group id, deployment id and folder (beneath the sysroot). */
    record Last(String group, String id, Path dir) {
        Path archive() {
            return dir.resolve("deployment-archive");
        }
    }

    final Sysroot sys;
    final String root;
    final boolean local;

    DeploymentRoot(Sysroot sys, String root, boolean local) {
        this.sys = sys;
        this.root = root;
        this.local = local;
    }

    /** The folder the newest {@code <group>_<suffix>} marker names, or null. */
    Last newest(String suffix) {
        Path best = null;
        FileTime bestTime = null;
        for (Path marker : sys.list(root + "/deployment-instructions")) {
            if (marker.getFileName().toString().endsWith(suffix)) {
                FileTime t = mtime(marker);
                if (best == null || t.compareTo(bestTime) > 0) {
                    best = marker;
                    bestTime = t;
                }
            }
        }
        String named = best == null ? null : sys.read(best);
        if (named == null || named.isBlank()) {
            return null;
        }
        Path dir = sys.path(named.strip());
        return new Last(dir.getParent().getFileName().toString(), dir.getFileName().toString(), dir);
    }

    /**
     * The deployment whose hooks wrote last: the newest {@code <group>/<deployment>/logs/scripts.log}. Not the
     * {@code _most_recent_install} marker, which the agent writes only after DownloadBundle: a deployment that failed
     * at ApplicationStop (the old revision's stop script) or at the download never moves it.
     */
    Last newestRun() {
        Last best = null;
        String bestKey = null;
        for (Path group : sys.list(root)) {
            String name = group.getFileName().toString();
            if (!Files.isDirectory(group) || name.startsWith("deployment-") || name.equals("ongoing-deployment")) {
                continue;
            }
            for (Path d : sys.list(root + "/" + name)) {
                List<String[]> entries = scriptsLog(d.resolve("logs/scripts.log"));
                // the last entry's own time (a copied instance's mtimes may all be the copy's), then the file's
                String key = entries.isEmpty() ? null : entries.get(entries.size() - 1)[0] + " " + mtime(d.resolve("logs/scripts.log")).toMillis();
                if (key != null && (bestKey == null || key.compareTo(bestKey) > 0)) {
                    best = new Last(name, d.getFileName().toString(), d);
                    bestKey = key;
                }
            }
        }
        return best != null ? best : newest("_most_recent_install");
    }

    List<Finding> check(List<String> agentLog) {
        if (!Files.isDirectory(sys.path(root))) {
            return List.of(Finding.pass("last deployment", "none yet (no " + root + ")"));
        }
        List<Finding> out = new ArrayList<>();
        Last last = newestRun();
        out.add(last == null ? Finding.pass("last deployment", "none yet in " + root) : local ? localOutcome(last) : agentOutcome(last, agentLog));
        out.add(markers());
        Last installed = newest("_last_successful_install"); // what the agent copied out last
        if (installed != null) {
            out.add(DeployFolders.check(sys, installed.archive()));
        }
        return out;
    }

    /** deploy-local's own record of how the deployment ended. */
    private Finding localOutcome(Last last) {
        String text = sys.read(last.dir().resolve("logs/result.json"));
        JsonNode r;
        try {
            r = text == null ? null : Json.MAPPER.readTree(text);
        } catch (Exception e) {
            r = null;
        }
        if (r == null) {
            return Finding.warn("last deployment", last.id() + " (group " + last.group() + ") left no result: it is running, was cut off, or stopped before its hooks",
                    "if nothing runs, deploy again: deploy-local says why it stops");
        }
        String head = last.id() + " (group " + last.group() + ") " + r.path("status").asText();
        JsonNode f = r.path("failure");
        if (f.isMissingNode() || f.isNull()) {
            return Finding.pass("last deployment", head);
        }
        EventFailure failure = new EventFailure(f.path("event").asText(), f.path("script").asText(null), f.path("errorCode").asText(null),
                f.path("message").asText(null), f.path("logTail").asText(null), List.of("this machine"));
        boolean rolledBack = r.path("scriptExitCode").asInt(-1) == Cli.ROLLED_BACK;
        return Finding.fail("last deployment", head + " at " + failure.event() + (rolledBack ? " (its hook rolled back: the version before serves again)" : ""),
                "fix what the log tail shows, then deploy again")
                .withDetail(failure.describe());
    }

    /** The agent's deployment: its hooks' output from scripts.log, its end from a script error the agent logged. */
    private Finding agentOutcome(Last last, List<String> agentLog) {
        List<String[]> entries = scriptsLog(last.dir().resolve("logs/scripts.log"));
        String head = last.id() + " (group " + last.group() + ")";
        if (entries.isEmpty()) {
            return Finding.pass("last deployment", head + ": no hook output recorded");
        }
        LocalDateTime began = AgentLog.time(entries.get(0)[0]);
        String error = null;
        for (String line : agentLog) {
            Matcher m = AGENT_LINE.matcher(line);
            LocalDateTime at = m.matches() ? AgentLog.time(m.group(1) + "T" + m.group(2)) : null;
            if (at != null && began != null && !at.isBefore(began)) {
                for (Pattern p : SCRIPT_ERRORS) {
                    Matcher e = p.matcher(m.group(3));
                    if (e.find()) {
                        error = e.group(1).strip();
                        break;
                    }
                }
            }
        }
        String event = null;
        String script = null;
        for (String[] e : entries) {
            event = e[1].startsWith("LifecycleEvent - ") ? e[1].substring(17) : event;
            script = e[1].startsWith("LifecycleEvent - ") ? null : e[1].startsWith("Script - ") ? e[1].substring(9) : script;
        }
        if (error == null) {
            return Finding.pass("last deployment", head + ": ran through " + event + ", no script error in the agent's log since");
        }
        Matcher named = NAMED_SCRIPT.matcher(error);
        EventFailure failure = new EventFailure(event, named.find() ? named.group(1) : script, errorCode(error), error, tail(entries), List.of("this instance"));
        return Finding.fail("last deployment", head + " failed at " + event, "fix what the log tail shows, then deploy again")
                .withDetail(failure.describe());
    }

    static String errorCode(String message) {
        return message.contains("failed to complete in") ? "ScriptTimedOut" : message.startsWith("Script does not exist") ? "ScriptMissing"
                : message.contains("failed with exit code") || message.contains("failed to close") ? "ScriptFailed" : "UnknownError";
    }

    /** scripts.log as (timestamp, entry) pairs, continuation lines joined to their entry. */
    List<String[]> scriptsLog(Path file) {
        String text = sys.read(file);
        List<String[]> out = new ArrayList<>();
        for (String line : text == null ? List.<String>of() : text.lines().toList()) {
            Matcher m = SCRIPTS_LINE.matcher(line);
            if (m.matches()) {
                out.add(new String[] {m.group(1) + "T" + m.group(2), m.group(3)});
            } else if (!out.isEmpty()) {
                out.get(out.size() - 1)[1] += "\n" + line;
            }
        }
        return out;
    }

    /** The last event's entries, as CodeDeploy's tail: whole entries, newest last, about 2 KB. */
    static String tail(List<String[]> entries) {
        List<String> mine = new ArrayList<>();
        for (String[] e : entries) {
            if (e[1].startsWith("LifecycleEvent - ")) {
                mine.clear();
            }
            mine.add(e[1]);
        }
        int size = 0;
        int from = mine.size();
        while (from > 0 && size + mine.get(from - 1).length() + 1 <= 2048) {
            size += mine.get(--from).length() + 1;
        }
        return String.join("\n", mine.subList(from, mine.size()));
    }

    /** In-progress markers: one older than an hour outlived its deployment (a crash, a reboot). */
    private Finding markers() {
        List<Path> ongoing = sys.list(root + "/ongoing-deployment");
        if (ongoing.isEmpty()) {
            return Finding.pass("in-progress markers", "none");
        }
        Instant now = Instant.now();
        List<String> stale = ongoing.stream().filter(p -> Duration.between(mtime(p).toInstant(), now).compareTo(STALE) > 0)
                .sorted(Comparator.comparing(DeploymentRoot::mtime)).map(p -> p.getFileName() + " (since " + mtime(p) + ")").toList();
        return stale.isEmpty() ? Finding.pass("in-progress markers", ongoing.size() + " deployment(s) in progress: "
                        + String.join(", ", ongoing.stream().map(p -> p.getFileName().toString()).toList()))
                : Finding.warn("in-progress markers", "stale: " + String.join(", ", stale),
                        "if no deployment runs, remove them from " + root + "/ongoing-deployment (the agent fails that event at its next start)");
    }

    static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (Exception e) {
            return FileTime.fromMillis(0);
        }
    }
}
