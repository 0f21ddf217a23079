import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CodeDeploy agent's deployment root, laid out as the agent lays it out, so that what deploy-local leaves is
 * what an operator (and doctor) finds on an instance: {@code <root>/<group id>/<deployment id>/} holding
 * {@code bundle.tar}, {@code deployment-archive/} and {@code logs/scripts.log}; {@code deployment-instructions/}
 * holding {@code <group id>_last_successful_install} and {@code _most_recent_install} (one line: the deployment
 * folder), {@code <group id>-cleanup} and {@code <group id>-install.json}; {@code ongoing-deployment/<id>} while a
 * deployment runs; {@code deployment-logs/codedeploy-agent-deployments.log}.
 */
final class Layout {
    /** The agent's {@code :max_revisions:} default: deployment folders kept per group, the new one included. */
    static final int MAX_REVISIONS = 5;
    static final String BASE_AS_ROOT = "/var/lib/cdeploy-local";
    static final String DEFAULT_GROUP = "default-local-deployment-group";
    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    final Path root;
    final String group;

    Layout(Path root, String group) {
        this.root = root.toAbsolutePath().normalize();
        this.group = group;
    }

    /**
     * The folder local deployments (and release --local's revisions) live in: {@code CDEPLOY_LOCAL_ROOT} when set;
     * as root our own folder, never the real agent's {@code /opt/codedeploy-agent}, so an agent on the same host is
     * not disturbed; as any other user under {@code $XDG_DATA_HOME} (default {@code ~/.local/share}).
     */
    static Path base(boolean root, Map<String, String> env) {
        String given = Cli.first(env.get("CDEPLOY_LOCAL_ROOT"));
        if (given != null) {
            return Path.of(given).toAbsolutePath();
        }
        return root ? Path.of(BASE_AS_ROOT) : xdg(env, "XDG_DATA_HOME", ".local/share").resolve("cdeploy-local");
    }

    /** The deployment root when {@code --deployment-root} is not given: {@code deployment-root} in {@link #base}. */
    static Path defaultRoot(boolean root, Map<String, String> env) {
        return base(root, env).resolve("deployment-root");
    }

    /** The hooks' state folder for a user without root: {@code $XDG_STATE_HOME/cdeploy} (default ~/.local/state). */
    static Path defaultStateDir(Map<String, String> env) {
        return xdg(env, "XDG_STATE_HOME", ".local/state").resolve("cdeploy");
    }

    private static Path xdg(Map<String, String> env, String variable, String fallback) {
        String dir = Cli.first(env.get(variable));
        if (dir != null && Path.of(dir).isAbsolute()) {
            return Path.of(dir);
        }
        String home = Cli.first(env.get("HOME"), System.getProperty("user.home"));
        return Path.of(home).resolve(fallback);
    }

    /** codedeploy-local's ids: {@code d-} and nine letters or digits, then {@code -local}. */
    static String newDeploymentId() {
        SecureRandom r = new SecureRandom();
        StringBuilder id = new StringBuilder("d-");
        for (int i = 0; i < 9; i++) {
            id.append(ID_CHARS.charAt(r.nextInt(ID_CHARS.length())));
        }
        return id.append("-local").toString();
    }

    Path groupDir() {
        return root.resolve(group);
    }

    Path deploymentDir(String id) {
        return groupDir().resolve(id);
    }

    static Path archive(Path deploymentDir) {
        return deploymentDir.resolve("deployment-archive");
    }

    static Path scriptsLog(Path deploymentDir) {
        return deploymentDir.resolve("logs/scripts.log");
    }

    Path instructions() {
        return root.resolve("deployment-instructions");
    }

    Path cleanupFile() {
        return instructions().resolve(group + "-cleanup");
    }

    Path installFile() {
        return instructions().resolve(group + "-install.json");
    }

    Path deploymentsLog() {
        return root.resolve("deployment-logs/codedeploy-agent-deployments.log");
    }

    Path ongoing(String id) {
        return root.resolve("ongoing-deployment").resolve(id);
    }

