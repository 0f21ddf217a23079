import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * hooks/pull's last step: compiles the hooks that run inside the swap (JBang caches a compiled script by its content)
 * and writes each one's java command beside its launcher, stamped by hooks/fastpath.sh with a hash of its sources, so
 * that hooks/launch starts them without JBang's own JVM while that hash holds.
 */
final class WarmUp {
    static final List<String> SWAP_HOOKS = List.of("start", "validate");

    private WarmUp() {}

    static void hooks(Path bundleDir, Proc.Runner runner, String jbang, Log log) {
        if (jbang == null) {
            log.info("pull: not run through hooks/pull, so the other hooks were not compiled ahead (CDEPLOY_JBANG unset)");
            return;
        }
        for (String hook : SWAP_HOOKS) {
            Path source = bundleDir.resolve("hooks").resolve(hook + ".java");
            Instant t = Instant.now();
            // The launcher's own helper stamps the record (hash of the hook's sources, taken before JBang reads
            // them), so hooks/launch checks it with the same code; no stamp, no record: the hook runs through JBang.
            Proc.Result stamp = runner.run(List.of("/bin/sh", bundleDir.resolve("hooks/fastpath.sh").toString(), "stamp",
                    bundleDir.toString(), "hooks/" + hook + ".java"), Duration.ofSeconds(30), null);
            Proc.Result built = runner.run(List.of("/bin/sh", bundleDir.resolve("hooks/fastpath.sh").toString(), "build", jbang,
                    source.toString()), Duration.ofMinutes(5), null); // one build at a time per JBang cache
            Proc.Result info = built.ok() ? runner.run(List.of(jbang, "info", "tools", source.toString()), Duration.ofMinutes(1), null) : built;
            if (!info.ok()) {
                throw new Cli.Fail(Cli.ENVIRONMENT, "jbang " + (built.ok() ? "info tools" : "build") + " hooks/" + hook + ".java failed here: " + info.reason(),
                        "check Java and Maven access on the instance (jbang build " + source + ")");
            }
            Path record = source.resolveSibling("." + hook + ".cmd");
            if (stamp.ok()) {
                Disk.writeAtomically(record, launchCommand(info.out(), source) + stamp.out());
            } else {
                record.toFile().delete();
                log.info("pull: hooks/%s will start through JBang: hooks/fastpath.sh could not stamp it (%s)", hook, stamp.reason());
            }
            log.info("pull: hooks/%s compiled (%s)", hook, Clock.since(t));
        }
    }

    /** Shell variables for hooks/launch, from {@code jbang info tools}: java, options, classpath, main, jar. */
    static String launchCommand(String infoJson, Path source) {
        try {
            JsonNode info = Json.MAPPER.readTree(infoJson);
            List<String> classpath = new ArrayList<>(List.of(info.path("applicationJar").asText()));
            info.path("resolvedDependencies").forEach(d -> classpath.add(d.asText()));
            Set<String> options = new LinkedHashSet<>(); // JBang repeats a helper's options per includer
            info.path("runtimeOptions").forEach(o -> options.add(o.asText()));
            return "# Written by hooks/pull from 'jbang info tools " + source.getFileName() + "': run it without JBang's JVM.\n"
                    + "java=" + quote(info.path("availableJdkPath").asText() + "/bin/java") + "\n"
                    + "options=" + quote(String.join(" ", options)) + "\n"
                    + "classpath=" + quote(String.join(":", classpath)) + "\n"
                    + "main=" + quote(info.path("mainClass").asText()) + "\n"
                    + "jar=" + quote(info.path("applicationJar").asText()) + "\n";
        } catch (java.io.IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "jbang info tools " + source + " did not print JSON (" + e.getMessage() + ")",
                    "upgrade JBang on the instance");
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
