//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;
import software.amazon.awssdk.services.codedeploy.model.ApplicationDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.DeploymentDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.DeploymentInfo;
import software.amazon.awssdk.services.codedeploy.model.DeploymentOverview;
import software.amazon.awssdk.services.codedeploy.model.DeploymentTarget;
import software.amazon.awssdk.services.codedeploy.model.Diagnostics;
import software.amazon.awssdk.services.codedeploy.model.InvalidDeploymentIdException;
import software.amazon.awssdk.services.codedeploy.model.LifecycleEvent;
import software.amazon.awssdk.services.codedeploy.model.TargetFilterName;
import software.amazon.awssdk.services.codedeploy.model.TimeRange;

/**
 * Reading CodeDeploy's record of deployments, for {@code status} and for release's explanation of a failure: a group's
 * most recent deployments (ListDeployments, every page, then BatchGetDeployments 25 at a time), one deployment
 * (GetDeployment), its targets (ListDeploymentTargets, every page, optionally by status, then
 * BatchGetDeploymentTargets {@link CodeDeploy#BATCH} at a time), and their failed lifecycle events merged into
 * {@link EventFailure}s: identical failures told once with the instances they hit, most-hit first.
 */
final class Deployments {
    /**
     * How far back ListDeployments is asked, window by window, until the windows hold enough deployments: the service
     * does not say in which order it lists them, so the newest are found by their creation time, not by their place.
     */
    static final List<Duration> WINDOWS = List.of(Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(365));
    /** ListDeploymentTargets' TargetStatus filter values, as the service spells them. */
    static final List<String> TARGET_STATUSES = List.of("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Unknown", "Ready");

    /** One target of a deployment (an EC2 instance; a Lambda, ECS or CloudFormation target alike) and its lifecycle events. */
    record Target(String id, String status, Instant lastUpdatedAt, List<LifecycleEvent> events) {
        static Target of(DeploymentTarget t) {
            if (t.instanceTarget() != null) {
                var i = t.instanceTarget();
                return new Target(i.targetId(), i.statusAsString(), i.lastUpdatedAt(), i.lifecycleEvents());
            }
            if (t.lambdaTarget() != null) {
                var l = t.lambdaTarget();
                return new Target(l.targetId(), l.statusAsString(), l.lastUpdatedAt(), l.lifecycleEvents());
            }
            if (t.ecsTarget() != null) {
                var e = t.ecsTarget();
                return new Target(e.targetId(), e.statusAsString(), e.lastUpdatedAt(), e.lifecycleEvents());
            }
            var c = t.cloudFormationTarget();
            return c == null ? null : new Target(c.targetId(), c.statusAsString(), c.lastUpdatedAt(), c.lifecycleEvents());
        }

        /** The first lifecycle event that failed, or null. */
        LifecycleEvent failedEvent() {
            return events.stream().filter(e -> "Failed".equals(e.statusAsString())).findFirst().orElse(null);
        }
    }

    private final CodeDeployClient client;
    private final String region;
    private final int attempts;

    /** {@code region} names where a deployment was looked for when it is not there. */
    Deployments(CodeDeployClient client, String region, int attempts) {
        this.client = client;
        this.region = region;
        this.attempts = attempts;
    }

    /**
     * The group's {@code limit} most recent deployments, newest first: ids from ever wider windows of creation time
     * before {@code now} until they hold {@code limit} (else from all time), then those deployments' own creation times.
     */
    List<DeploymentInfo> recent(String application, String group, int limit, Instant now) {
        Set<String> ids = new LinkedHashSet<>();
        Instant end = null; // the newest window is open-ended: a deployment made a moment ago on a clock ahead of ours counts
        for (Duration window : WINDOWS) {
            Instant start = now.minus(window);
            ids.addAll(ids(application, group, start, end));
            if (ids.size() >= limit) {
                break;
            }
            end = start.plusSeconds(1); // windows overlap by a second: one on the boundary is listed twice, never missed
        }
        if (ids.size() < limit) {
            ids.addAll(ids(application, group, null, end));
        }
        return infos(List.copyOf(ids)).stream()
                .sorted(Comparator.comparing(DeploymentInfo::createTime, Comparator.nullsLast(Comparator.reverseOrder())))
                .limit(limit).toList();
    }

    /** The group's deployment ids created between {@code start} and {@code end} (null: unbounded), every page. */
    List<String> ids(String application, String group, Instant start, Instant end) {
        try {
            List<String> ids = new ArrayList<>();
            TimeRange range = start == null && end == null ? null : TimeRange.builder().start(start).end(end).build();
            client.listDeploymentsPaginator(r -> r.applicationName(application).deploymentGroupName(group).createTimeRange(range))
                    .deployments().forEach(ids::add);
            return ids;
        } catch (ApplicationDoesNotExistException e) {
            throw noApplication(application, region);
        } catch (DeploymentGroupDoesNotExistException e) {
            throw noGroup(application, group, region);
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:ListDeployments", "application " + application + ", group " + group, attempts);
        }
    }

