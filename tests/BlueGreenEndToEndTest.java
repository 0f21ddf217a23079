import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shipped template's zero-downtime path on a real Docker engine, through the appspec locations and JBang: nginx
 * (a stand-in for the official image, built offline by lib/setup-host.sh nginx) in front of two colours. One service
 * history: the in-place layout, migrated; ten deploys; a crash at boot; a version that never gets healthy; a slow
 * request and a keep-alive client across a switch; the states a killed hook leaves; a rollback by hand; stop. A
 * probe opening a new connection every 20 ms through the proxy counts every failed request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BlueGreenEndToEndTest {
    static final Duration EVERY = Duration.ofMillis(20);
    final HooksEndToEndTest base = new HooksEndToEndTest();
    RunNames n;
    String proxy;
    Map<String, String> sideIds;
    String proxyId;

    @BeforeAll
    void images() throws IOException {
        HooksEndToEndTest.ok("bash", HookProcess.REPO.resolve("lib/setup-host.sh").toString(), "nginx");
        base.prepare();
        n = base.n;
        proxy = n.container("proxy");
    }

    @AfterAll
    void cleanUp() {
        HooksEndToEndTest.sh("docker", "rm", "-f", proxy, colour("blue"), colour("green"));
        base.cleanUp();
    }

    String colour(String c) {
        return base.backend + "-" + c;
    }

    Path bundle(String name, String version, boolean inPlace, Object... settings) throws IOException {
        Path b = HookProcess.bundle(base.work.resolve(name), base.app + "@" + base.digests.get(version), base.settings(settings));
        Files.writeString(b.resolve("compose.yml"), inPlace ? n.inPlaceTemplate() : n.template());
        return b;
    }

    HookProcess.Result deploy(Path bundle) throws IOException {
        return base.pullStartValidate(bundle);
    }

    /** Which colour and version answer through the proxy. */
    String[] answering() {
        String out = HooksEndToEndTest.ok("curl", "-fsS", "-D", "-", base.health);
        String colour = out.replaceAll("(?s).*X-Cdeploy-Colour: (\\w+).*", "$1");
        return new String[] {colour, out.replaceAll("(?s).*\"version\":\"([^\"]*)\".*", "$1")};
    }

    List<String> appContainers() {
        return HooksEndToEndTest.ok("docker", "ps", "-a", "--format", "{{.Names}}", "--filter", "name=" + base.backend).lines()
                .filter(l -> !l.isBlank()).sorted().toList();
    }

    void assertZero(Probe p, String what) {
        assertTrue(p.requests() > 20, what + ": the probe ran (" + p + ")");
        if (!p.failures().isEmpty()) { // what nginx said about them
            String log = HooksEndToEndTest.sh("docker", "logs", "--since", "10m", proxy).err().lines()
                    .filter(l -> l.contains("[error]") || l.contains("[warn]")).limit(20).reduce("", (a, b) -> a + "\n" + b);
            assertEquals(List.of(), p.failures(), what + ": " + p + "\nproxy errors:" + log);
        }
    }

    @Test
    @Order(1)
    void the_in_place_layout_moves_behind_the_proxy_with_one_short_stated_outage() throws IOException {
        assertEquals(0, deploy(bundle("v1-in-place", "1", true)).exit());
        assertEquals("1", base.serving());
        HookProcess.Result v;
        try (Probe p = Probe.fresh(n.port, "/actuator/health", EVERY)) {
            v = deploy(bundle("v1", "1", false));
            assertEquals(0, v.exit(), v.toString());
            assertTrue(p.longestOutage().compareTo(Duration.ofSeconds(5)) < 0, "one short outage: " + p.longestOutage() + ", " + p);
            System.out.printf("migration from the in-place layout: %s, longest outage %d ms%n", p, p.longestOutage().toMillis());
        }
        assertTrue(v.stderr().contains("moving from the in-place layout: " + base.backend + " stops and the proxy takes its port"), v.toString());
        assertEquals(List.of("blue", "1"), List.of(answering()));
        assertEquals(List.of(colour("blue")), appContainers(), "the in-place container is gone; blue alone runs");
        assertEquals("", HooksEndToEndTest.ok("docker", "port", colour("blue")), "a colour publishes nothing");
        assertTrue(HooksEndToEndTest.ok("docker", "inspect", "--format", "{{json .Mounts}}", colour("blue")).contains(n.volume("logs_data")),
                "the colours share the stack's volumes");
        sideIds = base.sideContainerIds();
        proxyId = HooksEndToEndTest.ok("docker", "inspect", "--format", "{{.Id}}", proxy);
    }

    @Test
    @Order(2)
    void ten_deploys_in_a_row_fail_no_request() throws IOException {
        try (Probe p = Probe.fresh(n.port, "/actuator/health", EVERY)) {
            for (int i = 0; i < 10; i++) {
                String version = i % 2 == 0 ? "2" : "1";
                HookProcess.Result v = deploy(bundle("ten-" + i, version, false));
                assertEquals(0, v.exit(), v.toString());
                String[] now = answering();
                assertEquals(version, now[1]);
                assertEquals(List.of(colour(now[0])), appContainers(), "the old colour is stopped and removed");
            }
            assertZero(p, "ten deploys");
            System.out.printf("ten deploys: %s%n", p);
        }
        assertEquals(sideIds, base.sideContainerIds(), "side services never restarted by an app deploy");
        assertEquals(proxyId, HooksEndToEndTest.ok("docker", "inspect", "--format", "{{.Id}}", proxy), "the proxy is reloaded, never recreated");
    }

    @Test
    @Order(3)
    void a_version_that_crashes_at_boot_never_serves_and_nothing_fails() throws IOException {
        String[] before = answering();
        try (Probe p = Probe.fresh(n.port, "/actuator/health", EVERY)) {
            HookProcess.Result v = deploy(bundle("crash", "2-crash", false));
            assertEquals(Cli.ROLLED_BACK, v.exit(), v.toString());
            assertTrue(v.stderr().contains("APPLICATION FAILED TO START"), v.toString());
            assertTrue(v.lastLine().contains("; the proxy never sent it a request and it was removed; " + before[0] + " ("
                    + colour(before[0]) + ") keeps serving"), v.lastLine());
            assertZero(p, "a crash at boot");
        }
        assertEquals(List.of(before[0], before[1]), List.of(answering()));
        assertEquals(List.of(colour(before[0])), appContainers());
    }

    @Test
    @Order(4)
    void a_version_that_never_gets_healthy_never_serves_and_nothing_fails() throws IOException {
        String[] before = answering();
        try (Probe p = Probe.fresh(n.port, "/actuator/health", EVERY)) {
            HookProcess.Result v = deploy(bundle("hang", "2-hang", false, "healthTimeoutSeconds", 4));
            assertEquals(Cli.ROLLED_BACK, v.exit(), v.toString());
            assertTrue(v.lastLine().contains("is not healthy: not healthy after 4 s"), v.lastLine());
            assertZero(p, "a version that never gets healthy");
        }
        assertEquals(List.of(before[0], before[1]), List.of(answering()));
        assertEquals(List.of(colour(before[0])), appContainers());
    }

    @Test
    @Order(5)
    void a_slow_request_finishes_on_the_old_colour_and_a_keep_alive_client_sees_no_failure() throws Exception {
        String[] before = answering();
        String next = before[1].equals("1") ? "2" : "1";
        Path b = bundle("slow", next, false);
        for (String h : List.of("pull", "start")) {
            assertEquals(0, base.hook(b, h, Map.of()).exit());
        }
        try (Probe keep = Probe.keepAlive(n.port, "/actuator/health", EVERY)) {
            Thread.sleep(300);
            CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> HooksEndToEndTest.ok("curl", "-sS", "-m", "30",
                    "-w", " %{http_code}", "http://127.0.0.1:" + n.port + "/cgi-bin/slow"));
            Thread.sleep(300); // in flight on the old colour when the switch happens
            HookProcess.Result v = base.hook(b, "validate", Map.of());
            assertEquals(0, v.exit(), v.toString());
            assertEquals("slow " + before[1] + "\n 200", slow.get(30, TimeUnit.SECONDS), "the request in flight finished on the old colour");
            assertTrue(v.stderr().contains(before[0] + " drained and stopped"), v.toString());
            Thread.sleep(300);
            assertZero(keep, "a keep-alive client");
            System.out.printf("keep-alive client across a switch: %s%n", keep);
        }
        assertEquals(next, answering()[1]);
    }

    @Test
    @Order(6)
    void the_states_a_killed_hook_leaves_are_repaired_by_the_next_deploy() throws IOException {
        Path state = base.stateRoot.resolve(n.project());
        try (Probe p = Probe.fresh(n.port, "/actuator/health", EVERY)) {
            // killed after start: the new colour runs, nothing switched
            String[] before = answering();
            Path b = bundle("killed-after-start", before[1].equals("1") ? "2" : "1", false);
            assertEquals(0, base.hook(b, "pull", Map.of()).exit());
            assertEquals(0, base.hook(b, "start", Map.of()).exit());
            assertEquals(2, appContainers().size());
            String other = before[0].equals("blue") ? "green" : "blue";
            assertTrue(doctorSays("WARN", before[0] + " serves and " + colour(other) + " runs too (a deploy of "), doctor());
            // killed in validate between writing the upstream file and reloading: the file names the new colour
            Files.writeString(state.resolve("proxy/upstream.conf"), Proxy.upstream(other, colour(other), 8080));
            assertEquals(before[0], answering()[0], "nginx has not read the file yet");
            HookProcess.Result v = deploy(bundle("after-kill", before[1], false));
            assertEquals(0, v.exit(), v.toString());
            assertEquals(List.of(other, before[1]), List.of(answering()), "the unfinished switch undone, then a clean one");
            assertEquals(1, appContainers().size());
            // the file names a colour that does not run (removed by hand): the other serves again before anything else
            String now = answering()[0];
            String gone = now.equals("blue") ? "green" : "blue";
            Files.writeString(state.resolve("proxy/upstream.conf"), Proxy.upstream(gone, colour(gone), 8080));
            Path bf = bundle("after-bad-file", "1", false);
            assertEquals(0, base.hook(bf, "pull", Map.of()).exit());
            HookProcess.Result st = base.hook(bf, "start", Map.of());
            assertEquals(0, st.exit(), st.toString());
            assertTrue(st.stderr().contains("repair: the upstream file names " + gone + ", which is not running"), st.toString());
            v = base.hook(bf, "validate", Map.of());
            assertEquals(0, v.exit(), v.toString());
            assertZero(p, "repairs");
        }
        assertEquals("1", answering()[1]);
    }

    @Test
    @Order(7)
    void a_validate_killed_with_sigkill_during_its_switch_is_repaired_by_the_next_deploy_and_no_request_fails() throws Exception {
        String[] before = answering();
        Path b = bundle("sigkill", before[1].equals("1") ? "2" : "1", false);
        assertEquals(0, base.hook(b, "pull", Map.of()).exit());
        assertEquals(0, base.hook(b, "start", Map.of()).exit());
        try (Probe p = Probe.fresh(n.port, "/actuator/health", EVERY)) {
            Process v = HookProcess.start(List.of(b.resolve("hooks/validate").toString()), Path.of("/"), "ValidateService",
                    Map.of("CDEPLOY_STATE_DIR", base.stateRoot.toString()), true);
            try (java.io.BufferedReader err = new java.io.BufferedReader(new java.io.InputStreamReader(v.getErrorStream()))) {
                String line;
                while ((line = err.readLine()) != null && !line.contains(" is healthy after ")) { // the switch comes next
                }
                assertTrue(line != null, "validate reached its switch");
                v.descendants().forEach(ProcessHandle::destroyForcibly); // kill -9, the hook and every program it runs
                v.destroyForcibly();
                assertTrue(v.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            HookProcess.Result next = deploy(bundle("after-sigkill", before[1], false));
            assertEquals(0, next.exit(), next.toString());
            assertZero(p, "a validate killed mid-switch, and the deploy after it");
        }
        assertEquals(before[1], answering()[1]);
        assertEquals(1, appContainers().size(), appContainers().toString());
    }

    @Test
    @Order(9)
    void a_rollback_by_hand_starts_the_version_before_again_and_switches_back_with_no_failed_request() throws IOException {
        assertEquals(0, deploy(bundle("before-rollback", "2", false)).exit());
        String[] now = answering();
        assertEquals("2", now[1]);
        Path b = base.work.resolve("before-rollback");
        try (Probe p = Probe.fresh(n.port, "/actuator/health", EVERY)) {
            HookProcess.Result r = HookProcess.run(List.of(b.resolve("hooks/validate").toString(), "--rollback"), Path.of("/"), "ValidateService",
                    Map.of("CDEPLOY_STATE_DIR", base.stateRoot.toString()), true);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.stderr().contains("starting " + (now[0].equals("blue") ? "green" : "blue") + " again from its kept files"), r.toString());
            assertZero(p, "a rollback by hand");
        }
        String[] after = answering();
        assertEquals("1", after[1], "the version before serves again");
        assertEquals(List.of(colour(after[0])), appContainers());
        assertTrue(doctorSays("PASS", after[0] + " serves (" + colour(after[0]) + ")"), doctor());
    }

    boolean doctorSays(String status, String text) {
        return doctor().lines().anyMatch(l -> l.startsWith(status) && l.contains("colours") && l.contains(n.project() + ": " + text));
    }

    /** doctor's findings on this run's state folder. */
    String doctor() {
        doctor cmd = new doctor();
        cmd.env = Map.of();
        return ReleaseFixture.execute(cmd, List.of("--local", "--state-dir", base.stateRoot.toString(), "--timeout", "5")).out();
    }

    @Test
    @Order(10)
    void stop_stops_both_colours() throws IOException {
        String[] now = answering();
        HookProcess.Result s = base.hook(bundle("stop", "1", false), "stop", Map.of());
        assertEquals(0, s.exit(), s.toString());
        assertEquals(List.of(), appContainers());
        assertTrue(s.stderr().contains(colour(now[0])), s.toString());
    }

    @Test
    @Order(11)
    void a_deploy_after_stop_serves_again_though_the_proxy_names_a_colour_that_is_gone() throws IOException {
        HookProcess.Result v = deploy(bundle("after-stop", "2", false));
        assertEquals(0, v.exit(), v.toString());
        assertEquals("2", answering()[1]);
        HookProcess.Result again = base.hook(base.work.resolve("after-stop"), "validate", Map.of()); // run again by hand: a verdict, no switch
        assertTrue(again.exit() == 0 && again.stderr().contains(" serves from " + answering()[0] + " already and is healthy"), again.toString());
    }
}
