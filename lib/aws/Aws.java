//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:s3:2.40.2
//DEPS software.amazon.awssdk:codedeploy:2.40.2
//DEPS software.amazon.awssdk:sts:2.40.2
//DEPS software.amazon.awssdk:url-connection-client:2.40.2
//DEPS org.slf4j:slf4j-api:2.0.17
//DEPS org.slf4j:slf4j-nop:2.0.17

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.codedeploy.CodeDeployClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * The one place AWS clients are made: explicit region, the SDK's default credential chain (never a secret in an
 * option or in output), one HTTP client with timeouts, standard retries with backoff ({@link #once}: only what proves
 * nothing ran, for a call that must not run twice), and endpoints for local servers. Endpoint precedence per
 * service: the service's option, then {@code --endpoint-url}, then the SDK's own variables {@code AWS_ENDPOINT_URL_S3}
 * / {@code AWS_ENDPOINT_URL_CODEDEPLOY}, then {@code AWS_ENDPOINT_URL}. AWS errors become one {@link Cli.Fail} line
 * that names the IAM action when access is denied.
 */
final class Aws {
    record Config(String region, URI s3Endpoint, URI codeDeployEndpoint, URI stsEndpoint, int maxAttempts, Duration callTimeout,
                  AwsCredentialsProvider credentials) {}

    /** Each attempt's limit, unless a caller (a test) gives another. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(60);

    private Aws() {}

    static Config config(String regionOption, String endpointAll, String s3Endpoint, String codeDeployEndpoint,
                         int maxAttempts, Duration attemptTimeout, Map<String, String> env) {
        String region = Cli.first(regionOption, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
        if (region == null) {
            try {
                region = new DefaultAwsRegionProviderChain().getRegion().id(); // profile / instance metadata
            } catch (SdkClientException e) {
                throw new Cli.Fail(Cli.INPUT, "no AWS region: set --region or AWS_REGION",
                        "in GitHub Actions, aws-actions/configure-aws-credentials sets it from aws-region");
            }
        }
        return new Config(region, uri(Cli.first(s3Endpoint, endpointAll, env.get("AWS_ENDPOINT_URL_S3"), env.get("AWS_ENDPOINT_URL"))),
                uri(Cli.first(codeDeployEndpoint, endpointAll, env.get("AWS_ENDPOINT_URL_CODEDEPLOY"), env.get("AWS_ENDPOINT_URL"))),
                uri(Cli.first(endpointAll, env.get("AWS_ENDPOINT_URL_STS"), env.get("AWS_ENDPOINT_URL"))),
                maxAttempts, attemptTimeout, DefaultCredentialsProvider.builder().build());
    }

    /**
     * The two clients of a release, each built on its own thread from the start (no request yet), so that building them
     * overlaps the work before the first request; {@link #close} closes what was built.
     */
    static final class Clients implements AutoCloseable {
        private final CompletableFuture<S3Client> s3;
        private final CompletableFuture<CodeDeployClient> codeDeploy;

        Clients(Config c) {
            ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "release-aws");
                t.setDaemon(true);
                return t;
            });
            s3 = CompletableFuture.supplyAsync(() -> Aws.s3(c), pool);
            codeDeploy = CompletableFuture.supplyAsync(() -> Aws.codeDeploy(c), pool);
            pool.shutdown();
        }

        S3Client s3() {
            return join(s3);
        }

        /** {@code work} on the S3 client as soon as it is built, beside this thread; {@link #join} its end. */
        CompletableFuture<Void> withS3(java.util.function.Consumer<S3Client> work) {
            return s3.thenAcceptAsync(work);
        }

        CodeDeployClient codeDeploy() {
            return join(codeDeploy);
        }

        @Override
        public void close() {
            s3.thenAccept(S3Client::close);
            codeDeploy.thenAccept(CodeDeployClient::close);
        }
    }

    /** The value of work done on another thread; its failure as if it had happened here. */
    static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    static S3Client s3(Config c) {
        var b = S3Client.builder().region(Region.of(c.region)).credentialsProvider(c.credentials)
                .httpClient(http(c)).overrideConfiguration(override(c))
                // the SHA-256 checksum is computed here and sent as a header; no extra CRC trailer
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // one signed body (x-amz-content-sha256 of the bytes) rather than aws-chunked signatures per chunk
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build());
        if (c.s3Endpoint != null) {
            b.endpointOverride(c.s3Endpoint).forcePathStyle(true);
        }
        return b.build();
    }

    static CodeDeployClient codeDeploy(Config c) {
        var b = CodeDeployClient.builder().region(Region.of(c.region)).credentialsProvider(c.credentials)
                .httpClient(http(c)).overrideConfiguration(override(c));
        if (c.codeDeployEndpoint != null) {
            b.endpointOverride(c.codeDeployEndpoint);
        }
        return b.build();
    }

    /**
     * Who the credentials belong to (STS GetCallerIdentity, which needs no permission): the ARN, for a dry run's check.
     */
    static String identity(Config c) {
        var b = StsClient.builder().region(Region.of(c.region)).credentialsProvider(c.credentials).httpClient(http(c)).overrideConfiguration(override(c));
        if (c.stsEndpoint != null) {
            b.endpointOverride(c.stsEndpoint);
        }
        try (StsClient sts = b.build()) {
            return sts.getCallerIdentity().arn();
        } catch (SdkException e) {
            throw fail(e, "sts:GetCallerIdentity", "these credentials", c.maxAttempts);
        }
    }

    private static SdkHttpClient http(Config c) {
        return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5)).socketTimeout(c.callTimeout).build();
    }

    /**
     * For a call that must not run twice (CreateDeployment has no idempotency token): the request's own retry strategy
     * repeats, with the standard backoff and up to {@code --max-attempts}, only a failure that proves nothing ran
     * ({@link #nothingRan}); any other failure reaches the caller after one attempt.
     */
    static Consumer<AwsRequestOverrideConfiguration.Builder> once(Config c) {
        RetryStrategy retry = DefaultRetryStrategy.standardStrategyBuilder().maxAttempts(Math.max(1, c.maxAttempts))
                .retryOnException(Aws::nothingRan).treatAsThrottling(Aws::throttled).useClientDefaults(false).build();
        return o -> o.addPlugin(config -> config.overrideConfiguration(config.overrideConfiguration().toBuilder().retryStrategy(retry).build()));
    }

    /**
     * Whether a failed call certainly did not run: the service said it was throttled, or no connection was made
     * (refused, no route, unknown host, connect timeout). A reset, a read timeout or a server error prove nothing.
     */
    static boolean nothingRan(Throwable t) {
        if (throttled(t)) {
            return true;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException
                    || (c instanceof SocketTimeoutException
                    && String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT).contains("connect timed out"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a failed call may have run without its answer reaching us: no answer (a reset, a closed connection, a
     * timeout) or a server error, and not what {@link #nothingRan} proves.
     */
    static boolean ambiguous(SdkException e) {
        if (nothingRan(e) || String.valueOf(e.getMessage()).contains("Unable to load credentials")) {
            return false; // credentials are resolved before anything is sent
        }
        if (e instanceof AwsServiceException s) {
            return s.statusCode() >= 500;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof ApiCallAttemptTimeoutException || c instanceof ApiCallTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static boolean throttled(Throwable t) {
        if (t instanceof AwsServiceException s) {
            String code = s.awsErrorDetails() == null ? "" : String.valueOf(s.awsErrorDetails().errorCode());
            return s.isThrottlingException() || code.contains("Throttl") || code.equals("SlowDown") || code.equals("TooManyRequestsException");
        }
        return false;
    }

    private static ClientOverrideConfiguration override(Config c) {
        RetryStrategy retry = AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(Math.max(1, c.maxAttempts)).build();
        return ClientOverrideConfiguration.builder().retryStrategy(retry).addExecutionInterceptor(new NameTheEndpoint())
                .apiCallAttemptTimeout(c.callTimeout).apiCallTimeout(c.callTimeout.multipliedBy(Math.max(1, c.maxAttempts) + 1L))
                .build();
    }

    /**
     * One line for an AWS failure of {@code iamAction} on {@code resource}: access denied names the action to allow,
     * throttling and network trouble say the retries are spent, anything else keeps the service's own code and message.
     */
    static Cli.Fail fail(SdkException e, String iamAction, String resource, int attempts) {
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            String code = Optional.ofNullable(s.awsErrorDetails().errorCode()).orElse("");
            String message = Optional.ofNullable(s.awsErrorDetails().errorMessage()).orElse("").strip();
            int status = s.statusCode();
            if (code.equals("AccessDenied") || code.equals("AccessDeniedException") || code.equals("UnauthorizedOperation")
                    || (status == 403 && code.isEmpty())) {
                return new Cli.Fail(Cli.AWS, "access denied: " + iamAction + " on " + resource
                        + (message.isEmpty() ? "" : " (" + Cli.firstLine(message) + ")"),
                        "allow " + iamAction + " on " + resource + " to the role this job uses");
            }
            if (code.equals("ExpiredToken") || code.equals("ExpiredTokenException") || code.equals("InvalidClientTokenId")
                    || code.equals("UnrecognizedClientException") || code.equals("SignatureDoesNotMatch")
                    || code.equals("InvalidAccessKeyId")) {
                return new Cli.Fail(Cli.AWS, iamAction + " on " + resource + ": the credentials were refused (" + code + ")",
                        "check the role the job assumes (OIDC) or the credentials in the environment");
            }
            if (throttled(s)) {
                return new Cli.Fail(Cli.AWS, iamAction + " on " + resource + " was throttled (" + code + ") after " + attempts + (attempts == 1 ? " attempt" : " attempts"),
                        "retry later, or raise --max-attempts");
            }
            return new Cli.Fail(Cli.AWS, iamAction + " on " + resource + " failed: " + (code.isEmpty() ? "HTTP " + status : code)
                    + (message.isEmpty() ? "" : " (" + Cli.firstLine(message) + ")"), null);
        }
        String why = Cli.firstLine(String.valueOf(e.getMessage())).replaceAll(" ?\\(SDK Attempt Count: \\d+\\)", ""); // "after N attempts" says it
        if (why.contains("Unable to load credentials") || why.contains("credentials")) {
            return new Cli.Fail(Cli.ENVIRONMENT, "no AWS credentials for " + iamAction + " (looked in the environment, web identity, "
                    + "~/.aws/credentials and config, SSO, the container and the instance role)", "in GitHub Actions add "
                    + "aws-actions/configure-aws-credentials with your OIDC role; on a laptop set AWS_PROFILE (aws configure sso)",
                    String.valueOf(e.getMessage()));
        }
        return new Cli.Fail(Cli.ENVIRONMENT, iamAction + " on " + resource + ": the service cannot be reached after "
                + attempts + (attempts == 1 ? " attempt" : " attempts") + " (" + why + ")", "check the network and the endpoint URL");
    }

    private static URI uri(String s) {
        if (s == null) {
            return null;
        }
        URI u;
        try {
            u = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new Cli.Fail(Cli.INPUT, "endpoint URL '" + s + "' is not a URL", "write it as http(s)://host[:port]");
        }
        if (u.getScheme() == null || u.getHost() == null) {
            throw new Cli.Fail(Cli.INPUT, "endpoint URL '" + s + "' has no scheme or host", "write it as http(s)://host[:port]");
        }
        return u;
    }
}
