//DEPS org.apache.commons:commons-compress:1.28.0
//DEPS commons-io:commons-io:2.20.0

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Enumeration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Where a revision comes from and how it is unpacked, as the agent does it (DownloadBundle): a folder is copied as it
 * is; a zip, tar or tgz is linked (or, from S3, downloaded) as {@code bundle.tar} and unpacked into the revision
 * folder (tar by {@code /bin/tar -xpsf}, as the agent runs it; zip with its Unix modes and links, where the agent
 * runs {@code unzip -qo}); a revision whose only top-level entry is a folder holding the appspec is unwrapped.
 * The location is checked with codedeploy-local's own sentences; what the agent would report as a DownloadBundle
 * failure (a broken archive, an S3 error, an ETag that differs) is kept for that event.
 */
final class Fetch {
    enum Type { directory, zip, tar, tgz }

    /** A checked location: a local path or an S3 object ({@code s3://bucket/key?versionId=..&etag=..}). */
    record Source(String location, Type type, Path path, String bucket, String key, String version, String etag) {
        boolean s3() {
            return bucket != null;
        }

        /** The variables the agent adds for an S3 revision (none for a local one). */
        Map<String, String> bundleEnv(String downloadedEtag) {
            Map<String, String> env = new LinkedHashMap<>();
            if (s3()) {
                env.put("BUNDLE_BUCKET", bucket);
                env.put("BUNDLE_KEY", key);
                if (version != null) {
                    env.put("BUNDLE_VERSION", version);
                }
                String e = etag != null ? etag : downloadedEtag;
                if (e != null) {
                    env.put("BUNDLE_ETAG", e);
                }
            }
            return env;
        }
    }

    /** The revision unpacked in {@code dir}; {@code failure} is the agent's DownloadBundle message when it failed. */
    record Staged(Path dir, String etag, String failure) {}

    /** An S3 download: the object into {@code file}; returns its ETag. Failures are the SDK's one-line message. */
    interface S3Download {
        String get(Source source, Path file);
    }

    private Fetch() {}

