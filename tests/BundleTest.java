import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

@Tag("fast")
class BundleTest {
    @TempDir
    Path dir;

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    private Cli.Fail fails() {
        return assertThrows(Cli.Fail.class, () -> Bundle.load(dir));
    }

    @Test
    void image_txt_alone_is_the_original_contract_with_the_original_settings() throws IOException {
        write("image.txt", "repository/image-name:1.0\n");
        Bundle b = Bundle.load(dir);
        assertEquals("repository/image-name:1.0", b.image().toString());
        assertNull(b.version());
        assertEquals(Settings.DEFAULTS, b.settings());
        assertEquals("art-backend", b.settings().container());
        assertEquals("art-be", b.settings().service());
        assertEquals("/home/ubuntu/env/.env", b.settings().envFile());
        assertEquals("http://127.0.0.1:8080/actuator/health", b.settings().healthUrl());
    }

    @Test
    void manifest_is_authoritative_and_its_settings_override_defaults() throws IOException {
        write("release.json", """
                {"version": "1.4.2", "commit": "0abc", "image": "reg.example/app:1.4.2",
                 "settings": {"container": "web", "healthTimeoutSeconds": 30, "envFile": ""}}""");
        write("image.txt", "reg.example/app:1.4.2\n");
        Bundle b = Bundle.load(dir);
        assertEquals("1.4.2", b.version());
        assertEquals("0abc", b.commit());
        assertEquals("web", b.settings().container());
        assertEquals(30, b.settings().healthTimeoutSeconds());
        assertEquals("", b.settings().envFile());
        assertEquals("art-be", b.settings().service());
    }

    @Test
    void disagreement_between_image_txt_and_manifest_is_an_error() throws IOException {
        write("release.json", "{\"image\": \"reg.example/app:2\"}");
        write("image.txt", "reg.example/app:1\n");
        Cli.Fail f = fails();
        assertEquals(Cli.INPUT, f.exitCode);
        assertEquals("image.txt says 'reg.example/app:1' but release.json says 'reg.example/app:2'; "
                + "rebuild the bundle so that both name the same image", f.getMessage());
    }

    @Test
    void empty_bundle_and_bad_manifests_fail_with_one_line() throws IOException {
        assertTrue(fails().getMessage().startsWith("no image.txt or release.json in the bundle at "));
        write("release.json", "{not json");
        assertTrue(fails().getMessage().contains("release.json is not valid JSON"));
        write("release.json", "{\"image\": \"app:latest\"}");
        assertTrue(fails().getMessage().contains("moving tag 'latest'"));
        write("release.json", "{\"image\": \"app:1\", \"settings\": {\"colour\": \"red\"}}");
        assertTrue(fails().getMessage().contains("unknown setting 'colour'"));
        write("release.json", "{\"image\": \"app:1\", \"settings\": {\"project\": \"Bad Name\"}}");
        assertTrue(fails().getMessage().contains("is not a valid compose project name"));
        write("release.json", "{\"image\": \"app:1\", \"settings\": {\"healthTimeoutSeconds\": 0}}");
        assertTrue(fails().getMessage().contains("healthTimeoutSeconds must be a positive"));
        assertEquals(1, fails().getMessage().lines().count());
    }

    @Test
    void hook_timeout_comes_from_appspec_with_the_agents_default() throws IOException {
        write("image.txt", "app:1");
        Bundle b = Bundle.load(dir);
        assertEquals(3600, b.hookTimeoutSeconds("ValidateService", "hooks/validate"));
        write("appspec.yml", """
                version: 0.0
                os: linux
                hooks:
                  ValidateService:
                    - location: /hooks/validate
                      timeout: 240
                  ApplicationStart:
                    - location: ./hooks/start
                      timeout: 100
                """);
        assertEquals(240, b.hookTimeoutSeconds("ValidateService", "hooks/validate"));
        assertEquals(100, b.hookTimeoutSeconds("ApplicationStart", "hooks/start"));
        assertEquals(3600, b.hookTimeoutSeconds("BeforeInstall", "hooks/pull"));
        write("appspec.yml", "version: \"0.0\"\nos: linux\n");
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> b.hookTimeoutSeconds("ValidateService", "hooks/validate"));
        assertTrue(f.getMessage().endsWith("appspec.yml: The deployment failed because an invalid version value (0.0) was entered in the "
                + "application specification file. Make sure your AppSpec file specifies \"0.0\" as the version, and then try again.; "
                + "fix appspec.yml and release again"), f.getMessage());
    }

    @Test
    void the_repository_appspec_gives_validate_room_for_a_rollback() {
        AppSpec spec = AppSpec.load(Path.of("appspec.yml"));
        assertEquals(120, Template.healthDeadline(spec, Template.render(Path.of("compose.yml"), "app:1", Settings.DEFAULTS), Settings.DEFAULTS).toSeconds());
    }

    @Test
    void a_bundle_given_as_its_zip_or_a_missing_folder_is_named_as_such() throws Exception {
        Path zip = java.nio.file.Files.writeString(dir.resolve("rev.zip"), "PK");
        Cli.Fail f = org.junit.jupiter.api.Assertions.assertThrows(Cli.Fail.class, () -> Bundle.load(zip));
        assertEquals("--bundle " + zip + " is a file, not an unpacked bundle; pass the deployment's unpacked folder: "
                + "<deployment root>/<group id>/<deployment id>/deployment-archive", f.getMessage());
        f = org.junit.jupiter.api.Assertions.assertThrows(Cli.Fail.class, () -> Bundle.load(dir.resolve("gone")));
        assertEquals("bundle folder " + dir.resolve("gone") + " does not exist; pass --bundle with an unpacked bundle", f.getMessage());
    }
}
