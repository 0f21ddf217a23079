import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where doctor reads an instance: {@code /} itself (live: processes, the Docker socket and disks may be asked too),
 * or a copy of one under {@code --sysroot DIR}, where every absolute path is read beneath DIR and the checks that
 * need a live system are skipped. Reading never fails a check by itself: an absent or unreadable file reads as null.
 */
final class Sysroot {
    /** A log's newest part is what matters; this much of each file is read at most. */
    static final int TAIL_BYTES = 2 << 20;
    final Path dir;
    final boolean live;

    Sysroot(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        this.live = this.dir.getNameCount() == 0;
    }

    /** Paths that exist but could not be read (not root?): a check that read nothing must not pass silently. */
    final java.util.Set<String> denied = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The file at {@code absolute} on the instance: itself when live; else beneath the sysroot, its links followed as
     * the instance would follow them (an absolute target is re-rooted in the copy, never this machine's file).
     */
    Path path(String absolute) {
        return live ? Path.of(absolute) : within(absolute.replaceFirst("^/+", ""), 0);
    }

    private Path within(String relative, int hops) {
        Path at = dir;
        List<String> parts = new ArrayList<>(List.of(relative.split("/+")));
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            Path next = part.equals("..") ? (at.equals(dir) ? dir : at.getParent()) : at.resolve(part); // ".." stops at the root, as in a chroot
            if (hops < 40 && Files.isSymbolicLink(next)) {
                try {
                    String target = Files.readSymbolicLink(next).toString();
                    String rest = String.join("/", parts.subList(i + 1, parts.size()));
                    String base = target.startsWith("/") ? "" : dir.relativize(at).toString();
                    return within((base.isEmpty() ? "" : base + "/") + target.replaceFirst("^/+", "") + (rest.isEmpty() ? "" : "/" + rest), hops + 1);
                } catch (IOException e) {
                    return next;
                }
            }
            at = next;
        }
        return at;
    }

    /** The instance's absolute path of a file found beneath the sysroot (for messages). */
    String shown(Path p) {
        return live ? p.toString() : "/" + dir.relativize(p);
    }

    boolean exists(String absolute) {
        return Files.exists(path(absolute));
    }

    /** The file's text (its last {@link #TAIL_BYTES} when longer), or null when absent or unreadable. */
    String read(String absolute) {
        return read(path(absolute));
    }

    /** A file found beneath the sysroot (listed, or named by a marker): read through the copy's own links. */
    String read(Path file) {
        Path p = live || !file.startsWith(dir) ? file : within(dir.relativize(file).toString(), 0);
        if (!Files.isRegularFile(p)) { // a FIFO or a device would block or never end
            return null;
        }
        if (!Files.isReadable(p)) {
            denied.add(shown(p));
            return null;
        }
        return readFile(p);
    }

    private static String readFile(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, f.length() - TAIL_BYTES);
            byte[] b = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(b);
            String text = new String(b, StandardCharsets.UTF_8);
            return from == 0 ? text : text.substring(Math.min(text.length(), text.indexOf('\n') + 1)); // whole lines only
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** Users and their home folders from /etc/passwd: root first, then those with a home under /home. */
    Map<String, String> homes() {
        Map<String, String> homes = new LinkedHashMap<>();
        homes.put("root", "/root");
        String passwd = read("/etc/passwd");
        List<String> lines = passwd == null ? List.of() : passwd.lines().toList();
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length >= 7 && (f[0].equals("root") || f[5].startsWith("/home/"))) {
                homes.put(f[0], f[5]);
            }
        }
        if (passwd == null) {
            for (Path home : list("/home")) {
                homes.putIfAbsent(home.getFileName().toString(), "/home/" + home.getFileName());
            }
        }
        return homes;
    }

    /** The entries of a folder on the instance, sorted; none when it is absent. */
    List<Path> list(String absolute) {
        List<Path> out = new ArrayList<>();
        Path folder = path(absolute);
        try (var s = Files.list(folder)) {
            s.sorted().forEach(out::add);
        } catch (java.nio.file.AccessDeniedException e) {
            denied.add(shown(folder));
        } catch (IOException | SecurityException e) {
            // absent: nothing to list
        }
        return out;
    }
}
