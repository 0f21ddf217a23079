import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.junit.jupiter.api.Tag;

/** The workflows keep the rules: deploy only from main, serialised, OIDC not keys, pinned actions, tests on PRs. */
@Tag("fast")
class WorkflowTest {
    static final Path DIR = Path.of(".github/workflows");

    record Workflow(String file, String text, Map<String, Object> doc) {
        /** The trigger map; YAML 1.1 reads an unquoted {@code on} key as the boolean true. */
        Map<String, Object> on() {
            Object on = doc.containsKey("on") ? doc.get("on") : doc.get(Boolean.TRUE);
            return on instanceof Map<?, ?> m ? cast(m) : Map.of(String.valueOf(on), Map.of());
        }

        List<Map<String, Object>> steps() {
            List<Map<String, Object>> all = new ArrayList<>();
            cast(doc.get("jobs")).values().forEach(j -> {
                Object steps = cast(j).get("steps");
                if (steps instanceof List<?> l) {
                    l.forEach(s -> all.add(cast(s)));
                }
            });
            return all;
        }

        boolean runs(String command) {
            return steps().stream().anyMatch(s -> String.valueOf(s.get("run")).contains(command));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    static List<Workflow> workflows() throws Exception {
        List<Workflow> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList()) {
                String text = Files.readString(f);
                all.add(new Workflow(f.getFileName().toString(), text, new Yaml(new SafeConstructor(new LoaderOptions())).load(text)));
            }
        }
        return all;
    }

    static Workflow deploy() throws Exception {
        List<Workflow> d = workflows().stream().filter(w -> w.runs("jbang release")).toList();
        assertEquals(1, d.size(), "one workflow calls release");
        return d.get(0);
    }

    @Test
    void deploysOnlyOnPushToMainSerialisedWithoutCancelling() throws Exception {
        Workflow w = deploy();
        assertEquals(List.of("push"), new ArrayList<>(w.on().keySet()), w.file() + ": no pull_request, no manual dispatch of any branch");
        assertEquals(List.of("main"), cast(w.on().get("push")).get("branches"));
        Map<String, Object> concurrency = cast(w.doc().get("concurrency"));
        assertNotNull(concurrency, "a concurrency group serialises deployments");
        assertFalse(String.valueOf(concurrency.get("group")).isBlank());
        assertEquals(Boolean.FALSE, concurrency.get("cancel-in-progress"), "a running deployment is never cancelled");
    }

    @Test
    void awsThroughOidcNotKeys() throws Exception {
        Workflow w = deploy();
        Map<String, Object> permissions = cast(w.doc().get("permissions"));
        assertEquals("write", permissions.get("id-token"));
        assertEquals("read", permissions.get("contents"));
        Map<String, Object> aws = w.steps().stream().filter(s -> String.valueOf(s.get("uses")).startsWith("aws-actions/configure-aws-credentials@"))
                .findFirst().orElseThrow();
        Map<String, Object> with = cast(aws.get("with"));
        assertTrue(String.valueOf(with.get("role-to-assume")).contains("${{"), "role to assume");
        assertFalse(with.containsKey("aws-access-key-id") || with.containsKey("aws-secret-access-key"));
        for (Workflow any : workflows()) {
            assertFalse(any.text().contains("aws-access-key-id") || any.text().contains("AWS_SECRET_ACCESS_KEY")
                    || any.text().contains("secrets.AWS_"), any.file() + " holds no long-lived AWS keys");
        }
    }

    @Test
    void setsUpJavaJbangAndTheRegistryThenCallsRelease() throws Exception {
        Workflow w = deploy();
        List<String> order = new ArrayList<>();
        for (Map<String, Object> s : w.steps()) {
            String uses = String.valueOf(s.get("uses"));
            String run = String.valueOf(s.get("run"));
            if (uses.startsWith("actions/setup-java@")) order.add("java");
            if (run.contains("./jbang version")) order.add("jbang");
            if (uses.startsWith("aws-actions/configure-aws-credentials@")) order.add("aws");
            if (uses.startsWith("docker/login-action@")) order.add("registry");
            if (run.contains("jbang release")) order.add("release");
        }
        assertEquals(List.of("java", "jbang", "aws", "registry", "release"), order);
        assertFalse(w.text().contains("aws deploy") || w.text().contains("aws s3"), "no shell steps doing release's work");
    }

    @Test
    void testsRunOnPullRequestsWithoutAwsAccess() throws Exception {
        List<Workflow> tests = workflows().stream().filter(w -> w.on().containsKey("pull_request")).toList();
        assertEquals(1, tests.size());
        Workflow t = tests.get(0);
        assertTrue(t.runs(".ci/run") || t.runs("mvn"), "runs the test suite");
        assertFalse(t.runs("jbang release"), "never deploys");
        assertFalse(t.text().contains("id-token"), "no OIDC token for pull requests");
    }

    @Test
    void everyActionIsPinnedToAFullCommitSha() throws Exception {
        int checked = 0;
        for (Workflow w : workflows()) {
            for (Map<String, Object> s : w.steps()) {
                Object uses = s.get("uses");
                if (uses == null || String.valueOf(uses).startsWith("./")) {
                    continue;
                }
                assertTrue(String.valueOf(uses).matches("[\\w.-]+/[\\w./-]+@[0-9a-f]{40}"), w.file() + ": " + uses + " is not pinned to a commit");
                checked++;
            }
        }
        assertTrue(checked >= 6, "found the actions");
    }
}
