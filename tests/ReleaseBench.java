import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark (not part of the test suite; run it with bench/release-vs-awscli.sh): the time from "image pushed" to
 * "deployment created". {@code ./jbang release --image <pinned> --no-wait} (bundle, upload, register, create, each
 * in the one JVM it starts) against the AWS CLI doing the same work (zip, {@code aws s3api put-object},
 * {@code aws deploy register-application-revision}, {@code aws deploy create-deployment}, each with
 * {@code --endpoint-url}) on the same local S3Proxy and CodeDeploy endpoint, interleaved in the same run; medians.
 * Only 127.0.0.1 is contacted.
 */
class ReleaseBench {
    static final int RUNS = Integer.getInteger("bench.runs", 5);

    @Test
    @EnabledIfSystemProperty(named = "bench.runs", matches = "\\d+", disabledReason = "a benchmark: bench/release-vs-awscli.sh runs it")
    void releaseAgainstTheAwsCli(@TempDir Path tmp) throws Exception {
        try (S3Endpoint s3 = new S3Endpoint(); CodeDeployEndpoint cd = new CodeDeployEndpoint().group(ReleaseFixture.APP, ReleaseFixture.GROUP)) {
            s3.createBucket(ReleaseFixture.BUCKET);
            ReleaseEndToEndTest.s3 = s3;
            ReleaseEndToEndTest.cd = cd;
            Map<String, String> env = ReleaseEndToEndTest.env();
            env.put("AWS_CONFIG_FILE", "/dev/null");
            env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
            env.put("AWS_PAGER", "");

            // the CLI's bundle folder, staged beforehand (release stages its own inside the timed run)
            Path stage = ReleaseFixture.copyKit(tmp.resolve("stage"));
            Files.writeString(stage.resolve("image.txt"), ReleaseFixture.IMAGE + "\n");
            Files.writeString(stage.resolve("release.json"), "{\"image\":\"" + ReleaseFixture.IMAGE + "\"}\n");

            List<Double> rel = new ArrayList<>();
            List<Double> cli = new ArrayList<>();
            for (int i = 0; i <= RUNS; i++) { // round 0 warms both (JBang cache, CLI start-up files)
                double r = timeRelease(env, tmp, "1.0." + i);
                double c = timeCli(env, stage, tmp.resolve("b" + i + ".zip"), "cli/art/1.0." + i + ".zip");
                if (i > 0) {
                    rel.add(r);
                    cli.add(c);
                }
                System.out.printf("round %d: release %.2f s, aws cli %.2f s%s%n", i, r, c, i == 0 ? " (warm-up, not counted)" : "");
            }
            double mr = median(rel);
            double mc = median(cli);
            System.out.printf("median of %d: release %.2f s, aws cli %.2f s (release/cli = %.2f)%n", RUNS, mr, mc, mr / mc);
            assertEquals(2 * (RUNS + 1), cd.calls("CreateDeployment").size(), "every run created its deployment");
        }
    }

    static double timeRelease(Map<String, String> env, Path dir, String version) throws Exception {
        long t = System.nanoTime();
        var r = ReleaseEndToEndTest.run(ReleaseEndToEndTest.release("--image", ReleaseFixture.IMAGE, "--release-version", version,
                "--commit", ReleaseFixture.COMMIT, "--no-wait", "--json", "--source", ReleaseFixture.REPO.toString()), dir, env, 300);
        double s = (System.nanoTime() - t) / 1e9;
        assertEquals(0, r.exit(), r.toString());
        System.out.println("  release steps (s): " + r.json().path("steps"));
        ReleaseEndToEndTest.cd.deployments.values().forEach(d -> d.status = "Succeeded"); // free the group for the next run
        return s;
    }

    static double timeCli(Map<String, String> env, Path stage, Path zip, String key) throws Exception {
        String s3 = ReleaseEndToEndTest.s3.uri().toString();
        String cd = ReleaseEndToEndTest.cd.uri().toString();
        long t = System.nanoTime();
        var z = ReleaseEndToEndTest.run(List.of("zip", "-qrX", zip.toString(), "."), stage, env, 60);
        assertEquals(0, z.exit(), z.toString());
        var put = ReleaseEndToEndTest.run(List.of(ReleaseEndToEndTest.AWS_CLI, "s3api", "put-object", "--bucket", ReleaseFixture.BUCKET, "--key", key,
                "--body", zip.toString(), "--server-side-encryption", "AES256", "--checksum-algorithm", "SHA256",
                "--endpoint-url", s3, "--output", "json"), stage, env, 120);
        assertEquals(0, put.exit(), put.toString());
        JsonNode p = put.json();
        String location = "bucket=" + ReleaseFixture.BUCKET + ",key=" + key + ",bundleType=zip,eTag=" + p.path("ETag").asText().replace("\"", "");
        var reg = ReleaseEndToEndTest.run(List.of(ReleaseEndToEndTest.AWS_CLI, "deploy", "register-application-revision", "--application-name",
                ReleaseFixture.APP, "--s3-location", location, "--endpoint-url", cd), stage, env, 120);
        assertEquals(0, reg.exit(), reg.toString());
        var create = ReleaseEndToEndTest.run(List.of(ReleaseEndToEndTest.AWS_CLI, "deploy", "create-deployment", "--application-name",
                ReleaseFixture.APP, "--deployment-group-name", ReleaseFixture.GROUP, "--s3-location", location,
                "--description", "cli", "--endpoint-url", cd, "--output", "json"), stage, env, 120);
        assertEquals(0, create.exit(), create.toString());
        double s = (System.nanoTime() - t) / 1e9;
        // the CLI run's deployment must end before the next release run (one active deployment per group)
        ReleaseEndToEndTest.cd.deployments.values().forEach(d -> d.status = "Succeeded");
        return s;
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
