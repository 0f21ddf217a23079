import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A deployment bundle as CodeDeploy unpacks it on the instance: {@code image.txt} (one image reference, the
 * original contract), {@code release.json} (the {@link Manifest}: version, commit, image and the settings the hooks
 * need), {@code compose.yml} (the compose template) and {@code appspec.yml}. When both image files are present the
 * manifest is authoritative and {@code image.txt} must agree with it.
 */
record Bundle(Path dir, String version, String commit, String time, ImageRef image, Settings settings) {
    static final String IMAGE_FILE = "image.txt";
    static final String MANIFEST = Manifest.FILE;
    static final String TEMPLATE = "compose.yml";
    static final String APPSPEC = "appspec.yml";
    static final String STATE_ROOT = "/var/lib/cdeploy";

    /** Reads and checks the bundle at {@code dir}. */
    static Bundle load(Path dir) {
        Path imageFile = dir.resolve(IMAGE_FILE);
        Path manifest = dir.resolve(MANIFEST);
        boolean hasImage = Files.isRegularFile(imageFile);
        boolean hasManifest = Files.isRegularFile(manifest);
        if (Files.isRegularFile(dir)) {
            throw new Cli.Fail(Cli.INPUT, "--bundle " + dir + " is a file, not an unpacked bundle",
                    "pass the deployment's unpacked folder: <deployment root>/<group id>/<deployment id>/deployment-archive");
        }
        if (!Files.isDirectory(dir)) {
            throw new Cli.Fail(Cli.INPUT, "bundle folder " + dir + " does not exist", "pass --bundle with an unpacked bundle");
        }
        if (!hasImage && !hasManifest) {
            throw new Cli.Fail(Cli.INPUT, "no " + IMAGE_FILE + " or " + MANIFEST + " in the bundle at " + dir,
                    "build the bundle with 'jbang release', or run the hook from inside an unpacked bundle");
        }
        if (!hasManifest) {
            return new Bundle(dir, null, null, null, ImageRef.parse(read(imageFile), imageFile.toString()), Settings.DEFAULTS);
        }
        Manifest m = Manifest.read(manifest);
        ImageRef image = ImageRef.parse(m.image(), manifest + " (field 'image')");
        if (hasImage) {
            String listed = read(imageFile).strip();
            if (!listed.equals(image.toString())) {
                throw new Cli.Fail(Cli.INPUT, IMAGE_FILE + " says '" + listed + "' but " + MANIFEST + " says '" + image + "'",
                        "rebuild the bundle so that both name the same image");
            }
        }
        return new Bundle(dir, m.version(), m.commit(), m.time(), image, m.settings());
    }

    /** Whether {@code dir} holds a bundle at all (stop works without one). */
    static boolean isBundle(Path dir) {
        return Files.isRegularFile(dir.resolve(IMAGE_FILE)) || Files.isRegularFile(dir.resolve(MANIFEST));
    }

    Path template() {
        Path t = dir.resolve(TEMPLATE);
        if (!Files.isRegularFile(t)) {
            throw new Cli.Fail(Cli.INPUT, "no compose template " + TEMPLATE + " in the bundle at " + dir,
                    "add one (the repository's compose.yml is the default) and release again");
        }
        return t;
    }

    /** The bundle's appspec.yml; {@code null} when it has none (a hook run by hand in a bare folder). */
    AppSpec appSpec() {
        Path appspec = dir.resolve(APPSPEC);
        if (!Files.isRegularFile(appspec)) {
            return null;
        }
        try {
            return AppSpec.load(appspec);
        } catch (AppSpec.Invalid e) {
            throw new Cli.Fail(Cli.INPUT, appspec + ": " + e.getMessage(), "fix appspec.yml and release again");
        }
    }

    /** The timeout CodeDeploy gives the script at {@code location} in {@code event} (the agent's default: 3600 s). */
    int hookTimeoutSeconds(String event, String location) {
        return AppSpec.timeoutOf(appSpec(), event, location);
    }

    /** Where this project's rendered compose file and image history live; survives CodeDeploy's revision clean-up. */
    Path stateDir(Map<String, String> env) {
        return stateDir(env, settings.project());
    }

    static Path stateDir(Map<String, String> env, String project) {
        String root = Cli.first(env.get("CDEPLOY_STATE_DIR"));
        return Path.of(root == null ? STATE_ROOT : root, project);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new Cli.Fail(Cli.INPUT, "cannot read " + file + " (" + e.getMessage() + ")", null);
        }
    }
}
