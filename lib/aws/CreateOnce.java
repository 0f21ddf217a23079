//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;
import software.amazon.awssdk.services.codedeploy.model.CreateDeploymentRequest;
import software.amazon.awssdk.services.codedeploy.model.DeploymentInfo;
import software.amazon.awssdk.services.codedeploy.model.DeploymentLimitExceededException;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;
import software.amazon.awssdk.services.codedeploy.model.S3Location;

/**
 * CreateDeployment, sent so that a release makes one deployment at most. The call has no idempotency token, so a
 * repeat after a lost answer would make a second one: only what proves nothing ran (throttling, a connection never
 * made) is retried ({@link Aws#once}). After an ambiguous failure (a reset, a timeout, a server error) the group's
 * active deployment of this very revision (bucket, key, ETag) is looked up and followed; when that cannot be told,
 * release fails naming what to check. A group busy with another revision is waited for (bounded) and asked again; a
 * group already running this revision is followed rather than deployed twice.
 */
final class CreateOnce {
    /** Lookups after a lost answer, one poll interval apart (a request the service is still handling can appear late). */
    static final int LOOKUPS = 3;
    private static final Pattern ACTIVE_ID = Pattern.compile("\\b(d-[A-Z0-9]{9})\\b");

    /** The deployment of the release, and how release came to it (created, or found). */
    record Created(String id, String how) {}

    private final CodeDeploy codeDeploy;
    private final CodeDeployClient client;
    private final Aws.Config config;
    private final Log log;

    CreateOnce(CodeDeploy codeDeploy, CodeDeployClient client, Aws.Config config, Log log) {
        this.codeDeploy = codeDeploy;
        this.client = client;
        this.config = config;
        this.log = log;
    }

    /**
     * CreateDeployment. When the group already runs a deployment the service refuses a second one: if it is this
     * revision, follow it; else wait for it (up to {@code waitForActive}) and try again, or fail naming it.
     */
    Created create(CreateDeploymentRequest request, Duration waitForActive) {
        CreateDeploymentRequest once = request.toBuilder().overrideConfiguration(Aws.once(config)).build();
        Instant until = Instant.now().plus(waitForActive);
        while (true) {
            try {
                return new Created(client.createDeployment(once).deploymentId(), "created");
            } catch (DeploymentLimitExceededException e) {
                List<DeploymentInfo> active = active(request);
                List<String> same = ofRevision(active, request.revision());
                if (!same.isEmpty()) {
                    log.info("deploy: group %s already runs %s of this revision (%s); following it instead of deploying it twice",
                            request.deploymentGroupName(), same.get(0), revision(request.revision()));
                    return new Created(same.get(0), "found");
                }
                waitForOthers(request, ids(active, e), until, waitForActive);
            } catch (SdkException e) {
                if (!Aws.ambiguous(e)) {
                    throw Aws.fail(e, "codedeploy:CreateDeployment", where(request), config.maxAttempts());
                }
                return lost(request, Cli.firstLine(String.valueOf(e.getMessage())));
            }
        }
    }

    /** The group's deployments in progress (someone else's), waited for until {@code until}, or a failure naming them. */
    private void waitForOthers(CreateDeploymentRequest request, List<String> active, Instant until, Duration waitForActive) {
        String ids = active.isEmpty() ? "another deployment" : String.join(", ", active);
        if (!Instant.now().isBefore(until)) {
            throw new Cli.Fail(Cli.AWS, "deployment group '" + request.deploymentGroupName() + "' already has " + ids
                    + " in progress" + (waitForActive.isZero() ? "" : " (waited " + waitForActive.toSeconds() + " s)"),
                    "wait for it, stop it (aws deploy stop-deployment --deployment-id " + (active.isEmpty() ? "<id>" : active.get(0))
                            + "), or raise --wait-for-active; no deployment was created");
        }
        log.info("deploy: group %s already has %s in progress; waiting for it (at most until %s)", request.deploymentGroupName(),
                ids, until);
        for (String id : active) {
            while (Instant.now().isBefore(until) && CodeDeploy.ACTIVE.contains(codeDeploy.info(id).status())) {
                codeDeploy.sleep();
            }
        }
        if (active.isEmpty()) {
            codeDeploy.sleep();
        }
    }

