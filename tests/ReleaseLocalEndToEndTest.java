import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's first command for real: {@code ./jbang release --local} from this checkout (no Dockerfile here: the demo
 * service), through the real hooks on the local Docker engine and a registry on 127.0.0.1, with no AWS at all.
 * v1 serves; v2 replaces it; a v3 that crashes at boot is rolled back (exit 3, v2 serving); v2 again with nothing
 * changed redeploys the same image and bundle without building anything; a v4 whose image is not in the registry
 * fails before any hook could roll back, and the last good revision is redeployed. Names, port and folders are this
 * run's own.
 */
@Tag("jbang")
class ReleaseLocalEndToEndTest {
    static final Path REPO = ReleaseFixture.REPO;
    final String project = "cdl-" + UUID.randomUUID().toString().substring(0, 8);
    @TempDir
    Path dir;
    int port;

    @AfterEach
    void removeWhatThisRunMade() throws Exception {
        ReleaseEndToEndTest.run(List.of("docker", "rm", "--force", project, project + "-blue", project + "-green", project + "-squatter"), REPO,
                System.getenv(), 60);
        ReleaseEndToEndTest.Result proxy = ReleaseEndToEndTest.run(List.of("docker", "ps", "-aq", "--filter", "label=com.docker.compose.project=" + project),
                REPO, System.getenv(), 60);
        for (String id : proxy.out().lines().filter(l -> !l.isBlank()).toList()) {
            ReleaseEndToEndTest.run(List.of("docker", "rm", "--force", id), REPO, System.getenv(), 60);
        }
        ReleaseEndToEndTest.run(List.of("docker", "network", "rm", project + "_default"), REPO, System.getenv(), 60);
        ReleaseEndToEndTest.Result images = ReleaseEndToEndTest.run(List.of("docker", "images", "--format", "{{.Repository}}:{{.Tag}}",
                "127.0.0.1:5000/" + project), REPO, System.getenv(), 60);
        List<String> rmi = new ArrayList<>(List.of("docker", "rmi", "--force"));
        images.out().lines().filter(l -> !l.isBlank()).forEach(rmi::add);
        if (rmi.size() > 3) {
            ReleaseEndToEndTest.run(rmi, REPO, System.getenv(), 120);
        }
    }

    @Test
    void v1_v2_a_broken_v3_rolled_back_v2_again_without_a_build_and_a_v4_rolled_back_by_redeploying_v2() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String[] demo = {"--demo-port", Integer.toString(port)}; // the demo on this run's port; its health URL follows

        JsonNode v1 = release(0, "1.0.0", demo);
        assertEquals("Succeeded", v1.get("status").asText(), v1.toString());
        assertTrue(v1.get("revisionFile").asText().startsWith(dir.resolve("local/revisions/" + project).toString()), v1.toString());
        assertEquals("1.0.0", health());

        JsonNode v2 = release(0, "2.0.0", demo);
        assertEquals("2.0.0", health());
        assertNotEquals(v1.get("digest").asText(), v2.get("digest").asText());

        JsonNode v3 = release(3, "3.0.0", with(demo, "--build-arg", "DEMO_EXIT=1"));
        assertEquals("RolledBack", v3.get("status").asText(), v3.toString());
        assertEquals("ValidateService", v3.get("failures").get(0).get("event").asText(), v3.toString());
        assertTrue(v3.get("failures").get(0).get("logTail").asText().contains("demo: exiting 1 as asked"), v3.toString());
        assertEquals("2.0.0", health(), "the version before the broken one serves again");

        JsonNode again = release(0, "2.0.0", demo);
        assertEquals(v2.get("digest").asText(), again.get("digest").asText(), "the same image");
        assertEquals(v2.get("sha256").asText(), again.get("sha256").asText(), "the same bundle");
        assertNotEquals(v2.get("deploymentId").asText(), again.get("deploymentId").asText(), "deployed again");
        assertEquals("2.0.0", health());

        // an image the registry does not have: pull fails (no hook can roll back), so the last good revision is redeployed
        String gone = "127.0.0.1:5000/" + project + ":4.0.0@sha256:" + "0".repeat(64);
        Path compose = Files.writeString(dir.resolve("compose.yml"), // with --image there is no demo build: the template is given
                Files.readString(REPO.resolve("demo/compose.yml")).replace("127.0.0.1:8080:80", "127.0.0.1:" + port + ":80"));
        JsonNode v4 = release(3, "4.0.0", "--image", gone, "--service", "demo", "--env-file", "", "--compose", compose.toString(),
                "--health-url", "http://127.0.0.1:" + port + "/actuator/health");
        assertEquals("RolledBack", v4.get("status").asText(), v4.toString());
        assertEquals("BeforeInstall", v4.get("failures").get(0).get("event").asText(), v4.toString());
        assertTrue(v4.get("rollbackDeploymentId").asText().matches("d-[A-Z0-9]{9}-local"), v4.toString());
        assertEquals("Succeeded", v4.get("rollbackStatus").asText(), v4.toString());
        assertEquals("2.0.0", health());

        // a port another project's container holds: refused before any build, with the demo's way out
        int held;
        try (ServerSocket s = new ServerSocket(0)) {
            held = s.getLocalPort();
        }
        ReleaseEndToEndTest.run(List.of("docker", "run", "-d", "--name", project + "-squatter", "--label", "com.docker.compose.project=" + project + "-other",
                "-p", "127.0.0.1:" + held + ":8080", v2.get("image").asText()), REPO, System.getenv(), 60); // the demo itself, as another project
        JsonNode taken = release(Cli.ENVIRONMENT, "5.0.0", "--demo-port", Integer.toString(held));
        assertEquals("port " + held + ", which the demo publishes, is held by container " + project + "-squatter of compose project '" + project
                + "-other'; run the demo on another port: --demo-port " + (held + 1) + ", or stop that container; nothing was built or deployed",
                taken.get("error").asText(), taken.toString());
        assertEquals("2.0.0", health());
    }

    /** {@code ./jbang release --local --json} from the checkout, as README's first command; checks its exit code. */
    private JsonNode release(int exit, String version, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("jbang").toString(), "release", "--local", "--json", "--release-version", version,
                "--project", project, "--container", project, "--health-timeout", "20"));
        cmd.addAll(List.of(more));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("CODEDEPLOY_") || k.equals("IMAGE_NAME") || k.equals("RELEASE_VERSION"));
        env.put("CDEPLOY_LOCAL_ROOT", dir.resolve("local").toString());
        env.put("CDEPLOY_STATE_DIR", dir.resolve("state").toString());
        ReleaseEndToEndTest.Result r = ReleaseEndToEndTest.run(cmd, REPO, env, 600);
        assertEquals(exit, r.exit(), r.toString());
        return r.json();
    }

    private static String[] with(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private String health() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return ReleaseFixture.JSON.readTree(r.body()).get("version").asText();
    }
}
