import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codedeploy.model.ListDeploymentsRequest;

/**
 * One release, one deployment: CreateDeployment has no idempotency token, so its answer lost to a reset or a timeout
 * must not be sent again. release in-process against S3Proxy and the local CodeDeploy endpoint behind a
 * {@link LossyFront} that resets, holds or refuses; each test counts what the endpoint was asked and what it made.
 */
@Tag("fast")
class CreateOnceTest {
    static final S3Endpoint s3 = ReleaseFixture.s3();
    CodeDeployEndpoint cd;
    LossyFront front;

    @BeforeEach
    void fresh() throws Exception {
        cd = new CodeDeployEndpoint().group(ReleaseFixture.APP, ReleaseFixture.GROUP);
        front = new LossyFront(cd.uri());
    }

    @AfterEach
    void close() throws Exception {
        front.close();
        cd.close();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    ReleaseFixture.Run run(String... more) {
        return run(Aws.ATTEMPT_TIMEOUT, more);
    }

    ReleaseFixture.Run run(Duration attemptTimeout, String... more) {
        List<String> args = ReleaseFixture.args(s3, cd, more);
        args.addAll(List.of("--codedeploy-endpoint-url", front.uri().toString()));
        return ReleaseFixture.run(ReleaseFixture.env(), args, c -> c.aws.attemptTimeout = attemptTimeout);
    }

    @Test
    void anAnswerLostToAResetIsFoundAndFollowedNotSentAgain() {
        front.lose("CreateDeployment", LossyFront.Loss.RESET);
        ReleaseFixture.Run r = run();
        assertFoundAndFollowed(r);
    }

    @Test
    void anAnswerLatePastTheAttemptTimeoutIsFoundAndFollowedNotSentAgain() {
        front.lose("CreateDeployment", LossyFront.Loss.HOLD).hold(Duration.ofSeconds(3));
        ReleaseFixture.Run r = run(Duration.ofSeconds(1));
        assertFoundAndFollowed(r);
    }

    @Test
    void aRequestTheServiceHandlesAfterTheClientGaveUpIsFoundByALaterLookup() {
        front.lose("CreateDeployment", LossyFront.Loss.LATE).hold(Duration.ofMillis(1500));
        ReleaseFixture.Run r = run(Duration.ofSeconds(1), "--poll-interval", "1");
        assertFoundAndFollowed(r);
    }

    private void assertFoundAndFollowed(ReleaseFixture.Run r) {
        assertEquals(0, r.exit(), r.toString());
        assertEquals(1, cd.calls("CreateDeployment").size(), "CreateDeployment sent once: " + cd.calls);
        assertEquals(1, cd.deployments.size(), "one deployment: " + cd.deployments.keySet());
        String id = cd.deployments.keySet().iterator().next();
        assertEquals(id, r.json().path("deploymentId").asText());
        assertEquals("Succeeded", r.json().path("status").asText());
        assertTrue(r.err().contains("CreateDeployment's answer was lost"), r.err());
        assertTrue(r.err().contains("found " + id + ", the deployment of s3://bundles/codedeploy/art/1.4.2-"), r.err());
        ListDeploymentsRequest list = cd.request("ListDeployments", 0);
        assertEquals(ReleaseFixture.APP, list.applicationName());
        assertEquals(ReleaseFixture.GROUP, list.deploymentGroupName());
        assertEquals(Set.of("Created", "Queued", "InProgress", "Baking", "Ready"), Set.copyOf(list.includeOnlyStatusesAsStrings()));
        assertEquals(List.of(), cd.violations);
    }

    @Test
    void anAnswerLostWhileTheGroupWasBusyIsNotTakenForSomeoneElses() {
        String other = cd.active(ReleaseFixture.APP, ReleaseFixture.GROUP, 3);
        front.lose("CreateDeployment", LossyFront.Loss.PASS, LossyFront.Loss.RESET);
        ReleaseFixture.Run r = run();
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("already has " + other + " in progress; waiting"), r.err());
        assertEquals(2, cd.calls("CreateDeployment").size(), "refused once (busy), then sent once: " + cd.calls);
        assertEquals(2, cd.deployments.size(), "someone else's and ours: " + cd.deployments.keySet());
        String ours = r.json().path("deploymentId").asText();
        assertFalse(ours.equals(other), r.out());
        assertTrue(cd.deployments.containsKey(ours), ours);
        assertTrue(r.err().contains("found " + ours), r.err());
    }

    @Test
    void aGroupAlreadyRunningThisRevisionIsFollowedNotDeployedTwice() {
        ReleaseFixture.Run first = run("--no-wait");
        assertEquals(0, first.exit(), first.toString());
        String id = first.json().path("deploymentId").asText();
        ReleaseFixture.Run again = run();
        assertEquals(0, again.exit(), again.toString());
        assertEquals(id, again.json().path("deploymentId").asText(), "the same bytes, the same deployment");
        assertEquals(1, cd.deployments.size(), cd.deployments.keySet().toString());
        assertTrue(again.err().contains("already runs " + id + " of this revision"), again.err());
    }

