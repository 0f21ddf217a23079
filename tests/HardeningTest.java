import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input refused with one line (exit 2), secrets masked, links and oversized input stopped before they do harm. */
@Tag("fast")
class HardeningTest {
    @TempDir
    Path dir;

    Cli.Fail manifestFails(String settingsJson) throws IOException {
        Files.writeString(dir.resolve("release.json"), "{\"image\": \"app:1\", \"settings\": " + settingsJson + "}");
        return assertThrows(Cli.Fail.class, () -> Bundle.load(dir));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"container\": \"bad name!\"}", "{\"healthUrl\": \"127.0.0.1:8080/health\"}", "{\"healthUrl\": \"file:///etc/passwd\"}",
            "{\"envFile\": \"env/.env\"}", "{\"healthTimeoutSeconds\": \"abc\"}", "{\"healthTimeoutSeconds\": 4294967416}",
            "{\"healthTimeoutSeconds\": 30.5}", "{\"healthTimeoutSeconds\": 100000}", "{\"service\": \"a b\"}",
            "{\"healthTimeoutSeconds\": \"30\"}", "{\"project\": 5}", "{\"container\": true}", "{\"container\": \"a\"}",
            "{\"envFile\": \"/home/$USER/.env\"}"})
    void settings_that_would_make_every_deploy_wait_its_whole_timeout_are_refused(String settings) throws IOException {
        Cli.Fail f = manifestFails(settings);
        assertEquals(Cli.INPUT, f.exitCode, f.getMessage());
        assertEquals(1, f.getMessage().lines().count(), f.getMessage());
        assertTrue(f.getMessage().startsWith(dir.resolve("release.json").toString()), f.getMessage());
    }

    @Test
    void a_strict_manifest_refuses_unknown_and_repeated_keys_and_trailing_content() throws IOException {
        for (String text : List.of("{\"image\": \"app:1\", \"digest\": \"x\"}", "{\"image\": \"app:1\", \"image\": \"app:2\"}",
                "{\"image\": \"app:1\"} {}", "{\"image\": \"app:1\", \"settings\": {\"project\": \"a\", \"project\": \"b\"}}")) {
            Files.writeString(dir.resolve("release.json"), text);
            Cli.Fail f = assertThrows(Cli.Fail.class, () -> Bundle.load(dir), text);
            assertEquals(Cli.INPUT, f.exitCode);
            assertEquals(1, f.getMessage().lines().count(), f.getMessage());
        }
    }

    @Test
    void a_huge_image_reference_is_refused_by_its_length_not_the_regex() {
        Instant t = Instant.now();
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> ImageRef.parse("a".repeat(4096) + ":1", "image.txt"));
        assertEquals(Cli.INPUT, f.exitCode);
        assertTrue(f.getMessage().startsWith("image.txt holds 4098 characters, more than an image reference can"), f.getMessage());
        assertTrue(Duration.between(t, Instant.now()).toMillis() < 1000);
    }

    @Test
    void secrets_are_masked_in_log_lines_and_command_lines() {
        assertEquals("key AKIA**** and password=**** and Authorization: Bearer **** at https://****@git.example/x",
                Mask.line("key " + "AKIA" + "EXAMPLE000000002" + " and password=hunter2 and Authorization: Bearer abcdefghijkl12 at https://u:p4ss@git.example/x"));
        assertEquals("DB_PASSWORD: **** API_TOKEN=**** plain=value", Mask.line("DB_PASSWORD: s3cr3t API_TOKEN=t0k3n plain=value"));
        assertEquals("{\"password\":****, \"user\":\"app\"}", Mask.line("{\"password\":\"hunter2\", \"user\":\"app\"}"));
        assertEquals("redis://****@redis:6379 and --password ****", Mask.line("redis://:s3cret@redis:6379 and --password hunter2"));
        assertEquals(new EventFailure("ValidateService", "hooks/validate", "ScriptFailed", "token=****", "a\npassword=****", List.of("i-1")),
                new EventFailure("ValidateService", "hooks/validate", "ScriptFailed", "token=abc", "a\npassword=hunter2", List.of("i-1")),
                "masked where it is made: --json and the summary get masked text too");
        assertEquals("docker build --build-arg NPM_TOKEN=**** --tag a:1 .",
                Mask.command(List.of("docker", "build", "--build-arg", "NPM_TOKEN=abc", "--tag", "a:1", ".")));
        Proc.Result r = Proc.SYSTEM.run(List.of("sh", "-c", "sleep 5", "--build-arg", "TOKEN=abc"), Duration.ofMillis(200), null);
        assertEquals(124, r.exit());
        assertFalse(r.reason().contains("abc"), r.reason());
    }

    @Test
    void a_link_in_the_kit_is_refused_with_its_path() throws IOException {
        Path kit = Files.createDirectories(dir.resolve("kit/hooks"));
        Path outside = Files.writeString(dir.resolve("secret.txt"), "not for the bundle");
        Files.createSymbolicLink(kit.resolve("go"), outside);
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> BundleZip.file(dir.resolve("kit"), "hooks/go"));
        assertEquals(Cli.INPUT, f.exitCode);
        assertTrue(f.getMessage().startsWith("hooks/go in " + dir.resolve("kit") + " is a symbolic link"), f.getMessage());
        Files.createDirectories(dir.resolve("real"));
        Files.writeString(dir.resolve("real/x.java"), "class x {}");
        Files.createSymbolicLink(dir.resolve("kit/lib"), dir.resolve("real"));
        assertThrows(Cli.Fail.class, () -> BundleZip.file(dir.resolve("kit"), "lib/x.java"), "a linked folder too");
    }

    @Test
    void a_probe_of_a_url_that_is_not_http_answers_instead_of_throwing() {
        assertEquals("file:///etc/passwd is not an http(s) URL", Health.probe("file:///etc/passwd"));
        assertTrue(Health.probe("jar:file:/x.jar!/a").contains("jar:file:/x.jar!/a"));
    }

    @Test
    void a_second_hook_waits_for_the_lock_then_names_its_holder() {
        Log log = new Log(new java.io.PrintWriter(new java.io.StringWriter()));
        try (Lock held = Lock.take(dir, "start", Duration.ofSeconds(1), log)) {
            Instant t = Instant.now();
            Cli.Fail f = assertThrows(Cli.Fail.class, () -> Lock.take(dir, "validate", Duration.ofMillis(500), log));
            assertEquals(Cli.ENVIRONMENT, f.exitCode);
            assertTrue(f.getMessage().startsWith("another hook holds the lock of " + dir + ": start (pid " + ProcessHandle.current().pid() + ") since "),
                    f.getMessage());
            assertTrue(Duration.between(t, Instant.now()).toMillis() >= 400, "it waited");
        }
        try (Lock again = Lock.take(dir, "validate", Duration.ZERO, log)) {
            assertTrue(Files.exists(dir.resolve(Lock.FILE)), "free once the holder closed it");
        }
    }

    @Test
    void a_state_file_that_cannot_be_replaced_leaves_no_temporary_file() throws IOException {
        Path target = Files.createDirectories(dir.resolve("state/docker-compose.yml"));
        Files.writeString(target.resolve("keeps-it-busy"), "x"); // a non-empty folder where the file goes: the rename fails
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> Disk.writeAtomically(target, "services: {}\n"));
        assertEquals(Cli.ENVIRONMENT, f.exitCode);
        try (var files = Files.list(dir.resolve("state"))) {
            assertEquals(List.of("docker-compose.yml"), files.map(p -> p.getFileName().toString()).toList(), "no .tmp left");
        }
    }

    @Test
    void release_refuses_bad_settings_before_any_request() {
        ReleaseFixture.Run r = ReleaseFixture.run(ReleaseFixture.env(), List.of("--bucket", "b", "--application", "a", "--deployment-group", "g",
                "--image", ReleaseFixture.IMAGE, "--release-version", "1.0.0", "--commit", ReleaseFixture.COMMIT,
                "--source", HookProcess.REPO.toString(), "--dry-run", "--container", "bad name!"));
        assertEquals(Cli.INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("container 'bad name!' is not a valid Docker container name"), r.err());
    }
}
