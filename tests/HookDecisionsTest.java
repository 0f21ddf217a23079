import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * start's and validate's decisions, in-process against a recorded Docker: what they run, what they record for a
 * rollback, and the exit code each outcome gives. The real end-to-end runs are in HooksEndToEndTest.
 */
@Tag("fast")
class HookDecisionsTest {
    static final String NEW = "reg.example/app:2";
    static final String OLD = "reg.example/app:1";

    @TempDir
    Path tmp;
    Path bundle;
    Path state;
    RecordedDocker docker;

    record Run(int exit, String err) {}

    /** These decisions are the in-place swap's: the template without a proxy service. */
    static Path inPlace(Path bundle) throws IOException {
        Files.copy(RunNames.IN_PLACE, bundle.resolve("compose.yml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return bundle;
    }

    @BeforeEach
    void bundle() throws IOException {
        // a 2 s health wait keeps the unhealthy cases short; no env file, so none has to exist here
        bundle = inPlace(HookProcess.bundle(tmp.resolve("bundle"), NEW, Map.of("healthTimeoutSeconds", 2, "envFile", "")));
        state = tmp.resolve("state");
        docker = RecordedDocker.healthyHost();
    }

    Run run(Callable<Integer> hook, Hook.Options options) {
        return run(hook, options, Map.of("CDEPLOY_LOCK_WAIT", "0"));
    }

    /** The hook in-process on the recorded Docker, state in the test's folder, {@code env} added to the environment. */
    Run run(Callable<Integer> hook, Hook.Options options, Map<String, String> env, String... args) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("CDEPLOY_STATE_DIR", state.toString());
        options.env = all;
        options.runner = docker;
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.commandLine(hook);
        cl.setErr(new PrintWriter(err, true));
        List<String> argv = new java.util.ArrayList<>(List.of("--bundle", bundle.toString()));
        argv.addAll(List.of(args));
        return new Run(cl.execute(argv.toArray(String[]::new)), err.toString());
    }

    @Test
    void stopByHandOutsideABundleNamesNoContainerOfItsOwn() throws IOException {
        stop st = new stop();
        st.options.dir = Files.createDirectories(tmp.resolve("not-a-bundle"));
        st.options.env = Map.of("CDEPLOY_STATE_DIR", state.toString());
        st.options.runner = docker;
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.commandLine(st);
        cl.setErr(new PrintWriter(err, true));
        assertEquals(Cli.INPUT, cl.execute("--bundle", st.options.dir.toString()));
        assertEquals("stop: no bundle in " + st.options.dir + " to name the app container; give --container NAME (the default template's "
                + "is art-backend), or --bundle DIR\n", err.toString());
        assertEquals(List.of(), docker.calls, "nothing asked of Docker");
    }

    Run validate() {
        validate v = new validate();
        return run(v, v.options);
    }

    Run start() {
        start s = new start();
        return run(s, s.options);
    }

    void recorded(String name, String image) throws IOException {
        Files.createDirectories(state.resolve("art"));
        Files.writeString(state.resolve("art").resolve(name), image + "\n");
    }

    String recorded(String name) throws IOException {
        Path f = state.resolve("art").resolve(name);
        return Files.isRegularFile(f) ? Files.readString(f).strip() : null;
    }

    List<String> composeUps() {
        return docker.callsStartingWith("docker-compose --project-name art").stream().filter(c -> c.contains(" up ")).toList();
    }

    @Test
    void validate_healthy_is_0_and_touches_nothing() {
        docker.container("art-backend", NEW, "running", "starting", 0).container("art-backend", NEW, "running", "healthy", 0);
        Run r = validate();
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("validate: " + NEW + " is healthy after"), r.err());
        assertEquals(List.of(), composeUps());
        assertEquals(List.of(), docker.callsStartingWith("docker logs"));
    }

