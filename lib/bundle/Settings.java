import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the hooks need to know about the service, as release.json's {@code settings} carries them. An absent or blank
 * value takes the original set-up's default ({@code envFile} alone may be set blank: no env file). {@code proxy} names
 * the template's proxy service; {@code switchMode} is {@value #BLUE_GREEN} (two colours behind that proxy, when the
 * template has it) or {@value #RECREATE} (the app container swapped in place).
 */
record Settings(String project, String service, String container, String envFile, String healthUrl,
                int healthTimeoutSeconds, String proxy, String switchMode) {
    static final String BLUE_GREEN = "blue-green";
    static final String RECREATE = "recreate";
    static final Settings DEFAULTS = new Settings("art", "art-be", "art-backend", "/home/ubuntu/env/.env",
            "http://127.0.0.1:8080/actuator/health", 120, "proxy", BLUE_GREEN);
    static final int MAX_HEALTH_TIMEOUT = 1800;
    static final String KEYS = "project, service, container, envFile, healthUrl, healthTimeoutSeconds, proxy or switchMode";

    /** The settings given (nulls and blanks for the defaults), checked, with the default proxy and switch. */
    static Settings of(String project, String service, String container, String envFile, String healthUrl, Integer healthTimeoutSeconds) {
        return of(project, service, container, envFile, healthUrl, healthTimeoutSeconds, null, null);
    }

    /** The same with every setting (release.json's reader). */
    @JsonCreator
    static Settings of(@JsonProperty("project") String project, @JsonProperty("service") String service,
                       @JsonProperty("container") String container, @JsonProperty("envFile") String envFile,
                       @JsonProperty("healthUrl") String healthUrl, @JsonProperty("healthTimeoutSeconds") Integer healthTimeoutSeconds,
                       @JsonProperty("proxy") String proxy, @JsonProperty("switchMode") String switchMode) {
        Settings d = DEFAULTS;
        Settings s = new Settings(or(project, d.project), or(service, d.service), or(container, d.container),
                envFile == null ? d.envFile : envFile.strip(), or(healthUrl, d.healthUrl),
                healthTimeoutSeconds == null ? d.healthTimeoutSeconds : healthTimeoutSeconds, or(proxy, d.proxy), or(switchMode, d.switchMode));
        if (!s.switchMode.equals(BLUE_GREEN) && !s.switchMode.equals(RECREATE)) {
            throw new Cli.Fail(Cli.INPUT, "switch '" + s.switchMode + "' is neither " + BLUE_GREEN + " nor " + RECREATE,
                    BLUE_GREEN + " (the default) puts two colours behind the template's proxy service; " + RECREATE + " swaps in place");
        }
        if (!s.proxy.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*") || s.proxy.equals(s.service)) {
            throw new Cli.Fail(Cli.INPUT, "proxy '" + s.proxy + "' is not a compose service name other than the app's", "name the proxy service, e.g. proxy");
        }
        if (s.healthTimeoutSeconds <= 0 || s.healthTimeoutSeconds > MAX_HEALTH_TIMEOUT) {
            throw new Cli.Fail(Cli.INPUT, "healthTimeoutSeconds must be a positive number of seconds, at most " + MAX_HEALTH_TIMEOUT,
                    "CodeDeploy gives a hook at most 3600 s, and validate may need two waits and a rollback");
        }
        if (!s.container.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+") || s.container.length() > 120) { // room for -green
            throw new Cli.Fail(Cli.INPUT, "container '" + s.container + "' is not a valid Docker container name",
                    "use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        if (!s.service.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new Cli.Fail(Cli.INPUT, "service '" + s.service + "' is not a valid compose service name", "use letters, digits, '_', '.' and '-'");
        }
        if (s.envFile.contains("$")) { // Compose would interpolate it; pull checks the literal path
            throw new Cli.Fail(Cli.INPUT, "envFile '" + s.envFile + "' holds a '$'", "name the file without variables");
        }
        if (!s.envFile.isEmpty() && !s.envFile.startsWith("/")) {
            throw new Cli.Fail(Cli.INPUT, "envFile '" + s.envFile + "' is not an absolute path",
                    "name the file on the instance from /, e.g. /home/ubuntu/env/.env (relative env files belong in the template)");
        }
        checkUrl(s.healthUrl);
        if (!s.project.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new Cli.Fail(Cli.INPUT, "project '" + s.project + "' is not a valid compose project name",
                    "use lowercase letters, digits, '-' and '_'");
        }
        return s;
    }

    /** These settings with another switch mode (release's {@code --switch}). */
    Settings withSwitch(String mode) {
        return mode == null ? this : of(project, service, container, envFile, healthUrl, healthTimeoutSeconds, proxy, mode);
    }

    /** The port the app listens on inside its container, and the proxy in front of it on the host: the health URL's. */
    int port() {
        int p = java.net.URI.create(healthUrl).getPort();
        return p > 0 ? p : "https".equals(java.net.URI.create(healthUrl).getScheme()) ? 443 : 80;
    }

    private static void checkUrl(String url) {
        java.net.URI u;
        try {
            u = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            u = null;
        }
        if (u == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw new Cli.Fail(Cli.INPUT, "healthUrl '" + url + "' is not an absolute http(s) URL",
                    "write it like http://127.0.0.1:8080/actuator/health");
        }
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
