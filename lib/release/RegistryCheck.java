import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A dry run's look at the registry, read-only and without Docker: the registry of the image answers (/v2/), and an
 * image given with --image is there (HEAD on its manifest). A registry that asks for a login is reported as not
 * checked rather than guessed at; loopback registries are spoken to over http, every other over https.
 */
final class RegistryCheck {
    private static final String ACCEPT = String.join(",", "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json");

    private RegistryCheck() {}

    /** What was found, for the check's line; a missing image or an unreachable registry fails with one line. */
    static String check(ImageRef image, boolean mustExist) {
        String registry = ImageRef.registryOf(image.name());
        String name = image.name().equals(registry) || !image.name().startsWith(registry + "/") ? image.name() : image.name().substring(registry.length() + 1);
        if (registry.equals("docker.io")) {
            return "; registry docker.io not checked (it asks for a token)";
        }
        String base = (registry.matches("(127\\.0\\.0\\.1|localhost)(:\\d+)?") ? "http://" : "https://") + registry + "/v2/";
        int status = status(HttpRequest.newBuilder(URI.create(base)).GET(), registry);
        if (!mustExist) {
            return "; registry " + registry + " answers";
        }
        if (status == 401 || status == 403) {
            return "; registry " + registry + " answers, image not checked (it asks for a login)";
        }
        String ref = image.digest() != null ? image.digest() : image.tag();
        int manifest = status(HttpRequest.newBuilder(URI.create(base + name + "/manifests/" + ref)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", ACCEPT), registry);
        if (manifest == 404) {
            throw new Cli.Fail(Cli.INPUT, "image " + image + " is not in registry " + registry, "push it first, or fix --image");
        }
        return "; image " + image + " is in registry " + registry + (manifest == 200 ? "" : " (HTTP " + manifest + ")");
    }

    private static int status(HttpRequest.Builder request, String registry) {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new Cli.Fail(Cli.ENVIRONMENT, "registry " + registry + " cannot be reached (" + why + ")", "check the network and the registry's address");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cli.Fail(Cli.FAILED, "interrupted while asking registry " + registry);
        }
    }
}
