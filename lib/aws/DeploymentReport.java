//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0
//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import software.amazon.awssdk.services.codedeploy.model.DeploymentInfo;
import software.amazon.awssdk.services.codedeploy.model.Diagnostics;
import software.amazon.awssdk.services.codedeploy.model.LifecycleEvent;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;

/**
 * What {@code status} prints on stdout: a group's recent deployments, or one deployment with its instances. As text,
 * a line per deployment; for one deployment a line per instance status with its count, then the instances that did
 * not go well (failed, in progress, unknown) each with its lifecycle events and their durations, the others counted
 * unless {@code --all}, and the failed events merged and told by {@link EventFailure#describe} as release tells them.
 * With {@code --json} everything: every instance and every event. Texts from the instances (messages, log tails) are
 * masked.
 */
final class DeploymentReport {
    /** Instance statuses that are counted, not shown one by one, unless --all. */
    static final Set<String> COUNTED = Set.of("Succeeded", "Pending", "Skipped", "Ready");

    /** A deployment as status tells it; times in ISO-8601 UTC, {@code durationSeconds} null while it runs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Summary(String deploymentId, String status, String application, String deploymentGroup, String creator,
                   String createTime, String completeTime, Double durationSeconds, Map<String, Long> overview,
                   String errorCode, String errorMessage, String rollbackDeploymentId, String rollbackOf, String rollbackMessage,
                   String revision, String description) {
        static Summary of(DeploymentInfo d) {
            var e = d.errorInformation();
            var r = d.rollbackInfo();
            return new Summary(d.deploymentId(), d.statusAsString(), d.applicationName(), d.deploymentGroupName(), d.creatorAsString(),
                    time(d.createTime()), time(d.completeTime()), seconds(d.createTime(), d.completeTime()),
                    Deployments.overview(d.deploymentOverview()), e == null ? null : e.codeAsString(), e == null ? null : e.message(),
                    r == null ? null : r.rollbackDeploymentId(), r == null ? null : r.rollbackTriggeringDeploymentId(),
                    r == null ? null : r.rollbackMessage(), DeploymentReport.revision(d.revision()), d.description());
        }
    }

    /** A lifecycle event of an instance, with what the agent said about it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Event(String name, String status, String startTime, String endTime, Double durationSeconds,
                 String errorCode, String script, String message, String logTail) {
        static Event of(LifecycleEvent e) {
            Diagnostics dx = e.diagnostics();
            return new Event(e.lifecycleEventName(), e.statusAsString(), time(e.startTime()), time(e.endTime()),
                    seconds(e.startTime(), e.endTime()), dx == null ? null : dx.errorCodeAsString(), dx == null ? null : dx.scriptName(),
                    dx == null ? null : Mask.line(dx.message()), dx == null || dx.logTail() == null ? null
                            : dx.logTail().lines().map(Mask::line).collect(Collectors.joining("\n")));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Instance(String id, String status, String lastUpdatedAt, List<Event> events) {
        static Instance of(Deployments.Target t) {
            return new Instance(t.id(), t.status(), time(t.lastUpdatedAt()), t.events().stream().map(Event::of).toList());
        }
    }

    /** {@code status --json} for a group: its most recent deployments, newest first. */
    record Recent(String application, String deploymentGroup, List<Summary> deployments) {}

