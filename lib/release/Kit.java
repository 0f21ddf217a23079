import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a release bundles: appspec.yml (checked with the agent's rules), the compose template and exactly the hook files
 * appspec.yml needs, checked with the hooks' own code before anything is built or uploaded. The kit comes from
 * {@code --source} (or {@code CDEPLOY_SOURCE}), else the working folder when it holds appspec.yml, else the copy that
 * {@code //FILES kit/...} put inside this command's jar.
 */
record Kit(Path dir, AppSpec spec, TreeSet<String> files, Path template, Settings settings) {
    /** The bundle: the zip's bytes, their SHA-256 (hex), its S3 key and the files in it, sorted. */
    record Zip(byte[] bytes, String sha256, String key, List<String> files) {}

    /** The kit's folder: {@code source} when given, the working folder when it holds appspec.yml, else the shipped kit. */
    static Path find(Path source, Path cwd, Log log) {
        if (source != null) {
            if (!Files.isRegularFile(source.resolve(Bundle.APPSPEC))) {
                throw new Cli.Fail(Cli.INPUT, "no " + Bundle.APPSPEC + " in " + source, "point --source at the folder with appspec.yml and hooks/");
            }
            return source;
        }
        if (Files.isRegularFile(cwd.resolve(Bundle.APPSPEC))) {
            return cwd.toAbsolutePath();
        }
        Path shipped = extract();
        if (shipped == null) {
            throw new Cli.Fail(Cli.INPUT, "no appspec.yml in " + cwd.toAbsolutePath() + " and no kit inside this command's jar",
                    "pass --source with the folder that holds appspec.yml and hooks/ (a jar without its kit comes from two "
                            + "JBang builds racing in one cache: jbang build --fresh scripts/release.java)");
        }
        log.info("release: using the kit shipped with this command (appspec.yml, compose.yml, hooks/, lib/)");
        return shipped;
    }

    /**
     * The kit at {@code dir}, checked: appspec.yml valid and naming only events the agent runs, every file the hooks
     * need present, the template ({@code compose}, else the kit's compose.yml) rendering with its app service, and the
     * ValidateService timeout holding the health wait plus a rollback.
     */
    static Kit check(Path dir, Path compose, Settings settings, Log log) {
        Path appspec = dir.resolve(Bundle.APPSPEC);
        AppSpec spec;
        try {
            spec = AppSpec.load(appspec);
        } catch (AppSpec.Invalid e) {
            throw new Cli.Fail(Cli.INPUT, appspec + ": " + e.getMessage(), "nothing was built or uploaded");
        }
        if (!spec.unknownEvents().isEmpty()) {
            throw new Cli.Fail(Cli.INPUT, appspec + ": " + AppSpec.unknownEventsMessage(spec.unknownEvents()),
                    "the agent would never run them; use " + String.join(", ", AppSpec.SCRIPTABLE_EVENTS));
        }
        for (String event : spec.hooks().keySet()) {
            if (spec.totalTimeout(event) > AppSpec.DEFAULT_TIMEOUT) {
                log.info("release: warning: %s scripts may take %d s together; CodeDeploy fails an event after 3600 s", event, spec.totalTimeout(event));
            }
        }
        TreeSet<String> files = BundleZip.closure(dir, spec);
        Path template = compose != null ? compose : dir.resolve(Bundle.TEMPLATE);
        if (!Files.isRegularFile(template)) {
            throw new Cli.Fail(Cli.INPUT, "no compose template at " + template, "pass --compose or add compose.yml to " + dir);
        }
        com.fasterxml.jackson.databind.node.ObjectNode rendered = Template.render(template, Plan.PROBE_IMAGE, settings);
        Template.healthDeadline(spec, rendered, settings);
        Proxy.checkTemplate(rendered, settings);
        return new Kit(dir, spec, files, template, settings);
    }

    /** The bundle for {@code manifest}: the hook files, appspec.yml, the template, image.txt and release.json. */
    Zip zip(Manifest manifest, Function<String, String> keyOfSha256) {
        List<BundleZip.Entry> entries = new ArrayList<>();
        for (String f : files) {
            entries.add(BundleZip.file(dir, f));
        }
        entries.add(BundleZip.file(dir, Bundle.APPSPEC));
        entries.add(BundleZip.text(Bundle.TEMPLATE, Bundle.read(template)));
        entries.add(BundleZip.text(Bundle.IMAGE_FILE, manifest.image() + "\n"));
        entries.add(BundleZip.text(Bundle.MANIFEST, manifest.json()));
        byte[] bytes = BundleZip.write(entries);
        String sha = sha256(bytes);
        List<String> names = entries.stream().map(BundleZip.Entry::name).sorted().toList();
        return new Zip(bytes, sha, keyOfSha256.apply(sha), names);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The kit that //FILES put into this command's jar under kit/, unpacked to a temporary folder; null when there is none. */
    static Path extract() {
        try {
            URI where = Kit.class.getProtectionDomain().getCodeSource().getLocation().toURI();
            Path jar = Path.of(where);
            if (!Files.isRegularFile(jar)) {
                return null;
            }
            Path dir = Files.createTempDirectory("release-kit");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Disk.deleteTree(dir)));
            boolean any = false;
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (ZipEntry e : Collections.list(zip.entries())) {
                    Path target = dir.resolve(e.getName().substring(Math.min(4, e.getName().length()))).normalize();
                    if (!e.getName().startsWith("kit/") || e.isDirectory() || !target.startsWith(dir)) {
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    byte[] bytes = zip.getInputStream(e).readAllBytes();
                    Files.write(target, bytes);
                    // a jar keeps no modes: a file that starts with #! is a launcher
                    if (bytes.length > 1 && bytes[0] == '#' && bytes[1] == '!') {
                        target.toFile().setExecutable(true, false);
                    }
                    any = true;
                }
            }
            return any ? dir : null;
        } catch (Exception e) {
            return null;
        }
    }

}
