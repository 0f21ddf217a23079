//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * The service's compose stack on this instance: the template rendered for one app image, written atomically
 * into the state directory under a fixed project name, and the image history used for rollback.
 */
final class Stack {
    static final String COMPOSE_FILE = "docker-compose.yml";
    static final String PREVIOUS = "previous-image";
    static final String CURRENT = "current-image";
    private static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    final Bundle bundle;
    final Settings settings;
    final Path stateDir;

    Stack(Bundle bundle, Path stateDir) {
        this.bundle = bundle;
        this.settings = bundle.settings();
        this.stateDir = stateDir;
    }

    /** The stack with its state where this process's environment says ({@code CDEPLOY_STATE_DIR}). */
    Stack(Bundle bundle) {
        this(bundle, bundle.stateDir(System.getenv()));
    }

    /** The template with the app service given {@code appImage}, its container name and its env file. */
    ObjectNode render(String appImage) {
        return render(bundle.template(), appImage, settings);
    }

    /** The same for any template and settings (release checks its template before it builds a bundle). */
    static ObjectNode render(Path template, String appImage, Settings settings) {
        JsonNode root;
        try {
            root = Json.YAML.readTree(template.toFile());
        } catch (IOException e) {
            throw new Cli.Fail(Cli.INPUT, "compose template " + template + " is not valid YAML (" + Cli.firstLine(e.getMessage()) + ")",
                    "fix the template and release again");
        }
        if (root == null || !root.path("services").isObject()) {
            throw new Cli.Fail(Cli.INPUT, "compose template " + template + " has no 'services' mapping", "fix the template and release again");
        }
        ObjectNode compose = (ObjectNode) root;
        JsonNode app = compose.path("services").path(settings.service());
        if (!app.isObject()) {
            throw new Cli.Fail(Cli.INPUT, "compose template " + template + " has no service '" + settings.service() + "'",
                    "name the app service '" + settings.service() + "' in the template, or set 'service' in release.json");
        }
        ObjectNode a = (ObjectNode) app;
        a.put("image", appImage);
        a.put("container_name", settings.container());
        if (!settings.envFile().isBlank()) { // after any env files the template names itself
            JsonNode own = a.path("env_file");
            ArrayNode envFiles = Json.YAML.createArrayNode();
            if (own.isArray()) {
                envFiles.addAll((ArrayNode) own);
            } else if (own.isTextual()) {
                envFiles.add(own);
            }
            boolean listed = false;
            for (JsonNode f : envFiles) {
                listed |= settings.envFile().equals(f.asText());
            }
            if (!listed) {
                envFiles.add(settings.envFile());
            }
            a.set("env_file", envFiles);
        }
        return compose;
    }

    static String yaml(ObjectNode compose) {
        try {
            return YAML_OUT.writeValueAsString(compose);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every image the stack runs, the app's first. */
    static List<String> images(ObjectNode compose) {
        Set<String> images = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> service : compose.path("services").properties()) {
            String image = service.getValue().path("image").asText("");
            if (!image.isBlank()) {
                images.add(image);
            }
        }
        return new ArrayList<>(images);
    }

    /** Container names the template fixes, service by service. */
    static Map<String, String> containerNames(ObjectNode compose) {
        Map<String, String> names = new java.util.LinkedHashMap<>();
        compose.path("services").properties().forEach(e -> {
            String n = e.getValue().path("container_name").asText("");
            if (!n.isBlank()) {
                names.put(e.getKey(), n);
            }
        });
        return names;
    }

    /** The env files the stack reads (compose fails on a missing one; so do we, earlier and clearer). */
    static List<String> envFiles(ObjectNode compose) {
        List<String> files = new ArrayList<>();
        compose.path("services").forEach(s -> {
            JsonNode env = s.path("env_file");
            if (env.isTextual()) {
                files.add(env.asText());
            } else {
                env.forEach(f -> files.add(f.isTextual() ? f.asText() : f.path("path").asText()));
            }
        });
        return files;
    }

    /** External networks the stack joins: compose cannot create them, so they must exist. */
    static List<String> externalNetworks(ObjectNode compose) {
        List<String> nets = new ArrayList<>();
        compose.path("networks").properties().forEach(e -> {
            JsonNode n = e.getValue();
            if (n.path("external").asBoolean(false)) {
                nets.add(n.path("name").asText(e.getKey()));
            }
        });
        return nets;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us)");

    /** Docker's own grace period between SIGTERM and SIGKILL. */
    static final Duration DOCKER_GRACE = Duration.ofSeconds(10);

    /** The app's stop grace period from the template (compose duration syntax), else Docker's 10 s. */
    Duration gracePeriod(ObjectNode compose) {
        return gracePeriod(compose, settings);
    }

    static Duration gracePeriod(ObjectNode compose, Settings settings) {
        String text = compose.path("services").path(settings.service()).path("stop_grace_period").asText("");
        if (text.isBlank()) {
            return DOCKER_GRACE;
        }
        Matcher m = DURATION.matcher(text.strip());
        long millis = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            millis += (long) (v * switch (m.group(2)) {
                case "h" -> 3_600_000;
                case "m" -> 60_000;
                case "s" -> 1000;
                case "ms" -> 1;
                default -> 0.001;
            });
            end = m.end();
        }
        if (end != text.strip().length() || end == 0) {
            throw new Cli.Fail(Cli.INPUT, "stop_grace_period '" + text + "' of service " + settings.service() + " is not a duration",
                    "write it like 30s or 1m30s");
        }
        return Duration.ofMillis(millis);
    }

