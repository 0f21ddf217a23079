import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The install steps on disk, as the agent runs them: copy, mkdir, chmod and chown in order, each created path written
 * to the group's cleanup file before (copy) or after (mkdir) it is made, so that the next install removes exactly
 * what this one created, even after a crash half way.
 */
final class Instructions {
    private Instructions() {}

    /** One instruction, in the agent's install.json shape. */
    record Step(String type, String source, String target, String mode, String owner, String group) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", type);
            switch (type) {
                case "copy" -> {
                    m.put("source", source);
                    m.put("destination", target);
                }
                case "mkdir" -> m.put("directory", target);
                case "chmod" -> {
                    m.put("mode", mode);
                    m.put("file", target);
                }
                default -> {
                    m.put("owner", owner);
                    m.put("group", group);
                    m.put("file", target);
                }
            }
            return m;
        }
    }

    /** Runs the steps, recording what they create in {@code cleanupFile}. */
    static void run(List<Step> steps, Path cleanupFile) {
        try (Writer cleanup = Files.newBufferedWriter(cleanupFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            for (Step in : steps) {
                execute(in, cleanup);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The previous install's paths removed newest first; a folder only when empty; a half-written last line dropped. */
    static void replayCleanup(Path cleanupFile) {
        if (!Files.exists(cleanupFile)) {
            return;
        }
        try {
            String text = Files.readString(cleanupFile, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(text.lines().toList());
            if (!text.isEmpty() && !text.endsWith("\n")) {
                lines.remove(lines.size() - 1);
            }
            Collections.reverse(lines);
            for (String line : lines) {
                if (line.startsWith("semanage\0")) {
                    continue; // an SELinux label the agent set: deploy-local sets none, and removes none
                }
                Path p = Path.of(line.strip());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> s = Files.list(p)) {
                        if (s.findAny().isPresent()) {
                            continue; // someone put files there: the agent's rmdir fails too, and the folder stays
                        }
                    }
                }
                Files.deleteIfExists(p);
            }
            Files.delete(cleanupFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void execute(Step in, Writer cleanup) throws IOException {
        Path target = Path.of(in.target());
        switch (in.type()) {
            case "copy" -> { // a file there is one OVERWRITE replaces: the installer made no copy otherwise
                cleanup.write(in.target() + "\n");
                cleanup.flush();
                Path source = Path.of(in.source());
                if (Files.isSymbolicLink(source)) {
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Files.readSymbolicLink(source));
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            case "mkdir" -> {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new Installer.Refused("The deployment failed because a specified file already exists at this location: " + target + ".");
                }
                Files.createDirectory(target);
                cleanup.write(in.target() + "\n");
                cleanup.flush();
            }
            case "chmod" -> chmod(target, in.mode());
            default -> chown(target, in.owner(), in.group());
        }
    }

    /** The agent's {@code File.chmod(mode.to_i(8))}: all twelve bits, setuid, setgid and sticky included. */
    private static void chmod(Path target, String mode) throws IOException {
        int bits = Integer.parseInt(mode, 8);
        if (bits <= 0777) {
            Files.setPosixFilePermissions(target, Fetch.permissions(bits));
            return;
        }
        Proc.Result r = Proc.SYSTEM.run(java.util.List.of("chmod", mode, "--", target.toString()), java.time.Duration.ofSeconds(30), null);
        if (!r.ok()) {
            throw new IOException("chmod " + mode + " " + target + ": " + r.reason());
        }
    }

    private static void chown(Path target, String owner, String group) throws IOException {
        UserPrincipalLookupService users = target.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        try {
            if (owner != null) {
                view.setOwner(users.lookupPrincipalByName(owner));
            }
        } catch (UserPrincipalNotFoundException e) {
            throw new Installer.Refused("can't find user for " + owner);
        }
        try {
            if (group != null) {
                GroupPrincipal g = users.lookupPrincipalByGroupName(group);
                view.setGroup(g);
            }
        } catch (UserPrincipalNotFoundException e) {
            throw new Installer.Refused("can't find group for " + group);
        }
    }
}
