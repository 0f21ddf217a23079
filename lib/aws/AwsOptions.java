//DEPS info.picocli:picocli:4.7.7

import java.time.Duration;
import java.util.Map;

import picocli.CommandLine.Option;

/**
 * The AWS options the read-and-configure commands (status, setup) share, as a picocli mixin: region, endpoints and
 * attempts, turned into the one client factory's {@link Aws.Config}. release has its own, with S3's endpoint besides.
 */
final class AwsOptions {
    @Option(names = "--region", description = "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)")
    String region;
    @Option(names = "--endpoint-url", description = "Endpoint for every AWS service, e.g. a local test server (default: AWS_ENDPOINT_URL)")
    String endpointUrl;
    @Option(names = "--codedeploy-endpoint-url", description = "CodeDeploy endpoint (default: AWS_ENDPOINT_URL_CODEDEPLOY)")
    String codeDeployEndpointUrl;
    @Option(names = "--max-attempts", defaultValue = "5", description = "Attempts per AWS call, with backoff (default: AWS_MAX_ATTEMPTS, else 5)")
    int maxAttempts;

    /** Each attempt's time limit: tests shorten it. */
    Duration attemptTimeout = Aws.ATTEMPT_TIMEOUT;

    Aws.Config config(Map<String, String> env) {
        return Aws.config(region, endpointUrl, null, codeDeployEndpointUrl, maxAttempts, attemptTimeout, env);
    }
}
