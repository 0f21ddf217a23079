import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** The version scheme: --version, tag on the commit, nearest tag + CI run number, nearest tag + commits since. */
@Tag("fast")
class ReleaseVersionTest {
    @TempDir
    Path repo;
    String first;
    String second;

    void git(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @BeforeEach
    void repo() throws Exception {
        git("init", "-q");
        Files.writeString(repo.resolve("a"), "1");
        git("add", "a");
        git("commit", "-q", "-m", "one");
        first = Versioning.git(repo, "rev-parse", "HEAD");
        Files.writeString(repo.resolve("a"), "2");
        git("commit", "-q", "-am", "two");
        second = Versioning.git(repo, "rev-parse", "HEAD");
    }

    @Test
    void precedence() throws Exception {
        Map<String, String> env = new HashMap<>();
        // no tag, no CI: 0.0.0-dev.<commits>.g<short>
        Versioning v = Versioning.derive(null, null, env, repo);
        assertEquals("0.0.0-dev.2.g" + second.substring(0, 7), v.version());
        assertEquals(second, v.commit());
        assertEquals(List.of(v.version(), second), v.tags());

        git("tag", "v1.4.0", first);
        v = Versioning.derive(null, null, env, repo);
        assertEquals("1.4.0-dev.1.g" + second.substring(0, 7), v.version());

        // CI: nearest tag + run number; a re-run of the same run number gets the same version
        env.put("GITHUB_RUN_NUMBER", "57");
        env.put("GITHUB_RUN_ATTEMPT", "1");
        String ci = Versioning.derive(null, null, env, repo).version();
        assertEquals("1.4.0-ci.57", ci);
        env.put("GITHUB_RUN_ATTEMPT", "2");
        assertEquals(ci, Versioning.derive(null, null, env, repo).version());

        // a tag on the commit wins over the run number
        git("tag", "v1.4.1");
        assertEquals("1.4.1", Versioning.derive(null, null, env, repo).version());
        // RELEASE_VERSION wins over the tag, --version over everything
        env.put("RELEASE_VERSION", "2.0.0-rc.1");
        assertEquals("2.0.0-rc.1", Versioning.derive(null, null, env, repo).version());
        assertEquals("2.0.0", Versioning.derive("2.0.0", null, env, repo).version());

        // GITHUB_SHA names the commit
        env.put("GITHUB_SHA", first);
        v = Versioning.derive(null, null, env, repo);
        assertEquals(first, v.commit());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), v.time(), "the commit's time: same commit, same bundle bytes");
        env.put("SOURCE_DATE_EPOCH", "1700000000");
        assertEquals(Instant.ofEpochSecond(1700000000), Versioning.derive(null, null, env, repo).time());
    }

    @Test
    void badInput(@TempDir Path notGit) {
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> Versioning.derive("1.0", null, Map.of(), notGit));
        assertEquals(Cli.INPUT, f.exitCode);
        assertTrue(f.getMessage().contains("is not a git checkout"), f.getMessage());
        f = assertThrows(Cli.Fail.class, () -> Versioning.derive("1.0+build", null, Map.of(), repo));
        assertTrue(f.getMessage().contains("cannot be a Docker tag"), f.getMessage());
        f = assertThrows(Cli.Fail.class, () -> Versioning.derive("latest", null, Map.of(), repo));
        assertEquals(Cli.INPUT, f.exitCode);
        f = assertThrows(Cli.Fail.class, () -> Versioning.derive("1.0", "not-a-sha", Map.of(), repo));
        assertTrue(f.getMessage().contains("is not a git commit id (7 to 64 hexadecimal digits)"), f.getMessage());
    }
}
