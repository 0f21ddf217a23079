import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the hooks need to know about the service, as release.json's {@code settings} carries them. An absent or blank
 * value takes the original set-up's default ({@code envFile} alone may be set blank: no env file).
 */
record Settings(String project, String service, String container, String envFile, String healthUrl,
                int healthTimeoutSeconds) {
    static final Settings DEFAULTS = new Settings("art", "art-be", "art-backend", "/home/ubuntu/env/.env",
            "http://127.0.0.1:8080/actuator/health", 120);
    static final String KEYS = "project, service, container, envFile, healthUrl or healthTimeoutSeconds";

    /** The settings given (nulls and blanks for the defaults), checked. */
    @JsonCreator
    static Settings of(@JsonProperty("project") String project, @JsonProperty("service") String service,
                       @JsonProperty("container") String container, @JsonProperty("envFile") String envFile,
                       @JsonProperty("healthUrl") String healthUrl, @JsonProperty("healthTimeoutSeconds") Integer healthTimeoutSeconds) {
        Settings d = DEFAULTS;
        Settings s = new Settings(or(project, d.project), or(service, d.service), or(container, d.container),
                envFile == null ? d.envFile : envFile.strip(), or(healthUrl, d.healthUrl),
                healthTimeoutSeconds == null ? d.healthTimeoutSeconds : healthTimeoutSeconds);
        if (s.healthTimeoutSeconds <= 0) {
            throw new Cli.Fail(Cli.INPUT, "healthTimeoutSeconds must be a positive number of seconds");
        }
        if (!s.project.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new Cli.Fail(Cli.INPUT, "project '" + s.project + "' is not a valid compose project name",
                    "use lowercase letters, digits, '-' and '_'");
        }
        return s;
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
