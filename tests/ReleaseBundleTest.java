import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** Which files a bundle holds (computed from appspec.yml), and the zip's reproducibility and modes. */
@Tag("fast")
class ReleaseBundleTest {
    static final Path REPO = Path.of("").toAbsolutePath();

    @Test
    void closureFollowsLaunchersSourcesAndFiles(@TempDir Path kit) throws Exception {
        Files.createDirectories(kit.resolve("hooks"));
        Files.createDirectories(kit.resolve("lib/deep"));
        Files.createDirectories(kit.resolve("unused"));
        Files.writeString(kit.resolve("appspec.yml"), "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: /hooks/go\n");
        Files.writeString(kit.resolve("hooks/go"), "#!/bin/sh\nexec /bin/sh \"$(dirname -- \"$0\")/launch\" go \"$@\"\n");
        Files.writeString(kit.resolve("hooks/launch"), "#!/bin/sh\nexec jbang \"$hooks/$name.java\"\n");
        Files.writeString(kit.resolve("hooks/go.java"), "///usr/bin/env jbang\n//SOURCES ../lib/A.java\n//FILES conf.properties=../lib/conf.properties\nclass go {}\n");
        Files.writeString(kit.resolve("lib/A.java"), "//SOURCES deep/B.java\nclass A {}\n");
        Files.writeString(kit.resolve("lib/deep/B.java"), "//SOURCES ../A.java\nclass B {}\n"); // a cycle is fine
        Files.writeString(kit.resolve("lib/conf.properties"), "x=1\n");
        Files.writeString(kit.resolve("unused/C.java"), "class C {}\n");
        TreeSet<String> files = BundleZip.closure(kit, AppSpec.load(kit.resolve("appspec.yml")));
        assertEquals(List.of("hooks/go", "hooks/go.java", "hooks/launch", "lib/A.java", "lib/conf.properties", "lib/deep/B.java"),
                new ArrayList<>(files));

        Files.delete(kit.resolve("lib/deep/B.java"));
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> BundleZip.closure(kit, AppSpec.load(kit.resolve("appspec.yml"))));
        assertEquals(Cli.INPUT, f.exitCode);
        assertTrue(f.getMessage().startsWith("lib/A.java (//SOURCES deep/B.java) names lib/deep/B.java, which is not in "), f.getMessage());

        Files.writeString(kit.resolve("appspec.yml"), "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: hooks/gone\n");
        f = assertThrows(Cli.Fail.class, () -> BundleZip.closure(kit, AppSpec.load(kit.resolve("appspec.yml"))));
        assertTrue(f.getMessage().contains("appspec.yml (BeforeInstall) names hooks/gone, which is not in")
                && f.getMessage().contains("Script does not exist at specified location: <deployment-archive>/hooks/gone"), f.getMessage());

        Files.writeString(kit.resolve("appspec.yml"), "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: ../outside\n");
        f = assertThrows(Cli.Fail.class, () -> BundleZip.closure(kit, AppSpec.load(kit.resolve("appspec.yml"))));
        assertTrue(f.getMessage().contains("outside the bundle folder"), f.getMessage());
    }

    /**
     * The kit shipped inside release (//FILES kit/...) is exactly what the repository's appspec.yml needs, plus what
     * release --local uses beside it: the demo service and the host set-up script.
     */
    @Test
    void shippedKitMatchesTheComputedClosure() throws Exception {
        TreeSet<String> needed = BundleZip.closure(REPO, AppSpec.load(REPO.resolve("appspec.yml")));
        needed.add("appspec.yml");
        needed.add("compose.yml");
        needed.addAll(List.of("demo/Dockerfile", "demo/compose.yml", "lib/setup-host.sh"));
        TreeSet<String> shipped = new TreeSet<>();
        for (String line : Files.readAllLines(REPO.resolve("scripts/release.java"))) {
            if (line.startsWith("//FILES kit/")) {
                String[] kv = line.substring("//FILES ".length()).split("=");
                assertEquals("kit/" + kv[1].replaceFirst("^\\.\\./", ""), kv[0], line);
                shipped.add(kv[0].substring(4));
            }
        }
        assertEquals(needed, shipped, "update the //FILES kit/ lines of scripts/release.java");
    }

    @Test
    void zipIsReproducibleAndKeepsModes(@TempDir Path dir) throws Exception {
        Path launcher = dir.resolve("run");
        Files.writeString(launcher, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path data = dir.resolve("data.txt");
        Files.writeString(data, "x\n");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-rw----"));
        List<BundleZip.Entry> entries = List.of(BundleZip.file(dir, "run"), BundleZip.file(dir, "data.txt"),
                BundleZip.text("b/ü.txt", "unicode name\n"));
        byte[] one = BundleZip.write(entries);
        Thread.sleep(1100); // a later clock second changes nothing
        Files.setLastModifiedTime(launcher, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        byte[] two = BundleZip.write(List.of(entries.get(2), BundleZip.file(dir, "data.txt"), BundleZip.file(dir, "run")));
        assertArrayEquals(one, two, "same inputs, any order, any time: same bytes");

        try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(one)).get()) {
            List<ZipArchiveEntry> all = java.util.Collections.list(zip.getEntries());
            assertEquals(List.of("b/ü.txt", "data.txt", "run"), all.stream().map(ZipArchiveEntry::getName).toList());
            assertEquals(0755, all.get(2).getUnixMode() & 07777);
            assertEquals(0644, all.get(1).getUnixMode() & 07777, "Git's two modes: 0644 unless executable");
            assertEquals(ZipArchiveEntry.PLATFORM_UNIX, all.get(2).getPlatform());
            assertTrue(all.stream().allMatch(e -> e.getExtraFields().length == 0), "no extra fields (no times, no uids)");
        }

        // unzip, as the agent does, restores the executable bit
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Path zipFile = dir.resolve("b.zip");
        Files.write(zipFile, one);
        Process p = new ProcessBuilder("unzip", "-qo", zipFile.toString(), "-d", out.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        assertTrue(Files.isExecutable(out.resolve("run")));
        assertFalse(Files.isExecutable(out.resolve("data.txt")));
    }
}
