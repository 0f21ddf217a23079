import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/**
 * Two runs of the end-to-end deploys on one machine at once, as two developers' suites (or a suite and a CI job)
 * would: each builds its images, deploys v1 of the default stack under its own names and serves it on its own port,
 * neither disturbing the other; each then removes exactly what it made.
 */
class SharedMachineTest {
    @Test
    void two_runs_deploy_the_default_stack_at_once_each_under_its_own_names() throws Exception {
        HooksEndToEndTest a = new HooksEndToEndTest();
        HooksEndToEndTest b = new HooksEndToEndTest();
        try {
            CompletableFuture<Integer> ra = CompletableFuture.supplyAsync(() -> deployV1(a));
            CompletableFuture<Integer> rb = CompletableFuture.supplyAsync(() -> deployV1(b));
            assertEquals(List.of(0, 0), List.of(ra.join(), rb.join()));
            assertEquals(List.of("1", "1"), List.of(a.serving(), b.serving()));
            assertEquals(2, List.of(a.n.port, b.n.port).stream().distinct().count());
        } finally {
            if (a.n != null) {
                a.cleanUp();
            }
            if (b.n != null) {
                b.cleanUp();
            }
        }
    }

    private static int deployV1(HooksEndToEndTest run) {
        try {
            run.prepare();
            HookProcess.Result v = run.pullStartValidate(run.bundle("v1", run.app + ":1", run.settings()));
            assertEquals(0, v.exit(), v.toString());
            return v.exit();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
