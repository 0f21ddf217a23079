import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The credentials the agent (root) will really use, found in the agent's own order: the Ruby SDK's chain, not
 * Java's. Environment, web identity, then root's shared files (an SSO or assume-role profile, static keys,
 * credential_process), and the instance profile last: anything found before it shadows the instance role, which is
 * how a forgotten /root/.aws/credentials breaks an agent. Key ids are shown as AKIA****WXYZ; secrets never.
 */
final class Credentials {
    /** What the chain found first: a kind (static key, assume-role profile, ...) and where. */
    record Source(String kind, String where, String keyId) {
        String shown() {
            return kind + (keyId == null ? "" : " " + maskKey(keyId)) + " from " + where;
        }
    }

    private Credentials() {}

    static String maskKey(String keyId) {
        return keyId.length() < 12 ? "****" : keyId.substring(0, 4) + Mask.HIDDEN + keyId.substring(keyId.length() - 4);
    }

    /** The first source root's chain reads before the instance profile, or null when none would shadow it. */
    static Source shadowing(Sysroot sys, Map<String, String> env, String rootHome) {
        for (String var : List.of("AWS_ACCESS_KEY_ID", "AMAZON_ACCESS_KEY_ID", "AWS_ACCESS_KEY")) {
            if (!var.equals("AWS_ACCESS_KEY_ID") && Cli.first(env.get(var)) != null) { // the agent blanks AWS_ACCESS_KEY_ID itself
                return new Source("static key", "the agent's environment (" + var + ")", env.get(var).strip());
            }
        }
        if (Cli.first(env.get("AWS_ROLE_ARN")) != null && Cli.first(env.get("AWS_WEB_IDENTITY_TOKEN_FILE")) != null) {
            return new Source("web identity " + env.get("AWS_ROLE_ARN").strip(), "the agent's environment", null);
        }
        String profile = Cli.first(env.get("AWS_PROFILE"), env.get("AWS_DEFAULT_PROFILE"), "default");
        String configFile = Cli.first(env.get("AWS_CONFIG_FILE"), rootHome + "/.aws/config");
        String credentialsFile = Cli.first(env.get("AWS_SHARED_CREDENTIALS_FILE"), rootHome + "/.aws/credentials");
        Map<String, String> config = section(sys.read(configFile), profile);
        Map<String, String> creds = section(sys.read(credentialsFile), profile);
        String at = " [" + profile + "]";
        if (config.containsKey("sso_start_url") || config.containsKey("sso_session")) {
            return new Source("SSO profile", configFile + at, null);
        }
        for (var e : List.of(Map.entry(credentialsFile, creds), Map.entry(configFile, config))) {
            if (e.getValue().containsKey("role_arn")) {
                return new Source("assume-role profile " + e.getValue().get("role_arn"), e.getKey() + at, null);
            }
        }
        for (var e : List.of(Map.entry(credentialsFile, creds), Map.entry(configFile, config))) {
            if (e.getValue().containsKey("aws_access_key_id")) {
                return new Source("static key", e.getKey() + at, e.getValue().get("aws_access_key_id"));
            }
        }
        if (config.containsKey("credential_process") || creds.containsKey("credential_process")) {
            return new Source("credential_process", (config.containsKey("credential_process") ? configFile : credentialsFile) + at, null);
        }
        return null;
    }

    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile("^\\[([^\\[\\]]+)\\]\\s*(#.+)?$");
    private static final java.util.regex.Pattern ITEM = java.util.regex.Pattern.compile("^(.+?)\\s*=\\s*(.+?)\\s*$");

    /**
     * One profile's keys as the agent's Ruby SDK reads them (its IniParser): a comment starts at a space and ";", a
     * header may carry a "#" comment, "profile " is dropped from a section's name in either file, keys keep their
     * case, and an indented line belongs to a nested key. None when the file or the profile is absent.
     */
    static Map<String, String> section(String ini, String profile) {
        Map<String, String> out = new LinkedHashMap<>();
        if (ini == null) {
            return out;
        }
        boolean in = false;
        for (String raw : ini.lines().toList()) {
            String line = raw.split("\\s;", 2)[0];
            java.util.regex.Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                in = h.group(1).replaceFirst("^profile\\s+", "").equals(profile);
                continue;
            }
            java.util.regex.Matcher item = ITEM.matcher(line);
            if (in && item.matches() && !Character.isWhitespace(item.group(1).charAt(0))) {
                out.put(item.group(1), item.group(2));
            }
        }
        return out;
    }

    /**
     * The credentials check: what root's chain finds before the instance profile is a FAIL naming the file and the
     * masked key (and, when the wire log shows the agent signing with that key, says so); else the instance role.
     */
    static List<Finding> check(Sysroot sys, Agent agent, Metadata.Identity imds, String wireKey) {
        List<Finding> out = new ArrayList<>();
        Map<String, String> homes = sys.homes();
        String rootHome = homes.getOrDefault("root", "/root");
        java.nio.file.Path home = sys.path(rootHome);
        if (java.nio.file.Files.exists(home) && (!java.nio.file.Files.isReadable(home) || !java.nio.file.Files.isExecutable(home))) {
            out.add(Finding.warn("credentials", "cannot read " + rootHome + ", where the agent's (root's) ~/.aws is",
                    "run doctor as root: sudo ./jbang doctor"));
            others(sys, homes).ifPresent(out::add);
            return out;
        }
        boolean onPremises = sys.exists(Agent.ON_PREMISES);
        Source first = shadowing(sys, agent.env, rootHome);
        String envNote = sys.live && !agent.env.isEmpty() ? "" : "; the agent's environment was not read (" + (sys.live ? "it is not running, or doctor is not root)" : "a copy has none)");
        String signed = wireKey == null ? "" : first != null && wireKey.equals(first.keyId()) ? "; the wire log shows the agent signing with it"
                : "; the wire log shows the agent signing with " + maskKey(wireKey);
        if (onPremises) {
            out.add(Finding.warn("credentials", "the agent runs as an on-premises instance (" + Agent.ON_PREMISES + " is there)"
                    + (first == null ? "" : "; root's chain would find " + first.shown()), "on EC2, remove that file so the instance role is used"));
        } else if (first != null) {
            String role = imds != null && imds.role() != null ? " ahead of the instance role " + imds.role() : " ahead of the instance profile";
            out.add(Finding.fail("credentials", "the agent (root) uses " + first.shown() + role + signed,
                    "remove it (root needs no keys on EC2), then: sudo systemctl restart codedeploy-agent"));
        } else if (imds != null && imds.role() == null) {
            out.add(Finding.fail("credentials", "none: nothing in root's chain and no instance profile" + envNote,
                    "attach an instance profile with the agent's policy, then restart the agent"));
        } else {
            out.add(Finding.pass("credentials", (imds == null ? "nothing in root's chain comes before the instance profile (the metadata service was not asked)"
                    : "the instance role " + imds.role() + "; nothing in root's chain comes before it") + envNote + signed));
        }
        others(sys, homes).ifPresent(out::add);
        return out;
    }

    /** Other users' keys: not the agent's, but what people find first when they look (and then suspect wrongly). */
    private static java.util.Optional<Finding> others(Sysroot sys, Map<String, String> homes) {
        List<String> found = new ArrayList<>();
        homes.forEach((user, home) -> {
            if (!user.equals("root")) {
                Source s = shadowing(sys, Map.of(), home);
                if (s != null) {
                    found.add(user + ": " + s.shown());
                }
            }
        });
        return found.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(Finding.pass("other users' keys", String.join("; ", found) + " (not read by the agent, which runs as root)"));
    }
}
