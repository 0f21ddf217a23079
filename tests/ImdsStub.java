import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An instance metadata service on 127.0.0.1 as EC2's behaves with IMDSv2 required: a token from PUT /latest/api/token
 * (with its TTL header), every GET refused (401) without it. Beside it a bare HTTP server for the clock check, whose
 * Date header is {@code clockOffsetSeconds} off (the JDK's server always sends the true time). Records each metadata
 * request as "METHOD path token?".
 */
final class ImdsStub implements AutoCloseable {
    static final String TOKEN = "AQAEAExampleToken==";
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile String role = "artscope-ec2-role";
    volatile boolean v1Only;
    volatile long clockOffsetSeconds;
    private final HttpServer server;
    private final ServerSocket clock;

    ImdsStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        clock = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::answerClock, "clock-stub");
        t.setDaemon(true);
        t.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String clockUrl() {
        return "http://127.0.0.1:" + clock.getLocalPort() + "/";
    }

    private void answerClock() {
        while (!clock.isClosed()) {
            try (Socket c = clock.accept()) {
                c.getInputStream().read(new byte[4096]); // one small request
                String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(clockOffsetSeconds));
                c.getOutputStream().write(("HTTP/1.1 200 OK\r\nDate: " + date + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // closed, or a client that went away
            }
        }
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String token = x.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
        requests.add(x.getRequestMethod() + " " + path + (TOKEN.equals(token) ? " token" : ""));
        if (path.equals("/latest/api/token")) {
            boolean ok = x.getRequestMethod().equals("PUT") && x.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") != null && !v1Only;
            send(x, ok ? 200 : v1Only ? 403 : 400, ok ? TOKEN : "");
            return;
        }
        if (!TOKEN.equals(token)) {
            send(x, 401, "");
            return;
        }
        switch (path) {
            case "/latest/meta-data/iam/security-credentials/" -> send(x, role == null ? 404 : 200, role == null ? "" : role);
            case "/latest/meta-data/placement/region" -> send(x, 200, "ap-northeast-2");
            case "/latest/meta-data/instance-id" -> send(x, 200, "i-0e9fe7b11be081a65");
            default -> send(x, 404, "");
        }
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            x.getResponseBody().write(b);
        }
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
        try {
            clock.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