    /** Time kept in ValidateService for starting the old version again, beyond its grace period and health wait. */
    static final Duration ROLLBACK_MARGIN = Duration.ofSeconds(20);
    static final String VALIDATE_EVENT = "ValidateService";
    static final String VALIDATE_LOCATION = "hooks/validate";

    /**
     * How long ValidateService may wait for the new version: the health timeout, provided that it, a rollback
     * (grace period, then the same wait for the old version) and a margin all fit in the hook's appspec timeout.
     */
    Duration healthDeadline(ObjectNode compose) {
        return healthDeadline(bundle.appSpec(), compose, settings);
    }

    /** The same check for any appspec (null: the agent's defaults), rendered template and settings: release runs it too. */
    static Duration healthDeadline(AppSpec spec, ObjectNode compose, Settings settings) {
        int timeout = AppSpec.timeoutOf(spec, VALIDATE_EVENT, VALIDATE_LOCATION);
        Duration health = Duration.ofSeconds(settings.healthTimeoutSeconds());
        Duration grace = gracePeriod(compose, settings);
        Duration need = health.multipliedBy(2).plus(grace).plus(ROLLBACK_MARGIN);
        if (need.toSeconds() > timeout) {
            throw new Cli.Fail(Cli.INPUT, String.format(
                    "the %s timeout (%d s) cannot hold the health wait (%d s) plus a rollback (grace %d s + %d s) and %d s margin",
                    VALIDATE_EVENT, timeout, health.toSeconds(), grace.toSeconds(), health.toSeconds(),
                    ROLLBACK_MARGIN.toSeconds()),
                    "raise the timeout of " + VALIDATE_LOCATION + " in appspec.yml to at least " + need.toSeconds()
                            + " s, or lower healthTimeoutSeconds in release.json");
        }
        return health;
    }

    Path composeFile() {
        return stateDir.resolve(COMPOSE_FILE);
    }

    /** Writes the rendered file next to its final name, then renames it into place. */
    Path write(ObjectNode compose) {
        Path target = composeFile();
        writeAtomically(target, yaml(compose));
        return target;
    }

    static void writeAtomically(Path target, String content) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            Files.writeString(tmp, content);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot write " + target + " (" + e.getMessage() + ")",
                    "run the hook as root, or make " + target.getParent() + " writable");
        }
    }

    Optional<String> recorded(String name) {
        Path f = stateDir.resolve(name);
        try {
            return Files.isRegularFile(f) ? Optional.of(Files.readString(f).strip()).filter(s -> !s.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void record(String name, String image) {
        writeAtomically(stateDir.resolve(name), image + "\n");
    }

    /**
     * {@code compose up} for the rendered file: starts what is absent, recreates what changed, never pulls.
     * Compose's output is shown as it comes when {@code verbose}, else only when it fails. {@code timeout} keeps
     * the one-line failure inside the hook's own appspec timeout.
     */
    void up(Docker docker, Docker.Compose compose, Path file, Duration timeout, Log log, boolean verbose) {
        Proc.Result r = docker.run(compose.up(settings.project(), file, List.of()), timeout,
                verbose ? line -> log.info("  %s", line) : null);
        if (!r.ok()) {
            if (!verbose) {
                (r.out() + r.err()).lines().forEach(line -> log.info("  %s", line));
            }
            throw new Cli.Fail(Cli.FAILED, "compose up failed: " + r.reason(), "see the compose output above");
        }
    }
}