    /**
     * {@code status --json} for one deployment: its instances (those of {@code instanceStatusFilter} when given) counted
     * by status, every one with its events, and the failed events merged as release's --json has them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record One(Summary deployment, List<String> instanceStatusFilter, Map<String, Integer> instanceCounts, List<Instance> instances,
               List<EventFailure> failures) {}

    private final PrintWriter out;
    private final boolean json;
    private final Instant now;

    DeploymentReport(PrintWriter out, boolean json, Instant now) {
        this.out = out;
        this.json = json;
        this.now = now;
    }

    /** A group's recent deployments: a line each (id, status, created, duration, counts), the error and rollback under it. */
    void recent(String application, String group, List<DeploymentInfo> deployments) {
        if (json) {
            print(Json.write(new Recent(application, group, deployments.stream().map(Summary::of).toList())));
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(application + " / " + group + ": " + (deployments.isEmpty() ? "no deployments"
                : deployments.size() == 1 ? "the most recent deployment" : "the " + deployments.size() + " most recent deployments, newest first"));
        int width = deployments.stream().mapToInt(d -> d.deploymentId().length()).max().orElse(0);
        for (DeploymentInfo d : deployments) {
            lines.add(String.format("%-" + width + "s  %-10s  %-20s  %10s  %s", d.deploymentId(), d.statusAsString(), time(d.createTime()),
                    took(d.createTime(), d.completeTime()), Deployments.counts(d.deploymentOverview())));
            details(d).forEach(l -> lines.add(" ".repeat(width + 2) + l));
        }
        print(String.join("\n", lines));
    }

    /**
     * One deployment and its {@code targets}: the deployment, a count per instance status, the instances not
     * {@link #COUNTED} (every one with {@code all}) with their events, then the failures merged.
     */
    void one(DeploymentInfo d, List<Deployments.Target> targets, List<String> filter, boolean all) {
        List<EventFailure> failures = Deployments.failures(targets.stream().filter(t -> "Failed".equals(t.status())).toList());
        Map<String, Integer> counts = counts(targets);
        if (json) {
            print(Json.write(new One(Summary.of(d), filter.isEmpty() ? null : filter, counts,
                    targets.stream().map(Instance::of).toList(), failures)));
            return;
        }
        List<String> lines = new ArrayList<>(header(d));
        lines.add(targets.size() + (targets.size() == 1 ? " instance" : " instances") + (filter.isEmpty() ? "" : " (--instance-status "
                + String.join(",", filter) + ")") + (targets.isEmpty() ? "" : ": " + counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))));
        targets.stream().filter(t -> all || !COUNTED.contains(t.status()))
                .sorted(Comparator.comparingInt(t -> order(t.status())))
                .forEach(t -> lines.addAll(instance(t)));
        Map<String, Integer> hidden = all ? Map.of() : counts.entrySet().stream().filter(e -> COUNTED.contains(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        if (!hidden.isEmpty()) {
            lines.add("not shown: " + hidden.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                    .collect(Collectors.joining(", ")) + " (--all shows every instance)");
        }
        failures.forEach(f -> lines.addAll(f.describe()));
        print(String.join("\n", lines));
    }

    /** The deployment: id, status, where, when and how long, the counts, then its error, rollback and revision. */
    private List<String> header(DeploymentInfo d) {
        List<String> lines = new ArrayList<>();
        lines.add(d.deploymentId() + " " + d.statusAsString() + " (application " + d.applicationName() + ", group "
                + d.deploymentGroupName() + ")");
        lines.add("  created " + time(d.createTime()) + (d.creatorAsString() == null ? "" : " by " + d.creatorAsString())
                + (d.completeTime() == null ? ", running for " + took(d.createTime(), null) : ", took " + took(d.createTime(), d.completeTime())));
        lines.add("  " + Deployments.counts(d.deploymentOverview()));
        details(d).forEach(l -> lines.add("  " + l));
        String revision = revision(d.revision());
        if (revision != null) {
            lines.add("  revision " + revision);
        }
        return lines;
    }

    /** A deployment's error and its rollback (either way), a line each. */
    private static List<String> details(DeploymentInfo d) {
        List<String> lines = new ArrayList<>();
        if (d.errorInformation() != null) {
            String message = Cli.firstLine(d.errorInformation().message());
            lines.add(d.errorInformation().codeAsString() + (message == null || message.isBlank() ? "" : ": " + message));
        }
        var r = d.rollbackInfo();
        if (r != null && r.rollbackDeploymentId() != null) {
            lines.add("rolled back by " + r.rollbackDeploymentId() + (r.rollbackMessage() == null ? "" : " (" + r.rollbackMessage() + ")"));
        }
        if (r != null && r.rollbackTriggeringDeploymentId() != null) {
            lines.add("rollback of " + r.rollbackTriggeringDeploymentId());
        }
        return lines;
    }

    /** An instance: its status, then a line per lifecycle event with its status, duration and error code. */
    private List<String> instance(Deployments.Target t) {
        List<String> lines = new ArrayList<>();
        lines.add(t.id() + " " + t.status() + (t.lastUpdatedAt() == null ? "" : " (last updated " + time(t.lastUpdatedAt()) + ")"));
        for (LifecycleEvent e : t.events()) {
            Diagnostics dx = e.diagnostics();
            boolean told = dx != null && dx.errorCode() != null && !"Success".equals(dx.errorCodeAsString());
            String duration = e.startTime() == null ? "" : e.endTime() == null ? took(e.startTime(), null) + " so far" : took(e.startTime(), e.endTime());
            lines.add(String.format("  %-20s %-11s %10s%s", e.lifecycleEventName(), e.statusAsString(), duration,
                    told ? "  " + dx.errorCodeAsString() + (dx.scriptName() == null || dx.scriptName().isEmpty() ? "" : " (" + dx.scriptName() + ")") : "")
                    .stripTrailing());
        }
        return lines;
    }

    /** Instances by status, the largest group first (ties by name). */
    static Map<String, Integer> counts(List<Deployments.Target> targets) {
        Map<String, Integer> n = new LinkedHashMap<>();
        targets.forEach(t -> n.merge(String.valueOf(t.status()), 1, Integer::sum));
        return n.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** Failed instances first, then those still moving, then the rest. */
    private static int order(String status) {
        int i = List.of("Failed", "Unknown", "InProgress", "Ready", "Pending", "Skipped", "Succeeded").indexOf(status);
        return i < 0 ? 0 : i;
    }

    /** How long from {@code start} to {@code end} (to now while it runs): "42.0 s", "3 min 12 s", "2 h 05 min". */
    String took(Instant start, Instant end) {
        if (start == null) {
            return "";
        }
        long ms = Duration.between(start, end == null ? now : end).toMillis();
        if (ms < 60_000) {
            return String.format("%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        return s < 3600 ? String.format("%d min %02d s", s / 60, s % 60) : String.format("%d h %02d min", s / 3600, s % 3600 / 60);
    }

    static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static Double seconds(Instant start, Instant end) {
        return start == null || end == null ? null : Duration.between(start, end).toMillis() / 1000.0;
    }

    /** Where the revision is: s3://bucket/key, github:repository@commit, or its type. */
    static String revision(RevisionLocation r) {
        if (r == null) {
            return null;
        }
        if (r.s3Location() != null) {
            return "s3://" + r.s3Location().bucket() + "/" + r.s3Location().key();
        }
        if (r.gitHubLocation() != null) {
            return "github:" + r.gitHubLocation().repository() + "@" + r.gitHubLocation().commitId();
        }
        return r.revisionTypeAsString();
    }

    private void print(String text) {
        out.println(text);
        out.flush();
    }
}
