import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * doctor's own IMDSv2 client (a token first, as the agent does when v1 is off) and its clock probe. The endpoint is
 * AWS_EC2_METADATA_SERVICE_ENDPOINT when set, as for the SDKs: tests point it at a server on 127.0.0.1.
 */
final class Metadata {
    static final String DEFAULT_ENDPOINT = "http://169.254.169.254";

    /** What the metadata service said; {@code problem} when it could not be asked. */
    record Identity(String endpoint, boolean reached, String role, String region, String instanceId, String problem) {}

    private Metadata() {}

    /** The token and the three reads share one budget of twice {@code timeout}: a slow service cannot hold doctor longer. */
    static Identity query(String endpoint, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        String base = endpoint.replaceAll("/+$", "");
        Instant end = Instant.now().plus(timeout.multipliedBy(2));
        try {
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(base + "/latest/api/token")).timeout(left(end))
                    .header("X-aws-ec2-metadata-token-ttl-seconds", "21600").PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (token.statusCode() != 200) {
                return new Identity(endpoint, true, null, null, null, "it answered " + token.statusCode() + " to an IMDSv2 token request");
            }
            String t = token.body().strip();
            HttpResponse<String> roles = get(http, base, "/latest/meta-data/iam/security-credentials/", t, end);
            String role = roles.statusCode() == 200 ? roles.body().lines().map(String::strip).filter(s -> !s.isEmpty()).findFirst().orElse(null) : null;
            HttpResponse<String> region = get(http, base, "/latest/meta-data/placement/region", t, end);
            HttpResponse<String> id = get(http, base, "/latest/meta-data/instance-id", t, end);
            return new Identity(endpoint, true, role, region.statusCode() == 200 ? region.body().strip() : null,
                    id.statusCode() == 200 ? id.body().strip() : null, null);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Identity(endpoint, false, null, null, null, "no answer from " + endpoint + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Duration left(Instant end) {
        Duration d = Duration.between(Instant.now(), end);
        return d.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : d;
    }

    private static HttpResponse<String> get(HttpClient http, String base, String path, String token, Instant end) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(left(end)).header("X-aws-ec2-metadata-token", token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<Finding> check(Identity id) {
        List<Finding> out = new ArrayList<>();
        if (!id.reached() || id.problem() != null) {
            out.add(Finding.fail("instance profile", "the metadata service: " + id.problem(),
                    "on EC2: enable the metadata endpoint (IMDSv2; hop limit 2 when the agent runs in a container); elsewhere use the on-premises config"));
            return out;
        }
        out.add(id.role() == null
                ? Finding.fail("instance profile", "none on " + Cli.first(id.instanceId(), "this instance") + " (the metadata service lists no role)",
                        "attach one with the agent's policy (setup --policies), then: sudo systemctl restart codedeploy-agent")
                : Finding.pass("instance profile", "role " + id.role() + " on " + Cli.first(id.instanceId(), "this instance") + " (IMDSv2)"));
        out.add(id.region() == null ? Finding.warn("region", "the metadata service gave no region", "check the metadata options of the instance")
                : Finding.pass("region", id.region()));
        return out;
    }

    /** This host's clock against an HTTP server's Date header: SigV4 refuses requests more than 5 minutes off. */
    static Finding clock(String url, Duration timeout) {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
            Instant before = Instant.now();
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            Instant local = before.plus(Duration.between(before, Instant.now()).dividedBy(2));
            String date = r.headers().firstValue("Date").orElse(null);
            if (date == null) {
                return Finding.warn("clock", url + " sent no Date header", "give --clock-url a server that does");
            }
            Instant remote = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            long skew = Duration.between(remote, local).toSeconds();
            String saw = Math.abs(skew) <= 1 ? "in step with " + url : Math.abs(skew) + " s " + (skew > 0 ? "ahead of " : "behind ") + url;
            return Math.abs(skew) > 300 ? Finding.fail("clock", saw + ": AWS refuses the agent's requests (Signature expired)", "turn on time sync: timedatectl set-ntp true")
                    : Math.abs(skew) > 30 ? Finding.warn("clock", saw, "turn on time sync: timedatectl set-ntp true") : Finding.pass("clock", saw);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Finding.warn("clock", "no answer from " + url + " (" + e.getClass().getSimpleName() + ")", "check HTTPS egress, or give --clock-url");
        }
    }
}
