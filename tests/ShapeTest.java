import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The house shape: every script and helper under 300 lines, every method under 80, so a command reads as its steps;
 * and plain ASCII, which is how JBang compiles them where the locale is unset (the agent's environment).
 */
@Tag("fast")
class ShapeTest {
    static final int MAX_FILE = 300;
    static final int MAX_METHOD = 80;
    /** A method or constructor opening at class or nested-class depth (not a control statement). */
    static final Pattern METHOD = Pattern.compile(
            "^( {4}| {8})(?!(?:if|for|while|switch|catch|try|else|do|return|synchronized)\\b)[A-Za-z<][^;=]*\\)\\s*(?:throws [\\w., ]+)?\\{\\s*$");

    @Test
    void files_and_methods_stay_short() throws IOException {
        List<String> over = new ArrayList<>();
        for (Path p : CatalogTest.sources("hooks", "scripts", "lib")) {
            List<String> lines = Files.readAllLines(p);
            String name = HookProcess.REPO.relativize(p).toString();
            if (lines.stream().anyMatch(l -> !l.chars().allMatch(c -> c < 128))) {
                over.add(name + ": a character outside ASCII (JBang's javac reads the hooks as US-ASCII under the agent's bare environment)");
            }
            if (lines.size() >= MAX_FILE) {
                over.add(name + ": " + lines.size() + " lines");
            }
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = METHOD.matcher(lines.get(i));
                if (!m.matches()) {
                    continue;
                }
                int end = lines.subList(i + 1, lines.size()).indexOf(m.group(1) + "}");
                if (end + 2 >= MAX_METHOD) {
                    over.add(name + ":" + (i + 1) + ": a method of " + (end + 2) + " lines: " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), over);
    }
}