    /** These deployments, looked up 25 at a time (BatchGetDeployments); ids the service does not know are left out. */
    List<DeploymentInfo> infos(List<String> ids) {
        List<DeploymentInfo> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += CodeDeploy.BATCH) {
            List<String> batch = ids.subList(i, Math.min(ids.size(), i + CodeDeploy.BATCH));
            try {
                all.addAll(client.batchGetDeployments(r -> r.deploymentIds(batch)).deploymentsInfo());
            } catch (SdkException e) {
                throw Aws.fail(e, "codedeploy:BatchGetDeployments", "deployments " + batch.get(0) + (batch.size() > 1 ? " and "
                        + (batch.size() - 1) + " more" : ""), attempts);
            }
        }
        return all;
    }

    /** One deployment; an id the service does not know fails with one line (exit 5), a malformed one as input (2). */
    DeploymentInfo info(String id) {
        try {
            return client.getDeployment(r -> r.deploymentId(id)).deploymentInfo();
        } catch (DeploymentDoesNotExistException e) {
            throw new Cli.Fail(Cli.AWS, "deployment " + id + " does not exist in " + region,
                    "check the id and --region (status --application A --deployment-group G lists a group's recent deployments)");
        } catch (InvalidDeploymentIdException e) {
            throw new Cli.Fail(Cli.INPUT, "'" + id + "' is not a deployment id (" + Cli.firstLine(e.awsErrorDetails() == null ? null
                    : e.awsErrorDetails().errorMessage()) + ")",
                    "give an id as CodeDeploy prints it, e.g. d-A1B2C3D4E");
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:GetDeployment", "deployment " + id, attempts);
        }
    }

    /** The deployment's target ids, every page, only those in {@code statuses} when there are any. */
    List<String> targetIds(String id, Collection<String> statuses) {
        List<String> ids = new ArrayList<>();
        try {
            String token = null;
            do {
                String page = token;
                var r = client.listDeploymentTargets(b -> b.deploymentId(id).nextToken(page).targetFiltersWithStrings(statuses.isEmpty()
                        ? null : Map.of(TargetFilterName.TARGET_STATUS.toString(), List.copyOf(statuses))));
                ids.addAll(r.targetIds());
                token = r.nextToken();
            } while (token != null && !token.isEmpty());
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:ListDeploymentTargets", "deployment " + id, attempts);
        }
        return ids;
    }

    /** These targets of deployment {@code id} with their lifecycle events, {@link CodeDeploy#BATCH} per call. */
    List<Target> targets(String id, List<String> ids) {
        List<Target> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += CodeDeploy.BATCH) {
            List<String> batch = ids.subList(i, Math.min(ids.size(), i + CodeDeploy.BATCH));
            List<DeploymentTarget> got;
            try {
                got = client.batchGetDeploymentTargets(r -> r.deploymentId(id).targetIds(batch)).deploymentTargets();
            } catch (SdkException e) {
                throw Aws.fail(e, "codedeploy:BatchGetDeploymentTargets", "deployment " + id, attempts);
            }
            got.stream().map(Target::of).filter(Objects::nonNull).forEach(all::add);
        }
        return all;
    }

    /**
     * Each target's failing lifecycle event (event, script, error code, message, log tail), identical ones merged with
     * the targets they hit, most-hit first; a target with no failed event is told as such.
     */
    static List<EventFailure> failures(List<Target> targets) {
        Map<List<String>, List<String>> grouped = new LinkedHashMap<>();
        for (Target t : targets) {
            LifecycleEvent bad = t.failedEvent();
            Diagnostics dx = bad == null ? null : bad.diagnostics();
            List<String> key = Arrays.asList(bad == null ? "(no failed lifecycle event)" : bad.lifecycleEventName(),
                    dx == null ? null : dx.scriptName(), dx == null ? null : dx.errorCodeAsString(),
                    dx == null ? null : dx.message(), dx == null ? null : dx.logTail());
            grouped.computeIfAbsent(key, k -> new ArrayList<>()).add(t.id());
        }
        return grouped.entrySet().stream()
                .sorted((a, b) -> b.getValue().size() - a.getValue().size())
                .map(e -> new EventFailure(e.getKey().get(0), e.getKey().get(1), e.getKey().get(2), e.getKey().get(3),
                        e.getKey().get(4), List.copyOf(e.getValue())))
                .toList();
    }

    /** A TargetStatus as the service spells it, from any case (and with or without '-' or '_'); null when it is none. */
    static String targetStatus(String s) {
        String plain = s.strip().replace("-", "").replace("_", "").replace(" ", "").toLowerCase(Locale.ROOT);
        return TARGET_STATUSES.stream().filter(t -> t.toLowerCase(Locale.ROOT).equals(plain)).findFirst().orElse(null);
    }

    /** The deployment's instance counts by state, as release's --json prints them. */
    static Map<String, Long> overview(DeploymentOverview o) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (o != null) {
            m.put("pending", n(o.pending()));
            m.put("inProgress", n(o.inProgress()));
            m.put("succeeded", n(o.succeeded()));
            m.put("failed", n(o.failed()));
            m.put("skipped", n(o.skipped()));
        }
        return m;
    }

    /** The counts as progress lines and status say them: "3 pending, 1 in progress, 6 succeeded, 0 failed, 0 skipped". */
    static String counts(DeploymentOverview o) {
        return o == null ? "no instances yet" : String.format("%d pending, %d in progress, %d succeeded, %d failed, %d skipped",
                n(o.pending()), n(o.inProgress()), n(o.succeeded()), n(o.failed()), n(o.skipped()));
    }

    private static long n(Long v) {
        return Objects.requireNonNullElse(v, 0L);
    }

    static Cli.Fail noApplication(String application, String region) {
        return new Cli.Fail(Cli.AWS, "CodeDeploy application '" + application + "' does not exist in " + region,
                "check --application (CODEDEPLOY_APPLICATION) and --region");
    }

    static Cli.Fail noGroup(String application, String group, String region) {
        return new Cli.Fail(Cli.AWS, "deployment group '" + group + "' does not exist in application '" + application + "' (" + region + ")",
                "check --deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)");
    }
}
