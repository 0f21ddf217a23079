//DEPS info.picocli:picocli:4.7.7

import picocli.CommandLine.Option;

/**
 * The options that name the service on the instance, as release and setup-instance both take them (release.json's
 * settings; unset, {@link Settings#DEFAULTS}), as a picocli mixin.
 */
final class ServiceOptions {
    @Option(names = "--project", description = "Compose project on the instance (default: art)")
    String project;
    @Option(names = "--service", description = "App service in the compose template (default: art-be)")
    String service;
    @Option(names = "--container", description = "App container name (default: art-backend)")
    String container;
    @Option(names = "--env-file", description = "Env file on the instance (default: /home/ubuntu/env/.env)")
    String envFile;
}
