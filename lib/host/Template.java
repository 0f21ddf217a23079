//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0
//DEPS org.yaml:snakeyaml:2.4

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The user's compose template and the little the hooks add to it. Compose is given the template's own bytes plus an
 * override file holding only the fields the hooks own on the app service (image, container name, the release's env
 * file), so what Compose sees is exactly the template with those fields changed: anchors, merge keys, quoting and
 * comments stay the user's. The hooks read the template themselves only to check it, as Compose v1 reads it (YAML
 * 1.1: aliases and merge keys resolved); {@link #render} is that view with the override applied.
 */
final class Template {
    private static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)); // every string quoted: the override means one thing to every reader
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us)");
    /** Docker's own grace period between SIGTERM and SIGKILL. */
    static final Duration DOCKER_GRACE = Duration.ofSeconds(10);
    /** Time kept in ValidateService for starting the old version again, beyond its grace period and health wait. */
    static final Duration ROLLBACK_MARGIN = Duration.ofSeconds(20);
    /** Time kept in ValidateService behind a proxy for starting it when absent, the check, the reload and its confirmation. */
    static final Duration SWITCH_MARGIN = Duration.ofSeconds(60);
    static final String VALIDATE_EVENT = "ValidateService";
    static final String VALIDATE_LOCATION = "hooks/validate";

    private Template() {}

    /** The template as Compose v1 reads it: a mapping with a mapping of services that holds the app's. */
    static ObjectNode read(Path template, Settings settings) {
        Object doc;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false); // Compose refuses them too; say which, and where, before it does
            doc = new Yaml(new SafeConstructor(options)).load(Files.readString(template));
        } catch (YAMLException e) {
            throw new Cli.Fail(Cli.INPUT, "compose template " + template + " is not valid YAML (" + oneLine(e.getMessage()) + ")",
                    "fix the template and release again");
        } catch (IOException e) {
            throw new Cli.Fail(Cli.INPUT, "cannot read compose template " + template + " (" + e.getMessage() + ")", null);
        }
        JsonNode root = Json.MAPPER.valueToTree(doc);
        if (root == null || !root.path("services").isObject()) {
            throw new Cli.Fail(Cli.INPUT, "compose template " + template + " has no 'services' mapping", "fix the template and release again");
        }
        if (!root.path("services").path(settings.service()).isObject()) {
            throw new Cli.Fail(Cli.INPUT, "compose template " + template + " has no service '" + settings.service() + "'",
                    "name the app service '" + settings.service() + "' in the template, or set 'service' in release.json");
        }
        return (ObjectNode) root;
    }

    /** What Compose will run: the template as read, with the override's fields on the app service. */
    static ObjectNode render(Path template, String appImage, Settings settings) {
        return apply(read(template, settings), appImage, settings);
    }

    /** {@link #render} on a template already read; {@code compose} is changed in place and returned. */
    static ObjectNode apply(ObjectNode compose, String appImage, Settings settings) {
        ObjectNode app = (ObjectNode) compose.path("services").path(settings.service());
        app.put("image", appImage);
        app.put("container_name", settings.container());
        List<String> envFiles = serviceEnvFiles(app);
        if (addsEnvFile(app, settings)) {
            envFiles.add(settings.envFile());
        }
        if (!envFiles.isEmpty()) {
            app.set("env_file", Json.MAPPER.valueToTree(envFiles));
        }
        return compose;
    }

    /** The override for a template without a proxy service. */
    static String override(ObjectNode template, String appImage, Settings settings) {
        return override(template, appImage, settings, null);
    }

    /**
     * The override file: only the fields the hooks own, every value a quoted string. With a proxy service
     * ({@code proxyDir} not null) they own its command and the folder it reads its configuration from too.
     */
    static String override(ObjectNode template, String appImage, Settings settings, Path proxyDir) {
        Map<String, Object> services = new LinkedHashMap<>();
        services.put(settings.service(), appFields(template, appImage, settings.container(), settings));
        if (proxyDir != null) {
            services.put(settings.proxy(), Map.of("command", List.of("nginx", "-c", Proxy.MOUNT + "/" + Proxy.CONF, "-g", "daemon off;"),
                    "volumes", List.of(proxyDir + ":" + Proxy.MOUNT + ":ro")));
        }
        return overrideFile("# Written by the cdeploy hooks: the fields they own on the app service, merged by Compose over the\n"
                + "# template beside it, which is the release's compose.yml byte for byte.\n", template, Map.of("services", services));
    }

    /** The app service's fields the hooks own: the image, the container name, and the release's env file (appended). */
    static Map<String, Object> appFields(ObjectNode template, String image, String container, Settings settings) {
        Map<String, Object> app = new LinkedHashMap<>();
        app.put("image", image);
        app.put("container_name", container);
        addedEnvFile(template, settings).ifPresent(f -> app.put("env_file", List.of(f))); // Compose appends it to the template's own
        return app;
    }

    /** An override file: {@code header}, then the template's version (Compose v1 wants one across files) and {@code top}. */
    static String overrideFile(String header, ObjectNode template, Map<String, Object> top) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (template.path("version").isValueNode()) {
            root.put("version", template.path("version").asText());
        }
        root.putAll(top);
        try {
            return header + YAML_OUT.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The release's env file goes after the template's own, unless the template lists it already. */
    private static boolean addsEnvFile(JsonNode app, Settings settings) {
        return !settings.envFile().isBlank() && !serviceEnvFiles(app).contains(settings.envFile());
    }

    /** The env file the override adds to the app service, if any. */
    static java.util.Optional<String> addedEnvFile(ObjectNode template, Settings settings) {
        return addsEnvFile(template.path("services").path(settings.service()), settings)
                ? java.util.Optional.of(settings.envFile()) : java.util.Optional.empty();
    }

    private static List<String> serviceEnvFiles(JsonNode service) {
        List<String> files = new ArrayList<>();
        JsonNode env = service.path("env_file");
        if (env.isTextual()) {
            files.add(env.asText());
        } else {
            env.forEach(f -> files.add(f.isTextual() ? f.asText() : f.path("path").asText()));
        }
        return files;
    }

    /** Every image the stack runs, the app's first. */
    static List<String> images(ObjectNode compose) {
        LinkedHashSet<String> images = new LinkedHashSet<>();
        compose.path("services").forEach(s -> {
            String image = s.path("image").asText("");
            if (!image.isBlank()) {
                images.add(image);
            }
        });
        return new ArrayList<>(images);
    }

    /** Container names the template fixes, service by service. */
    static Map<String, String> containerNames(ObjectNode compose) {
        Map<String, String> names = new LinkedHashMap<>();
        compose.path("services").properties().forEach(e -> {
            String n = e.getValue().path("container_name").asText("");
            if (!n.isBlank()) {
                names.put(e.getKey(), n);
            }
        });
        return names;
    }

    /** The TCP ports the stack publishes on the host, short syntax ("[ip:]host:container") or long ("published"). */
    static Set<Integer> publishedPorts(ObjectNode compose) {
        Set<Integer> ports = new TreeSet<>();
        compose.path("services").forEach(s -> s.path("ports").forEach(p -> {
            String published = p.isObject() ? p.path("published").asText("") : hostPart(p.asText(""));
            if (published.matches("\\d{1,5}") && !(p.isObject() ? p.path("protocol").asText("tcp") : p.asText()).endsWith("udp")) {
                ports.add(Integer.parseInt(published));
            }
        }));
        return ports;
    }

    /** "127.0.0.1:8080:80/tcp" gives 8080, "8080:80" 8080, "80" (no host port: Docker picks one) nothing. */
    private static String hostPart(String spec) {
        String[] parts = spec.replaceAll("^\\[[^]]*]:", "x:").split(":");
        return parts.length < 2 ? "" : parts[parts.length - 2];
    }

    /** The env files the stack reads (compose fails on a missing one; so do we, earlier and clearer). */
    static List<String> envFiles(ObjectNode compose) {
        List<String> files = new ArrayList<>();
        compose.path("services").forEach(s -> files.addAll(serviceEnvFiles(s)));
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

    /** The app's stop grace period (compose duration syntax), else Docker's 10 s. */
    static Duration gracePeriod(ObjectNode compose, Settings settings) {
        String text = compose.path("services").path(settings.service()).path("stop_grace_period").asText("").strip();
        if (text.isEmpty()) {
            return DOCKER_GRACE;
        }
        Matcher m = DURATION.matcher(text);
        long micros = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            micros += (long) (v * switch (m.group(2)) {
                case "h" -> 3_600_000_000L;
                case "m" -> 60_000_000L;
                case "s" -> 1_000_000L;
                case "ms" -> 1000L;
                default -> 1L;
            });
            end = m.end();
        }
        if (end != text.length() || end == 0) {
            throw new Cli.Fail(Cli.INPUT, "stop_grace_period '" + text + "' of service " + settings.service() + " is not a duration",
                    "write it like 30s or 1m30s");
        }
        return Duration.ofNanos(micros * 1000);
    }

    /**
     * How long ValidateService may wait for the new version: the health timeout, provided that it, a rollback
     * (grace period, then the same wait for the old version) and a margin all fit in the hook's appspec timeout
     * ({@code spec} null: the agent's default). release runs the same check before it uploads anything.
     */
    static Duration healthDeadline(AppSpec spec, ObjectNode compose, Settings settings) {
        int timeout = AppSpec.timeoutOf(spec, VALIDATE_EVENT, VALIDATE_LOCATION);
        Duration health = Duration.ofSeconds(settings.healthTimeoutSeconds());
        Duration grace = gracePeriod(compose, settings);
        Duration need = health.multipliedBy(2).plus(grace).plus(ROLLBACK_MARGIN).plus(Deadline.MARGIN);
        if (need.toSeconds() > timeout) {
            throw new Cli.Fail(Cli.INPUT, String.format(
                    "the %s timeout (%d s) cannot hold the health wait (%d s) plus a rollback (grace %d s + %d s) and %d s margin",
                    VALIDATE_EVENT, timeout, health.toSeconds(), grace.toSeconds(), health.toSeconds(),
                    ROLLBACK_MARGIN.plus(Deadline.MARGIN).toSeconds()),
                    "raise the timeout of " + VALIDATE_LOCATION + " in appspec.yml to at least " + need.toSeconds()
                            + " s, or lower healthTimeoutSeconds in release.json");
        }
        if (compose.path("services").path(settings.proxy()).isObject() && Settings.BLUE_GREEN.equals(settings.switchMode())) {
            // behind the proxy: the wait, the switch, the old colour's drain and its stop, each bounded by the grace period
            Duration switchNeed = health.plus(grace.multipliedBy(2)).plus(SWITCH_MARGIN).plus(Deadline.MARGIN);
            if (switchNeed.toSeconds() > timeout) {
                throw new Cli.Fail(Cli.INPUT, String.format("the %s timeout (%d s) cannot hold the health wait (%d s), the switch (%d s), "
                        + "the drain and the old colour's stop (grace %d s each) and %d s margin", VALIDATE_EVENT, timeout, health.toSeconds(),
                        SWITCH_MARGIN.toSeconds(), grace.toSeconds(), Deadline.MARGIN.toSeconds()),
                        "raise the timeout of " + VALIDATE_LOCATION + " in appspec.yml to at least " + switchNeed.toSeconds()
                                + " s, or lower healthTimeoutSeconds in release.json or the app's stop_grace_period");
            }
        }
        return health;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