    /**
     * CreateDeployment's answer was lost: the deployment it may have made is the group's active deployment of this
     * revision. Looked up {@link #LOOKUPS} times; found, it is followed; not found (or not told apart), release fails
     * naming what to check, and never sends CreateDeployment again.
     */
    private Created lost(CreateDeploymentRequest request, String why) {
        String revision = revision(request.revision());
        String problem = "CreateDeployment's answer was lost (" + why + ")";
        String check = "check the CodeDeploy console (aws deploy list-deployments --application-name " + request.applicationName()
                + " --deployment-group-name " + request.deploymentGroupName() + ") before releasing again; no second deployment was created";
        log.info("deploy: %s; looking for the active deployment of %s in %s", problem, revision, where(request));
        for (int i = 1; ; i++) {
            List<DeploymentInfo> active;
            try {
                active = active(request);
            } catch (Cli.Fail f) {
                throw new Cli.Fail(f.exitCode, problem + ", and looking for its deployment failed: " + f.getMessage(), check);
            }
            List<String> ours = ofRevision(active, request.revision());
            if (ours.size() == 1) {
                log.info("deploy: found %s, the deployment of %s that CreateDeployment made; following it", ours.get(0), revision);
                return new Created(ours.get(0), "found");
            }
            if (ours.size() > 1 || i == LOOKUPS) {
                List<String> others = ids(active, null);
                throw new Cli.Fail(Cli.AWS, problem + "; " + (ours.isEmpty() ? "no active deployment" : "active deployments " + ours)
                        + " of " + revision + " found in " + request.applicationName() + "/" + request.deploymentGroupName()
                        + (others.isEmpty() || !ours.isEmpty() ? "" : " (it runs " + String.join(", ", others) + ")"), check);
            }
            codeDeploy.sleep();
        }
    }

    /** The group's deployments that have not ended, each as GetDeployment tells it. */
    private List<DeploymentInfo> active(CreateDeploymentRequest request) {
        List<DeploymentInfo> infos = new ArrayList<>();
        for (String id : codeDeploy.active(request.applicationName(), request.deploymentGroupName())) {
            infos.add(codeDeploy.info(id));
        }
        return infos;
    }

    private static List<String> ids(List<DeploymentInfo> active, DeploymentLimitExceededException e) {
        List<String> ids = new ArrayList<>(active.stream().map(DeploymentInfo::deploymentId).toList());
        if (ids.isEmpty() && e != null) {
            Matcher m = ACTIVE_ID.matcher(String.valueOf(e.getMessage()));
            if (m.find()) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }

    /** The deployments among {@code active} of {@code ours}: the same bucket, key and ETag. */
    static List<String> ofRevision(List<DeploymentInfo> active, RevisionLocation ours) {
        return active.stream().filter(d -> same(d.revision(), ours)).map(DeploymentInfo::deploymentId).toList();
    }

    static boolean same(RevisionLocation a, RevisionLocation b) {
        S3Location x = a == null ? null : a.s3Location();
        S3Location y = b == null ? null : b.s3Location();
        return x != null && y != null && Objects.equals(x.bucket(), y.bucket()) && Objects.equals(x.key(), y.key())
                && Objects.equals(unquoted(x.eTag()), unquoted(y.eTag()));
    }

    static String revision(RevisionLocation r) {
        S3Location s = r.s3Location();
        return "s3://" + s.bucket() + "/" + s.key() + " (ETag " + unquoted(s.eTag()) + ")";
    }

    private static String unquoted(String eTag) {
        return eTag == null ? null : eTag.replace("\"", "");
    }

    private static String where(CreateDeploymentRequest request) {
        return "application " + request.applicationName() + ", group " + request.deploymentGroupName();
    }
}
