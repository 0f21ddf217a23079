import java.io.PrintWriter;
import java.util.List;

/**
 * Where a local deployment ended, for people (a table of events with their durations and outcomes, then the failure
 * told by the same renderer release uses for a remote one) and for machines ({@code --json}: this record).
 * {@code scriptExitCode} is the failing script's own exit code (a hook's 3 means it rolled back).
 */
record LocalResult(String deploymentId, String status, String applicationName, String deploymentGroupName, String deploymentGroupId,
                   String bundle, String deploymentRoot, String deploymentDir, String scriptsLog, List<Lifecycle.EventResult> events,
                   EventFailure failure, Integer scriptExitCode, int exitCode) {
    /** Beside scripts.log, the result as --json prints it: how the deployment ended, for doctor --local. */
    static final String FILE = "result.json";

    static LocalResult of(String id, String application, String groupName, Layout layout, String bundle, List<Lifecycle.EventResult> events) {
        Lifecycle.EventResult failed = events.stream().filter(Lifecycle.EventResult::failed).findFirst().orElse(null);
        String dir = layout.deploymentDir(id).toString();
        return new LocalResult(id, failed == null ? "Succeeded" : "Failed", application, groupName, layout.group, bundle,
                layout.root.toString(), dir, Layout.scriptsLog(layout.deploymentDir(id)).toString(), List.copyOf(events),
                failed == null ? null : failed.failure(), failed == null ? null : failed.scriptExit(), failed == null ? Cli.OK : Cli.FAILED);
    }

    void print(PrintWriter out, boolean json) {
        if (json) {
            out.println(Json.write(this));
            out.flush();
            return;
        }
        out.println("Deployment " + deploymentId + " " + status + " (application " + applicationName + ", group "
                + deploymentGroupName + " / " + deploymentGroupId + ")");
        int width = events.stream().mapToInt(e -> e.event().length()).max().orElse(10);
        for (Lifecycle.EventResult e : events) {
            String time = "Skipped".equals(e.status()) ? "" : String.format("%.2f s", e.seconds());
            out.println(String.format("  %-" + width + "s  %-9s  %8s  %s", e.event(), e.status(), time, e.note() == null ? "" : e.note()).stripTrailing());
        }
        if (failure != null) {
            failure.describe().forEach(out::println);
        }
        out.println("Log: " + scriptsLog);
        out.flush();
    }
}
