//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

import software.amazon.awssdk.services.codedeploy.model.AutoRollbackConfiguration;
import software.amazon.awssdk.services.codedeploy.model.CreateDeploymentGroupRequest;
import software.amazon.awssdk.services.codedeploy.model.DeploymentGroupInfo;
import software.amazon.awssdk.services.codedeploy.model.DeploymentOption;
import software.amazon.awssdk.services.codedeploy.model.DeploymentStyle;
import software.amazon.awssdk.services.codedeploy.model.DeploymentType;
import software.amazon.awssdk.services.codedeploy.model.EC2TagFilter;
import software.amazon.awssdk.services.codedeploy.model.EC2TagFilterType;
import software.amazon.awssdk.services.codedeploy.model.LoadBalancerInfo;
import software.amazon.awssdk.services.codedeploy.model.TargetGroupInfo;
import software.amazon.awssdk.services.codedeploy.model.UpdateDeploymentGroupRequest;

/**
 * The deployment group {@code setup} wants, and how a group that exists differs from it, field by field as the API
 * names them. The deployment configuration and the automatic rollback are always set (they have defaults); the EC2
 * tags, the service role and the target group only when given, so that a run without them leaves what the group
 * has. With a target group the group takes each instance out of the load balancer while it deploys
 * (WITH_TRAFFIC_CONTROL, IN_PLACE).
 */
