import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.services.codedeploy.model.*;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * A local CodeDeploy for tests, speaking the service's JSON 1.1 protocol on 127.0.0.1. Requests are read into the
 * SDK's own request classes and answers are written from the SDK's own response and error classes, field by field
 * through their model metadata ({@link SdkField}: wire names, types), so member names and types are the service's;
 * a request member the model does not know is recorded as a violation. It simulates applications and groups (also as
 * setup makes and changes them: GetApplication, CreateApplication, CreateDeploymentGroup, UpdateDeploymentGroup), instance
 * fleets, deployments that progress on each GetDeployment, failing instances with lifecycle diagnostics (each event
 * with its start and end, {@link #EVENT_SECONDS} long), automatic rollbacks, a deployment already in progress, a group's
 * history ({@link #ended}, listed by creation time), throttling and access denied, and records every call.
 */
final class CodeDeployEndpoint implements AutoCloseable {
    static final String TARGET_PREFIX = "CodeDeploy_20141006.";
    static final String MODEL = "software.amazon.awssdk.services.codedeploy.model.";
    static final ObjectMapper JSON = new ObjectMapper();

    record Call(String operation, SdkPojo request, JsonNode body, Map<String, String> headers) {}

    /** {@code count} instances fail {@code event} with these diagnostics. */
    record Failing(int count, String event, String script, String errorCode, String message, String logTail) {}

    static final class Deployment {
        final String id, application, group, creator;
        final boolean autoRollback;
        final int instances;
        final List<Failing> failing;
        final boolean succeeds;
        Instant created = Instant.parse("2026-01-02T03:04:05.678Z");
        /** From creation to completion, once it ended. */
        Duration took = Duration.ofSeconds(60);
        String status = "Created";
        int polls;
        int pollsUntilDone;
        String rollbackId, rollbackOf;
        RevisionLocation revision;

        Deployment(String id, String application, String group, String creator, boolean autoRollback, int instances,
                   List<Failing> failing, boolean succeeds, int pollsUntilDone) {
            this.id = id;
            this.application = application;
            this.group = group;
            this.creator = creator;
            this.autoRollback = autoRollback;
            this.instances = instances;
            this.failing = failing;
            this.succeeds = succeeds;
            this.pollsUntilDone = pollsUntilDone;
        }

        int failedCount() {
            return failing.stream().mapToInt(Failing::count).sum();
        }

        boolean active() {
            return !Set.of("Succeeded", "Failed", "Stopped").contains(status);
        }
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final Map<String, Set<String>> groups = new ConcurrentHashMap<>();
    final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> throttled = new ConcurrentHashMap<>();
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    /** Compute platforms of applications made through CreateApplication (those {@link #group} makes are Server). */
    final Map<String, String> platforms = new ConcurrentHashMap<>();
    /**
     * Groups made or changed through the API (or given by {@link #existing}), as GetDeploymentGroup answers them, by
     * "application/group"; a group {@link #group} made answers fixed settings.
     */
    final Map<String, DeploymentGroupInfo> groupInfos = new ConcurrentHashMap<>();
    /** What the next deployment does. */
    volatile int instances = 3;
    volatile List<Failing> failing = List.of();
    volatile boolean rollbackSucceeds = true;
    volatile int pollsUntilDone = 2;
    /** The lifecycle events of an instance, in order, each with how long it takes (seconds). */
    static final Map<String, Integer> EVENT_SECONDS = eventSeconds();
    /** Targets per ListDeploymentTargets page (small, so that paging is exercised). */
    volatile int pageSize = 10;
    /** Deployment ids per ListDeployments page. */
    volatile int listPageSize = 100;
    private final AtomicInteger serial = new AtomicInteger();
    private final HttpServer server;

    CodeDeployEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    CodeDeployEndpoint group(String application, String group) {
        groups.computeIfAbsent(application, a -> ConcurrentHashMap.newKeySet()).add(group);
        return this;
    }

    /** A group that exists with these settings (its application too). */
    CodeDeployEndpoint existing(DeploymentGroupInfo info) {
        group(info.applicationName(), info.deploymentGroupName());
        groupInfos.put(info.applicationName() + "/" + info.deploymentGroupName(), info);
        return this;
    }

    /** The first {@code times} calls of {@code operation} answer ThrottlingException. */
    void throttle(String operation, int times) {
        throttled.put(operation, new AtomicInteger(times));
    }

    /**
     * Someone else's deployment (another revision) already running in the group; it ends (Succeeded) after
     * {@code polls} GetDeployment calls.
     */
    String active(String application, String group, int polls) {
        Deployment d = new Deployment(newId(), application, group, "user", false, instances, List.of(), true, polls);
        d.status = "InProgress";
        d.revision = RevisionLocation.builder().revisionType("S3").s3Location(l -> l.bucket("bundles").bundleType("zip")
                .key("codedeploy/" + application + "/1.4.1-00112233445566778899.zip").eTag("0123456789abcdef0123456789abcdef")).build();
        deployments.put(d.id, d);
        return d.id;
    }

    /**
     * A deployment of the group's past, ended ({@code failing} empty: Succeeded, else Failed), created at {@code created}
     * and complete {@code took} later.
     */
    String ended(String application, String group, Instant created, Duration took, int instances, List<Failing> failing) {
        Deployment d = new Deployment(newId(), application, group, "user", false, instances, failing, failing.isEmpty(), 0);
        d.status = failing.isEmpty() ? "Succeeded" : "Failed";
        d.created = created;
        d.took = took;
        deployments.put(d.id, d);
        return d.id;
    }

    private static Map<String, Integer> eventSeconds() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("ApplicationStop", 1);
        m.put("DownloadBundle", 2);
        m.put("BeforeInstall", 42);
        m.put("Install", 1);
        m.put("AfterInstall", 1);
        m.put("ApplicationStart", 4);
        m.put("ValidateService", 12);
        return m;
    }

    List<Call> calls(String operation) {
        return calls.stream().filter(c -> c.operation.equals(operation)).toList();
    }

    @SuppressWarnings("unchecked")
    <T> T request(String operation, int index) {
        return (T) calls(operation).get(index).request();
    }

    private String newId() {
        return String.format("d-TEST%05d", serial.incrementAndGet());
    }

    // ---------------------------------------------------------------- protocol

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            byte[] in = x.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String target = headers.getOrDefault("x-amz-target", "");
            if (!x.getRequestMethod().equals("POST") || !target.startsWith(TARGET_PREFIX)
                    || !headers.getOrDefault("content-type", "").startsWith("application/x-amz-json-1.1")) {
                violations.add("not a JSON 1.1 CodeDeploy call: " + x.getRequestMethod() + " " + target + " " + headers.get("content-type"));
                send(x, 400, error("SerializationException", "expected a JSON 1.1 POST with X-Amz-Target"));
                return;
            }
            if (!headers.getOrDefault("authorization", "").startsWith("AWS4-HMAC-SHA256 Credential=")) {
                violations.add(target + ": not SigV4-signed");
            }
            String op = target.substring(TARGET_PREFIX.length());
            JsonNode body = in.length == 0 ? JSON.createObjectNode() : JSON.readTree(in);
            SdkPojo request;
            try {
                SdkBuilder<?, ?> b = (SdkBuilder<?, ?>) Class.forName(MODEL + op + "Request").getMethod("builder").invoke(null);
                read(body, (SdkPojo) b, op + "Request");
                request = (SdkPojo) b.build();
            } catch (ReflectiveOperationException e) {
                violations.add("unknown operation " + op);
                send(x, 400, error("UnknownOperationException", op));
                return;
            }
            calls.add(new Call(op, request, body, headers));
            AtomicInteger t = throttled.get(op);
            if (t != null && t.getAndDecrement() > 0) {
                send(x, 400, error("ThrottlingException", "Rate exceeded"));
                return;
            }
            if (denied.contains(op)) {
                send(x, 400, error("AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/release-ci/GitHubActions is not "
                        + "authorized to perform: codedeploy:" + op + " on resource: arn:aws:codedeploy:eu-west-1:123456789012:application"));
                return;
            }
            try {
                send(x, 200, write(answer(op, request)));
            } catch (CodeDeployException e) {
                send(x, 400, error(e.getClass().getSimpleName(), e.getMessage()));
            }
        }
    }

    private static ObjectNode error(String type, String message) {
        try {
            Class<?> c = Class.forName(MODEL + type);
            if (!CodeDeployException.class.isAssignableFrom(c)) {
                throw new IllegalStateException(type + " is not a CodeDeploy error");
            }
        } catch (ClassNotFoundException e) {
            if (!Set.of("AccessDeniedException", "SerializationException", "UnknownOperationException").contains(type)) {
                throw new IllegalStateException(type + " is neither in the CodeDeploy model nor a common AWS error");
            }
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("__type", type);
        o.put("message", message);
        return o;
    }

    private static void send(HttpExchange x, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        x.getResponseHeaders().add("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555");
        if (status != 200) {
            x.getResponseHeaders().add("x-amzn-ErrorType", body.path("__type").asText());
        }
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    /** A model object as its JSON 1.1 wire form, driven by its {@link SdkField}s. */
    static ObjectNode write(SdkPojo pojo) {
        ObjectNode o = JSON.createObjectNode();
        for (SdkField<?> f : pojo.sdkFields()) {
            Object v = f.getValueOrDefault(pojo);
            if (v != null && !(v instanceof SdkAutoConstructList) && !(v instanceof SdkAutoConstructMap)) {
                o.set(f.locationName(), value(f, v));
            }
        }
        return o;
    }

    private static JsonNode value(SdkField<?> f, Object v) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        MarshallingType<?> t = f.marshallingType();
        if (t == MarshallingType.SDK_POJO) {
            return write((SdkPojo) v);
        }
        if (t == MarshallingType.LIST) {
            ArrayNode a = n.arrayNode();
            SdkField<?> member = f.getTrait(ListTrait.class).memberFieldInfo();
            ((List<?>) v).forEach(e -> a.add(value(member, e)));
            return a;
        }
        if (t == MarshallingType.MAP) {
            ObjectNode m = n.objectNode();
            SdkField<?> member = f.getTrait(MapTrait.class).valueFieldInfo();
            ((Map<?, ?>) v).forEach((k, e) -> m.set(String.valueOf(k), value(member, e)));
            return m;
        }
        if (t == MarshallingType.INSTANT) {
            return n.numberNode(BigDecimal.valueOf(((Instant) v).toEpochMilli(), 3)); // epoch seconds, as the service sends
        }
        return JSON.valueToTree(v);
    }

    /** Fills a model builder from wire JSON; members the model does not have are violations. */
    private void read(JsonNode json, SdkPojo builder, String shape) {
        Map<String, SdkField<?>> fields = new HashMap<>();
        builder.sdkFields().forEach(f -> fields.put(f.locationName(), f));
        json.fields().forEachRemaining(e -> {
            SdkField<?> f = fields.get(e.getKey());
            if (f == null) {
                violations.add(shape + " has no member " + e.getKey());
            } else {
                f.set(builder, convert(f, e.getValue(), shape + "." + e.getKey()));
            }
        });
    }

    private Object convert(SdkField<?> f, JsonNode v, String where) {
        MarshallingType<?> t = f.marshallingType();
        if (v.isNull()) {
            return null;
        }
        if (t == MarshallingType.SDK_POJO) {
            SdkPojo b = f.constructor().get();
            read(v, b, where);
            return ((SdkBuilder<?, ?>) b).build();
        }
        if (t == MarshallingType.LIST) {
            List<Object> l = new ArrayList<>();
            v.forEach(e -> l.add(convert(f.getTrait(ListTrait.class).memberFieldInfo(), e, where + "[]")));
            return l;
        }
        if (t == MarshallingType.MAP) {
            Map<String, Object> m = new LinkedHashMap<>();
            v.fields().forEachRemaining(e -> m.put(e.getKey(), convert(f.getTrait(MapTrait.class).valueFieldInfo(), e.getValue(), where)));
            return m;
        }
        if (t == MarshallingType.STRING) {
            if (!v.isTextual()) violations.add(where + " should be a string");
            return v.asText();
        }
        if (t == MarshallingType.BOOLEAN) {
            if (!v.isBoolean()) violations.add(where + " should be a boolean");
            return v.asBoolean();
        }
        if (t == MarshallingType.INTEGER) return v.asInt();
        if (t == MarshallingType.LONG) return v.asLong();
        if (t == MarshallingType.INSTANT) return Instant.ofEpochMilli((long) (v.asDouble() * 1000));
        return JSON.convertValue(v, Object.class);
    }

    // ---------------------------------------------------------------- the service

    private synchronized SdkPojo answer(String op, SdkPojo request) {
        switch (op) {
            case "GetDeploymentGroup": {
                var r = (GetDeploymentGroupRequest) request;
                requireGroup(r.applicationName(), r.deploymentGroupName());
                return GetDeploymentGroupResponse.builder().deploymentGroupInfo(current(r.applicationName(), r.deploymentGroupName())).build();
            }
            case "GetApplication":
            case "CreateApplication":
            case "CreateDeploymentGroup":
            case "UpdateDeploymentGroup":
                return setUp(op, request);
            case "RegisterApplicationRevision": {
                var r = (RegisterApplicationRevisionRequest) request;
                requireApplication(r.applicationName());
                return RegisterApplicationRevisionResponse.builder().build();
            }
            case "CreateDeployment": {
                var r = (CreateDeploymentRequest) request;
                requireGroup(r.applicationName(), r.deploymentGroupName());
                for (Deployment d : deployments.values()) {
                    if (d.active() && d.application.equals(r.applicationName()) && d.group.equals(r.deploymentGroupName())) {
                        throw DeploymentLimitExceededException.builder().message("The Deployment Group '" + d.group
                                + "' already has an active Deployment '" + d.id + "'").build();
                    }
                }
                boolean auto = r.autoRollbackConfiguration() != null && Boolean.TRUE.equals(r.autoRollbackConfiguration().enabled());
                Deployment d = new Deployment(newId(), r.applicationName(), r.deploymentGroupName(), "user", auto, instances,
                        failing, failing.isEmpty(), pollsUntilDone);
                d.revision = r.revision();
                deployments.put(d.id, d);
                return CreateDeploymentResponse.builder().deploymentId(d.id).build();
            }
            case "GetDeployment": {
                Deployment d = deployment(((GetDeploymentRequest) request).deploymentId());
                advance(d);
                return GetDeploymentResponse.builder().deploymentInfo(info(d)).build();
            }
            case "ListDeployments": {
                var r = (ListDeploymentsRequest) request;
                requireGroup(r.applicationName(), r.deploymentGroupName());
                TimeRange range = r.createTimeRange();
                List<String> ids = deployments.values().stream()
                        .filter(d -> d.application.equals(r.applicationName()) && d.group.equals(r.deploymentGroupName()))
                        .filter(d -> !r.hasIncludeOnlyStatuses() || r.includeOnlyStatusesAsStrings().contains(d.status))
                        .filter(d -> range == null || ((range.start() == null || !d.created.isBefore(range.start()))
                                && (range.end() == null || !d.created.isAfter(range.end()))))
                        .map(d -> d.id).sorted().toList();
                int from = r.nextToken() == null ? 0 : Integer.parseInt(r.nextToken());
                int to = Math.min(ids.size(), from + listPageSize);
                return ListDeploymentsResponse.builder().deployments(ids.subList(from, to))
                        .nextToken(to < ids.size() ? Integer.toString(to) : null).build();
            }
            case "BatchGetDeployments": {
                var r = (BatchGetDeploymentsRequest) request;
                if (r.deploymentIds().size() > 25) {
                    throw BatchLimitExceededException.builder().message("The maximum number of deployment IDs is 25").build();
                }
                return BatchGetDeploymentsResponse.builder().deploymentsInfo(r.deploymentIds().stream()
                        .filter(deployments::containsKey).map(id -> info(deployments.get(id))).toList()).build();
            }
            case "ListDeploymentTargets": {
                var r = (ListDeploymentTargetsRequest) request;
                Deployment d = deployment(r.deploymentId());
                List<String> wanted = r.hasTargetFilters() ? r.targetFiltersAsStrings().getOrDefault("TargetStatus", List.of()) : List.of();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < d.instances; i++) {
                    if (wanted.isEmpty() || wanted.contains(instanceStatus(d, i))) {
                        ids.add(instanceId(i));
                    }
                }
                int from = r.nextToken() == null ? 0 : Integer.parseInt(r.nextToken());
                int to = Math.min(ids.size(), from + pageSize);
                return ListDeploymentTargetsResponse.builder().targetIds(ids.subList(from, to))
                        .nextToken(to < ids.size() ? Integer.toString(to) : null).build();
            }
            case "BatchGetDeploymentTargets": {
                var r = (BatchGetDeploymentTargetsRequest) request;
                Deployment d = deployment(r.deploymentId());
                if (r.targetIds().size() > 25) {
                    throw DeploymentTargetListSizeExceededException.builder().message("The maximum number of targets that can be "
                            + "retrieved in one call is 25").build();
                }
                List<DeploymentTarget> out = new ArrayList<>();
                for (String id : r.targetIds()) {
                    out.add(DeploymentTarget.builder().deploymentTargetType("InstanceTarget").instanceTarget(target(d, id)).build());
                }
                return BatchGetDeploymentTargetsResponse.builder().deploymentTargets(out).build();
            }
            default:
                throw InvalidOperationException.builder().message("the test endpoint does not implement " + op).build();
        }
    }

    /** What a group answers: as made or changed through the API, else fixed settings. */
    private DeploymentGroupInfo current(String app, String group) {
        return groupInfos.getOrDefault(app + "/" + group, DeploymentGroupInfo.builder().applicationName(app)
                .deploymentGroupName(group).deploymentGroupId("0b2c9c1a-1111-2222-3333-444455556666")
                .deploymentConfigName("CodeDeployDefault.OneAtATime").computePlatform("Server")
                .serviceRoleArn("arn:aws:iam::123456789012:role/CodeDeployServiceRole").build());
    }

    /** Applications and groups made and changed, with the service's own refusals for what setup must not send. */
    private SdkPojo setUp(String op, SdkPojo request) {
        switch (op) {
            case "GetApplication": {
                var r = (GetApplicationRequest) request;
                requireApplication(r.applicationName());
                return GetApplicationResponse.builder().application(a -> a.applicationName(r.applicationName())
                        .applicationId("5e7a1c2b-1111-2222-3333-" + String.format("%012d", Math.abs(r.applicationName().hashCode())))
                        .computePlatform(platforms.getOrDefault(r.applicationName(), "Server")).linkedToGitHub(false)
                        .createTime(Instant.parse("2025-06-01T00:00:00Z"))).build();
            }
            case "CreateApplication": {
                var r = (CreateApplicationRequest) request;
                if (groups.containsKey(r.applicationName())) {
                    throw ApplicationAlreadyExistsException.builder().message("The application " + r.applicationName() + " already exists").build();
                }
                groups.put(r.applicationName(), ConcurrentHashMap.newKeySet());
                platforms.put(r.applicationName(), r.computePlatform() == null ? "Server" : r.computePlatformAsString());
                return CreateApplicationResponse.builder().applicationId("5e7a1c2b-0000-0000-0000-000000000001").build();
            }
            case "CreateDeploymentGroup":
                return createGroup((CreateDeploymentGroupRequest) request);
            default: {
                var r = (UpdateDeploymentGroupRequest) request;
                requireGroup(r.applicationName(), r.currentDeploymentGroupName());
                var b = current(r.applicationName(), r.currentDeploymentGroupName()).toBuilder();
                if (r.hasEc2TagFilters()) b.ec2TagFilters(r.ec2TagFilters());
                if (r.serviceRoleArn() != null) b.serviceRoleArn(r.serviceRoleArn());
                if (r.deploymentConfigName() != null) b.deploymentConfigName(r.deploymentConfigName());
                if (r.autoRollbackConfiguration() != null) b.autoRollbackConfiguration(r.autoRollbackConfiguration());
                if (r.loadBalancerInfo() != null) b.loadBalancerInfo(r.loadBalancerInfo());
                if (r.deploymentStyle() != null) b.deploymentStyle(r.deploymentStyle());
                DeploymentGroupInfo info = b.build();
                requireTrafficControlWithLoadBalancer(info.deploymentStyle(), info.loadBalancerInfo());
                groupInfos.put(r.applicationName() + "/" + r.currentDeploymentGroupName(), info);
                return UpdateDeploymentGroupResponse.builder().build();
            }
        }
    }

    private SdkPojo createGroup(CreateDeploymentGroupRequest r) {
        requireApplication(r.applicationName());
        if (groups.get(r.applicationName()).contains(r.deploymentGroupName())) {
            throw DeploymentGroupAlreadyExistsException.builder().message("A deployment group named " + r.deploymentGroupName()
                    + " already exists for application " + r.applicationName()).build();
        }
        if (r.serviceRoleArn() == null) {
            throw RoleRequiredException.builder().message("Role ARN is required").build();
        }
        requireTrafficControlWithLoadBalancer(r.deploymentStyle(), r.loadBalancerInfo());
        DeploymentGroupInfo info = DeploymentGroupInfo.builder().applicationName(r.applicationName()).deploymentGroupName(r.deploymentGroupName())
                .deploymentGroupId("0b2c9c1a-0000-0000-0000-" + String.format("%012d", groupInfos.size() + 1))
                .deploymentConfigName(r.deploymentConfigName() == null ? "CodeDeployDefault.OneAtATime" : r.deploymentConfigName())
                .ec2TagFilters(r.ec2TagFilters()).serviceRoleArn(r.serviceRoleArn()).autoRollbackConfiguration(r.autoRollbackConfiguration())
                .loadBalancerInfo(r.loadBalancerInfo()).deploymentStyle(r.deploymentStyle() != null ? r.deploymentStyle()
                        : DeploymentStyle.builder().deploymentType("IN_PLACE").deploymentOption("WITHOUT_TRAFFIC_CONTROL").build())
                .computePlatform(platforms.getOrDefault(r.applicationName(), "Server")).build();
        groups.get(r.applicationName()).add(r.deploymentGroupName());
        groupInfos.put(r.applicationName() + "/" + r.deploymentGroupName(), info);
        return CreateDeploymentGroupResponse.builder().deploymentGroupId(info.deploymentGroupId()).build();
    }

    /** As the service: traffic control needs a load balancer or target group to control. */
    private static void requireTrafficControlWithLoadBalancer(DeploymentStyle style, LoadBalancerInfo lb) {
        boolean controlled = style != null && "WITH_TRAFFIC_CONTROL".equals(style.deploymentOptionAsString());
        boolean any = lb != null && (!lb.targetGroupInfoList().isEmpty() || !lb.elbInfoList().isEmpty());
        if (controlled && !any) {
            throw InvalidLoadBalancerInfoException.builder().message("Load balancer information is required for a deployment "
                    + "group with traffic control").build();
        }
    }

    private void requireApplication(String app) {
        if (!groups.containsKey(app)) {
            throw ApplicationDoesNotExistException.builder().message("No application found for name: " + app).build();
        }
    }

    private void requireGroup(String app, String group) {
        requireApplication(app);
        if (!groups.get(app).contains(group)) {
            throw DeploymentGroupDoesNotExistException.builder().message("No Deployment Group found for name: " + group).build();
        }
    }

    private Deployment deployment(String id) {
        Deployment d = deployments.get(id);
        if (d == null) {
            throw DeploymentDoesNotExistException.builder().message("Deployment " + id + " does not exist").build();
        }
        return d;
    }

    private void advance(Deployment d) {
        if (!d.active()) {
            return;
        }
        d.polls++;
        if (d.polls < d.pollsUntilDone) {
            d.status = "InProgress";
            return;
        }
        d.status = d.succeeds ? "Succeeded" : "Failed";
        if (!d.succeeds && d.autoRollback && d.rollbackId == null) {
            Deployment rb = new Deployment(newId(), d.application, d.group, "codeDeployRollback", false, d.instances,
                    rollbackSucceeds ? List.of() : d.failing, rollbackSucceeds, pollsUntilDone);
            rb.rollbackOf = d.id;
            d.rollbackId = rb.id;
            deployments.put(rb.id, rb);
        }
    }

    private DeploymentInfo info(Deployment d) {
        int failed = "Failed".equals(d.status) ? d.failedCount() : 0;
        int done = d.active() ? Math.min(d.polls, d.instances) : d.instances;
        var b = DeploymentInfo.builder().deploymentId(d.id).applicationName(d.application).deploymentGroupName(d.group)
                .deploymentConfigName("CodeDeployDefault.OneAtATime").status(d.status).creator(d.creator).createTime(d.created)
                .revision(d.revision).computePlatform("Server")
                .deploymentOverview(o -> o.pending((long) (d.instances - done)).inProgress(d.active() ? 1L : 0L)
                        .succeeded((long) (d.active() ? Math.max(0, done - 1) : d.instances - failed)).failed((long) failed).skipped(0L).ready(0L))
                .autoRollbackConfiguration(a -> a.enabled(d.autoRollback).eventsWithStrings(d.autoRollback ? List.of("DEPLOYMENT_FAILURE") : List.of()));
        if (!d.active()) {
            b.completeTime(d.created.plus(d.took));
        }
        if ("Failed".equals(d.status)) {
            b.errorInformation(e -> e.code("HEALTH_CONSTRAINTS").message("The overall deployment failed because too many individual "
                    + "instances failed deployment, too few healthy instances are available for deployment, or some instances in your "
                    + "deployment group are experiencing problems."));
        }
        if (d.rollbackId != null) {
            b.rollbackInfo(r -> r.rollbackDeploymentId(d.rollbackId).rollbackMessage("Automatic rollback triggered by deployment failure"));
        } else if (d.rollbackOf != null) {
            b.rollbackInfo(r -> r.rollbackTriggeringDeploymentId(d.rollbackOf));
        }
        return b.build();
    }

    static String instanceId(int i) {
        return String.format("i-%017x", 0x0abc000000000000L + i);
    }

    /**
     * Instance {@code i} of {@code d}: while it runs, the instances done Succeeded, the last of them InProgress (as the
     * overview counts them) and the rest Pending; once ended, Failed if one of the failure groups covers it (in order),
     * else Succeeded.
     */
    private String instanceStatus(Deployment d, int i) {
        if (d.active()) {
            int done = Math.min(d.polls, d.instances);
            return i < done - 1 ? "Succeeded" : i == done - 1 ? "InProgress" : "Pending";
        }
        return failureOf(d, i) != null ? "Failed" : "Succeeded";
    }

    private static Failing failureOf(Deployment d, int i) {
        if (!"Failed".equals(d.status)) {
            return null;
        }
        int at = 0;
        for (Failing f : d.failing) {
            if (i < at + f.count()) {
                return f;
            }
            at += f.count();
        }
        return null;
    }

    private InstanceTarget target(Deployment d, String id) {
        int i = -1;
        for (int k = 0; k < d.instances; k++) {
            if (instanceId(k).equals(id)) i = k;
        }
        if (i < 0) {
            throw DeploymentTargetDoesNotExistException.builder().message("Target " + id + " does not exist").build();
        }
        Failing f = failureOf(d, i);
        String status = instanceStatus(d, i);
        List<String> names = List.copyOf(EVENT_SECONDS.keySet());
        int running = status.equals("InProgress") ? names.size() / 2 : status.equals("Pending") ? -1 : names.size();
        List<LifecycleEvent> events = new ArrayList<>();
        boolean failedYet = false;
        Instant at = d.created.plusSeconds(1);
        for (int k = 0; k < names.size(); k++) {
            String e = names.get(k);
            var b = LifecycleEvent.builder().lifecycleEventName(e);
            Instant end = at.plusSeconds(EVENT_SECONDS.get(e));
            if (failedYet) {
                b.status("Skipped");
            } else if (k > running) {
                b.status("Pending");
            } else if (k == running) {
                b.status("InProgress").startTime(at);
            } else if (f != null && f.event().equals(e)) {
                failedYet = true;
                b.status("Failed").startTime(at).endTime(end)
                        .diagnostics(x -> x.errorCode(f.errorCode()).scriptName(f.script()).message(f.message()).logTail(f.logTail()));
            } else {
                b.status("Succeeded").startTime(at).endTime(end).diagnostics(x -> x.errorCode("Success").message("Succeeded").scriptName("").logTail(""));
            }
            at = end;
            events.add(b.build());
        }
        return InstanceTarget.builder().deploymentId(d.id).targetId(id)
                .targetArn("arn:aws:ec2:eu-west-1:123456789012:instance/" + id).status(status)
                .lastUpdatedAt(d.created.plusSeconds(30)).lifecycleEvents(events).build();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static String body(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static Set<String> ops(List<Call> calls) {
        Set<String> s = new HashSet<>();
        calls.forEach(c -> s.add(c.operation()));
        return s;
    }
}
