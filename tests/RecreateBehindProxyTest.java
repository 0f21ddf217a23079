import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code release --switch recreate} with the shipped template, after a blue/green deploy: the colour serves until the
 * in-place container is healthy, then is drained and stopped; the app container is swapped in place as without a
 * proxy, the proxy kept in front and pointed at each new container (and at a rollback's); and back to blue/green,
 * the in-place container serving until the colour is healthy. Neither change fails a request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecreateBehindProxyTest {
    final HooksEndToEndTest base = new HooksEndToEndTest();

    @BeforeAll
    void images() throws IOException {
        HooksEndToEndTest.ok("bash", HookProcess.REPO.resolve("lib/setup-host.sh").toString(), "nginx");
        base.prepare();
    }

    @AfterAll
    void cleanUp() {
        HooksEndToEndTest.sh("docker", "rm", "-f", base.n.container("proxy"), base.backend + "-blue", base.backend + "-green");
        base.cleanUp();
    }

    HookProcess.Result deploy(String name, String version, String mode) throws IOException {
        Path b = HookProcess.bundle(base.work.resolve(name), base.app + "@" + base.digests.get(version), base.settings("switchMode", mode));
        Files.writeString(b.resolve("compose.yml"), base.n.template());
        return base.pullStartValidate(b);
    }

    String colourHeader() {
        return HooksEndToEndTest.ok("curl", "-fsS", "-D", "-", "-o", "/dev/null", base.health).replaceAll("(?s).*X-Cdeploy-Colour: (\\S+).*", "$1");
    }

    @Test
    void from_blue_green_to_in_place_behind_the_proxy_and_back_with_no_failed_request_at_either_change() throws IOException {
        assertEquals(0, deploy("v1-blue-green", "1", "blue-green").exit());
        assertEquals("blue", colourHeader());
        try (Probe p = Probe.fresh(base.n.port, "/actuator/health", java.time.Duration.ofMillis(20))) {
            assertEquals(0, deploy("v1", "1", "recreate").exit()); // blue serves until the in-place container is healthy
            assertEquals(List.of(), p.failures(), "blue/green -> in place: " + p);
        }
        assertEquals("1", base.serving());
        assertEquals("in-place", colourHeader());
        String proxyId = HooksEndToEndTest.ok("docker", "inspect", "--format", "{{.Id}}", base.n.container("proxy"));
        assertEquals(0, deploy("v2", "2", "recreate").exit());
        assertEquals("2", base.serving(), "the proxy reloaded: it sends to the new container");
        HookProcess.Result crash = deploy("v2-crash", "2-crash", "recreate");
        assertEquals(Cli.ROLLED_BACK, crash.exit(), crash.toString());
        assertTrue(crash.lastLine().contains("rolled back to"), crash.lastLine());
        assertEquals("2", base.serving(), "the rollback's container is served through the proxy");
        assertEquals(List.of(base.backend), HooksEndToEndTest.ok("docker", "ps", "--format", "{{.Names}}", "--filter", "name=" + base.backend)
                .lines().filter(l -> !l.isBlank()).toList(), "one app container, no colours");
        assertEquals(proxyId, HooksEndToEndTest.ok("docker", "inspect", "--format", "{{.Id}}", base.n.container("proxy")));
        try (Probe p = Probe.fresh(base.n.port, "/actuator/health", java.time.Duration.ofMillis(20))) {
            assertEquals(0, deploy("v1-back", "1", "blue-green").exit()); // the in-place container serves until the colour is healthy
            assertEquals(List.of(), p.failures(), "in place -> blue/green: " + p);
        }
        assertEquals("1", base.serving());
        assertEquals(List.of(base.backend + "-" + colourHeader()), HooksEndToEndTest.ok("docker", "ps", "--format", "{{.Names}}", "--filter",
                "name=" + base.backend).lines().filter(l -> !l.isBlank()).toList(), "the in-place container drained and stopped");
    }
}
