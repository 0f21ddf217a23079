import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

@Tag("fast")
class ImageRefTest {
    static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void tagged_reference_is_pulled_by_tag() {
        ImageRef r = ImageRef.parse("registry.example.com:5000/team/app:1.4.2\n", "image.txt");
        assertEquals("registry.example.com:5000/team/app", r.name());
        assertEquals("1.4.2", r.tag());
        assertNull(r.digest());
        assertEquals("registry.example.com:5000/team/app:1.4.2", r.pinned());
    }

    @Test
    void digest_wins_over_tag_when_pulling() {
        ImageRef r = ImageRef.parse("repository/image-name:1.0@" + DIGEST, "image.txt");
        assertEquals("repository/image-name@" + DIGEST, r.pinned());
        assertEquals("repository/image-name:1.0@" + DIGEST, r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"repository/image-name:1.0", "localhost/app:v1", "127.0.0.1:5000/a/b/c:1_0-x.y",
            "[::1]:5000/app:2", "app@" + "sha256:0123456789abcdef0123456789abcdef", "a__b/c--d:1"})
    void valid_references(String ref) {
        assertEquals(ref, ImageRef.parse(ref, "image.txt").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void empty_is_rejected(String ref) {
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> ImageRef.parse(ref, "image.txt"));
        assertEquals(Cli.INPUT, f.exitCode);
        assertTrue(f.getMessage().startsWith("image.txt holds no image reference; "), f.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Repository/App:1", "app:", "app::1", "-app:1", "app:1 extra", "app:.1",
            "app@sha256:abc", "app:" + "x" + "1234567890123456789012345678901234567890123456789012345678901234567890"
            + "1234567890123456789012345678901234567890123456789012345678901234567890"})
    void malformed_is_rejected(String ref) {
        Cli.Fail f = assertThrows(Cli.Fail.class, () -> ImageRef.parse(ref, "image.txt"));
        assertTrue(f.getMessage().contains("is not a valid Docker image reference"), f.getMessage());
    }

    @Test
    void untagged_and_latest_are_rejected() {
        assertTrue(assertThrows(Cli.Fail.class, () -> ImageRef.parse("team/app", "image.txt"))
                .getMessage().contains("has no tag"));
        assertTrue(assertThrows(Cli.Fail.class, () -> ImageRef.parse("team/app:latest", "image.txt"))
                .getMessage().contains("moving tag 'latest'"));
        assertEquals("team/app@" + DIGEST, ImageRef.parse("team/app:latest@" + DIGEST, "x").pinned());
    }

    @Test
    void two_lines_are_rejected() {
        assertTrue(assertThrows(Cli.Fail.class, () -> ImageRef.parse("a:1\nb:2", "image.txt"))
                .getMessage().contains("more than one line"));
    }
}
