import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy-local facing bad input and a hostile machine, in-process: scripts that cannot be executed named as the agent's
 * spawn would name them, locations leading out of the revision, a deployment root others can write, a marker pointing
 * elsewhere, the real agent's cleanup lines, all twelve mode bits, read-only folders in a zip.
 */
@Tag("fast")
class DeployLocalHardeningTest {
    @TempDir
    Path dir;

    static AppSpec.Script script(String location) {
        return new AppSpec.Script(location, 60, null, false);
    }

    @Test
    void a_script_that_cannot_be_executed_is_named_as_rubys_spawn_names_it() throws Exception {
        Path crlf = Files.writeString(dir.resolve("crlf.sh"), "#!/bin/sh\r\necho hi\r\n");
        Path gone = Files.writeString(dir.resolve("gone.sh"), "#!/no/such/shell\necho hi\n");
        Path plain = Files.writeString(dir.resolve("plain.sh"), "echo hi\n");
        Path ok = Files.writeString(dir.resolve("ok.sh"), "#! /bin/sh -e\necho hi\n");
        assertEquals("Errno::ENOENT with message No such file or directory - " + crlf, ScriptRun.cannotExec(crlf, script("crlf.sh"), ScriptRun.NoShebang.sh));
        assertEquals("Errno::ENOENT with message No such file or directory - " + gone, ScriptRun.cannotExec(gone, script("gone.sh"), ScriptRun.NoShebang.sh));
        assertEquals("Errno::EACCES with message Permission denied - " + dir, ScriptRun.cannotExec(dir, script("."), ScriptRun.NoShebang.sh));
        assertNull(ScriptRun.cannotExec(plain, script("plain.sh"), ScriptRun.NoShebang.sh), "agent 1.x: through /bin/sh");
        assertEquals(List.of("setsid", "/bin/sh", plain.toString()), ScriptRun.command(plain, script("plain.sh"), ScriptRun.NoShebang.sh));
        assertTrue(ScriptRun.cannotExec(plain, script("plain.sh"), ScriptRun.NoShebang.fail).startsWith("Errno::ENOEXEC"));
        assertNull(ScriptRun.cannotExec(ok, script("ok.sh"), ScriptRun.NoShebang.fail));
        assertEquals(List.of("setsid", "sudo", "su", "app", "-c", ok.toString()), ScriptRun.command(ok, new AppSpec.Script("ok.sh", 60, "app", true), ScriptRun.NoShebang.sh));
    }

    @Test
    void locations_and_sources_leading_out_of_the_revision_are_refused_before_anything_runs() throws Exception {
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/x.sh"), "#!/bin/sh\n");
        for (String body : List.of("hooks:\n  BeforeInstall:\n    - location: ../outside/x.sh\n",
                "hooks:\n  BeforeInstall:\n    - location: link/x.sh\n", "files:\n  - source: ../outside\n    destination: /tmp/never\n")) {
            Path rev = revision(body);
            Files.createSymbolicLink(rev.resolve("link"), dir.resolve("outside"));
            Cli.Fail f = assertThrows(Cli.Fail.class, () -> deploy(rev, dir.resolve("root")), body);
            assertEquals(Cli.INPUT, f.exitCode);
            assertTrue(f.getMessage().contains("leads out of the revision"), f.getMessage());
        }
        try (var groups = Files.list(dir.resolve("root/g"))) {
            assertEquals(0, groups.count(), "nothing left behind");
        }
    }

    @Test
    void a_deployment_root_others_may_write_is_refused() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> deploy(revision(""), shared.resolve("root")));
        assertEquals(Cli.ENVIRONMENT, f.exitCode);
        assertTrue(f.getMessage().contains(shared + " may be changed by another user"), f.getMessage());
        Path root = Files.createDirectories(dir.resolve("root2"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(assertThrows(Cli.Fail.class, () -> deploy(revision(""), root)).getMessage().contains("others may write to it"));
    }

    @Test
    void a_last_successful_marker_naming_another_folder_is_refused_not_followed() throws Exception {
        Layout layout = new Layout(dir.resolve("root"), "g");
        Files.createDirectories(layout.instructions());
        Files.writeString(layout.instructions().resolve("g_last_successful_install"), dir.resolve("evil").toString());
        Cli.Fail f = assertThrows(Cli.Fail.class, layout::lastSuccessful);
        assertTrue(f.getMessage().contains("outside " + layout.groupDir()), f.getMessage());
    }

    @Test
    void the_agents_selinux_cleanup_lines_are_skipped_and_its_paths_removed() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Path cleanup = Files.writeString(dir.resolve("g-cleanup"), file + "\nsemanage\0" + file + "\n");
        Instructions.replayCleanup(cleanup);
        assertFalse(Files.exists(file));
    }

    @Test
    void a_four_digit_mode_sets_all_twelve_bits_and_a_read_only_zip_folder_still_gets_its_files() throws Exception {
        Layout layout = new Layout(dir.resolve("root"), "g");
        Path rev = revision("files:\n  - source: app\n    destination: " + dir.resolve("dest") + "\npermissions:\n  - object: " + dir.resolve("dest")
                + "\n    mode: \"2750\"\n    type: [directory]\n");
        Files.createDirectories(rev.resolve("app/sub"));
        Installer.install(layout, rev, AppSpec.load(rev.resolve("appspec.yml")), "DISALLOW", dir);
        assertEquals(02750, (Integer) Files.getAttribute(dir.resolve("dest/sub"), "unix:mode") & 07777);

        Path zip = dir.resolve("ro.zip");
        try (var out = new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(zip.toFile())) {
            var folder = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("ro/");
            folder.setUnixMode(040555);
            out.putArchiveEntry(folder);
            out.closeArchiveEntry();
            var file = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("ro/f.txt");
            file.setUnixMode(0100644);
            out.putArchiveEntry(file);
            out.write("x".getBytes());
            out.closeArchiveEntry();
        }
        Path into = Files.createDirectories(dir.resolve("unzipped"));
        assertNull(Fetch.unzip(zip, into));
        assertEquals("x", Files.readString(into.resolve("ro/f.txt")));
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(into.resolve("ro"))));
    }

    /** A revision folder: appspec.yml with {@code body}, and app/. */
    private Path revision(String body) throws Exception {
        Path rev = Files.createTempDirectory(dir, "rev");
        Files.createDirectories(rev.resolve("app"));
        Files.writeString(rev.resolve("appspec.yml"), "version: 0.0\nos: linux\n" + body);
        return rev;
    }

    private static LocalResult deploy(Path revision, Path root) {
        LocalDeploy.Request r = new LocalDeploy.Request(revision.toString(), null, "DISALLOW", "g", "LocalFleet", "app", null, root, false,
                ScriptRun.NoShebang.sh);
        Log log = new Log(new PrintWriter(new StringWriter()));
        return new LocalDeploy(r, Map.of(), revision.getParent(), log, null, null).run();
    }
}
