//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * A deployment bundle as CodeDeploy unpacks it on the instance: {@code image.txt} (one image reference, the
 * original contract), {@code release.json} (the manifest: version, commit, image and the settings the hooks need),
 * {@code compose.yml} (the compose template) and {@code appspec.yml}. When both image files are present the
 * manifest is authoritative and {@code image.txt} must agree with it.
 */
record Bundle(Path dir, String version, String commit, ImageRef image, Settings settings) {
    static final String IMAGE_FILE = "image.txt";
    static final String MANIFEST = "release.json";
    static final String TEMPLATE = "compose.yml";
    static final String APPSPEC = "appspec.yml";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** What the hooks need to know about the service; every value defaults to the original set-up's. */
    record Settings(String project, String service, String container, String envFile, String healthUrl,
                    int healthTimeoutSeconds) {
        static final Settings DEFAULTS = new Settings("art", "art-be", "art-backend", "/home/ubuntu/env/.env",
                "http://127.0.0.1:8080/actuator/health", 120);

        static Settings from(JsonNode node, Path source) {
            Settings d = DEFAULTS;
            if (node == null || node.isMissingNode() || node.isNull()) {
                return d;
            }
            if (!node.isObject()) {
                throw new Cli.Fail(Cli.INPUT, source + ": 'settings' must be an object", "see README, section 'The bundle'");
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!java.util.Set.of("project", "service", "container", "envFile", "healthUrl", "healthTimeoutSeconds").contains(key)) {
                    throw new Cli.Fail(Cli.INPUT, source + ": unknown setting '" + key + "'",
                            "use project, service, container, envFile, healthUrl or healthTimeoutSeconds");
                }
            }
            int timeout = node.path("healthTimeoutSeconds").asInt(d.healthTimeoutSeconds);
            if (timeout <= 0) {
                throw new Cli.Fail(Cli.INPUT, source + ": healthTimeoutSeconds must be a positive number of seconds", null);
            }
            Settings s = new Settings(text(node, "project", d.project), text(node, "service", d.service),
                    text(node, "container", d.container), node.has("envFile") ? node.get("envFile").asText("") : d.envFile,
                    text(node, "healthUrl", d.healthUrl), timeout);
            if (!s.project.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new Cli.Fail(Cli.INPUT, source + ": project '" + s.project + "' is not a valid compose project name",
                        "use lowercase letters, digits, '-' and '_'");
            }
            return s;
        }

        private static String text(JsonNode node, String key, String fallback) {
            String v = node.path(key).asText("");
            return v.isBlank() ? fallback : v.strip();
        }

    }

    /** Reads and checks the bundle at {@code dir}. */
    static Bundle load(Path dir) {
        Path imageFile = dir.resolve(IMAGE_FILE);
        Path manifest = dir.resolve(MANIFEST);
        boolean hasImage = Files.isRegularFile(imageFile);
        boolean hasManifest = Files.isRegularFile(manifest);
        if (!Files.isDirectory(dir)) {
            throw new Cli.Fail(Cli.INPUT, "bundle folder " + dir + " does not exist", "pass --bundle with an unpacked bundle");
        }
        if (!hasImage && !hasManifest) {
            throw new Cli.Fail(Cli.INPUT, "no " + IMAGE_FILE + " or " + MANIFEST + " in the bundle at " + dir,
                    "build the bundle with 'jbang release', or run the hook from inside an unpacked bundle");
        }
        if (!hasManifest) {
            return new Bundle(dir, null, null, ImageRef.parse(read(imageFile), imageFile.toString()), Settings.DEFAULTS);
        }
        JsonNode m;
        try {
            m = YAML.readTree(manifest.toFile());
        } catch (IOException e) {
            throw new Cli.Fail(Cli.INPUT, manifest + " is not valid JSON (" + Cli.firstLine(e.getMessage()) + ")",
                    "rebuild the bundle with 'jbang release'");
        }
        if (m == null || !m.isObject()) {
            throw new Cli.Fail(Cli.INPUT, manifest + " must hold a JSON object", "rebuild the bundle with 'jbang release'");
        }
        ImageRef image = ImageRef.parse(m.path("image").asText(""), manifest + " (field 'image')");
        if (hasImage) {
            String listed = read(imageFile).strip();
            if (!listed.equals(image.toString())) {
                throw new Cli.Fail(Cli.INPUT, IMAGE_FILE + " says '" + listed + "' but " + MANIFEST + " says '" + image + "'",
                        "rebuild the bundle so that both name the same image");
            }
        }
        return new Bundle(dir, m.path("version").asText(null), m.path("commit").asText(null), image,
                Settings.from(m.get("settings"), manifest));
    }

    Path template() {
        Path t = dir.resolve(TEMPLATE);
        if (!Files.isRegularFile(t)) {
            throw new Cli.Fail(Cli.INPUT, "no compose template " + TEMPLATE + " in the bundle at " + dir,
                    "add one (the repository's compose.yml is the default) and release again");
        }
        return t;
    }

    /** The timeout CodeDeploy gives the script at {@code location} in {@code event} (the agent's default: 3600 s). */
    int hookTimeoutSeconds(String event, String location) {
        Path appspec = dir.resolve(APPSPEC);
        if (!Files.isRegularFile(appspec)) {
            return AppSpec.DEFAULT_TIMEOUT;
        }
        AppSpec spec;
        try {
            spec = AppSpec.load(appspec);
        } catch (AppSpec.Invalid e) {
            throw new Cli.Fail(Cli.INPUT, appspec + ": " + e.getMessage(), "fix appspec.yml and release again");
        }
        return spec.hooks().getOrDefault(event, java.util.List.of()).stream()
                .filter(script -> Path.of(script.location().replaceFirst("^/+", "")).normalize().equals(Path.of(location)))
                .mapToInt(AppSpec.Script::timeout).findFirst().orElse(AppSpec.DEFAULT_TIMEOUT);
    }

    /** Where this project's rendered compose file and image history live; survives CodeDeploy's revision clean-up. */
    Path stateDir() {
        String root = System.getenv().getOrDefault("CDEPLOY_STATE_DIR", "/var/lib/cdeploy");
        return Path.of(root, settings.project);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new Cli.Fail(Cli.INPUT, "cannot read " + file + " (" + e.getMessage() + ")", null);
        }
    }
}
