import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The image of a release, pinned: {@code docker build} + {@code docker push} under the version and commit tags, or an
 * image built elsewhere; either way the result is {@code name:tag@sha256:...} with the digest the registry holds.
 */
final class ImagePush {
    private static final Pattern PUSHED = Pattern.compile("digest: (sha256:[0-9a-f]{64})");

    private ImagePush() {}

    /** A repository name (no tag, no digest), as {@code --repository} takes it. */
    static String repository(String name) {
        ImageRef probe;
        try {
            probe = ImageRef.parse(name + ":probe", "--repository");
        } catch (Cli.Fail f) {
            throw new Cli.Fail(Cli.INPUT, "--repository '" + name + "' is not a valid image repository name",
                    "use lowercase [registry/]path, e.g. registry.example.com/team/app");
        }
        if (probe.digest() != null || !probe.tag().equals("probe")) {
            throw new Cli.Fail(Cli.INPUT, "--repository '" + name + "' must be a name without tag or digest",
                    "e.g. registry.example.com/team/app; the version and commit become its tags");
        }
        return probe.name();
    }

    /** The command that builds the image (shown by --dry-run, run otherwise). */
    static List<String> buildCommand(String repository, List<String> tags, Path dockerfile, Path context, List<String> buildArgs,
                                     String platform, Versioning v) {
        List<String> cmd = new ArrayList<>(List.of("build", "--file", dockerfile.toString()));
        for (String t : tags) {
            cmd.addAll(List.of("--tag", repository + ":" + t));
        }
        for (String a : buildArgs) {
            cmd.addAll(List.of("--build-arg", a));
        }
        if (platform != null) {
            cmd.addAll(List.of("--platform", platform));
        }
        cmd.addAll(List.of("--label", "org.opencontainers.image.version=" + v.version(),
                "--label", "org.opencontainers.image.revision=" + v.commit()));
        cmd.add(context.toString());
        return cmd;
    }

    /** What a build needs before anything runs: release checks it with the other inputs, dry run included. */
    static void requireBuildInputs(Path dockerfile, Path context) {
        if (!Files.isRegularFile(dockerfile)) {
            throw new Cli.Fail(Cli.INPUT, "no Dockerfile at " + dockerfile, "pass --dockerfile, or --image for an image built elsewhere");
        }
        if (!Files.isDirectory(context)) {
            throw new Cli.Fail(Cli.INPUT, "build context " + context + " is not a folder", "pass --context");
        }
    }

    static ImageRef buildAndPush(Docker docker, Log log, String repository, Path dockerfile, Path context, List<String> buildArgs,
                                 String platform, Versioning v, Duration timeout) {
        docker.requireDaemon();
        List<String> tags = v.tags();
        if (!log.verbose()) {
            log.info("release: building and pushing %s (--verbose shows docker's output as it comes)", repository + ":" + tags.get(0));
        }
        Output output = new Output(log);
        Proc.Result built = docker.docker(timeout, output::line, buildCommand(repository, tags, dockerfile, context, buildArgs, platform, v).toArray(String[]::new));
        if (!built.ok()) {
            output.tail();
            throw new Cli.Fail(Cli.INPUT, "docker build failed: " + built.reason(), "fix the Dockerfile or the build context (build log above)");
        }
        String digest = null;
        for (String t : tags) {
            Output pushOutput = new Output(log);
            Proc.Result pushed = docker.docker(timeout, pushOutput::line, "push", repository + ":" + t);
            if (!pushed.ok()) {
                pushOutput.tail();
                throw pushFailure(repository + ":" + t, pushed.reason());
            }
            Matcher m = PUSHED.matcher(pushed.out());
            if (digest == null && m.find()) {
                digest = m.group(1);
            }
        }
        if (digest == null) {
            digest = repoDigest(docker, repository + ":" + tags.get(0), repository);
        }
        return new ImageRef(repository, tags.get(0), digest);
    }

    /** An image pushed by someone else: its digest, from the reference itself or from the registry. */
    static ImageRef resolve(Docker docker, String reference) {
        ImageRef ref = ImageRef.parse(reference, "--image");
        if (ref.digest() != null) {
            return ref;
        }
        docker.requireDaemon();
        docker.pull(ref.toString(), Duration.ofMinutes(10));
        return new ImageRef(ref.name(), ref.tag(), repoDigest(docker, ref.toString(), ref.name()));
    }

    private static String repoDigest(Docker docker, String ref, String name) {
        Proc.Result r = docker.docker(Duration.ofSeconds(30), "image", "inspect", "--format", "{{json .RepoDigests}}", ref);
        if (r.ok()) {
            try {
                for (JsonNode d : Json.MAPPER.readTree(r.out())) {
                    String s = d.asText();
                    if (s.startsWith(name + "@sha256:")) {
                        return s.substring(name.length() + 1);
                    }
                }
            } catch (java.io.IOException e) {
                // fall through
            }
        }
        throw new Cli.Fail(Cli.ENVIRONMENT, "cannot tell the registry digest of " + ref + " (" + r.reason() + ")",
                "push it to its registry first, or pass --image name:tag@sha256:...");
    }

    private static Cli.Fail pushFailure(String ref, String why) {
        String lower = why.toLowerCase();
        if (lower.contains("denied") || lower.contains("unauthorized") || lower.contains("authentication required")) {
            return new Cli.Fail(Cli.ENVIRONMENT, "the registry refused the push of " + ref + " (" + why + ")",
                    "log in first (docker/login-action in CI, docker login locally)");
        }
        return new Cli.Fail(Cli.ENVIRONMENT, "docker push " + ref + " failed: " + why, "check the registry is up and reachable");
    }

    /**
     * A tool's output: with --verbose line by line as it comes; else its last {@link #TAIL} lines are kept and shown
     * only when it fails (a cached build's sixty lines are noise, a failed one's end is the cause).
     */
    static final class Output {
        static final int TAIL = 40;
        private final Log log;
        private final java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();

        Output(Log log) {
            this.log = log;
        }

        synchronized void line(String line) { // stdout and stderr come from two threads
            if (line.isBlank()) {
                return;
            }
            if (log.verbose()) {
                log.raw("  | " + Mask.line(line));
                return;
            }
            if (last.size() == TAIL) {
                last.removeFirst();
            }
            last.addLast(line);
        }

        synchronized void tail() {
            last.forEach(l -> log.raw("  | " + Mask.line(l)));
            last.clear();
        }
    }
}
