//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;
import software.amazon.awssdk.services.codedeploy.model.ApplicationDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupInfo;
import software.amazon.awssdk.services.codedeploy.model.DeploymentInfo;
import software.amazon.awssdk.services.codedeploy.model.DeploymentStatus;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;

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
            throw Deployments.noApplication(application, region);
        } catch (DeploymentGroupDoesNotExistException e) {
            throw Deployments.noGroup(application, group, region);
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
        return new Outcome(id, d.statusAsString(), Deployments.overview(d.deploymentOverview()),
                d.errorInformation() == null ? null : d.errorInformation().codeAsString(),
                d.errorInformation() == null ? null : d.errorInformation().message(), failures, rollback);
    }

    /** Every failed instance's failing lifecycle event, identical ones merged, most-hit first. */
    List<EventFailure> failures(String id) {
        Deployments d = new Deployments(client, null, attempts);
        return Deployments.failures(d.targets(id, d.targetIds(id, List.of("Failed"))));
    }

    static String progress(DeploymentInfo d) {
        return d.deploymentId() + " " + d.statusAsString() + ": " + Deployments.counts(d.deploymentOverview());
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