    /** The folder the last successful install of the group left, if its marker names one (in this group: else refused). */
    Optional<Path> lastSuccessful() {
        Optional<Path> dir = marker("_last_successful_install");
        if (dir.isPresent() && !dir.get().normalize().startsWith(groupDir())) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "the last-successful marker of group " + group + " names " + dir.get() + ", outside " + groupDir(),
                    "remove " + instructions().resolve(group + "_last_successful_install") + " if nobody should run that revision's stop scripts");
        }
        return dir;
    }

    /**
     * The root, its instructions and the group's folder (made here with mode 755 when missing) are this user's and
     * not writable by others, and every folder above them is owned by root or this user and, when others may write to
     * it, sticky (as /tmp): else another user could plant a marker or a cleanup list that deploy-local would follow
     * with this user's rights. Refused with one line (exit 4).
     */
    void prepare() {
        try {
            int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            for (Path p = root.getParent(); p != null; p = p.getParent()) {
                if (Files.exists(p) && ((uid(p) != 0 && uid(p) != me) || ((mode(p) & 02) != 0 && (mode(p) & 01000) == 0))) {
                    throw unsafe(p, "may be changed by another user");
                }
            }
            for (Path p : List.of(root, instructions(), groupDir())) {
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(p);
                    Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                if (Files.isSymbolicLink(p) || uid(p) != me || (mode(p) & 02) != 0) {
                    throw unsafe(p, "is not this user's, or others may write to it");
                }
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot inspect the deployment root " + root + " (" + e.getMessage() + ")", "give another --deployment-root");
        }
    }

    private Cli.Fail unsafe(Path p, String why) {
        return new Cli.Fail(Cli.ENVIRONMENT, "the deployment root " + root + " is not safe: " + p + " " + why,
                "give a --deployment-root that only this user can write (e.g. under your home), or fix the owner and mode");
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    void markLastSuccessful(Path deploymentDir) {
        mark("_last_successful_install", deploymentDir);
    }

    void markMostRecent(Path deploymentDir) {
        mark("_most_recent_install", deploymentDir);
    }

    private Optional<Path> marker(String suffix) {
        Path file = instructions().resolve(group + suffix);
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(Path.of(text));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line, no newline, replaced atomically (a crash leaves the old marker or the new one, never half). */
    private void mark(String suffix, Path deploymentDir) {
        Disk.writeAtomically(instructions().resolve(group + suffix), deploymentDir.toString());
    }

    /**
     * The agent's pruning at DownloadBundle: the group's oldest deployment folders (by modification time) go, so that
     * at most {@link #MAX_REVISIONS} remain with the new one; the last successful one is never removed.
     */
    List<Path> prune(Path current, int maxRevisions) {
        List<Path> others = new ArrayList<>();
        try (Stream<Path> s = Files.list(groupDir())) {
            s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !p.equals(current)).forEach(others::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int extra = others.size() - maxRevisions + 1;
        if (extra <= 0) {
            return List.of();
        }
        lastSuccessful().ifPresent(others::remove);
        List<Path> oldest = others.stream().sorted(Comparator.comparing(Layout::mtime).thenComparing(Path::toString)).limit(extra).toList();
        oldest.forEach(Disk::deleteTree);
        return oldest;
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * One deployment at a time per group and root: a lock the operating system drops when the process ends. A second
     * run fails at once naming the holder (the agent, too, runs one deployment of a group at a time).
     */
    AutoCloseable lock(String deploymentId) {
        Path file = instructions().resolve("." + group + ".lock");
        try {
            Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            if (l == null) {
                ch.close();
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                throw new Cli.Fail(Cli.ENVIRONMENT, "another deploy-local is deploying group " + group + " in " + root + " (" + holder + ")",
                        "let it finish, or give another --deployment-group or --deployment-root");
            }
            ch.truncate(0).write(java.nio.ByteBuffer.wrap((deploymentId + " pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
            return () -> {
                l.release();
                ch.close();
            };
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot use the deployment root " + root + " (" + e.getMessage() + ")",
                    "give a writable --deployment-root, or run as root");
        }
    }
}
