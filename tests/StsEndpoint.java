import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/**
 * A local STS for tests on 127.0.0.1, speaking the service's Query protocol for the one call a release makes:
 * GetCallerIdentity, answered with a fixed identity (or, when told, with the InvalidClientTokenId error STS gives for
 * keys it does not know). Every call's Action is recorded.
 */
final class StsEndpoint implements AutoCloseable {
    static final String ACCOUNT = "123456789012";
    static final String ARN = "arn:aws:sts::" + ACCOUNT + ":assumed-role/github-deploy/GitHubActions";
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean refuse;
    private final HttpServer server;

    StsEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String action = "";
            for (String kv : body.split("&")) {
                if (kv.startsWith("Action=")) {
                    action = URLDecoder.decode(kv.substring(7), StandardCharsets.UTF_8);
                }
            }
            calls.add(action);
            boolean known = action.equals("GetCallerIdentity");
            String xml = refuse || !known
                    ? "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>"
                    + (refuse ? "InvalidClientTokenId" : "InvalidAction") + "</Code><Message>The security token included in the request is invalid.</Message>"
                    + "</Error><RequestId>r-1</RequestId></ErrorResponse>"
                    : "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>" + ARN
                    + "</Arn><UserId>AROAEXAMPLE:GitHubActions</UserId><Account>" + ACCOUNT + "</Account></GetCallerIdentityResult>"
                    + "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
            byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/xml");
            ex.sendResponseHeaders(refuse || !known ? 403 : 200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
