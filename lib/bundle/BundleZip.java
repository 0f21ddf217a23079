//DEPS org.apache.commons:commons-compress:1.28.0

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.Zip64Mode;

/**
 * The deployment zip: which files of the kit a bundle needs (computed from appspec.yml, never listed by hand) and a
 * byte-for-byte reproducible archive of them that keeps each file's Unix mode (the agent unpacks with
 * {@code unzip}, which restores it, so launchers stay executable).
 */
final class BundleZip {
    /** One archive member: path inside the zip ('/'-separated), bytes, Unix permission bits. */
    record Entry(String name, byte[] content, int mode) {}

    /** {@code "$(dirname -- "$0")/launch" pull} and {@code $(dirname "$0")/x.sh}: a file beside the launcher, and its first argument. */
    private static final Pattern SIBLING =
            Pattern.compile("\\$\\(dirname (?:-- )?\"?\\$0\"?\\)/([A-Za-z0-9._/-]+)\"?(?:[ \\t]+([A-Za-z0-9_][A-Za-z0-9_.-]*))?");
    private static final Pattern DIRECTIVE = Pattern.compile("^//(SOURCES|FILES)[ \\t]+(.*)$");
    /** 1980-01-01 00:00 local time: the first instant a zip (DOS) timestamp can hold, identical in every time zone. */
    private static final long FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();

    private BundleZip() {}

    /**
     * The files under {@code root} that the hooks named in {@code spec} need: each location; for a launcher, each file
     * it runs beside itself ({@code "$(dirname -- "$0")/launch" NAME} also needs {@code NAME.java} there); for a Java
     * script, its {@code //SOURCES} (recursively, each relative to the file naming it) and {@code //FILES}.
     * Sorted, '/'-separated, relative to {@code root}. A missing file fails with the file that names it.
     */
    static TreeSet<String> closure(Path root, AppSpec spec) {
        TreeSet<String> found = new TreeSet<>();
        Deque<String[]> todo = new ArrayDeque<>(); // {relative path, who named it}
        for (Map.Entry<String, List<AppSpec.Script>> e : spec.hooks().entrySet()) {
            for (AppSpec.Script s : e.getValue()) {
                String rel = s.location().replaceFirst("^/+", "");
                todo.add(new String[] {rel, "appspec.yml (" + e.getKey() + ")"});
            }
        }
        while (!todo.isEmpty()) {
            String[] next = todo.poll();
            String rel = normalize(root, next[0], next[1]);
            Path file = root.resolve(rel);
            if (!Files.isRegularFile(file)) {
                String agent = next[1].startsWith("appspec.yml")
                        ? " (on the instance: \"" + AppSpec.scriptMissing("<deployment-archive>/" + rel) + "\")" : "";
                throw new Cli.Fail(Cli.INPUT, next[1] + " names " + rel + ", which is not in " + root + agent,
                        "add the file or fix the reference; nothing was built or uploaded");
            }
            refuseLinks(root, rel);
            if (!found.add(rel)) {
                continue;
            }
            String dir = rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/') + 1) : "";
            String text = read(file);
            if (rel.endsWith(".java")) {
                for (String line : text.lines().toList()) {
                    Matcher m = DIRECTIVE.matcher(line.strip());
                    if (!m.matches()) {
                        continue;
                    }
                    for (String token : m.group(2).strip().split("\\s+")) {
                        String source = token.contains("=") ? token.substring(token.indexOf('=') + 1) : token;
                        if (!source.isEmpty()) {
                            todo.add(new String[] {dir + source, rel + " (//" + m.group(1) + " " + token + ")"});
                        }
                    }
                }
            } else if (text.startsWith("#!")) {
                Matcher m = SIBLING.matcher(text);
                while (m.find()) {
                    todo.add(new String[] {dir + m.group(1), rel});
                    if (m.group(2) != null) {
                        todo.add(new String[] {dir + m.group(2) + ".java", rel + " (runs " + m.group(1) + " " + m.group(2) + ")"});
                    }
                }
            }
        }
        return found;
    }

    /** A link anywhere on the way from the kit to {@code rel} would ship whatever it points at: refused, by its path. */
    static void refuseLinks(Path root, String rel) {
        Path at = root;
        for (Path part : Path.of(rel)) {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at)) {
                throw new Cli.Fail(Cli.INPUT, root.relativize(at) + " in " + root + " is a symbolic link, which the bundle does not ship",
                        "put the file itself there (links may point outside the kit)");
            }
        }
    }

    private static String normalize(Path root, String rel, String namedBy) {
        Path p = Path.of(rel).normalize();
        if (p.isAbsolute() || p.startsWith("..") || p.toString().isEmpty()) {
            throw new Cli.Fail(Cli.INPUT, namedBy + " names " + rel + ", which is outside the bundle folder " + root,
                    "keep hooks and what they use inside the bundle");
        }
        return p.toString().replace('\\', '/');
    }

    /** An entry for {@code root/rel} with Git's two modes: 0755 when the owner may execute it, else 0644. */
    static Entry file(Path root, String rel) {
        Path f = root.resolve(rel);
        refuseLinks(root, rel);
        try {
            boolean exec;
            try {
                exec = Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS).contains(PosixFilePermission.OWNER_EXECUTE);
            } catch (UnsupportedOperationException e) {
                exec = Files.isExecutable(f);
            }
            return new Entry(rel, Files.readAllBytes(f), exec ? 0755 : 0644);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Entry text(String name, String content) {
        return new Entry(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    /** The zip: entries sorted by name, fixed timestamps, no extra fields, deflate level 9, Unix modes kept. */
    static byte[] write(List<Entry> entries) {
        TreeMap<String, Entry> sorted = new TreeMap<>();
        for (Entry e : entries) {
            if (sorted.put(e.name, e) != null) {
                throw new IllegalArgumentException("two bundle entries named " + e.name);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            zip.setEncoding("UTF-8");
            zip.setUseZip64(Zip64Mode.Never);
            zip.setMethod(ZipArchiveOutputStream.DEFLATED);
            zip.setLevel(Deflater.BEST_COMPRESSION);
            zip.setCreateUnicodeExtraFields(ZipArchiveOutputStream.UnicodeExtraFieldPolicy.NEVER);
            for (Entry e : sorted.values()) {
                ZipArchiveEntry z = new ZipArchiveEntry(e.name);
                z.setTime(FIXED_TIME);
                z.setUnixMode(0100000 | (e.mode & 07777)); // regular file + permission bits
                z.setSize(e.content.length);
                zip.putArchiveEntry(z);
                zip.write(e.content);
                zip.closeArchiveEntry();
            }
            zip.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // a binary file pulls nothing in
        }
    }
}
