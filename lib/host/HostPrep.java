import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a template needs on a host before its first deployment, made when missing: the external networks it joins,
 * the env files it reads (empty, owner-only; an existing one others may read made owner-only), the host folders it
 * bind-mounts. Shared by release --local and setup-instance; each returns what it made (or, with {@code dryRun}, would make).
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

    /**
     * Env files, relative ones resolved against {@code templateDir} as Compose reads them: a missing one is made empty
     * and owner-only (its folder, when made here, 0700; folders above it 0755), one others may read is made owner-only.
     */
    static List<String> envFiles(ObjectNode compose, Path templateDir, boolean dryRun) {
        List<String> made = new ArrayList<>();
        for (Path file : new LinkedHashSet<>(Template.envFiles(compose).stream().map(templateDir::resolve).toList())) {
            try {
                if (!Files.exists(file)) {
                    if (!dryRun) {
                        createFolder(file.getParent(), "rwx------");
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    }
                    made.add("empty env file " + file);
                } else if (Files.isRegularFile(file) && ((Integer) Files.getAttribute(file, "unix:mode") & 0077) != 0) { // not /dev/null
                    String was = String.format("%04o", (Integer) Files.getAttribute(file, "unix:mode") & 07777);
                    if (!dryRun) {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    }
                    made.add("env file " + file + " owner-only (0600; it was " + was + ")");
                }
            } catch (IOException e) {
                throw new Cli.Fail(Cli.ENVIRONMENT, "cannot make the template's env file " + file + " an owner-only file (" + e.getMessage() + ")",
                        "create it (it may be empty) and chmod 600 it");
            }
        }
        return made;
    }

    /** {@code dir} with {@code perms} and its missing parents 0755, whatever the umask; a folder already there is kept as it is. */
    private static void createFolder(Path dir, String perms) throws IOException {
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        createFolder(dir.getParent(), "rwxr-xr-x");
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms)));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) {
                return; // made by someone else meanwhile: theirs
            }
            throw e;
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(perms));
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
