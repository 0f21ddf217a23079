import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files as every side writes and removes them: replaced atomically and durably, trees removed without following links. */
final class Disk {
    private Disk() {}

    /** Replaces {@code target} atomically and durably; a failed write (a full disk) leaves no temporary file behind. */
    static void writeAtomically(Path target, String content) {
        writeAtomically(target, content.getBytes(StandardCharsets.UTF_8));
    }

    static void writeAtomically(Path target, byte[] content) {
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
                ch.write(ByteBuffer.wrap(content));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true); // the rename itself survives a power cut
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot write " + target + " (" + e.getMessage() + ")",
                    "run as root, or make " + target.getParent() + " writable, with free space");
        } finally {
            if (tmp != null) {
                tmp.toFile().delete();
            }
        }
    }

    /** Removes a tree without following symbolic links out of it; what cannot be removed is left. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // a tree being removed by someone else, or unreadable: what is left stays
        }
    }

    /** Whether this process runs as root (the owner of /proc/self is the effective user). */
    static boolean root() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
