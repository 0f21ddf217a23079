//DEPS org.yaml:snakeyaml:2.4

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * An EC2/on-premises {@code appspec.yml} read and checked exactly as the CodeDeploy agent (v1, Ruby) does: a YAML 1.1
 * loader (so {@code version: "0.0"} is a string and fails, {@code mode: 0644} is the number 420), only the six keys the
 * agent reads, the agent's parse order (version, os, hooks, files, permissions, file_exists_behavior; the first failure
 * wins) and its error texts byte for byte. Written once for {@code release} (which refuses to upload a bundle the agent
 * would reject) and for a local deployment runner.
 */
record AppSpec(Object version, String os, Map<String, List<Script>> hooks, List<FileMapping> files,
               List<Permission> permissions, String fileExistsBehavior) {

    /** One entry under a lifecycle event. {@code timeout} is in seconds (agent default 3600). */
    record Script(String location, int timeout, String runas, boolean sudo) {}

    /** One {@code files} entry: copy {@code source} (archive-relative) into {@code destination}. */
    record FileMapping(String source, String destination) {}

    /** One {@code permissions} entry, values as the agent keeps them ({@code mode} as the text it applies). */
    record Permission(String object, String pattern, List<String> except, String owner, String group, String mode,
                      List<String> acls, Map<String, Object> context, List<String> type) {}

    /** The agent rejected the file; the message is the agent's own text (reported as UnknownError, code 5). */
    static final class Invalid extends RuntimeException {
        Invalid(String agentMessage) {
            super(agentMessage);
        }
    }

    static final int DEFAULT_TIMEOUT = 3600;
    /** Events a script may be attached to (in-place deployments, in lifecycle order). */
    static final List<String> SCRIPTABLE_EVENTS = List.of("BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop",
            "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService", "BeforeAllowTraffic", "AfterAllowTraffic");
    /** Events the agent runs itself; scripts cannot be attached to them. */
    static final List<String> RESERVED_EVENTS = List.of("DownloadBundle", "Install", "BlockTraffic", "AllowTraffic");
    static final List<String> FILE_EXISTS_BEHAVIORS = List.of("DISALLOW", "OVERWRITE", "RETAIN");

    /** The agent's "missing script" failure (error code 1, ScriptMissing), for a location that is not in the bundle. */
    static String scriptMissing(String absolutePath) {
        return "Script does not exist at specified location: " + absolutePath;
    }

    /** codedeploy-local's check (the service-side agent does not make it: a misspelt event silently never runs). */
    static String unknownEventsMessage(List<String> events) {
        return "appspec.yml file contains unknown lifecycle events: [" + String.join(", ", events.stream().map(e -> "\"" + e + "\"").toList()) + "]";
    }

    /** Reads the file; I/O and YAML syntax problems come out as {@link Invalid} too (the agent's UnknownError). */
    static AppSpec load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Invalid("cannot read " + file + ": " + e.getMessage());
        }
        return parse(text);
    }

    static AppSpec parse(String text) {
        Object doc;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // Psych: the last one wins
            doc = new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new Invalid("appspec.yml is not valid YAML: " + Cli.firstLine(e.getMessage()));
        }
        if (doc == null || (doc instanceof String s && s.isBlank())) {
            throw new Invalid(AgentText.EMPTY);
        }
        Map<?, ?> root = doc instanceof Map<?, ?> m ? m : Map.of(); // a scalar document has no keys: version fails
        Object version = root.get("version");
        if (!(version instanceof Number n) || n.doubleValue() != 0.0) {
            throw new Invalid(AgentText.badVersion(rubyString(version)));
        }
        Object os = root.get("os");
        if (!"linux".equals(os)) {
            throw new Invalid(AgentText.badOs(rubyString(os)));
        }
        Map<String, List<Script>> hooks = parseHooks(root.get("hooks"));
        List<FileMapping> files = parseFiles(root.get("files"));
        List<Permission> permissions = parsePermissions(root.get("permissions"));
        Object feb = root.get("file_exists_behavior");
        if (feb != null && !FILE_EXISTS_BEHAVIORS.contains(feb)) {
            throw new Invalid(AgentText.badFileExistsBehavior(rubyString(feb)));
        }
        return new AppSpec(version, (String) os, hooks, files, permissions, (String) feb);
    }

    private static Map<String, List<Script>> parseHooks(Object node) {
        Map<String, List<Script>> hooks = new LinkedHashMap<>();
        if (!(node instanceof Map<?, ?> map)) {
            return hooks;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getValue() == null) {
                continue; // an event with no scripts is ignored
            }
            List<Script> scripts = new ArrayList<>();
            for (Object item : e.getValue() instanceof List<?> l ? l : List.of(e.getValue())) {
                if (!(item instanceof Map<?, ?> s) || !s.containsKey("location")) {
                    throw new Invalid(AgentText.NO_LOCATION);
                }
                String location = rubyStrip(rubyString(s.get("location")));
                if (location.isEmpty()) {
                    throw new Invalid(AgentText.NO_LOCATION);
                }
                Object runas = s.get("runas");
                Object sudo = s.get("sudo");
                scripts.add(new Script(location, timeout(s.get("timeout")), runas == null ? null : rubyStrip(rubyString(runas)),
                        sudo != null && !Boolean.FALSE.equals(sudo)));
            }
            hooks.put(String.valueOf(e.getKey()), List.copyOf(scripts));
        }
        return Collections.unmodifiableMap(hooks);
    }

    /** {@code (timeout || 3600).to_i}, which must be positive. */
    private static int timeout(Object value) {
        if (value == null || Boolean.FALSE.equals(value)) {
            return DEFAULT_TIMEOUT;
        }
        long t;
        if (value instanceof Number n) {
            t = n.longValue();
        } else if (value instanceof String s) {
            t = rubyToI(s);
        } else {
            t = 0; // true, lists, maps: no sensible integer
        }
        if (t <= 0) {
            throw new Invalid(AgentText.BAD_TIMEOUT);
        }
        return (int) Math.min(t, Integer.MAX_VALUE);
    }

    private static List<FileMapping> parseFiles(Object node) {
        List<FileMapping> files = new ArrayList<>();
        if (!(node instanceof List<?> list)) {
            return files;
        }
        for (Object item : list) {
            Map<?, ?> m = item instanceof Map<?, ?> mm ? mm : Map.of();
            Object source = m.get("source");
            Object destination = m.get("destination");
            if (source == null) {
                throw new Invalid(AgentText.NO_SOURCE);
            }
            if (destination == null) {
                throw new Invalid(AgentText.noDestination(rubyString(source)));
            }
            files.add(new FileMapping(rubyString(source), rubyString(destination)));
        }
        return List.copyOf(files);
    }

    private static List<Permission> parsePermissions(Object node) {
        List<Permission> out = new ArrayList<>();
        if (!(node instanceof List<?> list)) {
            return out;
        }
        for (Object item : list) {
            Map<?, ?> p = item instanceof Map<?, ?> mm ? mm : Map.of();
            Object object = p.get("object");
            if (object == null || rubyString(object).isEmpty()) {
                throw new Invalid(AgentText.NO_OBJECT);
            }
            List<String> type = strings(p.get("type"), List.of("file", "directory"));
            for (String t : type) {
                if (!t.equals("file") && !t.equals("directory")) {
                    throw new Invalid(AgentText.badType(t));
                }
            }
            String mode = null;
            if (p.get("mode") != null) {
                mode = rubyString(p.get("mode")); // an unquoted 0644 arrives as 420: the agent applies 0420
                if (mode.length() < 1 || mode.length() > 4) {
                    throw new Invalid(AgentText.badModeLength(mode));
                }
                for (char c : mode.toCharArray()) {
                    if (c < '0' || c > '7') {
                        throw new Invalid(AgentText.badModeChar(mode, c));
                    }
                }
                mode = "0".repeat(Math.max(0, 3 - mode.length())) + mode;
            }
            List<String> acls = strings(p.get("acls"), List.of());
            for (String ace : acls) {
                if (!ace.matches("(?:d(?:efault)?:)?(?:u(?:ser)?|g(?:roup)?|m(?:ask)?|o(?:ther)?):[^:]*:(?:[rwx-]{1,3}|[0-7])")) {
                    throw new Invalid(AgentText.badAcl(ace));
                }
            }
            Map<String, Object> context = new LinkedHashMap<>();
            if (p.get("context") instanceof Map<?, ?> c) {
                c.forEach((k, v) -> context.put(String.valueOf(k), v));
            }
            out.add(new Permission(rubyString(object), p.get("pattern") == null ? "**" : rubyString(p.get("pattern")),
                    strings(p.get("except"), List.of()), str(p.get("owner")), str(p.get("group")), mode, acls,
                    Collections.unmodifiableMap(context), type));
        }
        return List.copyOf(out);
    }

    /** Events named in the file that no agent runs a script for (misspellings, reserved events). */
    List<String> unknownEvents() {
        return hooks.keySet().stream().filter(e -> !SCRIPTABLE_EVENTS.contains(e)).toList();
    }

    /** Every script location in lifecycle order, leading '/' dropped (the agent joins it under the archive anyway). */
    List<String> locations() {
        List<String> all = new ArrayList<>();
        for (String event : SCRIPTABLE_EVENTS) {
            for (Script s : hooks.getOrDefault(event, List.of())) {
                all.add(s.location().replaceFirst("^/+", ""));
            }
        }
        return all;
    }

    /** Seconds all scripts of one event may take together (the service's limit per event is 3600). */
    int totalTimeout(String event) {
        return hooks.getOrDefault(event, List.of()).stream().mapToInt(Script::timeout).sum();
    }

    /**
     * The timeout the agent gives the script at {@code location} (bundle-relative, as a hook knows itself) in
     * {@code event}: the appspec's, compared normalised; the agent's default when {@code spec} is null or silent.
     */
    static int timeoutOf(AppSpec spec, String event, String location) {
        if (spec == null) {
            return DEFAULT_TIMEOUT;
        }
        return spec.hooks().getOrDefault(event, List.of()).stream()
                .filter(s -> Path.of(s.location().replaceFirst("^/+", "")).normalize().equals(Path.of(location)))
                .mapToInt(Script::timeout).findFirst().orElse(DEFAULT_TIMEOUT);
    }

    private static List<String> strings(Object node, List<String> fallback) {
        if (node == null) {
            return fallback;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(AppSpec::rubyString).toList();
        }
        return List.of(rubyString(node));
    }

    private static String str(Object o) {
        return o == null ? null : rubyString(o);
    }

    /** Ruby's {@code to_s}: nil is empty, floats keep their ".0". */
    static String rubyString(Object o) {
        if (o == null) {
            return "";
        }
        if (o instanceof Double d && !d.isInfinite() && !d.isNaN() && Math.abs(d) < 1e16) {
            return d == Math.rint(d) ? String.format("%.1f", d) : d.toString();
        }
        return o.toString();
    }

    private static String rubyStrip(String s) {
        return s.replaceAll("^[\\s\\x00]+|[\\s\\x00]+$", "");
    }

    /** Ruby's {@code String#to_i}: leading blanks, a sign, digits (underscores between them); 0 when none. */
    static long rubyToI(String s) {
        var m = java.util.regex.Pattern.compile("^\\s*([+-]?)(\\d+(?:_\\d+)*)").matcher(s);
        if (!m.find()) {
            return 0;
        }
        try {
            long v = Long.parseLong(m.group(2).replace("_", ""));
            return "-".equals(m.group(1)) ? -v : v;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
