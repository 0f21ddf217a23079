import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A lifecycle event that failed, as the CodeDeploy agent reports it (event, script, error code, message, the ~2 KB
 * log tail) and the instances it failed on. One renderer for every side that explains a failure: release for a
 * remote deployment (from BatchGetDeploymentTargets) and deploy-local for its own. The message and log tail come from
 * the application's own output: masked here, once, where a failure is made.
 */
record EventFailure(String event, String script, String errorCode, String message, String logTail, List<String> instances) {
    EventFailure {
        message = message == null ? null : Mask.line(message);
        logTail = logTail == null ? null : logTail.lines().map(Mask::line).collect(Collectors.joining("\n"));
        instances = List.copyOf(instances);
    }

    /** The failure as a few lines for the log: where it failed, why, which instances, the log tail indented. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        int n = instances.size();
        String who = n + (n == 1 ? " instance" : " instances") + " (" + String.join(", ", instances.subList(0, Math.min(n, 10)))
                + (n > 10 ? ", and " + (n - 10) + " more" : "") + ")";
        lines.add(event + (script == null ? "" : " " + script) + " failed on " + who
                + (errorCode == null ? "" : ": " + errorCode) + (message == null ? "" : ": " + message));
        if (logTail != null && !logTail.isBlank()) {
            lines.add("log tail:");
            logTail.lines().forEach(l -> lines.add("  | " + l));
        }
        return lines;
    }
}
