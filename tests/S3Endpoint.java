import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * A real S3 server for tests: S3Proxy (in-memory NIO.2 store) behind a recording front on 127.0.0.1. The front
 * records every request as the client sent it (method, path, query, headers, body), forwards it to S3Proxy, and can
 * instead answer the way S3 does for what S3Proxy cannot: a bucket in another region (301 with
 * {@code x-amz-bucket-region}) and AccessDenied (403 with S3's error document).
 */
final class S3Endpoint implements AutoCloseable {
    record Request(String method, String path, String query, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The object bytes: the body, or what its aws-chunked encoding carries (the SDK signs chunks over http). */
        byte[] payload() {
            if (!"aws-chunked".equals(header("content-encoding"))) {
                return body;
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int at = 0;
            while (at < body.length) {
                int eol = indexOf(body, at);
                String size = new String(body, at, eol - at, java.nio.charset.StandardCharsets.US_ASCII).split(";")[0].strip();
                int n = Integer.parseInt(size, 16);
                if (n == 0) {
                    break;
                }
                out.write(body, eol + 2, n);
                at = eol + 2 + n + 2;
            }
            return out.toByteArray();
        }

        private static int indexOf(byte[] b, int from) {
            for (int i = from; i + 1 < b.length; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n') {
                    return i;
                }
            }
            throw new IllegalStateException("malformed aws-chunked body");
        }
    }

    private final S3Proxy proxy;
    private final HttpServer front;
    private final URI backend;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<String[]> denied = new CopyOnWriteArrayList<>(); // {method, path prefix}
    private final Map<String, String> regions = Collections.synchronizedMap(new TreeMap<>()); // bucket -> its region

    S3Endpoint() throws Exception {
        Properties props = new Properties();
        BlobStore store = BlobStores.create("transient-nio2", props);
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.NONE, null, null).build();
        proxy.start();
        for (int i = 0; i < 200 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(25);
        }
        backend = URI.create("http://127.0.0.1:" + proxy.getPort());
        front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        front.setExecutor(Executors.newFixedThreadPool(4));
        front.createContext("/", this::handle);
        front.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + front.getAddress().getPort());
    }

    /** S3Proxy itself, without the front: what another client sees. */
    URI backend() {
        return backend;
    }

    /** Answers {@code method} requests under {@code pathPrefix} with S3's AccessDenied document. */
    void deny(String method, String pathPrefix) {
        denied.add(new String[] {method, pathPrefix});
    }

    /** Pretends {@code bucket} lives in {@code region}: HeadBucket gets S3's 301 with the bucket's region. */
    void bucketRegion(String bucket, String region) {
        regions.put(bucket, region);
    }

    void createBucket(String bucket) throws IOException {
        HttpURLConnection c = (HttpURLConnection) backend.resolve("/" + bucket).toURL().openConnection();
        c.setRequestMethod("PUT");
        c.setDoOutput(true);
        c.getOutputStream().close();
        if (c.getResponseCode() / 100 != 2) {
            throw new IOException("create bucket " + bucket + ": HTTP " + c.getResponseCode());
        }
    }

    List<Request> requests(String method) {
        return requests.stream().filter(r -> r.method.equals(method)).toList();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            byte[] body = x.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String path = x.getRequestURI().getRawPath();
            String query = x.getRequestURI().getRawQuery();
            requests.add(new Request(x.getRequestMethod(), path, query, headers, body));
            String bucket = path.replaceFirst("^/", "").replaceFirst("/.*$", "");
            for (String[] d : denied) {
                if (d[0].equals(x.getRequestMethod()) && path.startsWith(d[1])) {
                    error(x, 403, "AccessDenied", "Access Denied", null);
                    return;
                }
            }
            String region = regions.get(bucket);
            if (region != null) {
                x.getResponseHeaders().add("x-amz-bucket-region", region);
                error(x, 301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint. "
                        + "Please send all future requests to this endpoint.", bucket + ".s3." + region + ".amazonaws.com");
                return;
            }
            forward(x, body, path, query);
        }
    }

    private void forward(HttpExchange x, byte[] body, String path, String query) throws IOException {
        HttpURLConnection c = (HttpURLConnection) backend.resolve(path + (query == null ? "" : "?" + query)).toURL().openConnection();
        c.setRequestMethod(x.getRequestMethod());
        c.setInstanceFollowRedirects(false);
        x.getRequestHeaders().forEach((k, v) -> {
            String key = k.toLowerCase(Locale.ROOT);
            if (!List.of("host", "content-length", "connection", "transfer-encoding", "expect").contains(key)) {
                v.forEach(val -> c.addRequestProperty(k, val));
            }
        });
        if (body.length > 0 || List.of("PUT", "POST").contains(x.getRequestMethod())) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        byte[] answer = in == null ? new byte[0] : in.readAllBytes();
        c.getHeaderFields().forEach((k, v) -> {
            if (k != null && !List.of("content-length", "transfer-encoding", "connection", "date")
                    .contains(k.toLowerCase(Locale.ROOT))) {
                x.getResponseHeaders().put(k, new ArrayList<>(v));
            }
        });
        boolean head = x.getRequestMethod().equals("HEAD");
        if (head) {
            String length = c.getHeaderField("Content-Length");
            if (length != null) {
                x.getResponseHeaders().add("Content-Length", length);
            }
        }
        x.sendResponseHeaders(status, head || answer.length == 0 ? -1 : answer.length);
        if (!head && answer.length > 0) {
            x.getResponseBody().write(answer);
        }
    }

    /** S3's error document (HEAD answers carry no body, as on S3). */
    private static void error(HttpExchange x, int status, String code, String message, String endpoint) throws IOException {
        String doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message + "</Message>"
                + (endpoint == null ? "" : "<Endpoint>" + endpoint + "</Endpoint>")
                + "<RequestId>4442587FB7D0A2F9</RequestId><HostId>test-host-id</HostId></Error>";
        x.getResponseHeaders().add("Content-Type", "application/xml");
        x.getResponseHeaders().add("x-amz-request-id", "4442587FB7D0A2F9");
        if (x.getRequestMethod().equals("HEAD")) {
            x.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = doc.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    @Override
    public void close() throws Exception {
        front.stop(0);
        ((java.util.concurrent.ExecutorService) front.getExecutor()).shutdownNow();
        proxy.stop();
    }
}