record GroupSettings(String application, String group, List<Tag> tags, String serviceRoleArn, String deploymentConfig,
                     Boolean autoRollback, String targetGroup) {
    static final String DEFAULT_CONFIG = "CodeDeployDefault.OneAtATime";
    static final String ROLLBACK_EVENT = "DEPLOYMENT_FAILURE";
    static final String TRAFFIC = "WITH_TRAFFIC_CONTROL/IN_PLACE";
    static final String NO_TRAFFIC = "WITHOUT_TRAFFIC_CONTROL/IN_PLACE";

    /** One EC2 tag filter, KEY_AND_VALUE. */
    record Tag(String key, String value) {
        static Tag parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0 || eq == text.length() - 1) {
                throw new Cli.Fail(Cli.INPUT, "--ec2-tag '" + text + "' is not KEY=VALUE", "write it as e.g. --ec2-tag Name=art-prod");
            }
            return new Tag(text.substring(0, eq).strip(), text.substring(eq + 1).strip());
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    /** A field that differs: its name as the API spells it, what the group has, what setup sets. */
    record Change(String field, String from, String to) {
        @Override
        public String toString() {
            return field + ": " + from + " -> " + to;
        }
    }

    GroupSettings {
        tags = List.copyOf(tags);
        serviceRoleArn = Cli.first(serviceRoleArn);
        deploymentConfig = Cli.first(deploymentConfig); // null: an existing group keeps its own, a new one gets DEFAULT_CONFIG
        targetGroup = Cli.first(targetGroup);
    }

    /** What creating the group needs that only the options can give: each missing one named. */
    List<String> missingToCreate() {
        List<String> missing = new ArrayList<>();
        if (serviceRoleArn == null) {
            missing.add("--service-role-arn (the role CodeDeploy acts with: serviceRole in setup --policies)");
        }
        if (tags.isEmpty()) {
            missing.add("--ec2-tag KEY=VALUE (which instances the group deploys to)");
        }
        return missing;
    }

    /** The managed fields where {@code now} differs from these settings, in a fixed order. */
    List<Change> diff(DeploymentGroupInfo now) {
        List<Change> changes = new ArrayList<>();
        if (!tags.isEmpty()) {
            add(changes, "ec2TagFilters", tags(now.ec2TagFilters()), tags(filters()));
        }
        if (serviceRoleArn != null) {
            add(changes, "serviceRoleArn", String.valueOf(now.serviceRoleArn()), serviceRoleArn);
        }
        if (deploymentConfig != null) {
            add(changes, "deploymentConfigName", String.valueOf(now.deploymentConfigName()), deploymentConfig);
        }
        if (autoRollback != null) {
            add(changes, "autoRollbackConfiguration", rollback(now.autoRollbackConfiguration()), rollback(rollback()));
        }
        if (targetGroup != null) {
            add(changes, "loadBalancerInfo", loadBalancer(now.loadBalancerInfo()), loadBalancer(loadBalancer()));
            add(changes, "deploymentStyle", style(now.deploymentStyle()), TRAFFIC);
        }
        return changes;
    }

    private static void add(List<Change> changes, String field, String from, String to) {
        if (!from.equals(to)) {
            changes.add(new Change(field, from, to));
        }
    }

    /** CreateDeploymentGroup with every setting (compute platform Server comes from the application). */
    CreateDeploymentGroupRequest create() {
        return CreateDeploymentGroupRequest.builder().applicationName(application).deploymentGroupName(group)
                .ec2TagFilters(filters()).serviceRoleArn(serviceRoleArn).deploymentConfigName(config())
                .autoRollbackConfiguration(rollback()).loadBalancerInfo(targetGroup == null ? null : loadBalancer())
                .deploymentStyle(deploymentStyle()).build();
    }

    /** UpdateDeploymentGroup carrying only the fields that changed (the API leaves the others as they are). */
    UpdateDeploymentGroupRequest update(List<Change> changes) {
        var b = UpdateDeploymentGroupRequest.builder().applicationName(application).currentDeploymentGroupName(group);
        for (Change c : changes) {
            switch (c.field()) {
                case "ec2TagFilters" -> b.ec2TagFilters(filters());
                case "serviceRoleArn" -> b.serviceRoleArn(serviceRoleArn);
                case "deploymentConfigName" -> b.deploymentConfigName(deploymentConfig);
                case "autoRollbackConfiguration" -> b.autoRollbackConfiguration(rollback());
                case "loadBalancerInfo" -> b.loadBalancerInfo(loadBalancer());
                case "deploymentStyle" -> b.deploymentStyle(deploymentStyle());
                default -> throw new IllegalStateException("no update for " + c.field());
            }
        }
        return b.build();
    }

    /** The settings of a group this creates, as one line. */
    String describe() {
        return "ec2TagFilters " + tags(filters()) + ", serviceRoleArn " + serviceRoleArn + ", deploymentConfigName " + config()
                + ", autoRollbackConfiguration " + rollback(rollback()) + (targetGroup == null ? "" : ", loadBalancerInfo "
                + loadBalancer(loadBalancer())) + ", deploymentStyle " + style(deploymentStyle());
    }

    List<EC2TagFilter> filters() {
        return tags.stream().map(t -> EC2TagFilter.builder().key(t.key()).value(t.value()).type(EC2TagFilterType.KEY_AND_VALUE).build()).toList();
    }

    /** The deployment configuration a new group gets. */
    String config() {
        return Objects.requireNonNullElse(deploymentConfig, DEFAULT_CONFIG);
    }

    AutoRollbackConfiguration rollback() {
        return autoRollback == null || autoRollback ? AutoRollbackConfiguration.builder().enabled(true).eventsWithStrings(ROLLBACK_EVENT).build()
                : AutoRollbackConfiguration.builder().enabled(false).build();
    }

    LoadBalancerInfo loadBalancer() {
        return LoadBalancerInfo.builder().targetGroupInfoList(TargetGroupInfo.builder().name(targetGroup).build()).build();
    }

    DeploymentStyle deploymentStyle() {
        return DeploymentStyle.builder().deploymentType(DeploymentType.IN_PLACE).deploymentOption(targetGroup == null
                ? DeploymentOption.WITHOUT_TRAFFIC_CONTROL : DeploymentOption.WITH_TRAFFIC_CONTROL).build();
    }

    /** Tag filters as "K=V, K2=V2", sorted (a key alone for KEY_ONLY, "=V" for VALUE_ONLY); "none". */
    static String tags(List<EC2TagFilter> filters) {
        TreeSet<String> all = new TreeSet<>();
        for (EC2TagFilter f : filters) {
            String type = f.typeAsString();
            all.add("KEY_ONLY".equals(type) ? f.key() : "VALUE_ONLY".equals(type) ? "=" + f.value() : f.key() + "=" + f.value());
        }
        return all.isEmpty() ? "none" : String.join(", ", all);
    }

    static String rollback(AutoRollbackConfiguration a) {
        if (a == null || !Boolean.TRUE.equals(a.enabled())) {
            return "off";
        }
        return "on (" + String.join(", ", new TreeSet<>(a.eventsAsStrings())) + ")";
    }

    static String loadBalancer(LoadBalancerInfo l) {
        List<String> all = new ArrayList<>();
        if (l != null) {
            l.targetGroupInfoList().forEach(t -> all.add("target group " + t.name()));
            l.elbInfoList().forEach(e -> all.add("classic load balancer " + e.name()));
            if (l.hasTargetGroupPairInfoList() && !l.targetGroupPairInfoList().isEmpty()) {
                all.add("target group pairs (blue/green)");
            }
        }
        return all.isEmpty() ? "none" : String.join(", ", all);
    }

    /** "OPTION/TYPE"; a group without one has the service's default, without traffic control and in place. */
    static String style(DeploymentStyle s) {
        if (s == null) {
            return NO_TRAFFIC;
        }
        return (s.deploymentOption() == null ? "WITHOUT_TRAFFIC_CONTROL" : s.deploymentOptionAsString()) + "/"
                + (s.deploymentType() == null ? "IN_PLACE" : s.deploymentTypeAsString());
    }
}
