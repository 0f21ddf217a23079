import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy-local's rules, in-process: events order, the installer's agent rules, cleanup, pruning, the log tail. */
@Tag("fast")
class DeployLocalTest {
    @TempDir
    Path dir;

    @Test
    void events_follow_codedeploy_local_rules() {
        assertEquals(Events.DEFAULT, Events.ordered(null));
        assertEquals(List.of("DownloadBundle", "Install", "ApplicationStart"), Events.ordered("ApplicationStart"));
        assertEquals(List.of("ApplicationStop", "DownloadBundle", "Install", "ValidateService"), Events.ordered("ApplicationStop,ValidateService"),
                "the missing ones go where the lifecycle has them: ApplicationStop stays the previous revision's");
        assertEquals(List.of("ApplicationStop", "DownloadBundle", "BeforeInstall", "Install"), Events.ordered("ApplicationStop,DownloadBundle,BeforeInstall"),
                "an event given is never moved");
        assertEquals(List.of("DownloadBundle", "Install", "AfterInstall"), Events.ordered("DownloadBundle,AfterInstall"), "Install goes after DownloadBundle");
        assertThrows(Cli.Fail.class, () -> Events.ordered("ApplicationStop,Install,DownloadBundle"));
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> Events.ordered("BeforeInstall,DownloadBundle"));
        assertEquals("The only events that can be specified before DownloadBundle are BeforeBlockTraffic,AfterBlockTraffic,ApplicationStop. "
                + "Please fix the order of your specified events: BeforeInstall,DownloadBundle", f.getMessage());
        f = assertThrows(Cli.Fail.class, () -> Events.ordered("DownloadBundle,AfterInstall,Install"));
        assertTrue(f.getMessage().startsWith("The only events that can be specified before Install are"), f.getMessage());
        assertEquals(Cli.INPUT, f.exitCode);
    }

    @Test
    void unknown_and_custom_events_are_checked_against_the_appspec() {
        AppSpec spec = AppSpec.parse("version: 0.0\nos: linux\nhooks:\n  AfterInstal:\n    - location: a.sh\n  Custom:\n    - location: b.sh\n");
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> Events.check(Events.DEFAULT, spec));
        assertEquals("appspec.yml file contains unknown lifecycle events: [\"AfterInstal\", \"Custom\"]", f.getMessage());
        f = assertThrows(Cli.Fail.class, () -> Events.check(Events.ordered("Other"), spec));
        assertEquals("You specified a lifecycle event which is not a default one and doesn't exist in your appspec.yml file: Other", f.getMessage());
        f = assertThrows(Cli.Fail.class, () -> Events.check(Events.ordered("Custom"), spec));
        assertTrue(f.getMessage().contains("[\"AfterInstal\"]"), "a custom event the appspec names is allowed: " + f.getMessage());
    }

    @Test
    void permission_patterns_match_one_level_and_except_wins() {
        AppSpec.Permission p = AppSpec.parse("version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    pattern: \"*.sh\"\n    except: [secret.sh]\n")
                .permissions().get(0);
        assertTrue(Installer.Glob.matches(p, "/srv/app", "/srv/app/run.sh"));
        assertFalse(Installer.Glob.matches(p, "/srv/app", "/srv/app/secret.sh"));
        assertFalse(Installer.Glob.matches(p, "/srv/app", "/srv/app/bin/run.sh"), "a name with '/' never matches a pattern");
        assertFalse(Installer.Glob.matches(p, "/srv/app", "/srv/apple/run.sh"));
        assertTrue(Installer.Glob.simple("a.b.c", "a*c") && !Installer.Glob.simple("a.b.c", "b*"));
    }

    @Test
    void install_copies_records_cleanup_and_applies_file_exists_behavior() throws IOException {
        Layout layout = new Layout(dir.resolve("root"), "g");
        Path archive = revision("files:\n  - source: app\n    destination: DEST/app\n  - source: one.txt\n    destination: DEST/etc\n");
        Files.createDirectories(dir.resolve("dest/etc"));
        Files.writeString(dir.resolve("dest/etc/one.txt"), "someone else's");
        AppSpec spec = AppSpec.load(archive.resolve("appspec.yml"));
        Installer.Refused r = assertThrows(Installer.Refused.class, () -> Installer.install(layout, archive, spec, "DISALLOW", dir));
        assertEquals("The deployment failed because a specified file already exists at this location: " + dir.resolve("dest/etc") + "/one.txt", r.getMessage());
        Installer.install(layout, archive, spec, "RETAIN", dir);
        assertEquals("someone else's", Files.readString(dir.resolve("dest/etc/one.txt")));
        assertEquals("run", Files.readString(dir.resolve("dest/app/bin/run.sh")));
        String cleanup = Files.readString(layout.cleanupFile());
        assertTrue(cleanup.contains(dir.resolve("dest/app/bin/run.sh") + "\n") && !cleanup.contains("etc/one.txt"), cleanup);
        Installer.install(layout, archive, spec, "OVERWRITE", dir); // the previous install's files are removed first
        assertEquals("one", Files.readString(dir.resolve("dest/etc/one.txt")));
        assertTrue(Files.readString(layout.installFile()).contains("\"type\" : \"copy\""));
    }

    @Test
    void cleanup_removes_newest_first_keeps_folders_with_foreign_files_and_drops_a_half_line() throws IOException {
        Path a = Files.createDirectories(dir.resolve("a")), b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(a.resolve("ours"), "x");
        Files.writeString(b.resolve("theirs"), "x");
        Path half = Files.writeString(dir.resolve("half"), "x");
        Path cleanup = Files.writeString(dir.resolve("g-cleanup"), a + "\n" + a.resolve("ours") + "\n" + b + "\n" + half);
        Instructions.replayCleanup(cleanup);
        assertFalse(Files.exists(a), "emptied, then removed");
        assertTrue(Files.exists(b.resolve("theirs")) && Files.exists(half), "a folder with foreign files stays; a half line is dropped");
        assertFalse(Files.exists(cleanup));
    }

    @Test
    void agent_install_errors_keep_the_agent_text() throws IOException {
        Layout layout = new Layout(dir.resolve("root"), "g");
        Path archive = revision("files:\n  - source: one.txt\n    destination: DEST\n  - source: app/one.txt\n    destination: DEST\n");
        Installer.Refused r = assertThrows(Installer.Refused.class, () -> Installer.install(layout, archive, AppSpec.load(archive.resolve("appspec.yml")), "DISALLOW", dir));
        assertTrue(r.getMessage().startsWith("The deployment failed because the application specification file specifies two source files named"), r.getMessage());
        Path twice = revision("files:\n  - source: app\n    destination: DEST/app\npermissions:\n  - object: DEST/app\n    mode: 700\n  - object: DEST\n    mode: 755\n");
        r = assertThrows(Installer.Refused.class, () -> Installer.install(layout, twice, AppSpec.load(twice.resolve("appspec.yml")), "DISALLOW", dir));
        assertTrue(r.getMessage().startsWith("The deployment failed because the permissions setting for (" + dir.resolve("dest/app/bin/run.sh") + ") is specified more than once"), r.getMessage());
    }

    @Test
    void pruning_keeps_five_revisions_and_never_the_last_successful_one() throws IOException {
        Layout layout = new Layout(dir, "g");
        for (int i = 1; i <= 6; i++) {
            Path d = Files.createDirectories(layout.deploymentDir("d-" + i));
            Files.setLastModifiedTime(d, FileTime.fromMillis(1_000_000L * i));
        }
        layout.markLastSuccessful(layout.deploymentDir("d-1"));
        List<Path> pruned = layout.prune(layout.deploymentDir("d-6"), Layout.MAX_REVISIONS);
        assertEquals(List.of(layout.deploymentDir("d-2")), pruned, "d-1 is the last successful one");
        assertEquals(layout.deploymentDir("d-1"), layout.lastSuccessful().orElseThrow());
    }

    @Test
    void the_log_tail_keeps_whole_newest_entries_within_2048_characters() throws IOException {
        try (ScriptLog log = new ScriptLog(dir.resolve("scripts.log"), dir.resolve("deployments.log"), "d-1", null)) {
            log.append("LifecycleEvent - ApplicationStart");
            for (int i = 0; i < 100; i++) {
                log.append("[stdout]line " + i + " " + "x".repeat(40));
            }
            String tail = log.tail();
            assertTrue(tail.length() <= ScriptLog.TAIL_CHARS && tail.length() > ScriptLog.TAIL_CHARS - 60, "" + tail.length());
            assertTrue(tail.startsWith("[stdout]line ") && tail.endsWith("line 99 " + "x".repeat(40) + "\n"));
        }
        assertTrue(Files.readString(dir.resolve("scripts.log")).lines().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d (LifecycleEvent - .*|\\[stdout].*)")));
        assertTrue(Files.readString(dir.resolve("deployments.log")).startsWith("["));
    }

    @Test
    void locations_are_checked_with_codedeploy_local_sentences() throws IOException {
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> Fetch.source("nope", null, dir));
        assertEquals("location nope is specified as a file or directory which does not exist", f.getMessage());
        assertEquals("type rar is not a valid type. Must be one of tgz,tar,zip,directory", assertThrows(Cli.Fail.class, () -> Fetch.source(".", "rar", dir)).getMessage());
        assertTrue(assertThrows(Cli.Fail.class, () -> Fetch.source(".", null, dir)).getMessage().startsWith("Expecting appspec file at location "));
        assertEquals("location . is specified as a compressed local file but it is a directory", assertThrows(Cli.Fail.class, () -> Fetch.source(".", "zip", dir)).getMessage());
        Fetch.Source s3 = Fetch.source("s3://b/k/app.tgz?versionId=v1&etag=e%22", null, dir);
        assertEquals(List.of("b", "k/app.tgz", "v1", "e\"", Fetch.Type.tgz), List.of(s3.bucket(), s3.key(), s3.version(), s3.etag(), s3.type()));
        assertEquals(Map.of("BUNDLE_BUCKET", "b", "BUNDLE_KEY", "k/app.tgz", "BUNDLE_VERSION", "v1", "BUNDLE_ETAG", "e\""), s3.bundleEnv("other"));
    }

    @Test
    void a_zip_cannot_write_outside_the_revision_folder_by_dot_dot_or_through_a_link() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path evil = zip("evil.zip", new String[] {"../escaped.txt", "x"});
        assertTrue(Fetch.unzip(evil, out).contains("points outside the revision folder"));
        Path linked = zip("linked.zip", new String[] {"link", "LINK:" + dir}, new String[] {"link/escaped.txt", "x"});
        assertTrue(Fetch.unzip(linked, out).contains("goes through a link out of the revision folder"), Fetch.unzip(linked, out));
        assertFalse(Files.exists(dir.resolve("escaped.txt")));
        Path ok = zip("ok.zip", new String[] {"bin/run.sh", "run"});
        Files.deleteIfExists(out.resolve("link"));
        assertEquals(null, Fetch.unzip(ok, out));
        assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("bin/run.sh"))));
    }

    /** A zip of {name, content} pairs; content "LINK:target" makes a symbolic link; files get mode 0750. */
    private Path zip(String name, String[]... entries) throws IOException {
        Path file = dir.resolve(name);
        try (var zip = new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(file.toFile())) {
            for (String[] e : entries) {
                var entry = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry(e[0]);
                boolean link = e[1].startsWith("LINK:");
                entry.setUnixMode(link ? 0120777 : 0100750);
                zip.putArchiveEntry(entry);
                zip.write((link ? e[1].substring(5) : e[1]).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        }
        return file;
    }

    /** A revision folder with appspec.yml (DEST stands for this test's destination), app/bin/run.sh and one.txt. */
    private Path revision(String body) throws IOException {
        Path archive = Files.createTempDirectory(dir, "rev");
        Files.createDirectories(archive.resolve("app/bin"));
        Files.writeString(archive.resolve("app/bin/run.sh"), "run");
        Files.writeString(archive.resolve("app/one.txt"), "app one");
        Files.writeString(archive.resolve("one.txt"), "one");
        Files.writeString(archive.resolve("appspec.yml"), "version: 0.0\nos: linux\n" + body.replace("DEST", dir.resolve("dest").toString()));
        return archive;
    }
}
