import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launch fast path (hooks/fastpath.sh): ./jbang and hooks/launch start a script's JVM without JBang's while a
 * record of JBang's command is current, i.e. no file of the script's closure changed; an edit anywhere in it goes
 * back through JBang. CDEPLOY_LAUNCH_DEBUG=1 makes each call say "launch: fast" or "launch: slow" on stderr.
 * None needs Docker; those that run JBang (through ./jbang's Maven-resolved copy) are outside the fast lane, like
 * WrapperTest.
 */
class LaunchFastPathTest {
    static final String[] ARGS = {"a b", "it's", "$HOME", "\"q\""};
    static final String ECHOED = "a b|it's|$HOME|\"q\"";

    @TempDir
    Path tmp;

    /** Our own JBang (Maven-resolved), our JBang cache when the caller set one, and the fast path's marker. */
    static Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(HookProcess.env(more));
        env.put("CDEPLOY_WRAPPER_ONLY", "1");
        env.put("CDEPLOY_LAUNCH_DEBUG", "1");
        String jbangDir = System.getenv("JBANG_DIR");
        if (jbangDir != null) {
            env.put("JBANG_DIR", jbangDir);
        }
        return env;
    }

    static HookProcess.Result run(Path cwd, Map<String, String> env, boolean withJbang, String... command) throws IOException {
        return HookProcess.run(List.of(command), cwd, "", env, withJbang);
    }

    static String[] with(String first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    static boolean fast(HookProcess.Result r) {
        return r.stderr().contains("launch: fast:") && !r.stderr().contains("[jbang]");
    }

    /** A checkout with the wrapper and a small script whose code comes from a helper two //SOURCES levels down. */
    Path scratchCheckout() throws IOException {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve(".jbang-wrapper"));
        Files.copy(HookProcess.REPO.resolve("jbang"), repo.resolve("jbang"));
        try (var files = Files.list(HookProcess.REPO.resolve(".jbang-wrapper"))) { // pom.xml and the cached classpath
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, repo.resolve(".jbang-wrapper").resolve(f.getFileName()));
            }
        }
        Files.createDirectories(repo.resolve("hooks"));
        Files.copy(HookProcess.REPO.resolve("hooks/fastpath.sh"), repo.resolve("hooks/fastpath.sh"));
        Files.writeString(repo.resolve("jbang-catalog.json"), """
                {
                  "aliases": {
                    "greet": {
                      "script-ref": "app/greet.java",
                      "description": "Says the word and the arguments"
                    }
                  }
                }
                """);
        closure(repo, "app");
        return repo;
    }

    /** DIR/greet.java -> ../lib/core/Text.java -> deep/Words.java (the word); greet exits 3 when an argument is "fail". */
    static void closure(Path root, String dir) throws IOException {
        Files.createDirectories(root.resolve(dir));
        Files.createDirectories(root.resolve("lib/core/deep"));
        Files.writeString(root.resolve(dir + "/greet.java"), """
                ///usr/bin/env jbang "$0" "$@" ; exit $?
                //SOURCES ../lib/core/Text.java
                //JAVA_OPTIONS -XX:+UseSerialGC -Dgreet.mark=on -Xlog:disable -Xlog:all=warning,cds=off,cds+dynamic=off:stderr
                //CDS
                class greet {
                    public static void main(String[] args) {
                        System.out.println(Text.word() + ":" + String.join("|", args) + ":" + System.getProperty("greet.mark"));
                        System.exit(java.util.List.of(args).contains("fail") ? 3 : 0);
                    }
                }
                """);
        Files.writeString(root.resolve("lib/core/Text.java"), """
                //SOURCES deep/Words.java // the word itself
                //JAVA_OPTIONS -XX:+UseSerialGC
                class Text { static String word() { return Words.word(); } }
                """);
        word(root, "one");
    }

    static void word(Path root, String word) throws IOException {
        Files.writeString(root.resolve("lib/core/deep/Words.java"), "class Words { static String word() { return \"" + word + "\"; } }\n");
    }

    @Test
    void jbang_goes_fast_when_warm_and_back_through_jbang_after_an_edit_in_the_closure() throws IOException {
        Path repo = scratchCheckout();
        String jbang = repo.resolve("jbang").toString();

        HookProcess.Result first = run(repo, env(), false, with(jbang, with("greet", ARGS)));
        assertEquals(0, first.exit(), first.toString());
        assertEquals("one:" + ECHOED + ":on\n", first.stdout(), first.toString());
        assertTrue(first.stderr().contains("launch: slow: no record"), first.toString());
        String record = Files.readString(repo.resolve(".jbang-wrapper/launch/@greet.cmd"));
        assertEquals(1, record.split("-XX:\\+UseSerialGC", -1).length - 1, "options deduplicated:\n" + record);
        assertTrue(record.contains("files='app/greet.java\njbang-catalog.json\nlib/core/Text.java\nlib/core/deep/Words.java'"), record);

        HookProcess.Result second = run(repo, env(), false, with(jbang, with("greet", ARGS)));
        assertEquals(first.stdout(), second.stdout(), second.toString());
        assertTrue(fast(second), second.toString());
        assertTrue(second.stderr().contains("-XX:SharedArchiveFile="), "JBang's CDS archive is used:\n" + second);

        HookProcess.Result failed = run(repo, env(), false, jbang, "greet", "fail");
        assertEquals(3, failed.exit(), failed.toString());
        assertTrue(fast(failed), failed.toString());

        // the helper two //SOURCES levels down changes: JBang compiles it once, then the new record is used
        word(repo, "two");
        HookProcess.Result edited = run(repo, env(), false, jbang, "greet", "x");
        assertEquals("two:x:on\n", edited.stdout(), edited.toString());
        assertTrue(edited.stderr().contains("launch: slow: sources changed"), edited.toString());
        HookProcess.Result again = run(repo, env(), false, jbang, "greet", "x");
        assertEquals("two:x:on\n", again.stdout(), again.toString());
        assertTrue(fast(again), again.toString());

        // a missing CDS archive is dumped by the fast run, as JBang's own first run does
        String current = Files.readString(repo.resolve(".jbang-wrapper/launch/@greet.cmd"));
        Path jar = Path.of(current.lines().filter(l -> l.startsWith("jar=")).findFirst().orElseThrow().replaceAll("^jar='|'$", ""));
        Path jsa = jar.resolveSibling("greet.jsa");
        Files.deleteIfExists(jsa);
        HookProcess.Result dump = run(repo, env(), false, jbang, "greet", "y");
        assertTrue(fast(dump) && dump.stderr().contains("-XX:ArchiveClassesAtExit=" + jsa), dump.toString());
        assertEquals("two:y:on\n", dump.stdout(), dump.toString());
        assertTrue(Files.isRegularFile(jsa), "archive dumped at " + jsa);

        // a .java path inside the checkout, from a subfolder: its own record, same behaviour
        Path sub = repo.resolve("app");
        HookProcess.Result byPath = run(sub, env(), false, with(jbang, with("greet.java", ARGS)));
        assertEquals("two:" + ECHOED + ":on\n", byPath.stdout(), byPath.toString());
        assertTrue(byPath.stderr().contains("launch: slow: no record"), byPath.toString());
        HookProcess.Result byPathAgain = run(tmp, env(), false, with(jbang, with(sub.resolve("greet.java").toString(), ARGS)));
        assertEquals(byPath.stdout(), byPathAgain.stdout(), byPathAgain.toString());
        assertTrue(fast(byPathAgain), byPathAgain.toString());

        // lib/setup-host.sh's copy of the wrapper on the PATH runs the same JBang: records are still written
        Path installed = Files.createDirectories(tmp.resolve("prefix/lib/cdeploy-jbang/.jbang-wrapper"));
        Files.copy(repo.resolve("jbang"), installed.resolveSibling("jbang"));
        Files.copy(repo.resolve(".jbang-wrapper/pom.xml"), installed.resolve("pom.xml"));
        Path bin = Files.createDirectories(tmp.resolve("prefix/bin"));
        Files.createSymbolicLink(bin.resolve("jbang"), installed.resolveSibling("jbang"));
        Map<String, String> withInstalled = env("PATH", bin + ":" + HookProcess.SYSTEM_PATH);
        withInstalled.remove("CDEPLOY_WRAPPER_ONLY");
        word(repo, "three");
        HookProcess.Result viaCopy = run(repo, withInstalled, false, jbang, "greet", "z");
        assertEquals("three:z:on\n", viaCopy.stdout(), viaCopy.toString());
        assertTrue(viaCopy.stderr().contains("launch: slow: sources changed"), viaCopy.toString());
        assertTrue(fast(run(repo, withInstalled, false, jbang, "greet", "z")), "recorded by the installed copy's JBang");

        // outside the checkout, where JBang would find no catalog, the alias runs by its script's path, fast path included
        HookProcess.Result elsewhere = run(tmp, env(), false, jbang, "greet");
        assertEquals(0, elsewhere.exit(), elsewhere.toString());
        assertEquals("three::on\n", elsewhere.stdout(), elsewhere.toString());
        assertTrue(fast(run(tmp, env(), false, jbang, "greet")), "the script's own record");
        // a catalog there is JBang's to read: the alias is not ours
        Files.writeString(tmp.resolve("jbang-catalog.json"), "{\"aliases\": {}}\n");
        HookProcess.Result shadowed = run(tmp, env(), false, jbang, "greet");
        assertFalse(shadowed.stderr().contains("launch:"), shadowed.toString());
        assertNotEquals(0, shadowed.exit(), shadowed.toString());
    }

    @Test
    void hooks_launch_runs_pulls_record_without_jbang_and_falls_back_after_an_edited_helper() throws IOException {
        Path bundle = tmp.resolve("bundle");
        Files.createDirectories(bundle.resolve("hooks"));
        for (String f : List.of("launch", "fastpath.sh")) {
            Files.copy(HookProcess.REPO.resolve("hooks").resolve(f), bundle.resolve("hooks").resolve(f));
        }
        Path launcher = Files.writeString(bundle.resolve("hooks/greet"), "#!/bin/sh\nexec /bin/sh \"$(dirname -- \"$0\")/launch\" greet \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        closure(bundle, "hooks");

        // what hooks/pull (lib/host/WarmUp.java) does: stamp, jbang build, jbang info tools, then the record
        String repoJbang = HookProcess.REPO.resolve("jbang").toString();
        String source = bundle.resolve("hooks/greet.java").toString();
        HookProcess.Result stamp = run(Path.of("/"), env(), false, "/bin/sh", bundle.resolve("hooks/fastpath.sh").toString(), "stamp",
                bundle.toString(), "hooks/greet.java");
        assertEquals(0, stamp.exit(), stamp.toString());
        assertTrue(stamp.stdout().startsWith("cds=1\nfiles='hooks/greet.java\nlib/core/Text.java\nlib/core/deep/Words.java'\nhash="), stamp.stdout());
        assertEquals(0, run(Path.of("/"), env(), false, repoJbang, "build", source).exit());
        HookProcess.Result info = run(Path.of("/"), env(), false, repoJbang, "info", "tools", source);
        assertEquals(0, info.exit(), info.toString());
        Files.writeString(bundle.resolve("hooks/.greet.cmd"), WarmUp.launchCommand(info.stdout(), Path.of(source)) + stamp.stdout());

        // as the agent runs it (cwd /, minimal PATH, no HOME) and with no jbang anywhere on the PATH
        Map<String, String> agent = env("CDEPLOY_JBANG", "/nonexistent");
        HookProcess.Result fast = run(Path.of("/"), agent, false, with(launcher.toString(), ARGS));
        assertEquals(0, fast.exit(), fast.toString());
        assertEquals("one:" + ECHOED + ":on\n", fast.stdout());
        assertTrue(fast(fast) && fast.stderr().contains("-XX:"), fast.toString());
        HookProcess.Result failed = run(Path.of("/"), agent, false, launcher.toString(), "fail");
        assertEquals(3, failed.exit(), failed.toString());

        word(bundle, "two");
        HookProcess.Result stale = run(Path.of("/"), agent, false, launcher.toString(), "x");
        assertTrue(stale.stderr().contains("launch: slow: sources changed"), stale.toString());
        assertFalse(stale.stdout().startsWith("one:"), "the old record did not run:\n" + stale);
        HookProcess.Result viaJbang = run(Path.of("/"), env(), true, launcher.toString(), "x");
        assertEquals(0, viaJbang.exit(), viaJbang.toString());
        assertEquals("two:x:on\n", viaJbang.stdout(), viaJbang.toString());
    }

    @Test
    void a_real_alias_in_a_copy_of_the_repository_goes_fast_and_notices_an_edited_helper() throws IOException {
        Path copy = tmp.resolve("copy");
        for (String top : List.of("hooks", "lib", "jbang", "jbang-catalog.json", ".jbang-wrapper/pom.xml")) {
            Path from = HookProcess.REPO.resolve(top);
            if (Files.isDirectory(from)) {
                HookProcess.copyTree(from, copy.resolve(top));
            } else {
                Files.createDirectories(copy.resolve(top).getParent());
                Files.copy(from, copy.resolve(top));
            }
        }
        try (var files = Files.list(HookProcess.REPO.resolve(".jbang-wrapper"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("classpath-")).toList()) {
                Files.copy(f, copy.resolve(".jbang-wrapper").resolve(f.getFileName()));
            }
        }
        String jbang = copy.resolve("jbang").toString();
        HookProcess.Result first = run(copy, env(), false, jbang, "stop", "--version");
        assertTrue(first.exit() == 0 && first.stdout().startsWith("stop "), first.toString());
        HookProcess.Result second = run(copy, env(), false, jbang, "stop", "--version");
        assertEquals(first.stdout(), second.stdout(), second.toString());
        assertTrue(fast(second), second.toString());

        // the first helper stop.java names with //SOURCES, wherever it lives under lib/
        HookProcess.Result closure = run(copy, env(), false, "/bin/sh", "-c", ". hooks/fastpath.sh && fp_closure \"$PWD\" hooks/stop.java");
        String helper = closure.stdout().lines().skip(1).findFirst().orElseThrow();
        assertTrue(helper.startsWith("lib/"), closure.toString());
        Files.writeString(copy.resolve(helper), Files.readString(copy.resolve(helper)) + "\n// edited\n");
        HookProcess.Result edited = run(copy, env(), false, jbang, "stop", "--version");
        assertEquals(first.stdout(), edited.stdout(), edited.toString());
        assertTrue(edited.stderr().contains("launch: slow: sources changed"), edited.toString());
        assertTrue(fast(run(copy, env(), false, jbang, "stop", "--version")));
    }

    @Test
    @Tag("fast")
    void the_closure_follows_sources_and_files_as_jbang_does_and_refuses_what_it_cannot_follow() throws IOException {
        Path base = tmp.resolve("base");
        Files.createDirectories(base.resolve("app/a/deep"));
        Files.createDirectories(base.resolve("app/b"));
        Files.createDirectories(base.resolve("res"));
        Files.writeString(base.resolve("app/main.java"), """
                //SOURCES a/A.java,b/B.java;  c.java // the rest is a comment.java
                //FILES conf/x.properties=../res/x.properties res2.txt
                //DEPS info.picocli:picocli:4.7.7
                class main {}
                """);
        Files.writeString(base.resolve("app/a/A.java"), "//SOURCES ../b/B.java deep/D.java\nclass A {}\n");
        for (String f : List.of("app/a/deep/D.java", "app/b/B.java", "app/c.java", "res/x.properties", "app/res2.txt")) {
            Files.writeString(base.resolve(f), "x\n");
        }
        HookProcess.Result r = run(base, env(), false, "/bin/sh", "-c",
                ". \"$0\" && fp_closure \"$PWD\" app/main.java", HookProcess.REPO.resolve("hooks/fastpath.sh").toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("app/main.java", "app/a/A.java", "app/b/B.java", "app/c.java", "res/x.properties", "app/res2.txt",
                "app/a/deep/D.java"), r.stdout().lines().toList());

        String before = stamp(base);
        Files.writeString(base.resolve("res/x.properties"), "y\n");
        assertNotEquals(before, stamp(base), "a //FILES resource is part of the hash");

        for (String line : List.of("//SOURCES *.java", "//SOURCES https://example.com/x.java", "//SOURCES ${dir}/x.java",
                "//SOURCES ../../outside.java", "//SOURCES /etc/x.java", "//SOURCES missing.java", "//FILES gone.txt",
                "//SOURCES 'quoted name.java'")) {
            Files.writeString(base.resolve("app/c.java"), line + "\n");
            HookProcess.Result refused = run(base, env(), false, "/bin/sh", HookProcess.REPO.resolve("hooks/fastpath.sh").toString(),
                    "stamp", base.toString(), "app/main.java");
            assertNotEquals(0, refused.exit(), line + " must leave no stamp:\n" + refused);
        }
    }

    static String stamp(Path base) throws IOException {
        HookProcess.Result r = run(base, env(), false, "/bin/sh", HookProcess.REPO.resolve("hooks/fastpath.sh").toString(), "stamp",
                base.toString(), "app/main.java");
        assertEquals(0, r.exit(), r.toString());
        return r.stdout();
    }

    /** What JBang itself compiles for each alias is inside the closure the fast path hashes. */
    @Test
    void the_closure_holds_every_source_jbang_compiles_for_each_alias() throws IOException {
        JsonNode aliases = new ObjectMapper().readTree(HookProcess.REPO.resolve("jbang-catalog.json").toFile()).path("aliases");
        for (Iterator<String> it = aliases.fieldNames(); it.hasNext();) {
            String script = aliases.path(it.next()).path("script-ref").asText();
            HookProcess.Result info = run(HookProcess.REPO, env(), false, HookProcess.REPO.resolve("jbang").toString(), "info", "tools", script);
            assertEquals(0, info.exit(), info.toString());
            HookProcess.Result closure = run(HookProcess.REPO, env(), false, "/bin/sh", "-c",
                    ". hooks/fastpath.sh && fp_closure \"$PWD\" \"$0\"", script);
            assertEquals(0, closure.exit(), closure.toString());
            List<String> ours = closure.stdout().lines().toList();
            for (JsonNode s : new ObjectMapper().readTree(info.stdout()).path("sources")) {
                String rel = HookProcess.REPO.relativize(Path.of(s.path("backingResource").asText())).toString();
                assertTrue(ours.contains(rel), script + ": JBang compiles " + rel + ", the closure misses it: " + ours);
            }
        }
    }

    @Test
    @Tag("fast")
    void jbang_without_arguments_lists_the_repositorys_commands() throws IOException {
        HookProcess.Result r = run(HookProcess.REPO, Map.of(), false, HookProcess.REPO.resolve("jbang").toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.stderr());
        List<String> lines = r.stdout().lines().toList();
        JsonNode aliases = new ObjectMapper().readTree(HookProcess.REPO.resolve("jbang-catalog.json").toFile()).path("aliases");
        List<String> names = new java.util.ArrayList<>();
        aliases.fieldNames().forEachRemaining(names::add);
        int n = names.size();
        assertEquals(names.stream().sorted().toList(), lines.subList(0, n).stream().map(l -> l.strip().split(" +")[0]).toList());
        int column = lines.get(0).indexOf(aliases.path(names.stream().sorted().findFirst().orElseThrow()).path("description").asText());
        for (int i = 0; i < n; i++) {
            String name = lines.get(i).strip().split(" +")[0];
            assertEquals(column, lines.get(i).indexOf(aliases.path(name).path("description").asText()), "aligned: " + r.stdout());
        }
        assertEquals(n + 1, lines.size(), r.stdout());
        assertTrue(lines.get(n).contains("./jbang <command> --help"), lines.get(n));
    }
}
