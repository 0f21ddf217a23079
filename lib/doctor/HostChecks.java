import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the hooks need on the instance, seen as the agent's service sees it: Docker and Compose, jbang and a JDK on
 * the agent's PATH (not a login shell's), the current hooks compiled ahead, the registry's login for root, disk
 * space, and old release images. Checks that ask a live system are skipped under --sysroot.
 */
final class HostChecks {
    /** Where hooks/launch looks for jbang after the PATH. */
    static final List<String> LAUNCHER_DIRS = List.of("/usr/local/bin", "/usr/bin", "/opt/jbang/bin", "/root/.jbang/bin");
    static final long LOW_DISK = 1L << 30;
    private static final Pattern ECR = Pattern.compile("\\d{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?");
    private static final Pattern JAR = Pattern.compile("^jar='([^']*)'$", Pattern.MULTILINE);

    private final Sysroot sys;
    private final Proc.Runner runner;
    private final Duration timeout;

    HostChecks(Sysroot sys, Proc.Runner runner, Duration timeout) {
        this.sys = sys;
        this.runner = runner;
        this.timeout = timeout;
    }

    List<Finding> docker() {
        if (!sys.live) {
            return List.of(Finding.skip("docker", "needs a live system"), Finding.skip("compose", "needs a live system"));
        }
        Proc.Result d = runner.run(List.of("docker", "version", "--format", "{{.Server.Version}}"), timeout, null);
        Finding docker = d.ok() ? Finding.pass("docker", "daemon " + d.out().strip())
                : Finding.fail("docker", "no daemon answers (" + d.reason() + ")", "start it: sudo systemctl start docker (lib/setup-host.sh docker installs it)");
        Proc.Result v2 = runner.run(List.of("docker", "compose", "version", "--short"), timeout, null);
        Proc.Result v1 = v2.ok() ? v2 : runner.run(List.of("docker-compose", "version", "--short"), timeout, null);
        Finding compose = v2.ok() ? Finding.pass("compose", "v2 " + v2.out().strip())
                : v1.ok() ? Finding.pass("compose", "v1 " + v1.out().strip() + " (docker-compose)")
                : Finding.fail("compose", "neither docker compose nor docker-compose answers", "install the Compose plugin (lib/setup-host.sh docker)");
        return List.of(docker, compose);
    }

    /** jbang and java where the agent's hooks find them: the agent's PATH, then the launcher's own places. */
    List<Finding> tools(Agent agent, String launcherJbang) {
        List<String> dirs = new ArrayList<>(List.of(agent.path().split(":")));
        String where = agent.env.containsKey("PATH") ? "the agent's PATH" : "the service PATH (" + Agent.SERVICE_PATH + ")";
        Path java = find(dirs, "java");
        Path onPath = find(dirs, "jbang");
        dirs.addAll(LAUNCHER_DIRS);
        Path given = launcherJbang == null ? null : sys.path(launcherJbang);
        Path jbang = given != null && Files.isExecutable(given) ? given : find(dirs, "jbang");
        Finding j = jbang != null && jbang.equals(given) ? Finding.pass("jbang", sys.shown(jbang) + " (CDEPLOY_JBANG, which hooks/launch tries first)")
                : jbang != null ? Finding.pass("jbang", sys.shown(jbang) + (onPath != null ? " (on " + where.replaceFirst(" \\(.*", "") + ")"
                        : " (not on " + where.replaceFirst(" \\(.*", "") + ": found where hooks/launch looks next)"))
                : Finding.fail("jbang", "not on " + where + ", nor in " + String.join(", ", LAUNCHER_DIRS), "install it: sudo lib/setup-host.sh jbang");
        Finding jdk;
        if (java == null) {
            jdk = Finding.fail("java", "no java on " + where, "install a JDK 17+: sudo apt-get install openjdk-17-jdk-headless");
        } else if (!sys.live) {
            jdk = Finding.pass("java", sys.shown(java) + " (version not asked under --sysroot)");
        } else {
            Proc.Result v = runner.run(List.of(java.toString(), "-version"), timeout, null);
            Matcher m = Pattern.compile("version \"(\\d+)").matcher(v.err() + v.out());
            int major = m.find() ? Integer.parseInt(m.group(1)) : 0;
            jdk = major >= 17 ? Finding.pass("java", java + " (" + major + ")")
                    : Finding.fail("java", java + " is " + (major == 0 ? "not answering" : "Java " + major) + "; the hooks need 17+", "install openjdk-17-jdk-headless");
        }
        return List.of(j, jdk);
    }

