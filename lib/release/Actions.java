import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * GitHub Actions' workflow commands, used only when {@code GITHUB_ACTIONS=true}: {@code ::error} annotations (on
 * stderr, which the runner reads like stdout, so {@code --json} output stays clean), the step's outputs
 * ({@code $GITHUB_OUTPUT}) and its Markdown job summary ({@code $GITHUB_STEP_SUMMARY}).
 */
final class Actions {
    private final Map<String, String> env;
    private final Log log;

    Actions(Map<String, String> env, Log log) {
        this.env = env;
        this.log = log;
    }

    boolean active() {
        return "true".equals(env.get("GITHUB_ACTIONS"));
    }

    void error(String title, String message) {
        if (active()) {
            log.raw("::error title=" + escapeProperty(title) + "::" + escapeData(message));
        }
    }

    void output(String name, String value) {
        if (active() && value != null) {
            append("GITHUB_OUTPUT", name + "=" + value.replace("\n", " ") + "\n");
        }
    }

    void summary(String markdown) {
        if (active()) {
            append("GITHUB_STEP_SUMMARY", markdown.endsWith("\n") ? markdown : markdown + "\n");
        }
    }

    private void append(String variable, String text) {
        String file = env.get(variable);
        if (file == null || file.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            log.info("release: cannot write $%s (%s)", variable, e.getMessage());
        }
    }

    static String escapeData(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    static String escapeProperty(String s) {
        return escapeData(s).replace(":", "%3A").replace(",", "%2C");
    }
}
