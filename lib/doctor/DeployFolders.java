import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Folders that decide what runs as root: the deploy folders the appspec copies into (the original set 777 on one,
 * so any user could swap what the agent deploys) and the hooks' state folders with their lock.
 */
final class DeployFolders {
    private DeployFolders() {}

    /** The last revision's appspec: its destinations on disk, and any permissions entry that lets others write. */
    static Finding check(Sysroot sys, Path archive) {
        JsonNode spec = null;
        for (String name : List.of("appspec.yml", "appspec.yaml")) {
            String text = sys.read(archive.resolve(name));
            if (text != null) {
                try {
                    spec = Json.YAML.readTree(text);
                } catch (Exception e) {
                    return Finding.warn("deploy folders", "the last revision's " + name + " does not parse", "fix it and deploy again");
                }
                break;
            }
        }
        if (spec == null) {
            return Finding.pass("deploy folders", "the last revision has no appspec to read");
        }
        List<String> open = new ArrayList<>();
        for (JsonNode f : spec.path("files")) {
            String dest = f.path("destination").asText("");
            if (dest.startsWith("/") && worldWritable(sys.path(dest))) {
                open.add(dest + " is writable by anyone");
            }
        }
        for (JsonNode p : spec.path("permissions")) {
            String mode = p.path("mode").asText("");
            if (mode.matches("[0-7]{3,4}") && (Character.digit(mode.charAt(mode.length() - 1), 8) & 2) != 0) {
                open.add("the appspec gives " + p.path("object").asText("?") + " mode " + mode);
            }
        }
        int copied = spec.path("files").size();
        return open.isEmpty() ? Finding.pass("deploy folders", copied == 0 ? "the appspec copies no files" : copied + " destination(s), none writable by others")
                : Finding.fail("deploy folders", String.join("; ", open) + ": any user could replace what the agent deploys and runs as root",
                        "chmod o-w the folder, and drop the mode from the appspec's permissions (755 for folders, 644 for files)");
    }

    static boolean worldWritable(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0002) != 0 && (mode & 01000) == 0; // writable by others and not sticky (as /tmp is)
        } catch (Exception e) {
            return false;
        }
    }

    /** The hooks' state folders (one per compose project): private to root, and who holds each lock. */
    static Finding state(Sysroot sys, String stateRoot) {
        if (worldWritable(sys.path(stateRoot))) { // even empty: anyone could plant a project's folder before the first deployment
            return Finding.fail("state folder", stateRoot + " is writable by anyone: the hooks, as root, would trust a planted project folder",
                    "sudo chmod 755 " + stateRoot + " (setup-instance does)");
        }
        List<Path> projects = sys.list(stateRoot).stream().filter(Files::isDirectory).toList();
        if (projects.isEmpty()) {
            return Finding.pass("state folder", "none yet (" + stateRoot + ": no deployment through the hooks)");
        }
        List<String> seen = new ArrayList<>();
        List<String> open = new ArrayList<>();
        for (Path dir : projects) {
            if (worldWritable(dir) || worldWritable(dir.getParent())) {
                open.add(sys.shown(dir));
            }
            seen.add(dir.getFileName() + " (" + lock(sys, dir.resolve(".lock")) + ")");
        }
        return open.isEmpty() ? Finding.pass("state folder", stateRoot + ": " + String.join(", ", seen))
                : Finding.fail("state folder", String.join(", ", open) + " writable by anyone: the hooks would read a planted template",
                        "chmod 755 " + stateRoot + " and chmod 700 each project's folder");
    }

    /** Free, held (by whom, as the holder wrote it), or not checked without a live system. */
    private static String lock(Sysroot sys, Path file) {
        if (!Files.exists(file)) {
            return "never locked";
        }
        String label = sys.read(file);
        String who = label == null || label.isBlank() ? "a hook" : label.strip();
        if (!sys.live) {
            return "lock last taken by " + who;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, true); // shared: never blocks a hook that wants it
            if (l == null) {
                return "locked by " + who;
            }
            l.release();
            return "lock free";
        } catch (Exception e) {
            return "lock not readable";
        }
    }
}
