//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;
import software.amazon.awssdk.services.codedeploy.model.ApplicationDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupInfo;
import software.amazon.awssdk.services.codedeploy.model.DeploymentInfo;
import software.amazon.awssdk.services.codedeploy.model.DeploymentOverview;
import software.amazon.awssdk.services.codedeploy.model.DeploymentStatus;
import software.amazon.awssdk.services.codedeploy.model.DeploymentTarget;
import software.amazon.awssdk.services.codedeploy.model.Diagnostics;
import software.amazon.awssdk.services.codedeploy.model.InstanceTarget;
import software.amazon.awssdk.services.codedeploy.model.LifecycleEvent;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;
import software.amazon.awssdk.services.codedeploy.model.TargetFilterName;

/**
 * The CodeDeploy side of a release: check the application and group, register the revision ({@link CreateOnce}
 * creates the deployment), follow it to its end with progress lines, and explain a failure:
 * every failed instance's failing lifecycle event (event, script, error code, message, log tail), identical failures
 * told once with the instances they hit, and the automatic rollback followed to its own end. Every list call is
 * paged and instance look-ups go 25 at a time (the API's batch limit), so groups of hundreds cost a few calls.
 */
final class CodeDeploy {
    static final int BATCH = 25;
    static final Set<DeploymentStatus> ACTIVE = Set.of(DeploymentStatus.CREATED, DeploymentStatus.QUEUED,
            DeploymentStatus.IN_PROGRESS, DeploymentStatus.BAKING, DeploymentStatus.READY);

    /** Where a deployment ended. {@code rollback} is the automatic rollback's own outcome, when there was one. */
    record Outcome(String deploymentId, String status, Map<String, Long> overview, String errorCode, String errorMessage,
                   List<EventFailure> failures, Outcome rollback) {
        boolean succeeded() {
            return "Succeeded".equals(status);
        }
    }

    private final CodeDeployClient client;
    private final int attempts;
    private final Duration poll;

    private final Log log;

    CodeDeploy(CodeDeployClient client, int attempts, Duration poll, Log log) {
        this.log = log;
        this.client = client;
        this.attempts = attempts;
        this.poll = poll;
    }

    /** The group's settings; an unknown application or group fails with one line naming which. */
    DeploymentGroupInfo group(String application, String group, String region) {
        try {
            return client.getDeploymentGroup(r -> r.applicationName(application).deploymentGroupName(group)).deploymentGroupInfo();
        } catch (ApplicationDoesNotExistException e) {
            throw new Cli.Fail(Cli.AWS, "CodeDeploy application '" + application + "' does not exist in " + region,
                    "check --application (CODEDEPLOY_APPLICATION) and --region");
        } catch (DeploymentGroupDoesNotExistException e) {
            throw new Cli.Fail(Cli.AWS, "deployment group '" + group + "' does not exist in application '" + application + "' (" + region + ")",
                    "check --deployment-group (CODEDEPLOY_DEPLOYMENT_GROUP)");
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:GetDeploymentGroup", "application " + application + ", group " + group, attempts);
        }
    }

    void register(String application, RevisionLocation revision, String description) {
        try {
            client.registerApplicationRevision(r -> r.applicationName(application).revision(revision).description(description));
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:RegisterApplicationRevision", "application " + application, attempts);
        }
    }

    /** Deployments of the group that have not ended, oldest first as the service lists them. */
    List<String> active(String application, String group) {
        try {
            List<String> ids = new ArrayList<>();
            client.listDeploymentsPaginator(r -> r.applicationName(application).deploymentGroupName(group)
                    .includeOnlyStatuses(ACTIVE)).deployments().forEach(ids::add);
            return ids;
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:ListDeployments", "application " + application + ", group " + group, attempts);
        }
    }

    DeploymentInfo info(String id) {
        try {
            return client.getDeployment(r -> r.deploymentId(id)).deploymentInfo();
        } catch (SdkException e) {
            Cli.Fail f = Aws.fail(e, "codedeploy:GetDeployment", "deployment " + id, attempts);
            throw new Cli.Fail(f.exitCode, f.getMessage());
        }
    }

