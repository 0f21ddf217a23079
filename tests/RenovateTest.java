import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Renovate's regex managers see every //DEPS line and every pinned action: none is left to drift by hand. */
@Tag("fast")
class RenovateTest {
    static final Path REPO = HookProcess.REPO;

    static JsonNode manager(String descriptionStart) throws IOException {
        for (JsonNode m : new ObjectMapper().readTree(REPO.resolve(".github/renovate.json").toFile()).path("customManagers")) {
            if (m.path("description").asText().startsWith(descriptionStart)) {
                return m;
            }
        }
        throw new AssertionError("no custom manager described as " + descriptionStart);
    }

    /** Every line holding {@code marker} in the files the manager watches is read by its regex, group {@code group} set. */
    static void everyLineIsRead(JsonNode manager, String marker, String group) throws IOException {
        Pattern files = Pattern.compile(manager.path("managerFilePatterns").get(0).asText().replaceAll("^/|/$", ""));
        Pattern match = Pattern.compile(manager.path("matchStrings").get(0).asText());
        List<String> missed = new ArrayList<>();
        int read = 0;
        try (Stream<Path> walk = Files.walk(REPO)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = REPO.relativize(p).toString();
                if (rel.startsWith(".git/") || rel.startsWith("target/") || !files.matcher(rel).find()) {
                    continue;
                }
                for (String line : Files.readAllLines(p)) {
                    // a //DEPS line without a version is managed by the BOM its script names
                    if (!line.contains(marker) || (marker.equals("//DEPS") && line.split(":").length < 3)) {
                        continue;
                    }
                    Matcher m = match.matcher(line);
                    if (m.find() && !m.group(group).isEmpty()) {
                        read++;
                    } else {
                        missed.add(rel + ": " + line.strip());
                    }
                }
            }
        }
        assertEquals(List.of(), missed, "lines Renovate would not update");
        assertTrue(read >= 4, "found the lines (" + read + ")");
    }

    @Test
    void every_deps_line_with_a_version_is_read() throws IOException {
        everyLineIsRead(manager("//DEPS"), "//DEPS", "currentValue");
    }

    @Test
    void every_action_is_pinned_to_a_sha_with_its_version_and_read() throws IOException {
        everyLineIsRead(manager("Actions pinned"), "uses:", "currentDigest");
        everyLineIsRead(manager("Actions pinned"), "uses:", "currentValue");
    }
}
