import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One local deployment's events, each as the agent runs it: DownloadBundle (prune old revisions, check the ETag, put
 * the staged revision in place, mark it most recent), Install ({@link Installer}, then mark it last successful) and
 * the hook events: scripts from the revision the agent would take (the last successful one for ApplicationStop and
 * the block-traffic hooks, silently nothing on a first deployment), run one after another by {@link ScriptRun}; the
 * first failure ends the event with the agent's error code, message and log tail.
 */
final class Lifecycle {
    /** Everything an event needs to know about its deployment. */
    record Context(Layout layout, String deploymentId, Path deploymentDir, String applicationName, String groupName,
                   Map<String, String> baseEnv, Map<String, String> bundleEnv, ScriptLog log, Log progress,
                   ScriptRun.NoShebang noShebang, Path cwd, String fileExistsBehavior, String host) {}

    /** How an event ended; {@code failure} and {@code agentCode} only for a failed one. */
    record EventResult(String event, String status, double seconds, int scripts, String note, EventFailure failure,
                       int agentCode, Integer scriptExit) {
        boolean failed() {
            return "Failed".equals(status);
        }

        static EventResult skipped(String event) {
            return new EventResult(event, "Skipped", 0, 0, null, null, 0, null);
        }
    }

    private final Context c;

    Lifecycle(Context c) {
        this.c = c;
    }

