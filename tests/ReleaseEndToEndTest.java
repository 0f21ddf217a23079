import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * release as users reach it: {@code jbang release@<this repository's catalog>} from folders that are not this
 * repository (what {@code release@owner/repo} resolves to), a real docker build + push to the local registry, S3Proxy,
 * the local CodeDeploy endpoint through the SDK's standard endpoint variables, and Debian's AWS CLI reading the
 * uploaded revision back. One JVM per run, so only three runs.
 */
class ReleaseEndToEndTest {
    static final Path REPO = ReleaseFixture.REPO;
    /** The AWS CLI the checks read back with: Debian's package, else the one on the PATH (GitHub's runners: v2 in /usr/local/bin). */
    static final String AWS_CLI = java.nio.file.Files.isExecutable(Path.of("/usr/bin/aws")) ? "/usr/bin/aws" : "aws";
    static final String REGISTRY = "127.0.0.1:5000";
    static S3Endpoint s3;
    static CodeDeployEndpoint cd;

    record Result(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return ReleaseFixture.JSON.readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        s3 = ReleaseFixture.s3();
        cd = new CodeDeployEndpoint().group(ReleaseFixture.APP, ReleaseFixture.GROUP);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        cd.close();
    }

    /** The test's environment minus anything AWS, plus local endpoints and fake credentials. */
    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (!k.startsWith("AWS_") && !k.startsWith("GITHUB_") && !k.equals("CI")) {
                env.put(k, v);
            }
        });
        env.putAll(ReleaseFixture.env());
        env.put("AWS_ENDPOINT_URL_S3", s3.uri().toString());
        env.put("AWS_ENDPOINT_URL_CODEDEPLOY", cd.uri().toString());
        env.put("CODEDEPLOY_BUCKET", ReleaseFixture.BUCKET);
        env.put("CODEDEPLOY_APPLICATION", ReleaseFixture.APP);
        env.put("CODEDEPLOY_DEPLOYMENT_GROUP", ReleaseFixture.GROUP);
        return env;
    }

    static Result run(List<String> command, Path dir, Map<String, String> env, long seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out), new String(err.get()));
    }

    static List<String> release(String... args) {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("jbang").toString(), "release@" + REPO.resolve("jbang-catalog.json")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void catalogResolvesFromAnUnrelatedFolderAndShipsItsKit(@TempDir Path elsewhere) throws Exception {
        int s3Before = s3.requests.size();
        int cdBefore = cd.calls.size();
        Result r = run(release("--offline", "--json", "--bucket", "b", "--application", "a", "--deployment-group", "g",
                "--image", ReleaseFixture.IMAGE, "--release-version", "1.0.0", "--commit", ReleaseFixture.COMMIT), elsewhere, env(), 300);
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals("Planned", j.path("status").asText());
        assertTrue(r.err().contains("using the kit shipped with this command"), r.err());
        List<String> files = new ArrayList<>();
        j.path("files").forEach(f -> files.add(f.asText()));
        assertTrue(files.containsAll(List.of("appspec.yml", "hooks/pull", "hooks/launch", "hooks/pull.java", "lib/host/Stack.java", "release.json")), files.toString());
        assertEquals(s3Before, s3.requests.size(), "a dry run sends nothing to S3");
        assertEquals(cdBefore, cd.calls.size(), "nor to CodeDeploy");
    }

    @Test
    void buildsPushesUploadsAndDeploysThroughTheRealCommand(@TempDir Path app) throws Exception {
        // an application repository (no appspec.yml): a tiny image FROM scratch and a release tag
        Files.copy(Path.of("/bin/busybox"), app.resolve("busybox"));
        Files.writeString(app.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"true\"]\n");
        Map<String, String> env = env();
        for (List<String> git : List.of(List.of("init", "-q"), List.of("add", "."), List.of("commit", "-q", "-m", "app"), List.of("tag", "v3.1.0"))) {
            List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"));
            cmd.addAll(git);
            assertEquals(0, run(cmd, app, env, 60).exit());
        }
        String name = "cdeploy-release-e2e/" + java.util.UUID.randomUUID().toString().substring(0, 8) + "/app"; // this run's own
        String repository = REGISTRY + "/" + name;
        try {
            builtAndDeployed(app, env, name, repository);
        } finally { // the local tags this run made (the registry is the tests' own)
            Result tags = run(List.of("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", repository), app, env, 60);
            List<String> rmi = new ArrayList<>(List.of("docker", "rmi", "--force"));
            tags.out().lines().filter(l -> !l.isBlank()).forEach(rmi::add);
            if (rmi.size() > 3) {
                run(rmi, app, env, 120);
            }
        }
    }

    private void builtAndDeployed(Path app, Map<String, String> env, String name, String repository) throws Exception {
        Result r = run(release("--repository", repository, "--json", "--poll-interval", "0.05", "--key-prefix", "e2e"), app, env, 600);
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.toString().contains("SLF4J"), "no logging-binding noise in the CI log:\n" + r);
        JsonNode j = r.json();
        assertEquals("Succeeded", j.path("status").asText());
        assertEquals("3.1.0", j.path("version").asText(), "the tag on the commit");
        String digest = j.path("digest").asText();
        assertEquals(repository + ":3.1.0@" + digest, j.path("image").asText());
        assertEquals(digest, registryDigest(name, "3.1.0"), "pinned to what the registry holds");
        assertEquals(digest, registryDigest(name, j.path("commit").asText()), "also tagged with the commit");
        for (String step : List.of("[1/7] version", "[3/7] image: built and pushed", "[5/7] upload", "[7/7] wait: Succeeded")) {
            assertTrue(r.err().contains(step), step + "\n" + r.err());
        }
        assertEquals(List.of(), cd.violations);

        // Debian's AWS CLI reads the revision back from the same S3Proxy
        String key = j.path("key").asText();
        assertTrue(key.startsWith("e2e/art/3.1.0-"), key);
        Result head = run(List.of(AWS_CLI, "s3api", "head-object", "--bucket", ReleaseFixture.BUCKET, "--key", key,
                "--endpoint-url", s3.backend().toString(), "--output", "json"), app, env, 120);
        assertEquals(0, head.exit(), head.toString());
        JsonNode h = head.json();
        assertEquals("\"" + j.path("eTag").asText() + "\"", h.path("ETag").asText());
        assertEquals("3.1.0", h.path("Metadata").path("release-version").asText(), h.toString());
        Path copy = app.resolve("copy.zip");
        Result get = run(List.of(AWS_CLI, "s3api", "get-object", "--bucket", ReleaseFixture.BUCKET, "--key", key,
                "--endpoint-url", s3.backend().toString(), copy.toString()), app, env, 120);
        assertEquals(0, get.exit(), get.toString());
        assertEquals(j.path("sha256").asText(), Kit.sha256(Files.readAllBytes(copy)));
        Result list = run(List.of("unzip", "-Z1", copy.toString()), app, env, 60);
        assertTrue(list.out().contains("hooks/pull.java\n") && list.out().contains("image.txt\n"), list.out());
    }

    @Test
    void aRolledBackDeploymentExitsThreeThroughTheWrapper(@TempDir Path elsewhere) throws Exception {
        cd.failing = List.of(new CodeDeployEndpoint.Failing(2, "ValidateService", "hooks/validate", "ScriptFailed",
                "Script at specified location: hooks/validate failed with exit code 3", "[stderr]validate: not healthy after 120 s"));
        try {
            Result r = run(release("--image", ReleaseFixture.IMAGE, "--release-version", "9.9.9", "--commit", ReleaseFixture.COMMIT,
                    "--poll-interval", "0.05"), elsewhere, env(), 300);
            assertEquals(3, r.exit(), r.toString());
            assertTrue(r.out().startsWith("RolledBack 9.9.9 "), r.out());
            assertTrue(r.err().contains("ValidateService hooks/validate failed on 2 instances"), r.err());
        } finally {
            cd.failing = List.of();
        }
    }

    /** What the registry answers for name:tag (the digest docker pull would get). */
    static String registryDigest(String name, String tag) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/" + name + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, "
                        + "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json").build();
        HttpResponse<Void> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.discarding());
        assertEquals(200, res.statusCode(), name + ":" + tag);
        return res.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    @Test
    void noCredentialsIsOneShortLineNamingWhereItLookedAndTheFixAndTheSdkTextOnlyWithVerbose(@TempDir Path dir) throws Exception {
        Map<String, String> env = env();
        env.keySet().removeIf(k -> k.startsWith("AWS_ACCESS") || k.startsWith("AWS_SECRET") || k.startsWith("AWS_SESSION"));
        env.putAll(Map.of("AWS_CONFIG_FILE", "/dev/null", "AWS_SHARED_CREDENTIALS_FILE", "/dev/null", "AWS_EC2_METADATA_DISABLED", "true",
                "HOME", dir.toString()));
        List<String> args = List.of("--image", ReleaseFixture.IMAGE, "--release-version", "1.0.0", "--commit", ReleaseFixture.COMMIT, "--max-attempts", "1");
        Result r = run(release(args.toArray(String[]::new)), dir, env, 300);
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("release: ")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("release: no AWS credentials for ") && lines.get(0).contains("aws-actions/configure-aws-credentials")
                && lines.get(0).length() < 400, lines.get(0));
        assertTrue(!r.err().contains("SystemPropertyCredentialsProvider"), "the SDK's provider chain is left out:\n" + r.err());
        List<String> verbose = new ArrayList<>(args);
        verbose.add("--verbose");
        Result v = run(release(verbose.toArray(String[]::new)), dir, env, 300);
        assertEquals(Cli.ENVIRONMENT, v.exit(), v.toString());
        assertTrue(v.err().contains("Unable to load credentials"), "--verbose shows the SDK's own text:\n" + v.err());
        List<String> dry = new ArrayList<>(args);
        dry.add("--dry-run");
        Result d = run(release(dry.toArray(String[]::new)), dir, env, 300);
        assertEquals(Cli.ENVIRONMENT, d.exit(), "a dry run checks the credentials too:\n" + d);
        assertTrue(d.err().contains("release: no AWS credentials for sts:GetCallerIdentity"), d.err());
    }
}
