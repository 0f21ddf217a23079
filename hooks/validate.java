///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION ValidateService hook: waits for the new version to be healthy; otherwise prints its log and rolls back
//JAVA 17+
//SOURCES ../lib/Cli.java ../lib/ImageRef.java ../lib/Docker.java ../lib/AppSpec.java ../lib/Bundle.java ../lib/Stack.java ../lib/Health.java

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "validate", mixinStandardHelpOptions = true, version = "validate 1",
        description = "ValidateService hook. Waits, up to healthTimeoutSeconds, until the new version is healthy: by its "
                + "Docker healthcheck when it has one, else by healthUrl answering 2xx. If it is not: prints the "
                + "container's last log lines, rolls back to the previous image, waits for it to be healthy and exits 3 "
                + "(rolled back) or 1 (rollback impossible or failed). The wait plus a rollback fit the hook's timeout.")
class validate implements Callable<Integer> {
    @Mixin
    Cli.BundleDir bundleDir;

    @Option(names = "--log-lines", defaultValue = "40", description = "Container log lines shown on failure (default: ${DEFAULT-VALUE})")
    int logLines;

    public static void main(String... args) {
        System.exit(Cli.commandLine(new validate()).execute(args));
    }

    @Override
    public Integer call() {
        Bundle bundle = Bundle.load(bundleDir.dir);
        Stack stack = new Stack(bundle);
        Bundle.Settings s = bundle.settings();
        String image = bundle.image().pinned();
        ObjectNode compose = stack.render(image);
        Duration limit = stack.healthDeadline(compose);
        Docker docker = new Docker();
        docker.requireDaemon();

        Health.Outcome outcome = Health.await(docker, s.container(), s.healthUrl(), limit);
        if (outcome.healthy()) {
            Cli.log("validate: %s is healthy after %s (%s)", image, Cli.seconds(outcome.waited()), outcome.detail());
            Cli.log("validate: %s", Docker.timing());
            return Cli.OK;
        }
        Cli.log("validate: %s is not healthy: %s", image, outcome.detail());
        List<String> log = docker.logs(s.container(), logLines); // now: the rollback replaces the container
        String failed = "release " + (bundle.version() == null ? image : bundle.version() + " (" + image + ")")
                + " is not healthy: " + outcome.detail();
        Optional<String> previous = stack.recorded(Stack.PREVIOUS).filter(p -> !p.equals(image));
        if (previous.isPresent()) {
            Cli.log("validate: rolling back to %s", previous.get());
            // the budget pull checked: the grace period and the margin are what this step may take
            stack.up(docker.compose(), stack.write(stack.render(previous.get())), false, stack.gracePeriod(compose).plus(Stack.ROLLBACK_MARGIN));
            stack.record(Stack.CURRENT, previous.get());
        }
        Health.Outcome back = previous.isPresent() ? Health.await(docker, s.container(), s.healthUrl(), limit) : null;
        // The agent keeps only the last ~2 KB of a hook's output for the console: the log and the verdict go last.
        Cli.log("validate: last %d log lines of %s %s:", log.size(), s.container(), image);
        log.forEach(line -> Cli.log.println("  | " + line));
        if (previous.isEmpty()) {
            throw new Cli.Fail(Cli.FAILED, failed + "; there is no previous image to roll back to",
                    "fix the release and deploy again (its log is above)");
        }
        if (!back.healthy()) {
            throw new Cli.Fail(Cli.FAILED, failed + "; the rollback to " + previous.get() + " is not healthy either: " + back.detail(),
                    "the service is down: check the host (docker ps -a, docker logs " + s.container() + ")");
        }
        throw new Cli.Fail(Cli.ROLLED_BACK, failed + "; rolled back to " + previous.get() + ", which is healthy again",
                "see the container log above");
    }
}
