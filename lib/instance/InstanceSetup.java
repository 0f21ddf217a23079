import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * setup-instance's steps, each a check first and an action only when the check finds something missing, so a second
 * run changes nothing: jbang and a JDK where the agent's PATH finds them and Docker with Compose (both through the
 * project's lib/setup-host.sh, not repeated here), what the template needs (networks, env file, mounted folders),
 * the hooks' state root, the JBang cache warmed for the hooks, and the agent (its install line, printed).
 */
final class InstanceSetup {
    static final String PROBE_IMAGE = "setup-instance/app:0";
    static final List<String> HOOKS = List.of("pull", "start", "validate", "stop");
    private static final Pattern JAVA_MAJOR = Pattern.compile("version \"(\\d+)");

    /** Where the kit is, what it deploys, where things go; {@code dryRun} says what it would do and does nothing. */
    record Options(Path kit, Path template, Settings settings, String stateRoot, String prefix, String region, boolean dryRun) {
        Path jbang() {
            return Path.of(prefix, "bin", "jbang");
        }
    }

    /** One step's outcome: {@code ok} (nothing to do), {@code done} or {@code would} (dry run), and what. */
    record Step(String name, String outcome, String what) {}

    private final Options o;
    private final Proc.Runner runner;
    private final Docker docker;
    private final Log log;
    private final List<Step> steps = new ArrayList<>();

    InstanceSetup(Options o, Proc.Runner runner, Map<String, String> env, Log log) {
        this.o = o;
        this.runner = runner;
        this.docker = new Docker(runner, env);
        this.log = log;
    }

    List<Step> run() {
        requireKit();
        ObjectNode compose = template(); // an input problem is told before anything is installed
        String stale = jbangReady() ? staleWrapper() : "";
        step("jbang", stale == null ? ok("jbang " + version() + " at " + o.jbang() + ", " + java()) : hostScript("jbang", stale));
        step("docker", dockerReady() ? ok("Docker " + docker.docker(Duration.ofSeconds(10), "version", "--format", "{{.Server.Version}}").out().strip()
                + ", Compose " + docker.compose().describe()) : hostScript("docker", ""));
        List<String> made = new ArrayList<>(HostPrep.networks(docker, compose, o.dryRun()));
        made.addAll(HostPrep.envFiles(compose, o.template().toAbsolutePath().getParent(), o.dryRun()));
        made.addAll(HostPrep.bindSources(compose, o.dryRun()));
        step("template", made.isEmpty() ? ok("its networks, env file and mounted folders are there") : change(String.join(", ", made)));
        step("state root", stateRoot());
        step("hooks warm", warm());
        step("agent", agent());
        return steps;
    }

    private void step(String name, Step s) {
        Step named = new Step(name, s.outcome(), s.what());
        steps.add(named);
        log.info("setup-instance: [%d/6] %s: %s%s", steps.size(), name, named.outcome().equals("ok") ? "" : named.outcome() + " ", named.what());
    }

    private static Step ok(String what) {
        return new Step("", "ok", what);
    }

    private Step change(String what) {
        return new Step("", o.dryRun() ? "would make" : "made", what);
    }

    private void requireKit() {
        for (String f : List.of("lib/setup-host.sh", "jbang", ".jbang-wrapper/pom.xml", "hooks/pull.java")) {
            if (!Files.isRegularFile(o.kit().resolve(f))) {
                throw new Cli.Fail(Cli.INPUT, o.kit() + " is not a checkout of this kit (no " + f + ")", "run setup-instance from one, or give --kit DIR");
            }
        }
        if (!Files.isRegularFile(o.template())) {
            throw new Cli.Fail(Cli.INPUT, "no compose template at " + o.template(), "give --compose FILE");
        }
    }

    /** The template with the app service named by --service (the one thing a template must hold for the hooks). */
    private ObjectNode template() {
        try {
            return Template.render(o.template(), PROBE_IMAGE, o.settings());
        } catch (Cli.Fail f) {
            String missing = "compose template " + o.template() + " has no service '" + o.settings().service() + "'";
            if (f.getMessage().startsWith(missing + ";")) {
                throw new Cli.Fail(Cli.INPUT, missing, "name its app service with --service NAME (and its container with --container NAME)");
            }
            throw f;
        }
    }

    private boolean jbangReady() {
        String java = java();
        return Files.isExecutable(o.jbang()) && java.startsWith("Java ") && Integer.parseInt(java.substring(5)) >= 17;
    }

    private String version() {
        return runner.run(List.of(o.jbang().toString(), "version"), Duration.ofMinutes(2), null).out().strip();
    }

    private String java() {
        Proc.Result r = runner.run(List.of("java", "-version"), Duration.ofSeconds(20), null);
        Matcher m = JAVA_MAJOR.matcher(r.err() + r.out());
        return m.find() ? "Java " + m.group(1) : "no java";
    }

    private boolean dockerReady() {
        return docker.docker(Duration.ofSeconds(20), "info", "--format", "{{.ServerVersion}}").ok()
                && (runner.run(List.of("docker", "compose", "version"), Duration.ofSeconds(20), null).ok()
                || runner.run(List.of("docker-compose", "version"), Duration.ofSeconds(20), null).ok());
    }

