import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The catalog, the script headers and the pom agree, and every command answers --help through ./jbang. */
class CatalogTest {
    static final Path REPO = HookProcess.REPO;

    static JsonNode aliases() throws IOException {
        return new ObjectMapper().readTree(REPO.resolve("jbang-catalog.json").toFile()).path("aliases");
    }

    static Stream<String> aliasNames() throws IOException {
        List<String> names = new ArrayList<>();
        aliases().fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    /** The .java files under these folders, subfolders included (lib/ is grouped by side). */
    static List<Path> sources(String... dirs) throws IOException {
        List<Path> all = new ArrayList<>();
        for (String d : dirs) {
            if (!Files.isDirectory(REPO.resolve(d))) {
                continue;
            }
            try (Stream<Path> s = Files.walk(REPO.resolve(d))) {
                s.filter(p -> p.toString().endsWith(".java")).sorted().forEach(all::add);
            }
        }
        return all;
    }

    @Test
    @Tag("fast")
    void every_command_script_has_one_alias_with_a_one_line_description() throws IOException {
        Set<String> referenced = new TreeSet<>();
        JsonNode aliases = aliases();
        List<String> names = new ArrayList<>();
        aliases.fieldNames().forEachRemaining(names::add);
        assertEquals(names.stream().sorted().toList(), names, "aliases are sorted");
        for (String name : names) {
            JsonNode a = aliases.get(name);
            String ref = a.path("script-ref").asText();
            Path script = REPO.resolve(ref);
            assertTrue(Files.isRegularFile(script), name + " -> " + ref);
            assertFalse(ref.startsWith("/") || ref.contains(".."), "relative script-ref inside the repository: " + ref);
            String file = script.getFileName().toString().replace(".java", "");
            assertEquals(name.replace('-', '_'), file, "alias = file name");
            assertTrue(Files.readString(script).contains("class " + file + " "), "file name = class name: " + ref);
            String description = a.path("description").asText();
            assertTrue(!description.isBlank() && !description.contains("\n") && description.length() <= 120, name + ": " + description);
            referenced.add(ref);
        }
        Set<String> commands = new TreeSet<>();
        for (Path p : sources("hooks", "scripts")) {
            commands.add(REPO.relativize(p).toString());
        }
        assertEquals(commands, referenced, "every script in hooks/ and scripts/ is a catalog command");
    }

    @Test
    @Tag("fast")
    void deps_lines_name_exactly_the_versions_the_test_build_uses() throws Exception {
        Map<String, String> pom = pomVersions();
        Pattern deps = Pattern.compile("^//DEPS (.+)$", Pattern.MULTILINE);
        int checked = 0;
        for (Path p : sources("lib", "hooks", "scripts")) {
            Matcher m = deps.matcher(Files.readString(p));
            while (m.find()) {
                for (String gav : m.group(1).trim().split("\\s+")) {
                    String[] parts = gav.replace("@pom", "").split(":");
                    if (parts.length < 3) {
                        continue; // version managed by a BOM named in the same script
                    }
                    String ga = parts[0] + ":" + parts[1];
                    assertEquals(pom.get(ga), parts[2], REPO.relativize(p) + " //DEPS " + gav + " vs pom.xml");
                    checked++;
                }
            }
        }
        assertTrue(checked >= 3, "found the //DEPS lines");
    }

    /** group:artifact -> version for every dependency the pom names, properties resolved. */
    static Map<String, String> pomVersions() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(REPO.resolve("pom.xml").toFile()).getDocumentElement();
        Map<String, String> props = new HashMap<>();
        NodeList propNodes = ((Element) project.getElementsByTagName("properties").item(0)).getChildNodes();
        for (int i = 0; i < propNodes.getLength(); i++) {
            if (propNodes.item(i) instanceof Element e) {
                props.put(e.getTagName(), e.getTextContent().trim());
            }
        }
        Map<String, String> versions = new HashMap<>();
        NodeList deps = project.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            String v = text(d, "version");
            if (v != null) {
                Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(v);
                v = m.matches() ? props.get(m.group(1)) : v;
                versions.put(text(d, "groupId") + ":" + text(d, "artifactId"), v);
            }
        }
        return versions;
    }

    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent().trim();
    }

    @ParameterizedTest(name = "./jbang {0} --help")
    @MethodSource("aliasNames")
    void every_alias_answers_help_through_the_wrapper(String alias) throws IOException {
        HookProcess.Result r = HookProcess.run(List.of(REPO.resolve("jbang").toString(), alias, "--help"), REPO, "", Map.of(), false);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stdout().startsWith("Usage: " + alias + " "), r.toString());
    }
}
