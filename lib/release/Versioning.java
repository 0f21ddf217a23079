import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A release's version, commit and time, derived without any mutable secret. Precedence:
 * <ol>
 * <li>{@code --release-version} (or {@code RELEASE_VERSION});</li>
 * <li>a tag on the commit ({@code v1.4.2} or {@code 1.4.2} gives {@code 1.4.2});</li>
 * <li>in CI: the nearest tag (else {@code 0.0.0}) plus the run number, {@code 1.4.2-ci.57} ({@code GITHUB_RUN_NUMBER});</li>
 * <li>elsewhere: the nearest tag plus the commits since it and the short commit, {@code 1.4.2-dev.3.gabc1234}.</li>
 * </ol>
 * A re-run of the same workflow run keeps its run number, so it gets the same version and the same image tags (the
 * tags are moved to the rebuilt image; the release itself is pinned by digest). The commit comes from
 * {@code --commit}, {@code GITHUB_SHA} or {@code git rev-parse HEAD}; the time from {@code SOURCE_DATE_EPOCH}, else
 * the commit's time, so the same commit gives the same bundle bytes.
 */
record Versioning(String version, String commit, Instant time, String how) {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,64}");

    static Versioning derive(String explicit, String commitOption, Map<String, String> env, Path repo) {
        return derive(explicit, "--release-version", commitOption, env, repo);
    }

    /** The same, where {@code explicit} came from {@code explicitFrom} (an option given on the command line, or the variable that set it). */
    static Versioning derive(String explicit, String explicitFrom, String commitOption, Map<String, String> env, Path repo) {
        String commit = Cli.first(commitOption, env.get("GITHUB_SHA"));
        if (commit == null) {
            commit = git(repo, "rev-parse", "HEAD");
        }
        if (commit == null) {
            throw new Cli.Fail(Cli.INPUT, "cannot tell the commit: " + repo.toAbsolutePath() + " is not a git checkout and GITHUB_SHA is unset",
                    "run inside the repository, or pass --commit and --release-version");
        }
        commit = commit.strip().toLowerCase();
        if (!COMMIT.matcher(commit).matches()) {
            throw new Cli.Fail(Cli.INPUT, "commit '" + commit + "' is not a git commit id (7 to 64 hexadecimal digits)", "pass the full SHA (GITHUB_SHA)");
        }
        Instant time = time(env, repo, commit);
        String version = Cli.first(explicit, env.get("RELEASE_VERSION"));
        String how;
        if (version != null) {
            how = Cli.first(explicit) != null ? explicitFrom : "RELEASE_VERSION";
        } else {
            String exact = git(repo, "describe", "--tags", "--exact-match", commit);
            String run = Cli.first(env.get("GITHUB_RUN_NUMBER"));
            if (exact != null) {
                version = strip(exact);
                how = "tag " + exact;
            } else {
                String near = git(repo, "describe", "--tags", "--abbrev=0", commit);
                String base = near == null ? "0.0.0" : strip(near);
                if (run != null) {
                    version = base + "-ci." + run;
                    how = (near == null ? "no tag" : "tag " + near) + " + run " + run;
                } else {
                    String count = git(repo, "rev-list", "--count", near == null ? commit : near + ".." + commit);
                    version = base + "-dev." + (count == null ? "0" : count) + ".g" + commit.substring(0, 7);
                    how = (near == null ? "no tag" : "tag " + near) + " + commits since";
                }
            }
        }
        if (!TAG.matcher(version).matches() || version.equals("latest")) {
            throw new Cli.Fail(Cli.INPUT, "version '" + version + "' cannot be a Docker tag",
                    "use letters, digits, '.', '-' and '_' (at most 128, not 'latest'), e.g. 1.4.2");
        }
        return new Versioning(version, commit, time, how);
    }

    /** The image tags of a release: the version and the commit. */
    List<String> tags() {
        return version.equals(commit) ? List.of(version) : List.of(version, commit);
    }

    private static Instant time(Map<String, String> env, Path repo, String commit) {
        String epoch = Cli.first(env.get("SOURCE_DATE_EPOCH"));
        if (epoch != null) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(epoch));
            } catch (NumberFormatException e) {
                throw new Cli.Fail(Cli.INPUT, "SOURCE_DATE_EPOCH '" + epoch + "' is not a number of seconds", null);
            }
        }
        String ct = git(repo, "log", "-1", "--format=%ct", commit);
        if (ct != null && ct.matches("\\d+")) {
            return Instant.ofEpochSecond(Long.parseLong(ct));
        }
        return Instant.ofEpochSecond(Instant.now().getEpochSecond());
    }

    private static String strip(String tag) {
        return tag.matches("[vV]\\d.*") ? tag.substring(1) : tag;
    }

    /** One line of git's output, or null when git is missing or says no. */
    static String git(Path repo, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        Proc.Result r = Proc.SYSTEM.run(cmd, Duration.ofSeconds(20), null);
        return r.ok() && !r.out().isBlank() ? r.out().strip() : null;
    }
}