    @Test
    void whenNoDeploymentOfThisRevisionIsFoundItFailsNamingWhatToCheck() {
        front.lose("CreateDeployment", LossyFront.Loss.DROP);
        ReleaseFixture.Run r = run();
        assertEquals(Cli.AWS, r.exit(), r.toString());
        String last = lastLine(r);
        assertTrue(last.startsWith("release: CreateDeployment's answer was lost ("), last);
        assertTrue(last.matches(".*; no active deployment of s3://bundles/codedeploy/art/1\\.4\\.2-[0-9a-f]{16}\\.zip \\(ETag [0-9a-f]{32}\\) "
                + "found in art/art-prod; check the CodeDeploy console .* before releasing again; no second deployment was created"), last);
        assertEquals(List.of(), cd.calls("CreateDeployment"), "the reset came before the service saw it");
        assertEquals(CreateOnce.LOOKUPS, cd.calls("ListDeployments").size());
        assertEquals(0, cd.deployments.size());

        // someone else's deployments (two pages of them) are named, and not taken for ours
        cd.listPageSize = 1;
        String a = cd.active(ReleaseFixture.APP, ReleaseFixture.GROUP, 1000);
        String b = cd.active(ReleaseFixture.APP, ReleaseFixture.GROUP, 1000);
        front.lose("CreateDeployment", LossyFront.Loss.DROP);
        r = run();
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertTrue(lastLine(r).contains("found in art/art-prod (it runs " + a + ", " + b + ")"), lastLine(r));
        assertEquals(2, cd.deployments.size());
    }

    @Test
    void whenTheLookupItselfFailsTheExitCodeSaysWhy() {
        front.lose("CreateDeployment", LossyFront.Loss.DROP);
        cd.denied.add("ListDeployments");
        ReleaseFixture.Run r = run();
        assertEquals(Cli.AWS, r.exit(), r.toString());
        String last = lastLine(r);
        assertTrue(last.contains("CreateDeployment's answer was lost") && last.contains("looking for its deployment failed: access denied: "
                + "codedeploy:ListDeployments") && last.endsWith("before releasing again; no second deployment was created"), last);

        front.lose("CreateDeployment", LossyFront.Loss.DROP).refuseAfter("CreateDeployment", null);
        r = run("--max-attempts", "2");
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        last = lastLine(r);
        assertTrue(last.contains("CreateDeployment's answer was lost") && last.contains("codedeploy:ListDeployments on application art, group "
                + "art-prod: the service cannot be reached after 2 attempts"), last);
        assertEquals(0, cd.deployments.size());
    }

    @Test
    void throttlingIsRetriedUpToMaxAttemptsAndThenIsAnAwsError() {
        cd.throttle("CreateDeployment", 10);
        ReleaseFixture.Run r = run("--max-attempts", "3");
        assertEquals(Cli.AWS, r.exit(), r.toString());
        assertTrue(lastLine(r).contains("codedeploy:CreateDeployment on application art, group art-prod was throttled (ThrottlingException) "
                + "after 3 attempts"), lastLine(r));
        assertEquals(3, cd.calls("CreateDeployment").size());
        assertEquals(List.of(), cd.calls("ListDeployments"), "throttling proves nothing ran: nothing to look for");
        assertEquals(0, cd.deployments.size());
    }

    @Test
    void refusedConnectionsAreRetriedWithBackoffUntilTheServiceListens() {
        Duration closed = Duration.ofMillis(400);
        front.refuseAfter("RegisterApplicationRevision", closed);
        ReleaseFixture.Run r = run("--max-attempts", "10");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(1, cd.calls("CreateDeployment").size());
        assertEquals(1, cd.deployments.size());
        assertEquals(List.of(), cd.calls("ListDeployments"), "a refused connection proves nothing ran");
        Duration between = Duration.between(front.first("RegisterApplicationRevision"), front.first("CreateDeployment"));
        assertTrue(between.compareTo(closed) >= 0, "CreateDeployment got through only once the front listened again: " + between);

        front.refuseAfter("RegisterApplicationRevision", null);
        r = run("--max-attempts", "2");
        assertEquals(Cli.ENVIRONMENT, r.exit(), r.toString());
        assertTrue(lastLine(r).contains("codedeploy:CreateDeployment on application art, group art-prod: the service cannot be reached after "
                + "2 attempts"), lastLine(r));
        assertFalse(r.err().contains("answer was lost"), r.err());
        assertEquals(1, cd.deployments.size(), "no second deployment");
    }

    @Test
    void whatProvesNothingRanAndWhatIsAmbiguous() {
        SdkException refused = SdkClientException.builder().message("Unable to execute HTTP request: Connection refused")
                .cause(new ConnectException("Connection refused")).build();
        SdkException connectTimeout = SdkClientException.builder().cause(new SocketTimeoutException("Connect timed out")).build();
        SdkException reset = SdkClientException.builder().cause(new SocketException("Connection reset")).build();
        SdkException readTimeout = SdkClientException.builder().cause(new SocketTimeoutException("Read timed out")).build();
        SdkException attempt = ApiCallAttemptTimeoutException.create(1000);
        SdkException throttled = service(400, "ThrottlingException");
        SdkException serverError = service(500, "InternalFailure");
        SdkException invalid = service(400, "InvalidRevisionException");
        SdkException credentials = SdkClientException.builder().message("Unable to load credentials from any of the providers in the chain")
                .cause(new java.io.IOException("Unable to read the web identity token file")).build();
        for (SdkException e : List.of(refused, connectTimeout, throttled)) {
            assertTrue(Aws.nothingRan(e) && !Aws.ambiguous(e), e.toString());
        }
        for (SdkException e : List.of(reset, readTimeout, attempt, serverError)) {
            assertTrue(!Aws.nothingRan(e) && Aws.ambiguous(e), e.toString());
        }
        for (SdkException e : List.of(invalid, credentials)) {
            assertTrue(!Aws.nothingRan(e) && !Aws.ambiguous(e), e.toString());
        }
    }

    private static SdkException service(int status, String code) {
        return AwsServiceException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build()).build();
    }

    private static String lastLine(ReleaseFixture.Run r) {
        return r.err().strip().lines().reduce((x, y) -> y).orElse("");
    }
}
