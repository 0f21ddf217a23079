import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/** The child-process runner every hook uses for docker and compose (lib/core/Proc.java). */
@Tag("fast")
class ProcTest {
    @Test
    void a_hanging_command_is_killed_at_its_timeout() {
        Instant t = Instant.now();
        Proc.Result r = Proc.SYSTEM.run(List.of("sh", "-c", "echo started; sleep 30"), Duration.ofSeconds(1), null);
        assertEquals(124, r.exit());
        assertTrue(Duration.between(t, Instant.now()).toSeconds() < 10, "killed, not waited for");
        assertTrue(r.reason().startsWith("timed out after 1 s: sh -c"), r.reason());
    }

    @Test
    void large_output_on_both_streams_does_not_block_the_child() {
        Proc.Result r = Proc.SYSTEM.run(List.of("sh", "-c", "head -c 1000000 /dev/zero | tr '\\\\0' a; head -c 300000 /dev/zero | tr '\\\\0' b >&2"),
                Duration.ofSeconds(30), null);
        assertEquals(0, r.exit());
        assertEquals(1_000_001, r.out().length()); // the runner ends the last line
        assertEquals(300_001, r.err().length());
    }

    @Test
    void every_line_is_echoed_and_the_reason_is_the_last_line_of_stderr() {
        List<String> echoed = new ArrayList<>();
        Proc.Result r = Proc.SYSTEM.run(List.of("sh", "-c", "echo out; echo first >&2; echo 'Error: the real reason' >&2; exit 3"),
                Duration.ofSeconds(10), line -> {
                    synchronized (echoed) {
                        echoed.add(line);
                    }
                });
        assertEquals(3, r.exit());
        assertEquals("Error: the real reason", r.reason());
        assertEquals(List.of("Error: the real reason", "first", "out"), echoed.stream().sorted().toList());
    }

    @Test
    void a_missing_command_is_127() {
        Proc.Result r = Proc.SYSTEM.run(List.of("/nonexistent/docker", "version"), Duration.ofSeconds(5), null);
        assertEquals(127, r.exit());
        assertTrue(r.reason().startsWith("/nonexistent/docker: not found"), r.reason());
    }

    @Test
    void a_timeout_terminates_then_kills_the_whole_tree() throws Exception {
        Path dir = Files.createTempDirectory("proc");
        // the child ignores SIGTERM; its grandchild would outlive it if only the child were signalled
        String script = "trap '' TERM; sh -c 'echo $$ > " + dir + "/grandchild; exec sleep 60' & echo $$ > " + dir + "/child; wait";
        Instant t = Instant.now();
        Proc.Result r = Proc.SYSTEM.run(List.of("sh", "-c", script), Duration.ofSeconds(1), null);
        assertEquals(124, r.exit());
        assertTrue(Duration.between(t, Instant.now()).compareTo(Proc.KILL_GRACE.plusSeconds(5)) < 0, "bounded by the grace period");
        for (String who : List.of("child", "grandchild")) {
            long pid = Long.parseLong(Files.readString(dir.resolve(who)).strip());
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent()) {
                h.get().onExit().get(5, TimeUnit.SECONDS); // reaped a moment after the kill
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), who + " " + pid + " still runs");
        }
    }
}