    /**
     * Null when PREFIX/bin/jbang is this kit's wrapper as lib/setup-host.sh installs it (its copy in
     * PREFIX/lib/cdeploy-jbang equal to the kit's, byte for byte), else why it is not.
     */
    private String staleWrapper() {
        Path installed = Path.of(o.prefix(), "lib", "cdeploy-jbang");
        try {
            if (!Files.isSameFile(o.jbang(), installed.resolve("jbang"))) {
                return o.jbang() + " is not the kit's wrapper from " + installed;
            }
            for (String f : List.of("jbang", ".jbang-wrapper/pom.xml")) {
                if (Files.mismatch(o.kit().resolve(f), installed.resolve(f)) != -1L) {
                    return "the kit's " + f + " differs from " + installed.resolve(f);
                }
            }
            return null;
        } catch (java.io.IOException e) {
            return "no copy of the kit's wrapper in " + installed;
        }
    }

    /** The project's own host set-up for this part (through sudo when not root), with the prefix for jbang. */
    /** The nearest existing folder of {@code p} is writable by this user. */
    private static boolean writable(Path p) {
        Path at = p.toAbsolutePath();
        while (at != null && !Files.exists(at)) {
            at = at.getParent();
        }
        return at != null && Files.isWritable(at);
    }

    private Step hostScript(String part, String why) {
        // sudo only where root is needed: Docker, or a prefix this user cannot write (a jbang installed through sudo
        // would cache root's Maven paths, which this user's hooks could not read)
        boolean sudo = !Disk.root() && (part.equals("docker") || !writable(Path.of(o.prefix())));
        List<String> cmd = new ArrayList<>(sudo ? List.of("sudo", "--non-interactive") : List.of());
        cmd.addAll(List.of("env", "CDEPLOY_PREFIX=" + o.prefix(), "bash", o.kit().resolve("lib/setup-host.sh").toString(), part));
        String shown = String.join(" ", cmd) + (why.isEmpty() ? "" : " (" + why + ")");
        if (o.dryRun()) {
            return new Step("", "would run", shown);
        }
        Proc.Result r = runner.run(cmd, Duration.ofMinutes(20), log::raw);
        if (!r.ok()) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "lib/setup-host.sh " + part + " failed: " + r.reason(), "fix what it says above, then run setup-instance again");
        }
        return new Step("", "ran", shown);
    }

    /** The hooks' state root: root's (or, not as root, this user's), not writable by others (the hooks read their template from it). */
    private Step stateRoot() {
        Path root = Path.of(o.stateRoot());
        if (Files.isDirectory(root)) {
            int mode = requireOwned(root);
            if ((mode & 0002) == 0 || (mode & 01000) != 0) { // not writable by others, or sticky as /tmp is (as doctor sees it)
                return ok(root + " is there");
            }
            if (!o.dryRun()) {
                try {
                    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
                } catch (java.io.IOException e) {
                    throw new Cli.Fail(Cli.ENVIRONMENT, "cannot chmod 755 " + root + " (" + e.getMessage() + ")", "run setup-instance as root");
                }
            }
            return change(root + " 0755 (it was " + String.format("%04o", mode & 07777) + ": others could write to it)");
        }
        if (!o.dryRun()) {
            try {
                Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            } catch (java.io.IOException e) {
                throw new Cli.Fail(Cli.ENVIRONMENT, "cannot create " + root + " (" + e.getMessage() + ")", "run setup-instance as root");
            }
        }
        return change(root + " (0755)");
    }

    /** The state root's mode, once its owner is root or the user running this (as root: root). */
    private static int requireOwned(Path root) {
        try {
            int owner = (Integer) Files.getAttribute(root, "unix:uid");
            int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (owner != 0 && owner != self) {
                throw new Cli.Fail(Cli.ENVIRONMENT, "the state root " + root + " is owned by " + Files.getOwner(root).getName() + ", not root",
                        "chown root:root " + root + " (the hooks run as root and read their template from it), or give --state-dir");
            }
            return (Integer) Files.getAttribute(root, "unix:mode");
        } catch (java.io.IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot read the owner of " + root + " (" + e.getMessage() + ")", "run setup-instance as root");
        }
    }

    /** Every hook built once with the installed jbang, so the first deployment downloads and compiles nothing. */
    private Step warm() {
        if (o.dryRun()) {
            return new Step("", "would build", String.join(", ", HOOKS) + " with " + o.jbang());
        }
        for (String hook : HOOKS) {
            Proc.Result r = runner.run(List.of("/bin/sh", o.kit().resolve("hooks/fastpath.sh").toString(), "build", o.jbang().toString(),
                    o.kit().resolve("hooks/" + hook + ".java").toString()), Duration.ofMinutes(10), null);
            if (!r.ok()) {
                throw new Cli.Fail(Cli.ENVIRONMENT, "jbang build hooks/" + hook + ".java failed: " + r.reason(), "check Java and access to Maven Central");
            }
        }
        return new Step("", "built", String.join(", ", HOOKS) + " (JBang's cache is keyed by content: this kit's hooks start warm)");
    }

    /** The agent is installed by its own installer from the region's bucket: printed, never fetched from here. */
    private Step agent() {
        if (Files.isDirectory(Path.of(Agent.HOME))) {
            return ok("installed (" + Agent.HOME + ")");
        }
        return new Step("", "install it with", Agent.installCommand(o.region()) + (o.region() == null ? " (REGION: give --region for the exact address)" : ""));
    }
}
