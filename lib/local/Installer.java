import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
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
    /** The agent refused the install (reported as UnknownError). */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final Path archive;
    private final Path cwd;
    private final String fileExistsBehavior;
    private final List<Instructions.Step> instructions = new ArrayList<>();
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
        Instructions.replayCleanup(layout.cleanupFile());
        Installer i = new Installer(archive, cwd, behavior);
        i.generate(spec);
        Disk.writeAtomically(layout.installFile(), Json.write(Map.of("instructions", i.instructions.stream().map(Instructions.Step::json).toList())));
        Instructions.run(i.instructions, layout.cleanupFile());
        return i.instructions.size();
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
        instructions.add(new Instructions.Step("copy", source.toString(), target, null, null, null));
        copyTargets.put(target, source.toString());
    }

    private void mkdir(String destination) {
        String target = expand(destination);
        if (copyTargets.containsKey(target)) {
            throw new Refused("The deployment failed because the application specification file includes an mkdir command more than once for the same destination path ("
                    + target + ") from (" + copyTargets.get(target) + "). Update the files section of the AppSpec file, and then try again.");
        }
        if (mkdirTargets.add(target)) {
            instructions.add(new Instructions.Step("mkdir", null, target, null, null, null));
        }
    }

    private void setPermissions(String object, AppSpec.Permission p) {
        if (!permissionTargets.add(object)) {
            throw new Refused("The deployment failed because the permissions setting for (" + object
                    + ") is specified more than once in the application specification file. Update the files section of the AppSpec file, and then try again.");
        }
        if (p.mode() != null) {
            instructions.add(new Instructions.Step("chmod", null, object, p.mode(), null, null));
        }
        if (p.owner() != null || p.group() != null) {
            instructions.add(new Instructions.Step("chown", null, object, null, p.owner(), p.group()));
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
