//DEPS info.picocli:picocli:4.7.7

import java.time.Duration;
import java.util.Map;

import picocli.CommandLine.Option;

/**
 * The AWS options release, status and setup share, as a picocli mixin: region, endpoints and attempts, turned into
 * the one client factory's {@link Aws.Config} (release adds S3's own endpoint).
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
        return config(env, null);
    }

    /** With S3's own endpoint besides (release's --s3-endpoint-url). */
    Aws.Config config(Map<String, String> env, String s3Endpoint) {
        return Aws.config(region, endpointUrl, s3Endpoint, codeDeployEndpointUrl, maxAttempts, attemptTimeout, env);
    }
}
