import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The agent's Install step: remove what the group's previous install created (its cleanup file, newest first, folders
 * only when empty), turn {@code files} and {@code permissions} into instructions (copy, mkdir, chmod, chown; written
 * to {@code <group>-install.json}), apply {@code file_exists_behavior} to files only, and run the instructions while
 * recording each created path in the new cleanup file. Every rule and sentence follows the agent's installer; paths
 * are made absolute as Ruby's {@code File.expand_path} makes them (against the working folder).
 */
final class Installer {
    /** One instruction, in the agent's install.json shape. */
    record Instruction(String type, String source, String target, String mode, String owner, String group) {
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

    /** The agent refused the install (reported as UnknownError). */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final Path archive;
    private final Path cwd;
    private final String fileExistsBehavior;
    private final List<Instruction> instructions = new ArrayList<>();
    private final Map<String, String> copyTargets = new LinkedHashMap<>();
    private final Set<String> mkdirTargets = new LinkedHashSet<>();
    private final Set<String> permissionTargets = new HashSet<>();

    private Installer(Path archive, Path cwd, String fileExistsBehavior) {
        this.archive = archive;
        this.cwd = cwd;
        this.fileExistsBehavior = fileExistsBehavior;
    }

    /** Install as the agent does; returns the number of instructions run. */
    static int install(Layout layout, Path archive, AppSpec spec, String deploymentBehavior, Path cwd) {
        String behavior = spec.fileExistsBehavior() != null ? spec.fileExistsBehavior() : deploymentBehavior;
        replayCleanup(layout.cleanupFile());
        Installer i = new Installer(archive, cwd, behavior);
        i.generate(spec);
        Layout.writeAtomically(layout.installFile(), Json.write(Map.of("instructions", i.instructions.stream().map(Instruction::json).toList())));
        try (Writer cleanup = Files.newBufferedWriter(layout.cleanupFile(), StandardCharsets.UTF_8)) {
            for (Instruction in : i.instructions) {
                execute(in, cleanup);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return i.instructions.size();
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

    private void generate(AppSpec spec) {
        for (AppSpec.FileMapping f : spec.files()) {
            Path source = archive.resolve(f.source().replaceFirst("^/+", ""));
            if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                fillInMissingAncestors(f.destination());
                directoryCopy(source, f.destination());
            } else {
                String destination = join(f.destination(), source.getFileName().toString());
                fillInMissingAncestors(destination);
                normalCopy(source, destination);
            }
        }
        for (AppSpec.Permission p : spec.permissions()) {
            String object = expand(p.object());
            if (copyTargets.containsKey(object)) {
                if (p.type().contains("file")) {
                    if (!"**".equals(p.pattern())) {
                        throw new Refused("The deployment failed because the application specification file includes an object (" + p.object()
                                + ") with an invalid pattern (" + p.pattern() + "), such as a pattern for a file applied to a directory. Correct the permissions section of the AppSpec file, and then try again.");
                    }
                    if (!p.except().isEmpty()) {
                        throw new Refused("The deployment failed because the except parameter for a pattern in the permissions section (" + rubyList(p.except())
                                + ") for the object named " + p.object() + " contains an invalid format. Update the AppSpec file, and then try again.");
                    }
                    setPermissions(object, p);
                }
            } else if (mkdirTargets.contains(object) || Files.isDirectory(Path.of(object))) {
                List<String> matches = new ArrayList<>();
                if (p.type().contains("file")) {
                    copyTargets.keySet().stream().filter(t -> Glob.matches(p, object, t)).forEach(matches::add);
                }
                if (p.type().contains("directory")) {
                    mkdirTargets.stream().filter(t -> Glob.matches(p, object, t)).forEach(matches::add);
                }
                matches.forEach(m -> setPermissions(m, p));
            }
        }
    }

    private void directoryCopy(Path source, String destination) {
        if (!Files.isDirectory(Path.of(expand(destination)))) {
            mkdir(destination);
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(source)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path entry : entries) {
            String target = join(destination, entry.getFileName().toString());
            if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                directoryCopy(entry, target);
            } else {
                normalCopy(entry, target);
            }
        }
    }

    private void normalCopy(Path source, String destination) {
        if (Files.exists(Path.of(expand(destination)), LinkOption.NOFOLLOW_LINKS)) {
            switch (fileExistsBehavior) {
                case "DISALLOW" -> throw new Refused("The deployment failed because a specified file already exists at this location: " + destination);
                case "OVERWRITE" -> copy(source, destination);
                default -> { } // RETAIN: the file there stays, nothing is copied
            }
        } else {
            copy(source, destination);
        }
    }

    private void fillInMissingAncestors(String destination) {
        List<String> missing = new ArrayList<>();
        Path parent = Path.of(expand(destination)).getParent();
        while (parent != null && parent.getParent() != null && !Files.exists(parent)) {
            missing.add(0, parent.toString());
            parent = parent.getParent();
        }
        missing.forEach(this::mkdir);
    }

    private void copy(Path source, String destination) {
        String target = expand(destination);
        if (copyTargets.containsKey(target)) {
            throw new Refused("The deployment failed because the application specification file specifies two source files named " + source + " and "
                    + copyTargets.get(target) + " for the same destination (" + target + "). Remove one of the source file paths from the AppSpec file, and then try again.");
        }
        if (mkdirTargets.contains(target)) {
            throw new Refused("The deployment failed because the application specification file calls for installing the file " + source
                    + ", but a file with that name already exists at the location (" + target + "). Update your AppSpec file or directory structure, and then try again.");
        }
        instructions.add(new Instruction("copy", source.toString(), target, null, null, null));
        copyTargets.put(target, source.toString());
    }

    private void mkdir(String destination) {
        String target = expand(destination);
        if (copyTargets.containsKey(target)) {
            throw new Refused("The deployment failed because the application specification file includes an mkdir command more than once for the same destination path ("
                    + target + ") from (" + copyTargets.get(target) + "). Update the files section of the AppSpec file, and then try again.");
        }
        if (mkdirTargets.add(target)) {
            instructions.add(new Instruction("mkdir", null, target, null, null, null));
        }
    }

    private void setPermissions(String object, AppSpec.Permission p) {
        if (!permissionTargets.add(object)) {
            throw new Refused("The deployment failed because the permissions setting for (" + object
                    + ") is specified more than once in the application specification file. Update the files section of the AppSpec file, and then try again.");
        }
        if (p.mode() != null) {
            instructions.add(new Instruction("chmod", null, object, p.mode(), null, null));
        }
        if (p.owner() != null || p.group() != null) {
            instructions.add(new Instruction("chown", null, object, null, p.owner(), p.group()));
        }
    }

    private static void execute(Instruction in, Writer cleanup) throws IOException {
        Path target = Path.of(in.target());
        switch (in.type()) {
            case "copy" -> {
                exists(target);
                cleanup.write(in.target() + "\n");
                cleanup.flush();
                Path source = Path.of(in.source());
                if (Files.isSymbolicLink(source)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(source));
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            case "mkdir" -> {
                exists(target);
                Files.createDirectory(target);
                cleanup.write(in.target() + "\n");
                cleanup.flush();
            }
            case "chmod" -> Files.setPosixFilePermissions(target, Fetch.permissions(Integer.parseInt(in.mode(), 8)));
            default -> chown(target, in.owner(), in.group());
        }
    }

    private static void exists(Path target) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new Refused("The deployment failed because a specified file already exists at this location: " + target + ".");
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
            throw new Refused("can't find user for " + owner);
        }
        try {
            if (group != null) {
                GroupPrincipal g = users.lookupPrincipalByGroupName(group);
                view.setGroup(g);
            }
        } catch (UserPrincipalNotFoundException e) {
            throw new Refused("can't find group for " + group);
        }
    }

