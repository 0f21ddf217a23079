import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("fast")
class PullTest {
    @Test
    void launch_command_is_shell_quoted_and_deduplicated() {
        String info = """
                {"applicationJar": "/c/start.jar", "mainClass": "start", "availableJdkPath": "/jdk it's",
                 "resolvedDependencies": ["/m/a.jar", "/m/b.jar"],
                 "runtimeOptions": ["-XX:+UseSerialGC", "-Xlog:disable", "-XX:+UseSerialGC"]}""";
        assertEquals("""
                # Written by hooks/pull from 'jbang info tools start.java': run it without JBang's JVM.
                java='/jdk it'\\''s/bin/java'
                options='-XX:+UseSerialGC -Xlog:disable'
                classpath='/c/start.jar:/m/a.jar:/m/b.jar'
                main='start'
                jar='/c/start.jar'
                """, WarmUp.launchCommand(info, Path.of("hooks/start.java")));
    }
}