    /**
     * Polls until the deployment ends or {@code deadline}; a progress line each time the counts change. On failure,
     * collects the instances' failing events and, if the service started an automatic rollback, follows that too.
     */
    Outcome await(String id, Instant deadline, boolean followRollback) {
        DeploymentInfo d = info(id);
        String last = "";
        while (ACTIVE.contains(d.status())) {
            String line = progress(d);
            if (!line.equals(last)) {
                log.info("deploy: %s", line);
                last = line;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new Cli.Fail(Cli.FAILED, "deployment " + id + " is still " + d.statusAsString() + " at the deadline (" + line + ")",
                        "follow it with: aws deploy get-deployment --deployment-id " + id + " (raise --timeout to wait longer)");
            }
            sleep();
            d = info(id);
        }
        log.info("deploy: %s", progress(d));
        List<EventFailure> failures = d.status() == DeploymentStatus.SUCCEEDED ? List.of() : failures(id);
        Outcome rollback = null;
        if (followRollback && d.status() != DeploymentStatus.SUCCEEDED) {
            String rid = d.rollbackInfo() == null ? null : d.rollbackInfo().rollbackDeploymentId();
            if (rid == null && d.autoRollbackConfiguration() != null && Boolean.TRUE.equals(d.autoRollbackConfiguration().enabled())) {
                sleep(); // the rollback deployment can appear a moment after the failure
                DeploymentInfo again = info(id);
                rid = again.rollbackInfo() == null ? null : again.rollbackInfo().rollbackDeploymentId();
            }
            if (rid != null) {
                log.info("deploy: %s failed; CodeDeploy started rollback deployment %s, following it", id, rid);
                rollback = await(rid, deadline, false);
            }
        }
        return new Outcome(id, d.statusAsString(), overview(d.deploymentOverview()),
                d.errorInformation() == null ? null : d.errorInformation().codeAsString(),
                d.errorInformation() == null ? null : d.errorInformation().message(), failures, rollback);
    }

    /** Every failed instance's failing lifecycle event, identical ones merged, most-hit first. */
    List<EventFailure> failures(String id) {
        List<String> failed = new ArrayList<>();
        try {
            String token = null;
            do {
                String page = token;
                var r = client.listDeploymentTargets(b -> b.deploymentId(id).nextToken(page)
                        .targetFiltersWithStrings(Map.of(TargetFilterName.TARGET_STATUS.toString(), List.of("Failed"))));
                failed.addAll(r.targetIds());
                token = r.nextToken();
            } while (token != null && !token.isEmpty());
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:ListDeploymentTargets", "deployment " + id, attempts);
        }
        Map<List<String>, List<String>> grouped = new LinkedHashMap<>();
        for (int i = 0; i < failed.size(); i += BATCH) {
            List<String> batch = failed.subList(i, Math.min(failed.size(), i + BATCH));
            List<DeploymentTarget> targets;
            try {
                targets = client.batchGetDeploymentTargets(r -> r.deploymentId(id).targetIds(batch)).deploymentTargets();
            } catch (SdkException e) {
                throw Aws.fail(e, "codedeploy:BatchGetDeploymentTargets", "deployment " + id, attempts);
            }
            for (DeploymentTarget t : targets) {
                InstanceTarget it = t.instanceTarget();
                if (it == null) {
                    continue;
                }
                LifecycleEvent bad = it.lifecycleEvents().stream()
                        .filter(e -> "Failed".equals(e.statusAsString())).findFirst().orElse(null);
                Diagnostics dx = bad == null ? null : bad.diagnostics();
                List<String> key = new ArrayList<>();
                key.add(bad == null ? "(no failed lifecycle event)" : bad.lifecycleEventName());
                key.add(dx == null ? null : dx.scriptName());
                key.add(dx == null ? null : dx.errorCodeAsString());
                key.add(dx == null ? null : dx.message());
                key.add(dx == null ? null : dx.logTail());
                grouped.computeIfAbsent(key, k -> new ArrayList<>()).add(it.targetId());
            }
        }
        return grouped.entrySet().stream()
                .sorted((a, b) -> b.getValue().size() - a.getValue().size())
                .map(e -> new EventFailure(e.getKey().get(0), e.getKey().get(1), e.getKey().get(2), e.getKey().get(3),
                        e.getKey().get(4), List.copyOf(e.getValue())))
                .toList();
    }

    static String progress(DeploymentInfo d) {
        DeploymentOverview o = d.deploymentOverview();
        String counts = o == null ? "no instances yet" : String.format("%d pending, %d in progress, %d succeeded, %d failed, %d skipped",
                n(o.pending()), n(o.inProgress()), n(o.succeeded()), n(o.failed()), n(o.skipped()));
        return d.deploymentId() + " " + d.statusAsString() + ": " + counts;
    }

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

    private static long n(Long v) {
        return Objects.requireNonNullElse(v, 0L);
    }

    void sleep() {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cli.Fail(Cli.FAILED, "interrupted while waiting for CodeDeploy");
        }
    }
}