    /** Ruby's {@code File.expand_path}: absolute against the working folder, with . and .. resolved. */
    private String expand(String path) {
        return cwd.resolve(path).toAbsolutePath().normalize().toString();
    }

    private static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    private static String rubyList(List<String> items) {
        return "[" + String.join(", ", items.stream().map(s -> "\"" + s + "\"").toList()) + "]";
    }

    /** The agent's permission matching: a name under the object, {@code **} for all, else a one-level {@code *} glob. */
    static final class Glob {
        private Glob() {}

        static boolean matches(AppSpec.Permission p, String object, String name) {
            String base = object.endsWith("/") ? object : object + "/";
            if (!name.startsWith(base)) {
                return false;
            }
            String rel = name.substring(base.length());
            boolean pattern = "**".equals(p.pattern()) || simple(rel, p.pattern());
            return pattern && p.except().stream().noneMatch(e -> simple(rel, e));
        }

        /** {@code *} matches any run of characters; a name with a '/' never matches. */
        static boolean simple(String name, String pattern) {
            if (name.contains("/")) {
                return false;
            }
            StringBuilder re = new StringBuilder();
            for (String part : pattern.split("\\*", -1)) {
                re.append(java.util.regex.Pattern.quote(part)).append(".*");
            }
            return name.matches(re.substring(0, re.length() - 2));
        }
    }
}
