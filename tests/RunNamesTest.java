import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The end-to-end tests deploy a per-run copy of the default template: it must differ from it in names alone. */
@Tag("fast")
class RunNamesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"compose.yml", "tests/fixtures/inplace-compose.yml"})
    void the_per_run_template_differs_from_the_default_in_names_alone_and_in_every_one_of_them(String template) throws Exception {
        RunNames names = RunNames.create(dir);
        String original = Files.readString(HookProcess.REPO.resolve(template));
        String copy = names.template(original);
        Set<String> renamed = new HashSet<>();
        compare(new Yaml().load(original), new Yaml().load(copy), names.renames(), renamed, "");
        Set<String> held = new HashSet<>(names.renames().keySet());
        held.retainAll(scalars(new Yaml().load(original), new HashSet<>()));
        assertTrue(held.size() >= 8, "the template holds the shared names: " + held);
        assertEquals(held, renamed, "every shared name is replaced");
        assertEquals(original.lines().count(), copy.lines().count(), "comments and layout kept");
        assertNotEquals(RunNames.create(dir).id, names.id, "two runs, two sets of names");
    }

    private static Set<String> scalars(Object node, Set<String> into) {
        if (node instanceof Map<?, ?> m) {
            m.values().forEach(v -> scalars(v, into));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> scalars(v, into));
        } else {
            into.add(String.valueOf(node));
        }
        return into;
    }

    /** Walks both trees: same shape and keys; a scalar differs only as a rename says. */
    private static void compare(Object a, Object b, Map<String, String> renames, Set<String> renamed, String at) {
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            assertEquals(ma.keySet(), mb.keySet(), at);
            ma.forEach((k, v) -> compare(v, mb.get(k), renames, renamed, at + "/" + k));
        } else if (a instanceof List<?> la && b instanceof List<?> lb) {
            assertEquals(la.size(), lb.size(), at);
            for (int i = 0; i < la.size(); i++) {
                compare(la.get(i), lb.get(i), renames, renamed, at + "[" + i + "]");
            }
        } else if (!String.valueOf(a).equals(String.valueOf(b))) {
            assertEquals(renames.get(String.valueOf(a)), String.valueOf(b), "only a name may differ, at " + at);
            renamed.add(String.valueOf(a));
        } else {
            assertTrue(!renames.containsKey(String.valueOf(a)), "a shared name left as it was, at " + at + ": " + a);
        }
    }
}
