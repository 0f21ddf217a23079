import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;

/** Shared set-up for release tests: fake credentials, the repository as the kit, and an in-process runner. */
final class ReleaseFixture {
    static final Path REPO = Path.of("").toAbsolutePath();
    static final String REGION = "eu-west-1";
    static final String BUCKET = "bundles";
    static final String APP = "art";
    static final String GROUP = "art-prod";
    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final String IMAGE = "127.0.0.1:5000/cdeploy-test/app:1.4.2@" + DIGEST;
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    /** Obviously fake credentials; the SDK's default chain reads them from system properties or the environment. */
    static final String KEY_ID = "AKIAEXAMPLE";
    static final String SECRET = "not-a-real-secret-key-only-for-local-tests";
    static final ObjectMapper JSON = new ObjectMapper();

    /** The local STS every test process and in-process run is pointed at (a dry run asks it who the credentials are). */
    static final StsEndpoint STS = sts();

    private static StsEndpoint sts() {
        try {
            return new StsEndpoint();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static {
        System.setProperty("aws.accessKeyId", KEY_ID);
        System.setProperty("aws.secretAccessKey", SECRET);
        System.setProperty("aws.disableEc2Metadata", "true");
        System.setProperty("aws.region", REGION);
    }

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr:\n" + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /** Environment for test processes and in-process runs: nothing from the real one that could reach AWS. */
    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_REGION", REGION);
        env.put("AWS_DEFAULT_REGION", REGION); // the AWS CLI v1 reads only this one
        env.put("AWS_ENDPOINT_URL_STS", STS.uri().toString());
        env.put("AWS_ACCESS_KEY_ID", KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET);
        // the fixture's commit is not in this repository, so the bundle's time comes from here (reproducible bytes)
        env.put("SOURCE_DATE_EPOCH", "1767225600");
        return env;
    }

    /** Common options: the two local endpoints, the bucket, application, group and a pinned image. */
    static List<String> args(S3Endpoint s3, CodeDeployEndpoint cd, String... more) {
        List<String> a = new ArrayList<>(List.of("--s3-endpoint-url", s3.uri().toString(), "--codedeploy-endpoint-url", cd.uri().toString(),
                "--bucket", BUCKET, "--application", APP, "--deployment-group", GROUP, "--image", IMAGE,
                "--release-version", "1.4.2", "--commit", COMMIT, "--source", REPO.toString(), "--poll-interval", "0.01", "--json"));
        a.addAll(List.of(more));
        return a;
    }

    static Run run(Map<String, String> env, List<String> args) {
        return run(env, args, c -> {});
    }

    static synchronized Run run(Map<String, String> env, List<String> args, java.util.function.Consumer<release> setUp) {
        release cmd = new release();
        setUp.accept(cmd);
        cmd.env = env;
        cmd.cwd = REPO;
        return execute(cmd, args);
    }

    /** A command in-process through the commands' own picocli wiring; later options override the common ones. */
    static Run execute(Object command, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.commandLine(command);
        cl.setOverwrittenOptionsAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** S3Proxy behind its recording front, with the fixture's bucket. */
    static S3Endpoint s3() {
        try {
            S3Endpoint s3 = new S3Endpoint();
            s3.createBucket(BUCKET);
            return s3;
        } catch (Exception e) {
            throw new AssertionError("S3Proxy did not start", e);
        }
    }

    /** A copy of the repository's kit (appspec.yml, compose.yml, hooks/, lib/) to break on purpose. */
    static Path copyKit(Path into) throws IOException {
        for (String dir : List.of("hooks", "lib")) {
            HookProcess.copyTree(REPO.resolve(dir), into.resolve(dir));
        }
        Files.copy(REPO.resolve("appspec.yml"), into.resolve("appspec.yml"));
        Files.copy(REPO.resolve("compose.yml"), into.resolve("compose.yml"));
        return into;
    }

    private ReleaseFixture() {}
}