    @Test
    void validate_crashed_rolls_back_to_the_previous_image_and_exits_3() throws IOException {
        recorded(Stack.PREVIOUS, OLD);
        docker.container("art-backend", NEW, "exited", null, 0)
                .answer("docker logs", 0, "Exception in thread main\nconnecting with password=hunter2\n")
                .afterUp().container("art-backend", OLD, "running", "healthy", 0);
        Run r = validate();
        assertEquals(Cli.ROLLED_BACK, r.exit(), r.err());
        assertTrue(r.err().contains("  | connecting with password=****") && !r.err().contains("hunter2"), "masked: it travels into the CI log");
        assertEquals(1, composeUps().size(), docker.calls.toString());
        assertTrue(Files.readString(state.resolve("art/docker-compose.override.yml")).contains("image: \"" + OLD + "\""), "the previous image live");
        assertEquals(OLD, recorded(Stack.CURRENT));
        assertTrue(r.err().contains("  | Exception in thread main"), r.err());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("validate: release 2 (" + NEW + ") is not healthy: container art-backend exited with exit code 1; rolled back to "
                + OLD + ", which is healthy again"), last);
    }

    @Test
    void validate_restarting_or_restarted_counts_as_crashed() throws IOException {
        recorded(Stack.PREVIOUS, OLD);
        docker.container("art-backend", NEW, "restarting", null, 1).afterUp().container("art-backend", OLD, "running", "healthy", 0);
        Run restarting = validate();
        assertEquals(Cli.ROLLED_BACK, restarting.exit(), restarting.err());
        assertTrue(restarting.err().contains("is restarting after exit code"), restarting.err());

        docker = RecordedDocker.healthyHost().container("art-backend", NEW, "running", "starting", 0)
                .container("art-backend", NEW, "running", "starting", 1).afterUp().container("art-backend", OLD, "running", "healthy", 0);
        Run restarted = validate();
        assertEquals(Cli.ROLLED_BACK, restarted.exit(), restarted.err());
        assertTrue(restarted.err().contains("crashed and Docker restarted it"), restarted.err());
    }

    @Test
    void validate_with_nothing_to_roll_back_to_is_1_and_runs_no_compose() {
        docker.container("art-backend", NEW, "running", "unhealthy", 0);
        Run r = validate();
        assertEquals(Cli.FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("Docker healthcheck reports unhealthy; there is no previous image to roll back to"), r.err());
        assertEquals(List.of(), composeUps());
    }

    @Test
    void validate_whose_rollback_is_unhealthy_too_is_1() throws IOException {
        recorded(Stack.PREVIOUS, OLD);
        docker.container("art-backend", NEW, "exited", null, 0);
        Run r = validate();
        assertEquals(Cli.FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("; the rollback to " + OLD + " is not healthy either: "), r.err());
        assertEquals(1, composeUps().size());
    }

    @Test
    void validate_that_never_gets_healthy_waits_its_limit_then_rolls_back() throws IOException {
        recorded(Stack.PREVIOUS, OLD);
        docker.container("art-backend", NEW, "running", "starting", 0).afterUp().container("art-backend", OLD, "running", "healthy", 0);
        Run r = validate();
        assertEquals(Cli.ROLLED_BACK, r.exit(), r.err());
        assertTrue(r.err().contains("not healthy after 2 s (Docker healthcheck: starting)"), r.err());
    }

    @Test
    void start_records_the_serving_image_for_rollback_and_swaps() throws IOException {
        docker.container("art-backend", OLD, "running", "healthy", 0);
        Run r = start();
        assertEquals(0, r.exit(), r.err());
        assertEquals(OLD, recorded(Stack.PREVIOUS));
        assertEquals(NEW, recorded(Stack.CURRENT));
        assertEquals(1, composeUps().size());
        assertTrue(composeUps().get(0).endsWith("up --detach --no-build"), composeUps().toString());
        assertTrue(Files.readString(state.resolve("art/docker-compose.override.yml")).contains("image: \"" + NEW + "\""));
    }

    @Test
    void start_after_a_manual_stop_goes_back_to_the_last_recorded_release() throws IOException {
        recorded(Stack.CURRENT, OLD);
        docker.noContainer("art-backend");
        Run r = start();
        assertEquals(0, r.exit(), r.err());
        assertEquals(OLD, recorded(Stack.PREVIOUS));
        assertTrue(r.err().contains("start: " + OLD + " -> " + NEW), r.err());
    }

    @Test
    void start_redeploying_the_serving_image_keeps_the_rollback_target() throws IOException {
        recorded(Stack.PREVIOUS, OLD);
        docker.container("art-backend", NEW, "running", "healthy", 0);
        assertEquals(0, start().exit());
        assertEquals(OLD, recorded(Stack.PREVIOUS), "a redeploy of the same image is no rollback target");
    }

    @Test
    void start_never_pulls_a_missing_image_and_changes_nothing() throws IOException {
        docker.answer("docker image inspect --format {{.Id}} " + NEW, 1, "Error: No such image: " + NEW);
        Run r = start();
        assertEquals(Cli.FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("image " + NEW + " is not on this host, and start never pulls"), r.err());
        assertEquals(List.of(), composeUps());
        assertFalse(Files.exists(state.resolve("art/docker-compose.yml")), "the live file is untouched");
        assertEquals(null, recorded(Stack.CURRENT));
    }

    @Test
    void start_whose_compose_up_fails_is_1_with_compose_reason() {
        docker.container("art-backend", OLD, "running", "healthy", 0)
                .answer("docker-compose --project-name art", 1, "ERROR: for art-backend  Cannot start service art-be: port is already allocated");
        Run r = start();
        assertEquals(Cli.FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("start: release 2 (" + NEW + "): compose up failed: ERROR: for art-backend  Cannot start service art-be: port is already allocated"), r.err());
    }

    @Test
    void a_daemon_that_does_not_answer_is_4_before_anything_changes() throws IOException {
        docker = new RecordedDocker().answer("docker version", 1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock");
        Run r = start();
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.err());
        try (var written = Files.list(state.resolve("art"))) {
            assertEquals(List.of(Lock.FILE), written.map(p -> p.getFileName().toString()).toList(), "nothing but the lock");
        }
    }

    @Test
    void start_whose_compose_up_fails_restores_the_serving_pair_and_brings_it_up_again() throws IOException {
        // what served: v1's pair, as an earlier start left it
        docker.container("art-backend", OLD, "running", "healthy", 0);
        Files.createDirectories(state.resolve("art"));
        Files.writeString(state.resolve("art").resolve(Stack.COMPOSE_FILE), "services: {art-be: {image: old}}\n");
        Files.writeString(state.resolve("art").resolve(Stack.OVERRIDE_FILE), "services: {art-be: {image: \"" + OLD + "\"}}\n");
        recorded(Stack.CURRENT, OLD);
        docker.answer("docker-compose --project-name art", 1, "ERROR: for art-backend  Cannot start service art-be: OCI runtime create failed")
                .answer("docker-compose --project-name art", 0, "")
                .answer("docker ps --all --quiet --filter label=com.docker.compose.project=art --filter label=com.docker.compose.service=art-be",
                        0, "0a1b2c\n3d4e5f\n"); // Compose v1 left the old one renamed and the new one created
        Run r = start();
        assertEquals(Cli.ROLLED_BACK, r.exit(), r.err());
        assertEquals(2, composeUps().size(), "the failed swap, then the restore");
        assertEquals(List.of("docker rm --force 0a1b2c 3d4e5f"), docker.callsStartingWith("docker rm"), "both gone before the restore");
        assertTrue(Files.readString(state.resolve("art").resolve(Stack.OVERRIDE_FILE)).contains(OLD), "the serving pair is live again");
        assertEquals(OLD, recorded(Stack.CURRENT));
        assertTrue(r.err().contains("restored " + OLD + ", which compose started again"), r.err());
        // CodeDeploy's automatic rollback then redeploys v1: a plain redeploy of what serves
        docker = RecordedDocker.healthyHost().container("art-backend", OLD, "running", "healthy", 0);
        bundle = inPlace(HookProcess.bundle(tmp.resolve("bundle-v1"), OLD, Map.of("healthTimeoutSeconds", 2, "envFile", "")));
        assertEquals(0, start().exit());
        assertEquals(OLD, recorded(Stack.CURRENT));
    }

    @Test
    void start_whose_compose_up_fails_with_nothing_to_restore_is_1() {
        docker.noContainer("art-backend").answer("docker-compose --project-name art", 1, "ERROR: port is already allocated");
        Run r = start();
        assertEquals(Cli.FAILED, r.exit(), r.err());
        assertTrue(r.err().contains("nothing served here before, so there is nothing to restore"), r.err());
    }

    @Test
    void a_failed_inspect_during_the_wait_is_not_a_verdict() {
        docker.answer("docker container inspect art-backend", 1, "Error response from daemon: i/o timeout")
                .container("art-backend", NEW, "running", "healthy", 0);
        Run r = validate();
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void a_hook_waits_for_the_one_holding_the_project_then_exits_4_naming_it() throws IOException {
        docker.container("art-backend", OLD, "running", "healthy", 0);
        Log quiet = new Log(new PrintWriter(new StringWriter()));
        try (Lock held = Lock.take(state.resolve("art"), "validate", Duration.ZERO, quiet)) {
            start s = new start();
            Run r = run(s, s.options, Map.of("CDEPLOY_LOCK_WAIT", "1"));
            assertEquals(Cli.ENVIRONMENT, r.exit(), r.err());
            assertTrue(r.err().contains("another hook holds the lock of " + state.resolve("art") + ": validate (pid "), r.err());
            assertEquals(List.of(), composeUps(), "nothing swapped");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"docker-compose --project-name art", "docker pull --quiet"})
    void pull_stops_on_its_own_before_the_agents_timeout_and_leaves_no_scratch_file(String slowStep) throws IOException {
        // the repository's appspec gives BeforeInstall 900 s: started 882 s ago, pull has 3 s of its 885 left
        long started = java.time.Instant.now().minusSeconds(882).toEpochMilli() * 1_000_000L;
        docker.answer("docker container inspect", 1, "Error: No such container").slow(slowStep, Duration.ofSeconds(30));
        pull p = new pull();
        java.time.Instant t = java.time.Instant.now();
        Run r = run(p, p.options, Map.of("CDEPLOY_HOOK_START", Long.toString(started)), "--no-warm-up");
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.err());
        assertTrue(Duration.between(t, java.time.Instant.now()).toSeconds() < 10, "stopped at its budget, not the step's 600 s");
        assertTrue(r.err().contains("pull: pull used its 885 s (its appspec timeout less 15 s) and stopped at: " + slowStep), r.err());
        assertTrue(r.err().contains("; raise the timeout of hooks/pull in appspec.yml"), r.err());
        try (var left = Files.list(state.resolve("art"))) {
            assertEquals(List.of(), left.map(Path::getFileName).map(Path::toString).filter(n -> n.startsWith(".check-")).toList());
        }
    }

    @Test
    void the_same_image_with_another_template_is_another_release_with_the_serving_pair_to_go_back_to() throws IOException {
        // what serves: NEW with an older template (start kept its pair in current/)
        Path current = Files.createDirectories(state.resolve("art").resolve(Stack.CURRENT_DIR));
        Files.writeString(current.resolve(Stack.COMPOSE_FILE), "services: {art-be: {image: old, environment: {TEMPLATE: older}}}\n");
        Files.writeString(current.resolve(Stack.OVERRIDE_FILE), "services: {art-be: {image: \"" + NEW + "\"}}\n");
        recorded(Stack.CURRENT, NEW);
        docker.container("art-backend", NEW, "running", "healthy", 0);
        assertEquals(0, start().exit());
        Path previous = state.resolve("art").resolve(Stack.PREVIOUS_DIR);
        assertTrue(Files.readString(previous.resolve(Stack.COMPOSE_FILE)).contains("TEMPLATE: older"), "the serving pair is the rollback target");
        assertEquals(NEW, recorded(Stack.PREVIOUS));
        // the release does not get healthy: validate brings that pair up from where it is kept, not this release's
        docker = RecordedDocker.healthyHost().container("art-backend", NEW, "exited", null, 0)
                .afterUp().container("art-backend", NEW, "running", "healthy", 0);
        Run r = validate();
        assertEquals(Cli.ROLLED_BACK, r.exit(), r.err());
        assertEquals(1, composeUps().size());
        assertTrue(composeUps().get(0).contains(" --project-directory " + state.resolve("art") + " --file " + previous.resolve(Stack.COMPOSE_FILE)),
                composeUps().toString());
        assertTrue(Files.readString(state.resolve("art").resolve(Stack.COMPOSE_FILE)).contains("TEMPLATE: older"), "and live again");
    }
}
