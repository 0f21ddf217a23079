import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One local deployment as the agent runs it, start to end, for the deploy-local command and for release --local:
 * the location and options checked, one deployment at a time per group, the revision fetched and its appspec checked
 * before anything runs, then the events in order (the rest skipped after a failure) with a progress line each.
 */
final class LocalDeploy {
    /** What to deploy and how, as codedeploy-local's options say it ({@code deploymentRoot} null: the default). */
    record Request(String location, String type, String fileExistsBehavior, String groupId, String groupName, String applicationName,
                   String events, Path deploymentRoot, boolean ignoreStopFailures, ScriptRun.NoShebang noShebang) {}

    private final Request r;
    private final Map<String, String> env;
    private final Path cwd;
    private final Log log;
    private final Consumer<String> echo;
    private final Fetch.S3Download s3;

    /** {@code echo} gets the scripts' output as it comes (or null); {@code s3} fetches an s3:// bundle. */
    LocalDeploy(Request r, Map<String, String> env, Path cwd, Log log, Consumer<String> echo, Fetch.S3Download s3) {
        this.r = r;
        this.env = env;
        this.cwd = cwd;
        this.log = log;
        this.echo = echo;
        this.s3 = s3;
    }

    /** The deployment, start to end: a failed event is in the result; input and environment problems are thrown. */
    LocalResult run() {
        boolean root = Disk.root();
        Layout layout = new Layout(r.deploymentRoot() != null ? r.deploymentRoot() : Layout.defaultRoot(root, env), r.groupId());
        Fetch.Source source = Fetch.source(r.location(), r.type(), cwd);
        List<String> order = Events.ordered(r.events());
        checkOptions(layout, source);
        layout.prepare();
        String id = Layout.newDeploymentId();
        try (AutoCloseable lock = layout.lock(id)) {
            Path dir = begin(layout, id);
            Thread stop = new Thread(() -> {
                ScriptRun.stopRunning();
                try {
                    Files.deleteIfExists(layout.ongoing(id));
                } catch (IOException e) {
                    // the marker stays; the next run is not blocked by it
                }
            }, "deploy-local-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            try {
                Fetch.Staged staged = Fetch.stage(source, dir, dir.resolve(".staging"), s3);
                preflight(staged, order, root, dir);
                log.info("deploy-local: %s of %s (%s) in %s", id, source.location(), source.type(), dir);
                try (ScriptLog scripts = new ScriptLog(Layout.scriptsLog(dir), layout.deploymentsLog(), id, echo)) {
                    Lifecycle lifecycle = new Lifecycle(context(layout, id, dir, source, staged, scripts));
                    LocalResult result = LocalResult.of(id, application(source), r.groupName(), layout, source.location(), run(lifecycle, order, staged, source));
                    Disk.writeAtomically(Layout.scriptsLog(dir).resolveSibling(LocalResult.FILE), Json.write(result)); // what doctor --local reads
                    return result;
                }
            } finally {
                Files.deleteIfExists(layout.ongoing(id));
                try {
                    Runtime.getRuntime().removeShutdownHook(stop);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook runs
                }
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "deployment root " + layout.root + ": " + e.getMessage(), "give a writable --deployment-root");
        } catch (Cli.Fail | UncheckedIOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The events in order; after the first failure the rest are skipped, as CodeDeploy skips them. */
    private List<Lifecycle.EventResult> run(Lifecycle lifecycle, List<String> order, Fetch.Staged staged, Fetch.Source source) {
        List<Lifecycle.EventResult> results = new ArrayList<>();
        boolean failed = false;
        for (String event : order) {
            long t = System.nanoTime();
            Lifecycle.EventResult e = failed ? Lifecycle.EventResult.skipped(event) : switch (event) {
                case Events.DOWNLOAD_BUNDLE -> lifecycle.downloadBundle(staged, source.etag(), t);
                case Events.INSTALL -> lifecycle.install(t);
                default -> lifecycle.hooks(event, t);
            };
            if (e.failed() && this.r.ignoreStopFailures() && Events.FROM_LAST_SUCCESSFUL.contains(event)) {
                e = new Lifecycle.EventResult(event, "Succeeded", e.seconds(), e.scripts(), "failure ignored: " + e.failure().message(), null, 0, null);
            }
            failed |= e.failed();
            results.add(e);
            log.info("deploy-local: [%d/%d] %s: %s%s (%.2f s)", results.size(), order.size(), event, e.status(),
                    e.failed() ? ": " + e.failure().errorCode() + ": " + e.failure().message() : e.note() == null ? "" : ", " + e.note(), e.seconds());
        }
        return results;
    }

    /** The deployment folder, its log folder and the in-progress marker the agent keeps while a deployment runs. */
    private static Path begin(Layout layout, String id) throws IOException {
        Path dir = layout.deploymentDir(id);
        Files.createDirectories(Layout.scriptsLog(dir).getParent());
        Files.createDirectories(layout.ongoing(id).getParent());
        Files.writeString(layout.ongoing(id), id, java.nio.file.StandardOpenOption.CREATE_NEW);
        return dir;
    }

    /**
     * The new revision's appspec checked before any event runs: codedeploy-local's event checks and what deploy-local
     * cannot do faithfully (acls, SELinux context, runas without root) refused with nothing changed. An appspec the
     * agent would reject is not refused here: the deployment fails where the agent's would, with its message.
     */
    private void preflight(Fetch.Staged staged, List<String> order, boolean root, Path dir) {
        if (staged.failure() != null) {
            return;
        }
        try {
            Path file = Fetch.appspecIn(staged.dir());
            AppSpec appspec = file == null ? null : AppSpec.load(file);
            if (appspec == null) {
                return;
            }
            Events.check(order, appspec);
            refuseUnfaithful(appspec, root);
            refuseEscapes(appspec, staged.dir());
        } catch (AppSpec.Invalid e) {
            // the agent fails the deployment at the first event that reads it: so do we
        } catch (Cli.Fail f) {
            Disk.deleteTree(dir);
            throw f;
        }
    }

    /** What deploy-local cannot do as the agent does: acls, SELinux contexts, runas without root. */
    private static void refuseUnfaithful(AppSpec appspec, boolean root) {
        for (AppSpec.Permission p : appspec.permissions()) {
            if (!p.acls().isEmpty() || !p.context().isEmpty()) {
                throw new Cli.Fail(Cli.INPUT, "appspec.yml permissions for " + p.object() + " set " + (p.acls().isEmpty() ? "an SELinux context" : "acls")
                        + ", which deploy-local does not apply", "deploy this revision with the agent, or remove them to try the rest here");
            }
        }
        appspec.hooks().forEach((event, scripts) -> scripts.stream().filter(s -> s.runas() != null && !root).findFirst().ifPresent(s -> {
            throw new Cli.Fail(Cli.INPUT, event + " runs " + s.location() + " as " + s.runas() + ", which needs root (su)", "run deploy-local as root");
        }));
    }

    /**
     * A hook location or a files source that leads out of the revision ({@code ../}, or a link inside it pointing out)
     * is refused, as agent 2.1 does: the agent 1.x would run or copy whatever it names, and make it executable.
     */
    private static void refuseEscapes(AppSpec appspec, Path revision) {
        Map<String, String> named = new LinkedHashMap<>();
        appspec.hooks().forEach((event, scripts) -> scripts.forEach(s -> named.put(s.location(), event + " location")));
        appspec.files().forEach(f -> named.put(f.source(), "files source"));
        named.forEach((path, what) -> {
            Path p = revision.resolve(path.replaceFirst("^/+", "")).normalize();
            boolean out;
            try {
                out = !p.startsWith(revision) || (Files.exists(p) && !p.toRealPath().startsWith(revision.toRealPath()));
            } catch (IOException e) {
                out = true;
            }
            if (out) {
                throw new Cli.Fail(Cli.INPUT, "appspec.yml " + what + " " + path + " leads out of the revision",
                        "name a file inside the bundle (deploy-local refuses this, as agent 2.1 does)");
            }
        });
    }

    private Lifecycle.Context context(Layout layout, String id, Path dir, Fetch.Source source, Fetch.Staged staged, ScriptLog scripts) {
        Map<String, String> base = new LinkedHashMap<>(env);
        if (!Disk.root() && Cli.first(env.get("CDEPLOY_STATE_DIR")) == null) {
            base.put("CDEPLOY_STATE_DIR", Layout.defaultStateDir(env).toString()); // the hooks' state stays in the user's folders
        }
        return new Lifecycle.Context(layout, id, dir, application(source), r.groupName(), base, source.bundleEnv(staged.etag()), scripts, log,
                r.noShebang(), cwd, r.fileExistsBehavior(), host());
    }

    private void checkOptions(Layout layout, Fetch.Source source) {
        if (!AppSpec.FILE_EXISTS_BEHAVIORS.contains(r.fileExistsBehavior())) {
            throw new Cli.Fail(Cli.INPUT, "--file-exists-behavior " + r.fileExistsBehavior() + " is not one of DISALLOW, OVERWRITE, RETAIN");
        }
        if (!r.groupId().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new Cli.Fail(Cli.INPUT, "--deployment-group '" + r.groupId() + "' is not a folder name (letters, digits, '.', '_', '-')");
        }
        if (source.path() != null && layout.root.startsWith(source.path())) {
            throw new Cli.Fail(Cli.INPUT, "the deployment root " + layout.root + " is inside the bundle " + source.path(), "give another --deployment-root");
        }
    }

    private String application(Fetch.Source source) {
        return r.applicationName() != null ? r.applicationName() : source.location();
    }

    /** This machine's name, for the failure's "failed on 1 instance (...)" (no DNS look-up). */
    private static String host() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
