import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/** The agent's appspec rules and texts (codedeploy-agent.md §1), including its YAML 1.1 traps. */
@Tag("fast")
class AppSpecTest {
    static String invalid(String yaml) {
        return assertThrows(AppSpec.Invalid.class, () -> AppSpec.parse(yaml)).getMessage();
    }

    @Test
    void theRepositoryAppspecIsValid() {
        AppSpec spec = AppSpec.load(Path.of("appspec.yml"));
        assertEquals(List.of("hooks/pull", "hooks/start", "hooks/validate"), spec.locations());
        assertEquals(900, spec.hooks().get("BeforeInstall").get(0).timeout());
        assertEquals(List.of(), spec.unknownEvents());
    }

    @Test
    void emptyFile() {
        assertEquals("The deployment failed because the application specification file was empty. Make sure your AppSpec file "
                + "defines at minimum the 'version' and 'os' properties.", invalid(""));
        assertEquals(AgentText.EMPTY, invalid("# only a comment\n"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "version: \"0.0\"|0.0",      // quoted: a string, fails although the docs say "string"
            "os: linux|",                 // missing: empty parentheses
            "version: 1.0|1.0",
            "version: 0.1|0.1",
            "version: latest|latest"})
    void version(String yaml, String shown) {
        assertEquals("The deployment failed because an invalid version value (" + (shown == null ? "" : shown) + ") was entered in the "
                + "application specification file. Make sure your AppSpec file specifies \"0.0\" as the version, and then try again.",
                invalid(yaml + "\nos: linux\n"));
    }

    @Test
    void versionZeroInteger() {
        assertEquals(0, ((Number) AppSpec.parse("version: 0\nos: linux\n").version()).intValue());
        assertEquals(0.0, ((Number) AppSpec.parse("version: 0.0\nos: linux\n").version()).doubleValue());
    }

    @Test
    void os() {
        assertEquals("The deployment failed because the application specification file specifies an unsupported operating system "
                + "(windows). Specify either \"linux\" or \"windows\" in the os section of the AppSpec file, and then try again.",
                invalid("version: 0.0\nos: windows\n"));
        assertEquals(AgentText.badOs("Linux"), invalid("version: 0.0\nos: Linux\n"));
        assertEquals(AgentText.badOs(""), invalid("version: 0.0\n"));
    }

    @Test
    void hooks() {
        String head = "version: 0.0\nos: linux\nhooks:\n";
        assertEquals(AgentText.NO_LOCATION, invalid(head + "  BeforeInstall:\n    - timeout: 30\n"));
        assertEquals(AgentText.NO_LOCATION, invalid(head + "  BeforeInstall:\n    - location: \"  \"\n"));
        assertEquals(AgentText.BAD_TIMEOUT, invalid(head + "  BeforeInstall:\n    - location: a\n      timeout: 0\n"));
        assertEquals(AgentText.BAD_TIMEOUT, invalid(head + "  BeforeInstall:\n    - location: a\n      timeout: soon\n"));
        AppSpec s = AppSpec.parse(head + "  ApplicationStop:\n  BeforeInstall:\n    - location: \" /hooks/pull \"\n      timeout: \"90s\"\n"
                + "      runas: \" ubuntu \"\n      sudo: true\n  AfterInstal:\n    - location: x\n");
        AppSpec.Script pull = s.hooks().get("BeforeInstall").get(0);
        assertEquals("/hooks/pull", pull.location(), "stripped, leading / kept as written");
        assertEquals(90, pull.timeout(), "Ruby to_i reads the leading digits");
        assertEquals("ubuntu", pull.runas());
        assertTrue(pull.sudo());
        assertEquals(3600, s.hooks().get("AfterInstal").get(0).timeout());
        assertNull(s.hooks().get("ApplicationStop"), "an event with no scripts is ignored");
        assertEquals(List.of("AfterInstal"), s.unknownEvents());
        assertEquals("appspec.yml file contains unknown lifecycle events: [\"AfterInstal\"]", AppSpec.unknownEventsMessage(s.unknownEvents()));
        assertEquals(List.of("hooks/pull"), s.locations());
    }

    @Test
    void filesAndFileExistsBehavior() {
        String head = "version: 0.0\nos: linux\n";
        assertEquals(AgentText.NO_SOURCE, invalid(head + "files:\n  - destination: /opt/app\n"));
        assertEquals("The deployment failed because the application specification file specifies only a source file (app.jar). Add the "
                + "name of the destination file to the files section of the AppSpec file, and then try again.",
                invalid(head + "files:\n  - source: app.jar\n"));
        assertEquals("The deployment failed because an invalid file_exists_behavior value (overwrite) was entered in the application "
                + "specification file. Make sure your AppSpec file specifies one of DISALLOW,OVERWRITE,RETAIN as the "
                + "file_exists_behavior, and then try again.", invalid(head + "file_exists_behavior: overwrite\n"));
        AppSpec s = AppSpec.parse(head + "files:\n  - source: /\n    destination: /opt/app\n    overwrite: true\nfile_exists_behavior: RETAIN\n");
        assertEquals(new AppSpec.FileMapping("/", "/opt/app"), s.files().get(0));
        assertEquals("RETAIN", s.fileExistsBehavior());
    }

    @Test
    void orderOfChecksIsTheAgents() {
        // version before os before hooks before files
        assertEquals(AgentText.badVersion("1"), invalid("version: 1\nos: windows\nhooks:\n  X:\n    - timeout: 1\n"));
        assertEquals(AgentText.NO_LOCATION, invalid("version: 0.0\nos: linux\nhooks:\n  X:\n    - timeout: 1\nfiles:\n  - {}\n"));
        assertEquals(AgentText.NO_SOURCE, invalid("version: 0.0\nos: linux\nfiles:\n  - {}\nfile_exists_behavior: x\n"));
    }

    @Test
    void permissionsWithTheYaml11OctalTrap() {
        String head = "version: 0.0\nos: linux\npermissions:\n";
        assertEquals(AgentText.NO_OBJECT, invalid(head + "  - mode: \"644\"\n"));
        assertEquals(AgentText.badType("link"), invalid(head + "  - object: /opt/app\n    type: [file, link]\n"));
        assertEquals("420", AppSpec.parse(head + "  - object: /opt/app\n    mode: 0644\n").permissions().get(0).mode(),
                "unquoted 0644 is octal 420 and applied as 0420");
        assertEquals("The deployment failed because the permissions mode (493) in the application specification file contains an "
                + "invalid character (9). Update the permissions section of the AppSpec file, and then try again.",
                invalid(head + "  - object: /opt/app\n    mode: 0755\n"));
        assertEquals(AgentText.badModeLength("12345"), invalid(head + "  - object: /opt/app\n    mode: \"12345\"\n"));
        assertEquals("644", AppSpec.parse(head + "  - object: /opt/app\n    mode: \"644\"\n").permissions().get(0).mode());
        assertEquals("044", AppSpec.parse(head + "  - object: /opt/app\n    mode: \"44\"\n").permissions().get(0).mode());
        assertEquals(AgentText.badAcl("x:y"), invalid(head + "  - object: /opt/app\n    acls: [\"u:ubuntu:rw\", \"x:y\"]\n"));
        assertEquals(AgentText.badAcl("bogus"), invalid(head + "  - object: /opt/app\n    acls: [bogus]\n"));
    }

    @Test
    void yamlSyntaxErrorIsOneLine() {
        String m = invalid("version: 0.0\nos: [linux\n");
        assertTrue(m.startsWith("appspec.yml is not valid YAML: ") && !m.contains("\n"), m);
    }
}
