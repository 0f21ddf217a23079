import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a template needs on a host before its first deployment, made when missing: the external networks it joins,
 * the env files it reads (empty, owner-only), the host folders it bind-mounts. Shared by release --local and
 * setup-instance; each returns what it made (or, with {@code dryRun}, would make).
 */
final class HostPrep {
    private HostPrep() {}

    static List<String> networks(Docker docker, ObjectNode compose, boolean dryRun) {
        List<String> made = new ArrayList<>();
        for (String network : Template.externalNetworks(compose)) {
            if (!docker.networkExists(network)) {
                if (!dryRun) {
                    Proc.Result r = docker.docker(Duration.ofSeconds(30), "network", "create", network);
                    if (!r.ok()) {
                        throw new Cli.Fail(Cli.ENVIRONMENT, "cannot create the template's network " + network + " (" + r.reason() + ")",
                                "create it: docker network create " + network);
                    }
                }
                made.add("network " + network);
            }
        }
        return made;
    }

    /** Env files, relative ones resolved against {@code templateDir} as Compose reads them. */
    static List<String> envFiles(ObjectNode compose, Path templateDir, boolean dryRun) {
        List<String> made = new ArrayList<>();
        for (String name : Template.envFiles(compose)) {
            Path file = templateDir.resolve(name);
            if (!Files.exists(file)) {
                if (!dryRun) {
                    try {
                        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    } catch (IOException e) {
                        throw new Cli.Fail(Cli.ENVIRONMENT, "cannot create the template's env file " + file + " (" + e.getMessage() + ")",
                                "create it (it may be empty)");
                    }
                }
                made.add("empty env file " + file);
            }
        }
        return made;
    }

    /** Absolute host folders the services bind-mount (short "/src:/dst" or long type: bind), made 0755 when absent. */
    static List<String> bindSources(ObjectNode compose, boolean dryRun) {
        List<String> made = new ArrayList<>();
        for (JsonNode service : compose.path("services")) {
            for (JsonNode v : service.path("volumes")) {
                String source = v.isObject() ? ("bind".equals(v.path("type").asText()) ? v.path("source").asText("") : "") : v.asText("").split(":")[0];
                if (source.startsWith("/") && !Files.exists(Path.of(source))) {
                    if (!dryRun) {
                        try {
                            Files.createDirectories(Path.of(source), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                        } catch (IOException e) {
                            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot create " + source + ", which the template mounts (" + e.getMessage() + ")",
                                    "create it, or run as root");
                        }
                    }
                    made.add("folder " + source);
                }
            }
        }
        return made;
    }
}