    /** codedeploy-local's checks of {@code --bundle-location} and {@code --type}; the type follows the name when not given. */
    static Source source(String location, String type, Path cwd) {
        Type t = type == null ? null : parseType(type);
        if (location.startsWith("s3://")) {
            return s3(location, t);
        }
        if (location.startsWith("http://")) {
            throw new Cli.Fail(Cli.INPUT, "location " + location + " cannot be http, only encrypted (https) url endpoints supported");
        }
        if (location.startsWith("https://")) {
            throw new Cli.Fail(Cli.INPUT, "location " + location + " is a GitHub or web address, which deploy-local does not fetch",
                    "download it and give the file, or use s3://");
        }
        Path p = cwd.resolve(location).toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new Cli.Fail(Cli.INPUT, "location " + location + " is specified as a file or directory which does not exist");
        }
        Type inferred = Files.isDirectory(p) ? Type.directory : byName(p.getFileName().toString());
        t = t == null ? (inferred == null ? Type.zip : inferred) : t;
        if (t == Type.directory && !Files.isDirectory(p)) {
            throw new Cli.Fail(Cli.INPUT, "location " + location + " is specified with type directory but it is a file");
        }
        if (t != Type.directory && Files.isDirectory(p)) {
            throw new Cli.Fail(Cli.INPUT, "location " + location + " is specified as a compressed local file but it is a directory");
        }
        if (t == Type.directory && appspecIn(p) == null) {
            throw new Cli.Fail(Cli.INPUT, "Expecting appspec file at location " + p + "/appspec.yml or " + p + "/appspec.yaml but it is not found there. "
                    + "Please either run the CLI from within a directory containing the appspec.yml or appspec.yaml file or specify a bundle "
                    + "location containing an appspec.yml or appspec.yaml file in its root directory");
        }
        return new Source(location, t, p, null, null, null, null);
    }

    private static Source s3(String location, Type t) {
        String rest = location.substring("s3://".length());
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new Cli.Fail(Cli.INPUT, "location " + location + " is not s3://bucket/key");
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String kv : query == null ? new String[0] : query.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                params.put(kv.substring(0, eq), java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        String key = rest.substring(slash + 1);
        Type type = t != null ? t : byName(key);
        if (type == null || type == Type.directory) {
            throw new Cli.Fail(Cli.INPUT, "cannot tell the bundle type of " + location, "give --type zip, tar or tgz");
        }
        return new Source(location, type, null, rest.substring(0, slash), key, params.get("versionId"), params.get("etag"));
    }

    static Type parseType(String type) {
        try {
            return Type.valueOf(type);
        } catch (IllegalArgumentException e) {
            throw new Cli.Fail(Cli.INPUT, "type " + type + " is not a valid type. Must be one of tgz,tar,zip,directory");
        }
    }

    private static Type byName(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".zip") ? Type.zip : n.endsWith(".tgz") || n.endsWith(".tar.gz") ? Type.tgz : n.endsWith(".tar") ? Type.tar : null;
    }

    /** The appspec file of an unpacked revision: appspec.yml, else appspec.yaml (as agent 2.x), else null. */
    static Path appspecIn(Path dir) {
        for (String name : List.of("appspec.yml", "appspec.yaml")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        return null;
    }

    /** Fetches and unpacks the revision into {@code staging}, leaving {@code bundle.tar} beside it as the agent does. */
    static Staged stage(Source source, Path deploymentDir, Path staging, S3Download s3) {
        Path bundleFile = deploymentDir.resolve("bundle.tar");
        String etag = null;
        try {
            Files.createDirectories(staging);
            if (source.type() == Type.directory) {
                copyTree(source.path(), staging);
                return new Staged(staging, null, null);
            }
            if (source.s3()) {
                try {
                    etag = s3.get(source, bundleFile);
                } catch (Cli.Fail f) {
                    return new Staged(staging, null, f.getMessage());
                }
            } else {
                Files.createSymbolicLink(bundleFile, source.path());
            }
            String failure = source.type() == Type.zip ? unzip(bundleFile, staging) : untar(bundleFile, staging, source.type() == Type.tgz);
            if (failure == null) {
                hoist(staging, deploymentDir.resolve(".hoist"));
            }
            return new Staged(staging, etag, failure);
        } catch (IOException e) {
            return new Staged(staging, etag, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String untar(Path bundle, Path into, boolean gzip) {
        Proc.Result r = Proc.SYSTEM.run(List.of("/bin/tar", gzip ? "-zxpsf" : "-xpsf", bundle.toString(), "-C", into.toString()),
                java.time.Duration.ofMinutes(30), null);
        return r.ok() ? null : "Error extracting tar archive: " + r.exit();
    }

    private record Folder(Path path, int mode, long time) {}

    /** Unpacks a zip keeping Unix modes, times and symbolic links; an entry that would land outside is refused. */
    static String unzip(Path bundle, Path into) {
        List<Folder> folders = new java.util.ArrayList<>();
        try (ZipFile zip = ZipFile.builder().setPath(bundle).get()) {
            for (Enumeration<ZipArchiveEntry> en = zip.getEntries(); en.hasMoreElements(); ) {
                ZipArchiveEntry e = en.nextElement();
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into) || Path.of(e.getName()).isAbsolute()) {
                    return "Error extracting zip archive: entry " + e.getName() + " points outside the revision folder";
                }
                Files.createDirectories(e.isDirectory() ? target : target.getParent());
                if (!(e.isDirectory() ? target : target.getParent()).toRealPath().startsWith(into.toRealPath())) {
                    return "Error extracting zip archive: entry " + e.getName() + " goes through a link out of the revision folder";
                }
                if (e.isUnixSymlink()) {
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(zip.getUnixSymlink(e)));
                    continue;
                }
                if (!e.isDirectory()) {
                    try (InputStream in = zip.getInputStream(e)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                int mode = e.getUnixMode() & 0777;
                if (e.isDirectory()) {
                    folders.add(new Folder(target, e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? mode : 0, e.getTime()));
                    continue; // a read-only folder gets its mode after its files are in, as unzip does
                }
                if (e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX && mode != 0) {
                    Files.setPosixFilePermissions(target, permissions(mode));
                }
                Files.setLastModifiedTime(target, FileTime.fromMillis(e.getTime()));
            }
            folders.sort(java.util.Comparator.comparingInt((Folder f) -> f.path().getNameCount()).reversed()); // deepest first
            for (Folder f : folders) {
                if (f.mode() != 0) {
                    Files.setPosixFilePermissions(f.path(), permissions(f.mode()));
                }
                Files.setLastModifiedTime(f.path(), FileTime.fromMillis(f.time()));
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "Error extracting zip archive: " + e.getMessage();
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(order[i]);
            }
        }
        return set;
    }

    /** The agent's unwrapping: one top-level folder that holds an appspec file becomes the revision's root. */
    private static void hoist(Path dir, Path scratch) throws IOException {
        List<Path> top;
        try (Stream<Path> s = Files.list(dir)) {
            top = s.toList();
        }
        if (top.size() != 1 || !Files.isDirectory(top.get(0), LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        boolean hasAppspec;
        try (Stream<Path> s = Files.list(top.get(0))) {
            hasAppspec = s.anyMatch(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).contains("appspec"));
        }
        if (hasAppspec) {
            Files.move(top.get(0), scratch);
            Files.delete(dir);
            Files.move(scratch, dir);
        }
    }

    /** A folder copied as it is: modes and times kept, symbolic links kept as links. */
    static void copyTree(Path from, Path to) throws IOException {
        Function<Path, Path> dest = p -> to.resolve(from.relativize(p).toString());
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = dest.apply(p);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
