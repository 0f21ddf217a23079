//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;
import software.amazon.awssdk.services.codedeploy.model.ApplicationDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.ApplicationInfo;
import software.amazon.awssdk.services.codedeploy.model.ComputePlatform;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupDoesNotExistException;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupInfo;

/**
 * The CodeDeploy application (compute platform Server) and its deployment group made to match {@link GroupSettings},
 * idempotently: GetApplication and GetDeploymentGroup first, then CreateApplication, CreateDeploymentGroup or one
 * UpdateDeploymentGroup with the fields that differ, or nothing. Every input problem is found before the first write,
 * so a refused run changes nothing; a dry run stops after the reads and says what it would do.
 */
final class GroupSetup {
    static final String CREATED = "created", UPDATED = "updated", UNCHANGED = "unchanged";

    /** What setup did (or, in a dry run, would do) to the application and to the group. */
    record Outcome(boolean dryRun, String region, String application, String applicationAction, String group, String groupAction,
                   List<GroupSettings.Change> changes, String created) {
        /** The action as the report says it: "would create" in a dry run. */
        String told(String action) {
            return dryRun && !action.equals(UNCHANGED) ? "would " + action.replaceFirst("d$", "") : action;
        }
    }

    private final CodeDeployClient client;
    private final int attempts;
    private final Log log;

    GroupSetup(CodeDeployClient client, int attempts, Log log) {
        this.client = client;
        this.attempts = attempts;
        this.log = log;
    }

    Outcome apply(GroupSettings want, String region, boolean dryRun) {
        log.info("setup: %s / %s (%s): reading the application and the group", want.application(), want.group(), region);
        ApplicationInfo app = application(want.application(), region);
        DeploymentGroupInfo now = app == null ? null : group(want);
        if (now == null && !want.missingToCreate().isEmpty()) {
            throw new Cli.Fail(Cli.INPUT, "deployment group '" + want.group() + "' does not exist in " + (app == null ? "a new application '"
                    + want.application() + "'" : "application '" + want.application() + "'") + " (" + region + ") and creating it needs "
                    + String.join(" and ", want.missingToCreate()), "give them (nothing was changed)");
        }
        List<GroupSettings.Change> changes = now == null ? List.of() : want.diff(now);
        String appAction = app == null ? CREATED : UNCHANGED;
        String groupAction = now == null ? CREATED : changes.isEmpty() ? UNCHANGED : UPDATED;
        Outcome out = new Outcome(dryRun, region, want.application(), appAction, want.group(), groupAction, changes,
                now == null ? want.describe() : null);
        if (dryRun) {
            log.info("setup: dry run: application %s, group %s; nothing was changed", out.told(appAction), out.told(groupAction));
            return out;
        }
        if (app == null) {
            write("codedeploy:CreateApplication", "application " + want.application(),
                    () -> client.createApplication(r -> r.applicationName(want.application()).computePlatform(ComputePlatform.SERVER)));
            log.info("setup: created application %s (compute platform Server)", want.application());
        }
        if (now == null) {
            write("codedeploy:CreateDeploymentGroup", where(want), () -> client.createDeploymentGroup(want.create()));
            log.info("setup: created deployment group %s", want.group());
        } else if (!changes.isEmpty()) {
            write("codedeploy:UpdateDeploymentGroup", where(want), () -> client.updateDeploymentGroup(want.update(changes)));
            log.info("setup: updated deployment group %s: %s", want.group(), changes.stream().map(GroupSettings.Change::field).toList());
        }
        return out;
    }

    /** The application, or null when it does not exist; one for another compute platform is refused. */
    private ApplicationInfo application(String name, String region) {
        ApplicationInfo app;
        try {
            app = client.getApplication(r -> r.applicationName(name)).application();
        } catch (ApplicationDoesNotExistException e) {
            return null;
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:GetApplication", "application " + name, attempts);
        }
        if (app.computePlatform() != null && app.computePlatform() != ComputePlatform.SERVER) {
            throw new Cli.Fail(Cli.INPUT, "CodeDeploy application '" + name + "' in " + region + " is for " + app.computePlatformAsString()
                    + ", not EC2 (Server)", "give another --application (nothing was changed)");
        }
        return app;
    }

    /** The group, or null when it does not exist. */
    private DeploymentGroupInfo group(GroupSettings want) {
        try {
            return client.getDeploymentGroup(r -> r.applicationName(want.application()).deploymentGroupName(want.group())).deploymentGroupInfo();
        } catch (DeploymentGroupDoesNotExistException e) {
            return null;
        } catch (SdkException e) {
            throw Aws.fail(e, "codedeploy:GetDeploymentGroup", where(want), attempts);
        }
    }

    private void write(String action, String resource, Runnable call) {
        try {
            call.run();
        } catch (SdkException e) {
            throw Aws.fail(e, action, resource, attempts);
        }
    }

    private static String where(GroupSettings want) {
        return "application " + want.application() + ", group " + want.group();
    }

    /** The outcome as lines for stdout. */
    static List<String> lines(Outcome o) {
        List<String> out = new ArrayList<>();
        out.add("application " + o.application() + ": " + o.told(o.applicationAction()) + (o.applicationAction().equals(CREATED)
                ? " (compute platform Server)" : ""));
        String head = "deployment group " + o.application() + "/" + o.group() + ": " + o.told(o.groupAction());
        if (o.groupAction().equals(CREATED)) {
            out.add(head + " (" + o.created() + ")");
        } else {
            out.add(head);
            o.changes().forEach(c -> out.add("  " + c));
        }
        return out;
    }
}
