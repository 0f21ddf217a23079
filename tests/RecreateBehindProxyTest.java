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
 * {@code release --switch recreate} with the shipped template, after a blue/green deploy: the colour drained and
 * stopped, the app container swapped in place as without a proxy, with the proxy kept in front and pointed at each
 * new container (and at the one a rollback brings back).
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
    void from_blue_green_the_app_is_swapped_in_place_behind_the_proxy_and_a_rollback_is_served_through_it() throws IOException {
        assertEquals(0, deploy("v1-blue-green", "1", "blue-green").exit());
        assertEquals("blue", colourHeader());
        assertEquals(0, deploy("v1", "1", "recreate").exit()); // back to the in-place swap: the colour drained and stopped
        assertEquals("1", base.serving());
        assertEquals("in-place", colourHeader());
        String proxyId = HooksEndToEndTest.ok("docker", "inspect", "--format", "{{.Id}}", base.n.container("proxy"));
        assertEquals(0, deploy("v2", "2", "recreate").exit());
        assertEquals("2", base.serving(), "the proxy reloaded: it sends to the new container");
        HookProcess.Result crash = deploy("v2-crash", "2-crash", "recreate");
        assertEquals(Cli.ROLLED_BACK, crash.exit(), crash.toString());
        assertEquals("2", base.serving(), "the rollback's container is served through the proxy");
        assertEquals(List.of(base.backend), HooksEndToEndTest.ok("docker", "ps", "--format", "{{.Names}}", "--filter", "name=" + base.backend)
                .lines().filter(l -> !l.isBlank()).toList(), "one app container, no colours");
        assertEquals(proxyId, HooksEndToEndTest.ok("docker", "inspect", "--format", "{{.Id}}", base.n.container("proxy")));
        assertTrue(crash.lastLine().contains("rolled back to"), crash.lastLine());
    }
}
