import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Copies of an instance's / for doctor, built file by file: a healthy one (agent 1.7.0 installed, a routine log, a
 * deployment of our hooks that ran through ValidateService, jbang and java where the agent's PATH finds them), and
 * the pieces that break one (the seed's agent logs, a key in /root/.aws, a failed hook, unsafe folders).
 */
final class Sysroots {
    static final Path FIXTURES = Path.of("tests/fixtures/doctor").toAbsolutePath();
    static final String KEY = "AKIAEXAMPLE000000001";
    static final String SECRET = "fake-secret-EXAMPLE-not-a-real-key-000000";
    static final String ROOT = "/opt/codedeploy-agent/deployment-root";
    static final String GROUP = "4e2e8d6e-0000-4000-8000-000000000000";
    static final String DEPLOYMENT = "d-HEALTHY01";
    static final String LOG = "var/log/aws/codedeploy-agent/codedeploy-agent.log";
    static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Sysroots() {}

    static Path healthy(Path s) throws IOException {
        write(s, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n");
        write(s, "opt/codedeploy-agent/.version", "agent_version: OFFICIAL_1.7.0-92_deb\n");
        write(s, "opt/codedeploy-agent/state/.pid/codedeploy-agent.pid", "4242\n");
        write(s, "etc/codedeploy-agent/conf/codedeployagent.yml", "---\n:log_aws_wire: false\n:log_dir: '/var/log/aws/codedeploy-agent/'\n"
                + ":pid_dir: '/opt/codedeploy-agent/state/.pid/'\n:program_name: codedeploy-agent\n:root_dir: '" + ROOT + "'\n:verbose: false\n"
                + ":wait_between_runs: 1\n:proxy_uri:\n:max_revisions: 5\n");
        String now = LocalDateTime.now().minusMinutes(5).format(AT).replace(' ', 'T');
        write(s, LOG, now + " INFO  [codedeploy-agent(4242)]: On Premises config file does not exist or not readable\n"
                + now + " INFO  [codedeploy-agent(4242)]: InstanceAgent::Plugins::CodeDeployPlugin::CommandExecutor: Initializing\n");
        executable(s, "usr/local/bin/jbang", "#!/bin/sh\n");
        executable(s, "usr/bin/java", "#!/bin/sh\n");
        write(s, "root/.jbang/cache/jars/start.jar", "jar");
        write(s, "root/.jbang/cache/jars/validate.jar", "jar");
        deployment(s, DEPLOYMENT, LocalDateTime.now().minusMinutes(3), "validate: healthy after 3.1 s");
        write(s, "root/.docker/config.json", "{\"credHelpers\": {\"123456789012.dkr.ecr.ap-northeast-2.amazonaws.com\": \"ecr-login\"}}\n");
        write(s, "var/lib/cdeploy/art/.lock", "validate (pid 5151) since 10:00:00\n");
        Files.setPosixFilePermissions(s.resolve("var/lib/cdeploy/art"), PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    /** A deployment of our hooks that ran BeforeInstall, ApplicationStart and ValidateService, made the group's newest. */
    static Path deployment(Path s, String id, LocalDateTime at, String validateSays) throws IOException {
        String dir = ROOT + "/" + GROUP + "/" + id;
        Path archive = s.resolve(dir.substring(1)).resolve("deployment-archive");
        write(s, dir.substring(1) + "/deployment-archive/appspec.yml", Files.readString(Path.of("appspec.yml").toAbsolutePath()));
        write(s, dir.substring(1) + "/deployment-archive/image.txt", "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/artscope/app:1.4.2@sha256:" + "ab".repeat(32) + "\n");
        write(s, dir.substring(1) + "/deployment-archive/hooks/start.java", "class start {}\n");
        for (String hook : new String[] {"start", "validate"}) {
            write(s, dir.substring(1) + "/deployment-archive/hooks/." + hook + ".cmd", "java='/usr/bin/java'\njar='/root/.jbang/cache/jars/" + hook + ".jar'\n");
        }
        String t1 = at.format(AT);
        String t2 = at.plusSeconds(9).format(AT);
        write(s, dir.substring(1) + "/logs/scripts.log", t1 + " LifecycleEvent - BeforeInstall\n" + t1 + " Script - hooks/pull\n"
                + t1 + " [stderr]pull: ready to swap\n" + t2 + " LifecycleEvent - ApplicationStart\n" + t2 + " Script - hooks/start\n"
                + t2 + " [stderr]start: art-backend recreated\n" + t2 + " LifecycleEvent - ValidateService\n" + t2 + " Script - hooks/validate\n"
                + t2 + " [stderr]" + validateSays + "\n");
        write(s, ROOT.substring(1) + "/deployment-instructions/" + GROUP + "_most_recent_install", dir);
        write(s, ROOT.substring(1) + "/deployment-instructions/" + GROUP + "_last_successful_install", dir);
        return archive;
    }

    static void agentLog(Path s, String fixture) throws IOException {
        write(s, LOG, Files.readString(FIXTURES.resolve(fixture)));
    }

    static void appendAgentLog(Path s, String lines) throws IOException {
        Files.writeString(s.resolve(LOG), lines, java.nio.file.StandardOpenOption.APPEND);
    }

    static void rootKey(Path s) throws IOException {
        write(s, "root/.aws/credentials", "[default]\naws_access_key_id = " + KEY + "\naws_secret_access_key = " + SECRET + "\n");
        write(s, "root/.aws/config", "[default]\nregion = ap-northeast-2\n");
    }

    static Path write(Path s, String relative, String text) throws IOException {
        Path f = s.resolve(relative);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, text);
    }

    static void executable(Path s, String relative, String text) throws IOException {
        Files.setPosixFilePermissions(write(s, relative, text), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static void age(Path f, long hours) throws IOException {
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(hours * 3600)));
    }
}
