import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hooks on a real Docker engine with a local registry, run as the CodeDeploy agent runs them, through the
 * appspec locations, JBang and the in-place template (the original's stack without the proxy, the app container
 * swapped in place; local stand-ins for its side images). BlueGreenEndToEndTest deploys the shipped template. One service history, in order: v1, a v2 that crashes, a v2 that never gets healthy, bad inputs,
 * a good v2 pinned by digest, then stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HooksEndToEndTest {
    static final String REGISTRY = "127.0.0.1:" + System.getenv().getOrDefault("CDEPLOY_REGISTRY_PORT", "5000");
    /** This run's own names (project, containers, network, volumes, port, repository, stand-in tags): see RunNames. */
    RunNames n;
    String app;
    String health;
    String backend;
    List<String> sides;
    List<String> volumes;

    /** The default names a real stack on this machine would use, and what stood there before this run (kept as it was). */
    final Map<String, String> defaults = new LinkedHashMap<>();
    final List<String> madeDefaults = new ArrayList<>();

    Path work;
    Path envFile;
    Path stateRoot;
    final Map<String, String> digests = new HashMap<>();
    Map<String, String> sideIds;

    static Proc.Result sh(String... cmd) {
        return Proc.SYSTEM.run(List.of(cmd), Duration.ofMinutes(3), null);
    }

    static String ok(String... cmd) {
        Proc.Result r = sh(cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.err());
        return r.out().strip();
    }

    @BeforeAll
    void images() throws IOException {
        prepare();
        standInForADefaultStack();
    }

    /** This run's names, images (app versions in the registry, side stand-ins) and network. */
    void prepare() throws IOException {
        assertTrue(sh("curl", "-fsS", "http://" + REGISTRY + "/v2/").ok(),
                "no registry on " + REGISTRY + ": run lib/setup-host.sh docker test-tools registry (as .ci/run does)");
        work = Files.createTempDirectory("cdeploy-e2e");
        n = RunNames.create(work);
        app = n.app(REGISTRY);
        health = n.health();
        backend = n.container("backend");
        sides = List.of(n.container("redis"), n.container("pinpoint-agent"), n.container("filebeat"));
        volumes = List.of(n.volume("logs_data"), n.volume("pinpoint-volumes"));
        Map<String, String> imagesEnv = Map.of("CDEPLOY_TEST_REPO", "cdeploy-test/" + n.id + "/app", "CDEPLOY_TEST_SIDE_PREFIX", n.sidePrefix());
        envFile = Files.writeString(work.resolve("app.env"), "SPRING_PROFILES_ACTIVE=prod\n");
        stateRoot = work.resolve("state");
        String images = HookProcess.REPO.resolve("tests/fixtures/images.sh").toString();
        okWith(imagesEnv, images, "--side");
        for (String[] v : new String[][] {{"1", "ok", "1"}, {"2", "ok", "1"}, {"2-crash", "crash", "1"}, {"2-hang", "hang", "0"},
                {"2-noexec", "noexec", "0"}}) {
            String digest = okWith(imagesEnv, images, REGISTRY, v[0], v[1], v[2]);
            digests.put(v[0], digest.substring(digest.indexOf('@') + 1));
            ok("docker", "rmi", app + ":" + v[0]); // only the registry has it now: pull must fetch it
        }
        ok("docker", "network", "create", n.id);
    }

    /**
     * The default names a developer's real stack uses (a volume, an image tag, a container): made here when absent
     * (and removed after), their ids noted either way; the last test finds them untouched.
     */
    void standInForADefaultStack() {
        if (!sh("docker", "volume", "inspect", "art_logs_data").ok()) {
            ok("docker", "volume", "create", "art_logs_data");
            madeDefaults.add("volume");
        }
        if (!sh("docker", "image", "inspect", "redis:7.0-alpine").ok()) {
            ok("docker", "tag", n.side("redis:7.0-alpine"), "redis:7.0-alpine");
            madeDefaults.add("image");
        }
        if (!sh("docker", "container", "inspect", "art-backend").ok()) {
            ok("docker", "create", "--name", "art-backend", n.side("redis:7.0-alpine"));
            madeDefaults.add("container");
        }
        defaults.putAll(defaultStack());
    }

    Map<String, String> defaultStack() {
        return Map.of("volume", ok("docker", "volume", "inspect", "--format", "{{.CreatedAt}} {{.Mountpoint}}", "art_logs_data"),
                "image", ok("docker", "image", "inspect", "--format", "{{.Id}}", "redis:7.0-alpine"),
                "container", ok("docker", "container", "inspect", "--format", "{{.Id}} {{.State.Status}}", "art-backend"));
    }

    /** A command with extra environment variables (the image builder's names for this run). */
    static String okWith(Map<String, String> env, String... cmd) {
        List<String> all = new ArrayList<>(List.of("env"));
        env.forEach((k, v) -> all.add(k + "=" + v));
        all.addAll(List.of(cmd));
        return ok(all.toArray(String[]::new));
    }

    /** Exactly what this run made: its containers, volumes, network, images and folder; nothing of anyone else's. */
    @AfterAll
    void cleanUp() {
        List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f", backend, n.container("conflict"), backend + "-old", "x" + backend));
        rm.addAll(sides);
        sh(rm.toArray(String[]::new));
        List<String> vol = new ArrayList<>(List.of("docker", "volume", "rm", "-f"));
        vol.addAll(volumes);
        sh(vol.toArray(String[]::new));
        sh("docker", "network", "rm", n.id);
        List<String> rmi = new ArrayList<>(List.of("docker", "rmi", "-f"));
        for (String official : List.of("pinpointdocker/pinpoint-agent:2.5.2", "redis:7.0-alpine", "filebeat-custom:0.18")) {
            rmi.add(n.side(official));
        }
        sh("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", app).out().lines().filter(l -> !l.isBlank()).forEach(rmi::add);
        digests.values().forEach(d -> rmi.add(app + "@" + d));
        sh(rmi.toArray(String[]::new));
        sh("rm", "-rf", work.toString());
        if (madeDefaults.contains("container")) {
            sh("docker", "rm", "-f", "art-backend");
        }
        if (madeDefaults.contains("image")) {
            sh("docker", "rmi", "redis:7.0-alpine");
        }
        if (madeDefaults.contains("volume")) {
            sh("docker", "volume", "rm", "art_logs_data");
        }
    }

    Map<String, Object> settings(Object... overrides) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("project", n.project());
        s.put("container", backend);
        s.put("healthUrl", health);
        s.put("envFile", envFile.toString());
        for (int i = 0; i < overrides.length; i += 2) {
            s.put((String) overrides[i], overrides[i + 1]);
        }
        return s;
    }

    /** A bundle as release lays it out, with this run's copy of the default template. */
    Path bundle(String name, String image, Map<String, Object> settings) throws IOException {
        Path b = HookProcess.bundle(work.resolve(name), image, settings);
        Files.writeString(b.resolve("compose.yml"), n.inPlaceTemplate());
        return b;
    }

    HookProcess.Result hook(Path bundle, String hook, Map<String, String> env) throws IOException {
        String event = Map.of("pull", "BeforeInstall", "start", "ApplicationStart", "validate", "ValidateService",
                "stop", "ApplicationStop").get(hook);
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("CDEPLOY_STATE_DIR", stateRoot.toString());
        HookProcess.Result r = HookProcess.run(bundle, "hooks/" + hook, event, all);
        assertEquals("", r.stdout(), "hooks write only to stderr:\n" + r);
        return r;
    }

    /** The three hooks of a deployment; pull and start must succeed; validate's result is returned. */
    HookProcess.Result pullStartValidate(Path bundle) throws IOException {
        for (String h : List.of("pull", "start")) {
            HookProcess.Result r = hook(bundle, h, Map.of());
            assertEquals(0, r.exit(), r.toString());
        }
        return hook(bundle, "validate", Map.of());
    }

    String serving() {
        String body = Health.probe(health) == null ? ok("curl", "-fsS", health) : "";
        return body.replaceAll(".*\"version\":\"([^\"]*)\".*", "$1");
    }

    Map<String, String> sideContainerIds() {
        Map<String, String> ids = new LinkedHashMap<>();
        for (String c : sides) {
            ids.put(c, ok("docker", "inspect", "--format", "{{.Id}} {{.State.StartedAt}}", c));
        }
        return ids;
    }

    String appContainerId() {
        return ok("docker", "inspect", "--format", "{{.Id}}", backend);
    }

    @Test
    @Order(0)
    void a_first_deploy_that_crashes_has_nothing_to_roll_back_to() throws IOException {
        HookProcess.Result v = pullStartValidate(bundle("v0-crash", app + ":2-crash", settings()));
        assertEquals(Cli.FAILED, v.exit(), v.toString());
        assertTrue(v.lastLine().endsWith("; there is no previous image to roll back to; fix the release and deploy again (its log is above)"), v.toString());
        List<String> lines = v.stderr().lines().toList();
        assertTrue(lines.get(lines.size() - 2).contains("APPLICATION FAILED TO START") || lines.get(lines.size() - 2).contains("booting"),
                "the container log comes right before the verdict, inside CodeDeploy's log tail:\n" + v);
    }

    @Test
    @Order(1)
    void first_deploy_starts_the_whole_stack() throws IOException {
        HookProcess.Result v = pullStartValidate(bundle("v1", app + ":1", settings()));
        assertEquals(0, v.exit(), v.toString());
        assertEquals("1", serving());
        sideIds = sideContainerIds();
        ok("docker", "exec", n.container("filebeat"), "sh", "-c", "echo kept > /logs/marker");
        assertEquals("", ok("docker", "port", n.container("redis")), "redis must not be published");
        assertTrue(ok("docker", "inspect", "--format", "{{json .Mounts}}", backend).contains(n.volume("logs_data")));
    }

    @Test
    @Order(2)
    void a_version_that_crashes_at_boot_is_rolled_back() throws IOException {
        HookProcess.Result v = pullStartValidate(bundle("v2-crash", app + ":2-crash", settings()));
        assertEquals(Cli.ROLLED_BACK, v.exit(), v.toString());
        assertTrue(v.stderr().contains("APPLICATION FAILED TO START"), "the crashed container's log reaches the hook output:\n" + v);
        assertTrue(v.lastLine().matches(java.util.regex.Pattern.quote("validate: release 2-crash (" + app + ":2-crash) is not healthy: container " + backend + " ")
                + "(is restarting after exit code 3|crashed and Docker restarted it)"
                + java.util.regex.Pattern.quote("; rolled back to " + app + ":1, which is healthy again; see the container log above")), v.lastLine());
        assertEquals("1", serving());
        assertEquals(sideIds, sideContainerIds(), "side containers untouched");
    }

    @Test
    @Order(2)
    void an_image_that_cannot_start_is_undone_by_start_itself_and_a_codedeploy_rollback_after_it_is_harmless() throws IOException {
        Path b = bundle("v2-noexec", app + ":2-noexec", settings());
        assertEquals(0, hook(b, "pull", Map.of()).exit());
        HookProcess.Result s = hook(b, "start", Map.of());
        // CodeDeploy skips ValidateService after a failed ApplicationStart: start itself brings back what served
        assertEquals(Cli.ROLLED_BACK, s.exit(), s.toString());
        assertTrue(s.lastLine().contains("; restored " + app + ":1, which compose started again"), s.toString());
        assertEquals("1", awaitServing("1"), "served again without any other deployment (--no-auto-rollback)");
        // with automatic rollback, CodeDeploy then redeploys the last good revision: the same hooks, v1 again
        HookProcess.Result again = pullStartValidate(bundle("v1-redeployed", app + ":1", settings()));
        assertEquals(0, again.exit(), again.toString());
        assertEquals("1", serving());
        assertEquals(sideIds, sideContainerIds(), "side containers untouched");
    }

    String awaitServing(String version) {
        for (int i = 0; i < 120 && !version.equals(serving()); i++) {
            Health.sleep(Duration.ofMillis(250));
        }
        return serving();
    }

    @Test
    @Order(3)
    void a_version_that_never_gets_healthy_is_rolled_back_after_its_deadline() throws IOException {
        HookProcess.Result v = pullStartValidate(bundle("v2-hang", app + ":2-hang", settings("healthTimeoutSeconds", 5)));
        assertEquals(Cli.ROLLED_BACK, v.exit(), v.toString());
        assertTrue(v.stderr().contains("waiting for a dependency that never answers"), v.toString());
        assertTrue(v.lastLine().contains("is not healthy: not healthy after 5 s (" + health), v.lastLine());
        assertTrue(v.lastLine().endsWith("rolled back to " + app + ":1, which is healthy again; see the container log above"), v.lastLine());
        assertTrue(v.took().toSeconds() < 5 + 5 + 30, "the wait is bounded: " + v.took());
        assertEquals("1", serving());
        assertEquals(sideIds, sideContainerIds());
    }

    /** Bad input: one line naming problem and fix, a non-zero exit, and the running service untouched. */
    Stream<Arguments> badInputs() {
        String good = app + ":2";
        return Stream.of(
                Arguments.of("empty image.txt", "pull", Cli.INPUT, "image.txt holds no image reference;", Map.of()),
                Arguments.of("malformed reference", "pull", Cli.INPUT, "'" + REGISTRY + "/Team/App:2' is not a valid Docker image reference", Map.of()),
                Arguments.of("latest", "pull", Cli.INPUT, "uses the moving tag 'latest'", Map.of()),
                Arguments.of("untagged", "pull", Cli.INPUT, "has no tag", Map.of()),
                Arguments.of("image.txt disagrees with release.json", "pull", Cli.INPUT, "image.txt says '" + app + ":1' but release.json says '" + good + "'", Map.of()),
                Arguments.of("image missing from the registry", "pull", Cli.INPUT, "image " + app + ":404 is not in the registry", Map.of()),
                Arguments.of("registry down", "pull", Cli.ENVIRONMENT, "the registry for 127.0.0.1:5999/cdeploy-test/app:2 cannot be reached", Map.of()),
                Arguments.of("template is not YAML", "pull", Cli.INPUT, "compose.yml is not valid YAML", Map.of()),
                Arguments.of("template compose rejects", "pull", Cli.INPUT, "compose rejects the rendered template:", Map.of()),
                Arguments.of("missing env file", "pull", Cli.INPUT, "env file /nonexistent/app.env does not exist; create it", Map.of()),
                Arguments.of("Docker daemon down", "pull", Cli.ENVIRONMENT, "the Docker daemon is not answering",
                        Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock")),
                Arguments.of("Docker daemon down at start", "start", Cli.ENVIRONMENT, "the Docker daemon is not answering",
                        Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock")),
                Arguments.of("no compose installed", "pull", Cli.ENVIRONMENT, "Docker Compose is not installed",
                        Map.of("CDEPLOY_COMPOSE", "/nonexistent/docker-compose")),
                Arguments.of("validate budget too small for a rollback", "pull", Cli.INPUT, "the ValidateService timeout (330 s) cannot hold", Map.of()),
                Arguments.of("container name taken outside the project", "pull", Cli.INPUT,
                        "container " + n.container("conflict") + " (service art-be) exists outside compose project '" + n.project() + "'", Map.of()),
                Arguments.of("host port held outside the project", "pull", Cli.INPUT, ", which the template publishes, is held by container "
                        + n.container("conflict") + "; stop that container, or publish another host port", Map.of()),
                Arguments.of("start without pull", "start", Cli.FAILED, "is not on this host, and start never pulls", Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    @Order(4)
    void bad_input_fails_in_one_line_and_leaves_the_service_alone(String name, String hookName, int exit, String message,
                                                                   Map<String, String> env) throws IOException {
        String before = appContainerId();
        Path b = bundle("bad-" + name.replaceAll("\\W+", "-"), app + ":2", settings());
        switch (name) {
            case "empty image.txt" -> { Files.delete(b.resolve("release.json")); Files.writeString(b.resolve("image.txt"), "\n"); }
            case "malformed reference" -> b = bundle("bad-malformed", REGISTRY + "/Team/App:2", settings());
            case "latest" -> b = bundle("bad-latest", app + ":latest", settings());
            case "untagged" -> b = bundle("bad-untagged", app, settings());
            case "image.txt disagrees with release.json" -> Files.writeString(b.resolve("image.txt"), app + ":1\n");
            case "image missing from the registry" -> b = bundle("bad-missing", app + ":404", settings());
            case "registry down" -> b = bundle("bad-registry-down", "127.0.0.1:5999/cdeploy-test/app:2", settings());
            case "template is not YAML" -> Files.writeString(b.resolve("compose.yml"), "services: [\n");
            case "template compose rejects" -> Files.writeString(b.resolve("compose.yml"),
                    "services:\n  art-be:\n    volumes: 5\n");
            case "missing env file" -> b = bundle("bad-env", app + ":2", settings("envFile", "/nonexistent/app.env"));
            case "validate budget too small for a rollback" -> b = bundle("bad-budget", app + ":2", settings("healthTimeoutSeconds", 200));
            case "container name taken outside the project" -> {
                ok("docker", "run", "-d", "--name", n.container("conflict"), n.side("redis:7.0-alpine"));
                b = bundle("bad-conflict", app + ":2", settings("container", n.container("conflict")));
            }
            case "host port held outside the project" -> {
                int held;
                try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                    held = free.getLocalPort();
                }
                ok("docker", "run", "-d", "--name", n.container("conflict"), "-p", "127.0.0.1:" + held + ":6379", n.side("redis:7.0-alpine"));
                String both = "\"" + n.port + ":8080\"\n      - \"127.0.0.1:" + held + ":8080\"";
                Files.writeString(b.resolve("compose.yml"), Files.readString(b.resolve("compose.yml")).replace("\"" + n.port + ":8080\"", both));
                assertTrue(Files.readString(b.resolve("compose.yml")).contains(":" + held + ":8080"), "the template publishes the held port");
            }
            default -> { }
        }
        HookProcess.Result r = hook(b, hookName, env);
        assertEquals(exit, r.exit(), r.toString());
        assertTrue(r.lastLine().startsWith(hookName + ": ") && r.lastLine().contains(message) && r.lastLine().contains("; "),
                "one line with problem and fix, got: " + r.lastLine() + "\n" + r);
        assertEquals(before, appContainerId(), "the running container was not touched");
        assertEquals("1", serving());
        assertEquals(sideIds, sideContainerIds());
        sh("docker", "rm", "-f", n.container("conflict"));
    }

    @Test
    @Order(5)
    void jbang_missing_is_one_line_from_the_launcher() throws IOException {
        Path b = bundle("no-jbang", app + ":2", settings());
        HookProcess.Result r = HookProcess.run(List.of(b.resolve("hooks/pull").toString()), Path.of("/"), "BeforeInstall",
                Map.of(), false);
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        assertEquals(1, r.stderr().lines().count(), r.toString());
        assertTrue(r.stderr().startsWith("hooks/pull: jbang not found (searched CDEPLOY_JBANG, PATH=" + HookProcess.SYSTEM_PATH), r.stderr());
        assertEquals("1", serving());
    }

    @Test
    @Order(6)
    void a_good_release_pinned_by_digest_replaces_only_the_app() throws IOException {
        String pinned = app + ":2@" + digests.get("2");
        Path b = bundle("v2", pinned, settings());
        HookProcess.Result pull = hook(b, "pull", Map.of());
        assertEquals(0, pull.exit(), pull.toString());
        assertTrue(pull.stderr().contains("release image " + app + "@" + digests.get("2") + " pulled"), pull.toString());
        assertTrue(pull.stderr().contains("pull: hooks/start compiled") && pull.stderr().contains("pull: hooks/validate compiled"), pull.toString());
        assertTrue(Files.readString(b.resolve("hooks/.start.cmd")).contains("main='start'"), "start runs without JBang's JVM");
        HookProcess.Result start = hook(b, "start", Map.of());
        assertEquals(0, start.exit(), start.toString());
        assertFalse(start.stderr().contains("[jbang] Building"), "pull compiled start ahead of the swap:\n" + start);
        HookProcess.Result validate = hook(b, "validate", Map.of());
        assertEquals(0, validate.exit(), validate.toString());
        assertTrue(validate.lastLine().matches("\\d\\d:\\d\\d:\\d\\d validate: [0-9.]+ s in all: [0-9.]+ s waiting on other programs, "
                + "([0-9.]+ s waiting for the service, )?[0-9.]+ s own"), validate.lastLine());
        assertFalse(validate.stderr().contains("[jbang] Building"), validate.toString());

        assertEquals("2", serving());
        assertEquals(app + "@" + digests.get("2"), ok("docker", "inspect", "--format", "{{.Config.Image}}", backend));
        assertEquals(sideIds, sideContainerIds(), "side containers were neither recreated nor restarted");
        assertEquals("kept", ok("docker", "exec", n.container("filebeat"), "cat", "/logs/marker"), "named volume kept its data");
        Path state = stateRoot.resolve(n.project());
        assertEquals(app + ":1", Files.readString(state.resolve("previous-image")).strip());
        assertEquals(app + "@" + digests.get("2"), Files.readString(state.resolve("current-image")).strip());
        // the template goes live byte for byte; the image the hooks own is in the override beside it
        assertEquals(n.inPlaceTemplate(), Files.readString(state.resolve(Stack.COMPOSE_FILE)));
        assertTrue(Files.readString(state.resolve(Stack.OVERRIDE_FILE)).contains("image: \"" + app + "@" + digests.get("2") + "\""));
        assertEquals("30", ok("docker", "inspect", "--format", "{{.Config.StopTimeout}}", backend), "stop_grace_period applied");
    }

    @Test
    @Order(7)
    void start_again_restores_a_missing_side_service_and_recreates_nothing_unchanged() throws IOException {
        ok("docker", "rm", "-f", n.container("redis"));
        String appId = appContainerId();
        HookProcess.Result r = hook(work.resolve("v2"), "start", Map.of());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(sh("docker", "container", "inspect", n.container("redis")).ok(), "absent side service started:\n" + r);
        assertEquals(appId, appContainerId(), "same image, same definition: the app was not recreated");
        Map<String, String> now = sideContainerIds();
        for (String side : List.of(n.container("pinpoint-agent"), n.container("filebeat"))) {
            assertEquals(sideIds.get(side), now.get(side), side);
        }
        sideIds = now;
        assertEquals("2", serving());
    }

    @Test
    @Order(8)
    void stop_removes_exactly_the_named_container_and_absent_is_success() throws IOException {
        ok("docker", "run", "-d", "--name", backend + "-old", n.side("redis:7.0-alpine"));
        ok("docker", "run", "-d", "--name", "x" + backend, n.side("redis:7.0-alpine"));
        Path b = work.resolve("v2");
        HookProcess.Result r = hook(b, "stop", Map.of());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("stop: " + backend + " (" + app + "@" + digests.get("2") + ") stopped and removed"), r.toString());
        assertFalse(sh("docker", "container", "inspect", backend).ok());
        assertTrue(sh("docker", "container", "inspect", backend + "-old").ok(), "substring matches are not stopped");
        assertTrue(sh("docker", "container", "inspect", "x" + backend).ok());
        assertEquals(sideIds, sideContainerIds());

        HookProcess.Result again = hook(b, "stop", Map.of());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.stderr().contains("stop: no container named " + backend + " (nor " + backend + "-blue, " + backend + "-green); nothing to stop"), again.toString());
    }

    @Test
    @Order(9)
    void after_a_manual_stop_a_failed_release_rolls_back_to_the_last_release_not_an_older_one() throws IOException {
        assertFalse(sh("docker", "container", "inspect", backend).ok(), "stopped by the previous test");
        HookProcess.Result v = pullStartValidate(bundle("v2-crash-after-stop", app + ":2-crash", settings()));
        assertEquals(Cli.ROLLED_BACK, v.exit(), v.toString());
        assertTrue(v.lastLine().contains("rolled back to " + app + "@" + digests.get("2") + ", which is healthy again"), v.lastLine());
        assertEquals("2", serving());
    }

    @Test
    @Order(10)
    void a_stack_with_the_default_names_on_the_same_machine_is_untouched_by_all_of_it() {
        assertEquals(defaults, defaultStack(), "the volume, image tag and container with the default names are as they were");
    }
}
