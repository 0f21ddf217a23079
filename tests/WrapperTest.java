import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./jbang: an installed jbang first; else JBang through Maven, with nothing but JBang's answer on stdout. */
class WrapperTest {
    @TempDir
    Path tmp;

    @Test
    void cold_wrapper_resolves_jbang_through_maven_and_keeps_maven_off_stdout() throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("checkout/.jbang-wrapper"));
        Files.copy(HookProcess.REPO.resolve("jbang"), copy.getParent().resolve("jbang"));
        Files.copy(HookProcess.REPO.resolve(".jbang-wrapper/pom.xml"), copy.resolve("pom.xml"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        HookProcess.Result r = HookProcess.run(List.of(copy.getParent().resolve("jbang").toString(), "version"), elsewhere, "",
                Map.of("HOME", System.getProperty("user.home")), false);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("0.132.1\n", r.stdout(), "only JBang's answer on stdout");
        try (var files = Files.list(copy)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().matches("classpath-\\d+\\.txt")), "classpath cached");
        }
        // warm: the cached classpath is used, the script's exit code and arguments pass through exec
        Path script = Files.writeString(elsewhere.resolve("echo_args.java"),
                "class echo_args { public static void main(String[] a) { System.out.println(String.join(\"|\", a)); System.exit(3); } }");
        HookProcess.Result run = HookProcess.run(List.of(copy.getParent().resolve("jbang").toString(), script.toString(),
                "a b", "it's", "$HOME", "\"q\""), elsewhere, "", Map.of(), false);
        assertEquals(3, run.exit(), run.toString());
        assertEquals("a b|it's|$HOME|\"q\"\n", run.stdout());
    }

    @Test
    void building_a_script_is_silent_unless_asked_for() throws IOException {
        for (String verbose : List.of("0", "1")) { // a body of its own each time: JBang builds it afresh
            Path script = Files.writeString(tmp.resolve("quiet_" + verbose + ".java"), "class quiet_" + verbose
                    + " { public static void main(String[] a) { System.out.println(\"" + UUID.randomUUID() + "\"); } }");
            HookProcess.Result r = HookProcess.run(List.of(HookProcess.REPO.resolve("jbang").toString(), script.toString()), tmp, "",
                    Map.of("HOME", System.getProperty("user.home"), "CDEPLOY_WRAPPER_ONLY", "1", "CDEPLOY_JBANG_VERBOSE", verbose), false);
            assertEquals(0, r.exit(), r.toString());
            assertEquals(verbose.equals("1"), r.stderr().contains("[jbang] Building jar for quiet_" + verbose + ".java"), r.toString());
        }
    }

    @Test
    void alone_or_with_help_it_lists_every_command_of_the_catalog() throws IOException {
        for (List<String> args : List.of(List.<String>of(), List.of("help"))) {
            List<String> cmd = new java.util.ArrayList<>(List.of(HookProcess.REPO.resolve("jbang").toString()));
            cmd.addAll(args);
            HookProcess.Result r = HookProcess.run(cmd, HookProcess.REPO, "", Map.of(), false);
            assertEquals(0, r.exit(), r.toString());
            var aliases = Json.MAPPER.readTree(HookProcess.REPO.resolve("jbang-catalog.json").toFile()).path("aliases");
            aliases.properties().forEach(a -> assertTrue(r.stdout().lines().anyMatch(l -> l.matches("  " + java.util.regex.Pattern.quote(a.getKey())
                    + " +" + java.util.regex.Pattern.quote(a.getValue().path("description").asText()))), a.getKey() + ":\n" + r.stdout()));
        }
    }

    @Test
    void an_alias_runs_from_a_folder_outside_the_checkout_unless_a_catalog_there_says_otherwise() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("somewhere"));
        HookProcess.Result r = HookProcess.run(List.of(HookProcess.REPO.resolve("jbang").toString(), "stop", "--help"), outside, "",
                Map.of("HOME", System.getProperty("user.home")), false);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stdout().startsWith("Usage: stop "), r.toString());
        Files.writeString(outside.resolve("jbang-catalog.json"), "{\"aliases\": {}}\n"); // JBang reads that one, as it would anywhere
        HookProcess.Result shadowed = HookProcess.run(List.of(HookProcess.REPO.resolve("jbang").toString(), "stop", "--help"), outside, "",
                Map.of("HOME", System.getProperty("user.home")), false);
        assertTrue(shadowed.exit() != 0 && shadowed.stderr().contains("could not be found"), shadowed.toString());
    }

    @Test
    void an_installed_jbang_is_used_when_there_is_one() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = Files.writeString(bin.resolve("jbang"), "#!/bin/sh\necho \"installed jbang: $*\"\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(bin.resolve("self"), HookProcess.REPO.resolve("jbang"));
        HookProcess.Result r = HookProcess.run(List.of(HookProcess.REPO.resolve("jbang").toString(), "version"), tmp, "",
                Map.of("PATH", bin + ":" + HookProcess.SYSTEM_PATH), false);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("installed jbang: version\n", r.stdout());
    }

    @Test
    void setup_host_installs_the_wrapper_where_the_hook_launcher_finds_it() throws IOException {
        Path prefix = tmp.resolve("prefix");
        HookProcess.Result setup = HookProcess.run(List.of(HookProcess.REPO.resolve("lib/setup-host.sh").toString(), "jbang"), tmp, "",
                Map.of("CDEPLOY_PREFIX", prefix.toString()), false);
        assertEquals(0, setup.exit(), setup.toString());
        assertTrue(setup.stderr().contains("setup-host: jbang 0.132.1 installed as " + prefix + "/bin/jbang"), setup.toString());
        HookProcess.Result hook = HookProcess.run(List.of(HookProcess.REPO.resolve("hooks/stop").toString(), "--help"), Path.of("/"), "",
                Map.of("PATH", prefix.resolve("bin") + ":" + HookProcess.SYSTEM_PATH), false);
        assertEquals(0, hook.exit(), hook.toString());
        assertTrue(hook.stdout().startsWith("Usage: stop "), hook.toString());
    }

    @Test
    void jbang_failing_to_build_is_exit_4_with_one_line_of_ours_after_its_own() throws IOException {
        Path script = Files.writeString(tmp.resolve("needs_dep.java"),
                "//DEPS org.example.nonexistent:nothing:9.9.9\nclass needs_dep { public static void main(String[] a) { System.exit(1); } }\n");
        HookProcess.Result r = HookProcess.run(List.of(HookProcess.REPO.resolve("jbang").toString(), "--offline", script.toString()), tmp, "",
                Map.of("HOME", System.getProperty("user.home"), "CDEPLOY_WRAPPER_ONLY", "1", "CDEPLOY_JBANG_VERBOSE", "0"), false);
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        assertTrue(r.lastLine().startsWith("jbang wrapper: JBang could not build needs_dep.java (its error is above)"), r.toString());
        assertTrue(r.stderr().contains("[jbang] [ERROR]"), "quiet hides progress, never JBang's error:\n" + r);
    }

    @Test
    void the_hook_launcher_tells_a_jbang_failure_from_the_hooks_own_exit_codes() throws IOException {
        Path bundle = HookProcess.bundle(tmp.resolve("bundle"), "app:1", Map.of());
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = Files.writeString(bin.resolve("jbang"), "#!/bin/sh\necho '[jbang] [ERROR] Could not resolve dependencies' >&2\nexit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        HookProcess.Result r = HookProcess.run(List.of(bundle.resolve("hooks/stop").toString()), Path.of("/"), "",
                Map.of("PATH", bin + ":" + HookProcess.SYSTEM_PATH), false);
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        assertEquals("hooks/stop: JBang could not build hooks/stop.java (its error is above); check Java and Maven access on the instance",
                r.lastLine(), r.toString());
    }
}
