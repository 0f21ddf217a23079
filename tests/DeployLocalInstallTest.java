import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./jbang deploy-local} end to end, like DeployLocalEndToEndTest (whose helpers it uses): the Install step and
 * what comes around it: a public-style revision's files, permissions and records, the YAML 1.1 mode trap, zip, tgz,
 * tar and S3 bundles, successive deployments of a group, file_exists_behavior, and the input refused up front.
 */
@Tag("jbang")
class DeployLocalInstallTest extends DeployLocalFixture {
    private static final String GROUP = "default-local-deployment-group";

    private static String hook(String event, String location) {
        return DeployLocalFixture.hook(event, location, 30, "");
    }

    private static void assertFailure(Run r, String event, String errorCode, String message) {
        DeployLocalFixture.assertFailure(r, event, null, errorCode, message);
    }

    /** A copy of tests/fixtures/deploy-local/NAME as a revision (@DEST@ replaced). */
    private Path fixture(String name) throws IOException {
        Path from = REPO.resolve("tests/fixtures/deploy-local").resolve(name);
        List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(Files::isRegularFile).filter(p -> !p.endsWith("appspec.yml")).sorted().toList()) {
                files.addAll(List.of(from.relativize(p).toString(), Files.readString(p)));
            }
        }
        return local.revision(name, Files.readString(from.resolve("appspec.yml")), files.toArray(String[]::new));
    }

    /** A zip of {@code folder} with each entry's Unix mode, its entries under {@code prefix} (which gets its own entry). */
    static Path zip(Path folder, Path zip, String prefix) throws IOException {
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip.toFile()); Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted().toList()) {
                boolean dir = Files.isDirectory(p);
                String name = prefix + folder.relativize(p) + (dir && !p.equals(folder) ? "/" : "");
                if (name.isEmpty()) {
                    continue;
                }
                int mode = 0;
                for (PosixFilePermission bit : Files.getPosixFilePermissions(p)) {
                    mode |= 1 << (8 - bit.ordinal());
                }
                ZipArchiveEntry e = new ZipArchiveEntry(name);
                e.setUnixMode((dir ? 040000 : 0100000) | mode);
                out.putArchiveEntry(e);
                if (!dir) {
                    Files.copy(p, out);
                }
                out.closeArchiveEntry();
            }
        }
        return zip;
    }

    @Test
    void a_public_style_revision_runs_every_event_installs_its_files_and_records_the_install() throws Exception {
        var r = local.deploy("-l", fixture("public").toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode j = r.json();
        assertEquals(EVENTS.stream().map(e -> e + ":Succeeded").toList(), r.statuses(), r.toString());
        String id = j.path("deploymentId").asText();
        assertTrue(id.matches("d-[A-Z0-9]{9}-local"), id);
        Path dir = local.root.resolve(GROUP).resolve(id);
        assertEquals(dir, r.dir());
        assertTrue(Files.isRegularFile(dir.resolve("deployment-archive/appspec.yml")), "a folder is copied into deployment-archive");
        List<String> noScript = List.of("BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop", "DownloadBundle", "Install");
        j.path("events").forEach(e -> assertEquals(noScript.contains(e.path("event").asText()) ? 0 : 1, e.path("scripts").asInt(), e.toString()));
        List<String> expected = new ArrayList<>();
        for (String e : List.of("BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService", "BeforeAllowTraffic", "AfterAllowTraffic")) {
            expected.addAll(List.of("LifecycleEvent - " + e, "Script - scripts/hook.sh", "[stdout]hook " + e));
        }
        assertEquals(expected, entries(r), "first deployment: nothing of the last successful revision runs, nothing is logged for it (2.4)");
        Pattern agentLog = Pattern.compile("\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\] \\[" + id + "\\](.*)");
        assertEquals(expected, Files.readAllLines(local.root.resolve("deployment-logs/codedeploy-agent-deployments.log")).stream().map(l -> {
            Matcher m = agentLog.matcher(l);
            assertTrue(m.matches(), l);
            return m.group(1);
        }).toList(), "the deployments log (4.2)");

        Path d = local.dest;
        assertEquals("rwxr-x---", mode(d.resolve("app/run.sh")), "pattern *.sh, mode 0750");
        assertEquals(USER, Files.getOwner(d.resolve("app/run.sh")).getName());
        assertEquals("rwxr-xr-x", mode(d.resolve("app/skip.sh")), "except keeps the file's own mode");
        assertEquals("rwx------", mode(d.resolve("app/data")), "type directory, pattern data*");
        assertEquals("rw-r--r--", mode(d.resolve("app/data/x.txt")), "a pattern matches one level only");
        assertEquals("rw-r-----", mode(d.resolve("etc/app.conf")), "a single file lands in its destination folder, mode 640");
        assertEquals("key=value\n", Files.readString(d.resolve("etc/app.conf")));

        Path instructions = local.root.resolve("deployment-instructions");
        List<String> done = new ArrayList<>();
        JsonNode install = DeployLocalFixture.JSON.readTree(instructions.resolve(GROUP + "-install.json").toFile());
        install.path("instructions").forEach(i -> done.add(switch (i.path("type").asText()) {
            case "mkdir" -> "mkdir " + i.path("directory").asText();
            case "copy" -> "copy " + i.path("source").asText() + " " + i.path("destination").asText();
            case "chmod" -> "chmod " + i.path("mode").asText() + " " + i.path("file").asText();
            default -> i.path("type").asText() + " " + i.path("owner").asText() + ":" + i.path("group").asText() + " " + i.path("file").asText();
        }));
        String a = d + "/app/", src = dir + "/deployment-archive/";
        assertEquals(List.of("mkdir " + d + "/app", "mkdir " + a + "data", "copy " + src + "app/data/x.txt " + a + "data/x.txt",
                "copy " + src + "app/run.sh " + a + "run.sh", "copy " + src + "app/skip.sh " + a + "skip.sh", "mkdir " + d + "/etc",
                "copy " + src + "config/app.conf " + d + "/etc/app.conf", "chmod 0750 " + a + "run.sh", "chown " + USER + ":" + GROUP_NAME + " " + a + "run.sh",
                "chmod 0700 " + a + "data", "chmod 640 " + d + "/etc/app.conf"), done, "install.json (2.3)");
        assertEquals(String.join("\n", d + "/app", a + "data", a + "data/x.txt", a + "run.sh", a + "skip.sh", d + "/etc", d + "/etc/app.conf") + "\n",
                Files.readString(instructions.resolve(GROUP + "-cleanup")), "every path the install created");
        assertEquals(dir.toString(), Files.readString(instructions.resolve(GROUP + "_last_successful_install")));
        assertEquals(dir.toString(), Files.readString(instructions.resolve(GROUP + "_most_recent_install")));
    }

    @Test
    void an_appspec_the_agent_rejects_fails_beforeinstall_with_the_agents_text() throws Exception {
        Path rev = local.revision("rev", HEAD + "hooks:\n  BeforeInstall:\n    - locaiton: scripts/hook.sh\n", "scripts/hook.sh", HOOK);
        var r = local.deploy("-l", rev.toString());
        assertFailure(r, "BeforeInstall", "UnknownError", "The deployment failed because the application specification file specifies a script with "
                + "no location value. Specify the location in the hooks section of the AppSpec file, and then try again.");
        assertEquals(EVENTS.subList(0, 4).stream().map(e -> e + ":Succeeded").toList(), r.statuses().subList(0, 4), "not refused up front");
        assertEquals(5, r.json().path("events").get(EVENTS.indexOf("BeforeInstall")).path("agentCode").asInt());
    }

    @Test
    void an_unquoted_mode_is_yaml_1_1_octal_as_the_agent_reads_it() throws Exception {
        String appspec = HEAD + "files:\n  - source: conf.txt\n    destination: @DEST@/DIR\npermissions:\n  - object: @DEST@/DIR/conf.txt\n    mode: ";
        var r = local.deploy("-l", local.revision("r0644", appspec.replace("DIR", "a") + "0644\n", "conf.txt", "x\n").toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("r---w----", mode(local.dest.resolve("a/conf.txt")), "0644 unquoted is the number 420: mode 0420 (1.6)");
        String invalid = "The deployment failed because the permissions mode (493) in the application specification file contains an invalid character (9). "
                + "Update the permissions section of the AppSpec file, and then try again.";
        Path r0755 = local.revision("r0755", appspec.replace("DIR", "b") + "0755\n", "conf.txt", "x\n");
        var install = local.deploy("-g", "install-only", "-e", "Install", "-l", r0755.toString());
        assertFailure(install, "Install", "UnknownError", invalid);
        assertEquals(List.of("DownloadBundle:Succeeded", "Install:Failed"), install.statuses());
        var all = local.deploy("-g", "every-event", "-l", r0755.toString());
        assertFailure(all, "BeforeInstall", "UnknownError", invalid); // the agent's hook executor parses the whole appspec first
        assertFalse(Files.exists(local.dest.resolve("b")), "nothing installed");
    }

    @Test
    void zip_tgz_and_tar_bundles_deploy_a_single_top_folder_is_unwrapped_and_modes_are_kept() throws Exception {
        String appspec = HEAD + "files:\n  - source: bin\n    destination: @DEST@/KIND\nhooks:\n" + hook("AfterInstall", "scripts/hook.sh");
        for (String kind : List.of("zip", "tgz", "tar")) {
            Path rev = local.revision(kind, appspec.replace("KIND", kind), "scripts/hook.sh", HOOK, "bin/tool.sh", "#!/bin/sh\n", "bin/data.txt", "d\n");
            Path file = tmp.resolve("bundle." + kind);
            if (kind.equals("zip")) {
                zip(rev, file, "myapp/");
            } else {
                var tar = DeployLocalFixture.run(List.of("/bin/tar", kind.equals("tgz") ? "-czf" : "-cf", file.toString(), "-C", rev.toString(), "."),
                        tmp, Map.of(), false);
                assertEquals(0, tar.exit(), tar.toString());
            }
            var r = local.deploy("-g", kind, "-l", file.toString());
            assertEquals(0, r.exit(), kind + ": " + r);
            Path archive = r.dir().resolve("deployment-archive");
            assertEquals(Set.of("appspec.yml", "scripts", "bin"), names(archive), kind + ": the revision's root (2.5)");
            assertEquals(file, Files.readSymbolicLink(r.dir().resolve("bundle.tar")), "a local file is linked as bundle.tar (2.5)");
            assertEquals("rwxr-xr-x", mode(archive.resolve("scripts/hook.sh")), kind);
            assertFalse(r.err().contains("is not executable"), kind + ": the archive kept the executable bit\n" + r.err());
            assertEquals(List.of("rwxr-xr-x", "rw-r--r--"), List.of(mode(local.dest.resolve(kind + "/tool.sh")), mode(local.dest.resolve(kind + "/data.txt"))));
            assertEquals(List.of("LifecycleEvent - AfterInstall", "Script - scripts/hook.sh", "[stdout]hook AfterInstall"), entries(r), kind);
        }
    }

    @Test
    void an_s3_bundle_is_downloaded_its_etag_checked_and_named_to_the_hooks() throws Exception {
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hook("BeforeInstall", "scripts/bundle.sh"),
                "scripts/bundle.sh", "#!/bin/sh\necho \"bundle $BUNDLE_BUCKET $BUNDLE_KEY $BUNDLE_ETAG ${BUNDLE_VERSION-unversioned}\"\n");
        Path zip = zip(rev, tmp.resolve("rev.zip"), "");
        try (S3Endpoint s3 = new S3Endpoint()) {
            s3.createBucket("deploy-local-e2e");
            HttpURLConnection put = (HttpURLConnection) URI.create(s3.backend() + "/deploy-local-e2e/app/rev.zip").toURL().openConnection();
            put.setRequestMethod("PUT");
            put.setDoOutput(true);
            try (OutputStream out = put.getOutputStream()) {
                Files.copy(zip, out);
            }
            assertEquals(200, put.getResponseCode());
            String etag = put.getHeaderField("ETag").replace("\"", "");
            Map<String, String> env = Map.of("AWS_ENDPOINT_URL_S3", s3.uri().toString(), "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "AKIDDEPLOYLOCALTEST", "AWS_SECRET_ACCESS_KEY", "not-a-secret");
            var r = local.deploy(env, false, "-l", "s3://deploy-local-e2e/app/rev.zip?etag=" + etag);
            assertEquals(0, r.exit(), r.toString());
            assertEquals(List.of("LifecycleEvent - BeforeInstall", "Script - scripts/bundle.sh",
                    "[stdout]bundle deploy-local-e2e app/rev.zip " + etag + " unversioned"), entries(r), "BUNDLE_* for an S3 revision (3.1)");
            assertFalse(Files.isSymbolicLink(r.dir().resolve("bundle.tar")));
            assertTrue(Arrays.equals(Files.readAllBytes(zip), Files.readAllBytes(r.dir().resolve("bundle.tar"))), "downloaded as bundle.tar (2.5)");
            assertFalse(s3.requests("GET").isEmpty());
            var wrong = local.deploy(env, false, "-l", "s3://deploy-local-e2e/app/rev.zip?etag=wrong");
            assertFailure(wrong, "DownloadBundle", "UnknownError", "Expected deployment artifact bundle etag wrong but was actually " + etag);
        }
    }

    @Test
    void the_next_deployment_runs_the_last_revisions_stop_script_removes_its_files_and_five_are_kept() throws Exception {
        String appspec = HEAD + "files:\n  - source: site\n    destination: @DEST@/site\nhooks:\n" + hook("ApplicationStop", "scripts/stop.sh");
        String stop = "#!/bin/sh\necho \"stop from REV for $DEPLOYMENT_ID\"\n";
        Path one = local.revision("one", appspec, "scripts/stop.sh", stop.replace("REV", "one"), "site/old.txt", "1\n", "site/index.html", "one\n");
        Path two = local.revision("two", appspec, "scripts/stop.sh", stop.replace("REV", "two"), "site/index.html", "two\n");
        var first = local.deploy("-l", one.toString());
        assertEquals(0, first.exit(), first.toString());
        assertEquals(List.of(), entries(first), "no ApplicationStop on a first deployment (2.4)");
        assertTrue(Files.exists(local.dest.resolve("site/old.txt")));
        var second = local.deploy("-l", two.toString());
        assertEquals(0, second.exit(), second.toString());
        String id = second.json().path("deploymentId").asText();
        assertEquals(List.of("LifecycleEvent - ApplicationStop", "Script - scripts/stop.sh", "[stdout]stop from one for " + id), entries(second),
                "the last successful revision's script, with this deployment's variables (2.2, 3.1)");
        assertFalse(Files.exists(local.dest.resolve("site/old.txt")), "what the first install created and the second does not is gone (2.3)");
        assertEquals("two\n", Files.readString(local.dest.resolve("site/index.html")));
        List<String> ids = new ArrayList<>(List.of(first.dir().getFileName().toString(), second.dir().getFileName().toString()));
        for (int i = 3; i <= 6; i++) {
            var r = local.deploy("-l", two.toString());
            assertEquals(0, r.exit(), r.toString());
            ids.add(r.dir().getFileName().toString());
        }
        assertEquals(Set.copyOf(ids.subList(1, 6)), names(local.root.resolve(GROUP)), "the sixth deployment prunes the first: 5 kept (2.4)");
    }

    @Test
    void a_file_no_install_created_is_refused_replaced_or_kept_by_file_exists_behavior() throws Exception {
        String appspec = HEAD + "files:\n  - source: conf/app.conf\n    destination: @DEST@/DIR\n";
        Map<String, String> kept = new LinkedHashMap<>();
        kept.put("-b DISALLOW", "edited on the host\n");
        kept.put("-b OVERWRITE", "from the revision\n");
        kept.put("-b RETAIN", "edited on the host\n");
        kept.put("-b DISALLOW file_exists_behavior: OVERWRITE", "from the revision\n");
        int n = 0;
        for (Map.Entry<String, String> c : kept.entrySet()) {
            String[] how = c.getKey().split(" ", 3);
            String dir = "case" + ++n;
            Path target = Files.createDirectories(local.dest.resolve(dir)).resolve("app.conf");
            Files.writeString(target, "edited on the host\n");
            Path rev = local.revision(dir, appspec.replace("DIR", dir) + (how.length > 2 ? how[2] + "\n" : ""), "conf/app.conf", "from the revision\n");
            var r = local.deploy("-g", dir, how[0], how[1], "-l", rev.toString());
            if (c.getKey().equals("-b DISALLOW")) {
                assertFailure(r, "Install", "UnknownError", "The deployment failed because a specified file already exists at this location: " + target);
            } else {
                assertEquals(0, r.exit(), c.getKey() + ": " + r);
            }
            assertEquals(c.getValue(), Files.readString(target), c.getKey() + " (1.5)");
        }
    }

    @Test
    void input_refused_up_front_exits_2_with_one_line_and_leaves_no_deployment() throws Exception {
        Path rev = local.revision("rev", HEAD + "hooks:\n" + hook("BeforeInstall", "scripts/hook.sh"), "scripts/hook.sh", HOOK);
        Path typo = local.revision("typo", HEAD + "hooks:\n" + hook("AfterInstal", "scripts/hook.sh"), "scripts/hook.sh", HOOK);
        Path acls = local.revision("acls", HEAD + "files:\n  - source: a.txt\n    destination: @DEST@\n"
                + "permissions:\n  - object: @DEST@\n    acls:\n      - u:nobody:r\n", "a.txt", "a\n");
        Path nowhere = tmp.resolve("nowhere");
        Map<List<String>, String> refusals = new LinkedHashMap<>();
        refusals.put(List.of("-l", nowhere.toString()), "location " + nowhere + " is specified as a file or directory which does not exist");
        refusals.put(List.of("-l", rev.toString(), "-t", "zip"), "location " + rev + " is specified as a compressed local file but it is a directory");
        refusals.put(List.of("-l", rev.toString(), "-e", "BeforeInstall,DownloadBundle"), "The only events that can be specified before DownloadBundle are "
                + "BeforeBlockTraffic,AfterBlockTraffic,ApplicationStop. Please fix the order of your specified events: BeforeInstall,DownloadBundle");
        refusals.put(List.of("-l", typo.toString()), "appspec.yml file contains unknown lifecycle events: [\"AfterInstal\"]");
        refusals.put(List.of("-l", acls.toString()), "appspec.yml permissions for " + local.dest + " set acls");
        for (Map.Entry<List<String>, String> c : refusals.entrySet()) {
            var r = local.deploy(c.getKey().toArray(String[]::new));
            assertEquals(2, r.exit(), c.getKey() + ": " + r);
            assertEquals(1, r.errLines().size(), c.getKey() + ": " + r);
            String line = r.errLines().get(0);
            boolean ours = c.getKey().contains(acls.toString()); // deploy-local's own sentence, with its advice after it
            assertTrue(ours ? line.startsWith("deploy-local: " + c.getValue()) : line.equals("deploy-local: " + c.getValue()), line);
            assertEquals("", r.out(), c.getKey().toString());
            assertEquals(Set.of(), names(local.root.resolve(GROUP)), c.getKey() + ": no deployment folder");
            assertEquals(Set.of(), names(local.root.resolve("ongoing-deployment")), c.getKey() + ": no deployment in progress left behind");
            assertEquals(Set.of(), names(local.dest), "nothing installed");
        }
    }
}