    private Path find(List<String> dirs, String name) {
        for (String d : dirs) {
            Path p = sys.path((d.endsWith("/") ? d : d + "/") + name); // the copy's own links followed
            if (!d.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** pull's compiled commands for the swap hooks of the current revision, and the jars they start. */
    Finding warm(DeploymentRoot.Last last) {
        if (last == null || !Files.isRegularFile(last.archive().resolve("hooks/start.java"))) {
            return Finding.pass("hooks compiled", "no revision with our hooks here yet");
        }
        List<String> cold = new ArrayList<>();
        for (String hook : List.of("start", "validate")) {
            String cmd = sys.read(last.archive().resolve("hooks/." + hook + ".cmd"));
            Matcher m = cmd == null ? null : JAR.matcher(cmd);
            if (m == null || !m.find() || !Files.isRegularFile(sys.path(m.group(1)))) {
                cold.add(hook);
            }
        }
        return cold.isEmpty() ? Finding.pass("hooks compiled", "start and validate of " + last.id() + " start without JBang")
                : Finding.warn("hooks compiled", String.join(" and ", cold) + " of " + last.id() + " would compile inside the swap (no record, or its jar is gone)",
                        "the next deployment's pull compiles them; a JBang cache wiped since (jbang cache clear) costs seconds of downtime");
    }

    /** root's login for the release's registry: an ECR helper is right, a stored ECR token expires in 12 h. */
    Finding registry(DeploymentRoot.Last last, String rootHome) {
        String image = last == null ? null : sys.read(last.archive().resolve("image.txt"));
        if (image == null || image.isBlank()) {
            return Finding.pass("registry login", "no release image here yet");
        }
        String host = ImageRef.registryOf(image.strip());
        JsonNode config = null;
        try {
            String text = sys.read(rootHome + "/.docker/config.json");
            config = text == null ? null : Json.MAPPER.readTree(text);
        } catch (Exception e) {
            return Finding.warn("registry login", rootHome + "/.docker/config.json does not parse", "log in again: sudo docker login " + host);
        }
        String helper = config == null ? null : Cli.first(config.path("credHelpers").path(host).asText(null), config.path("credsStore").asText(null));
        boolean stored = config != null && config.path("auths").has(host);
        if (ECR.matcher(host).matches()) {
            return "ecr-login".equals(helper) ? Finding.pass("registry login", host + " through the instance role (amazon-ecr-credential-helper)")
                    : stored ? Finding.warn("registry login", host + ": a stored docker login token, which ECR expires after 12 h",
                            "use the credential helper: apt-get install amazon-ecr-credential-helper, credHelpers {\"" + host + "\": \"ecr-login\"}")
                    : Finding.fail("registry login", host + ": root has no login and no ECR helper: pull will be refused",
                            "install amazon-ecr-credential-helper and set credHelpers {\"" + host + "\": \"ecr-login\"} in " + rootHome + "/.docker/config.json");
        }
        return helper != null || stored ? Finding.pass("registry login", host + " (" + (helper != null ? "helper " + helper : "stored login") + ")")
                : Finding.pass("registry login", host + ": root has no login for it (right for a public registry; sudo docker login " + host + " otherwise)");
    }

    /** Free space where the agent unpacks revisions and where Docker keeps images. */
    Finding disk(String deploymentRoot) {
        if (!sys.live) {
            return Finding.skip("disk space", "needs a live system");
        }
        List<String> low = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        Set<String> stores = new HashSet<>();
        for (String dir : List.of(deploymentRoot, "/var/lib/docker", "/")) {
            try {
                Path p = Path.of(dir);
                if (!Files.exists(p)) {
                    continue;
                }
                FileStore fs = Files.getFileStore(p);
                if (!stores.add(fs.name() + fs.type() + fs.getTotalSpace())) {
                    continue;
                }
                long free = fs.getUsableSpace();
                String s = dir + " " + (free >> 20) + " MiB free of " + (fs.getTotalSpace() >> 20);
                seen.add(s);
                if (free < LOW_DISK || free * 10 < fs.getTotalSpace()) {
                    low.add(s);
                }
            } catch (Exception e) {
                // a folder that cannot be asked is not a disk problem
            }
        }
        return low.isEmpty() ? Finding.pass("disk space", String.join("; ", seen))
                : Finding.warn("disk space", String.join("; ", low), "free some: docker image prune (unused images), old revisions go at the next deployment");
    }

    /** Release images of the app's repository kept on the host: each deploy leaves one; the last two serve a rollback. */
    Finding images(DeploymentRoot.Last last) {
        String image = last == null ? null : sys.read(last.archive().resolve("image.txt"));
        if (!sys.live || image == null || image.isBlank()) {
            return sys.live ? Finding.pass("old images", "no release image here yet") : Finding.skip("old images", "needs a live system");
        }
        String repo = image.strip().replaceFirst("@.*$", "").replaceFirst(":[^:/]+$", "");
        Proc.Result r = runner.run(List.of("docker", "images", "--quiet", "--no-trunc", repo), timeout, null);
        if (!r.ok()) {
            return Finding.skip("old images", "docker images did not answer (" + r.reason() + ")");
        }
        long n = r.out().lines().filter(l -> !l.isBlank()).distinct().count();
        return n > 5 ? Finding.warn("old images", n + " images of " + repo + " on this host", "list them (docker images " + repo
                + ") and remove old tags by name (docker rmi " + repo + ":TAG), keeping the one that serves (docker ps) and the one before it")
                : Finding.pass("old images", n + " image(s) of " + repo);
    }

    private static final Pattern UPSTREAM = Pattern.compile("(?s)# serving: (\\S+) .*?server ([^:\\s]+):");

    /**
     * Behind a proxy, per project in the state root: the colour the proxy's upstream file names must be running,
     * and the other colour stopped (both running means a deploy was cut short; the next one tidies it).
     */
    List<Finding> colours(String stateRoot) {
        List<Finding> out = new ArrayList<>();
        for (Path dir : sys.list(stateRoot)) {
            String text = sys.read(dir.resolve("proxy/upstream.conf"));
            Matcher m = text == null ? null : UPSTREAM.matcher(text);
            if (m == null || !m.find()) {
                continue;
            }
            String project = dir.getFileName().toString();
            String colour = m.group(1);
            String name = m.group(2);
            if (!sys.live) {
                out.add(Finding.skip("colours", project + ": the proxy names " + colour + " (" + name + "); running containers need a live system"));
                continue;
            }
            String other = name.replaceFirst("-(blue|green)$", colour.equals("blue") ? "-green" : "-blue");
            boolean serves = running(name);
            boolean both = !other.equals(name) && running(other);
            String pending = sys.read(dir.resolve("colours/pending"));
            out.add(!serves ? Finding.fail("colours", project + ": the proxy sends requests to " + colour + " (" + name + "), which is not running",
                    "deploy again, or run the last revision's hooks/validate --rollback; docker logs " + name + " says why it stopped")
                    : both ? Finding.warn("colours", project + ": " + colour + " serves and " + other + " runs too"
                            + (pending == null ? "" : " (a deploy of " + pending.strip().replaceFirst("^\\S+ ", "") + " did not finish)"),
                            "nothing to do: the next deploy drains and removes it; or docker stop " + other)
                    : Finding.pass("colours", project + ": " + colour + " serves (" + name + ")"));
        }
        return out;
    }

    private boolean running(String container) {
        Proc.Result r = runner.run(List.of("docker", "inspect", "--format", "{{.State.Running}}", container), timeout, null);
        return r.ok() && r.out().strip().equals("true");
    }
}
