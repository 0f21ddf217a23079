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

    /** The file at {@code absolute} on the instance: itself when live, else beneath the sysroot. */
    Path path(String absolute) {
        return live ? Path.of(absolute) : dir.resolve(absolute.replaceFirst("^/+", ""));
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

    static String read(Path file) {
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
        try (var s = Files.list(path(absolute))) {
            s.sorted().forEach(out::add);
        } catch (IOException | SecurityException e) {
            // absent or unreadable: nothing to list
        }
        return out;
    }
}