    /** DownloadBundle: pruning, then the staged revision (fetched before any event) put in place. */
    EventResult downloadBundle(Fetch.Staged staged, String expectedEtag, long started) {
        List<Path> pruned = c.layout().prune(c.deploymentDir(), Layout.MAX_REVISIONS);
        String failure = staged.failure();
        if (failure == null && expectedEtag != null && staged.etag() != null && !unquote(expectedEtag).equals(unquote(staged.etag()))) {
            failure = "Expected deployment artifact bundle etag " + unquote(expectedEtag) + " but was actually " + unquote(staged.etag());
        }
        if (failure != null) {
            return failed(Events.DOWNLOAD_BUNDLE, started, 0, null, ScriptRun.UNKNOWN, failure, null);
        }
        try {
            Files.move(staged.dir(), Layout.archive(c.deploymentDir()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        c.layout().markMostRecent(c.deploymentDir());
        return ok(Events.DOWNLOAD_BUNDLE, started, 0, pruned.isEmpty() ? null : "pruned " + pruned.size() + " old revision(s)");
    }

    /** Install: the agent's installer over the new revision's appspec, then the last-successful marker. */
    EventResult install(long started) {
        Path archive = Layout.archive(c.deploymentDir());
        try {
            AppSpec spec = appspec(c.deploymentDir());
            int n = Installer.install(c.layout(), archive, spec, c.fileExistsBehavior(), c.cwd());
            c.layout().markLastSuccessful(c.deploymentDir());
            return ok(Events.INSTALL, started, 0, n + " instruction(s)");
        } catch (AppSpec.Invalid | Installer.Refused e) {
            return failed(Events.INSTALL, started, 0, null, ScriptRun.UNKNOWN, e.getMessage(), null);
        } catch (UncheckedIOException e) {
            return failed(Events.INSTALL, started, 0, null, ScriptRun.UNKNOWN, e.getCause().toString(), null);
        }
    }

    /** A hook event: its scripts from the revision the agent would take, in the appspec's order. */
    EventResult hooks(String event, long started) {
        Path revision = c.deploymentDir();
        if (Events.FROM_LAST_SUCCESSFUL.contains(event) && !Files.exists(Layout.archive(revision))) {
            revision = c.layout().lastSuccessful().orElse(null);
            if (revision == null) {
                return ok(event, started, 0, "no previous successful revision: nothing to run");
            }
        }
        List<AppSpec.Script> scripts;
        try {
            scripts = appspec(revision).hooks().getOrDefault(event, List.of());
        } catch (AppSpec.Invalid e) {
            return failed(event, started, 0, null, ScriptRun.UNKNOWN, e.getMessage(), null);
        }
        if (scripts.isEmpty()) {
            return ok(event, started, 0, "no scripts");
        }
        c.log().newEvent();
        c.log().append("LifecycleEvent - " + event);
        Map<String, String> env = environment(event);
        Path archive = Layout.archive(revision);
        for (AppSpec.Script s : scripts) {
            Path script = archive.resolve(s.location().replaceFirst("^/+", "")).normalize();
            ScriptRun.Outcome o = check(script, s);
            if (o == null) {
                o = ScriptRun.run(script, s, env, c.log(), c.noShebang(), c.cwd());
            }
            if (!o.ok()) {
                return failed(event, started, scripts.size(), s.location(), o.code(), o.message(), o.exit() < 0 ? null : o.exit());
            }
        }
        String from = revision.equals(c.deploymentDir()) ? null : "scripts of the last successful revision " + revision.getFileName();
        return ok(event, started, scripts.size(), from);
    }

    /** The agent's checks before a script runs: it must exist, and is made executable (with a warning) if it is not. */
    private ScriptRun.Outcome check(Path script, AppSpec.Script s) {
        if (!Files.exists(script)) {
            return new ScriptRun.Outcome(ScriptRun.SCRIPT_MISSING, AppSpec.scriptMissing(script.toString()), -1);
        }
        if (!Files.isExecutable(script)) {
            c.progress().info("deploy-local: Script at specified location: %s is not executable.  Trying to make it executable.", s.location());
            try {
                Set<PosixFilePermission> p = EnumSet.copyOf(Files.getPosixFilePermissions(script));
                p.addAll(List.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
                Files.setPosixFilePermissions(script, p);
            } catch (IOException | RuntimeException e) {
                return new ScriptRun.Outcome(ScriptRun.NOT_EXECUTABLE, "Unable to set script at specified location: " + s.location() + " as executable", -1);
            }
        }
        return null;
    }

    /** This environment, plus the agent's variables (and BUNDLE_* for an S3 revision). */
    private Map<String, String> environment(String event) {
        Map<String, String> env = new LinkedHashMap<>(c.baseEnv());
        env.put("LIFECYCLE_EVENT", event);
        env.put("DEPLOYMENT_ID", c.deploymentId());
        env.put("APPLICATION_NAME", c.applicationName());
        env.put("DEPLOYMENT_GROUP_NAME", c.groupName());
        env.put("DEPLOYMENT_GROUP_ID", c.layout().group);
        env.putAll(c.bundleEnv());
        return env;
    }

    /** The appspec of a revision folder, or the agent's "did not find an AppSpec file" failure. */
    static AppSpec appspec(Path deploymentDir) {
        Path archive = Layout.archive(deploymentDir);
        Path file = Fetch.appspecIn(archive);
        if (file == null) {
            throw new AppSpec.Invalid("The CodeDeploy agent did not find an AppSpec file within the unpacked revision directory at revision-relative path \"appspec.yml\". "
                    + "The revision was unpacked to directory \"" + archive + "\", and the AppSpec file was expected but not found at path \"" + archive
                    + "/appspec.yml\". Consult the AWS CodeDeploy Appspec documentation for more information at http://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file.html");
        }
        return AppSpec.load(file);
    }

    private EventResult ok(String event, long started, int scripts, String note) {
        return new EventResult(event, "Succeeded", seconds(started), scripts, note, null, 0, null);
    }

    private EventResult failed(String event, long started, int scripts, String script, int code, String message, Integer exit) {
        String tail = script == null ? null : c.log().tail();
        EventFailure f = new EventFailure(event, script, ScriptRun.CODE_NAMES.get(code), message, tail, List.of(c.host()));
        return new EventResult(event, "Failed", seconds(started), scripts, null, f, code, exit);
    }

    private static double seconds(long started) {
        return Math.round((System.nanoTime() - started) / 1e7) / 100.0;
    }

    private static String unquote(String etag) {
        return etag.replace("\"", "");
    }
}
