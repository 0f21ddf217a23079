import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a user of the service sees during deploys: GETs through the proxy on 127.0.0.1:{@code port}, in a thread of its
 * own. {@link #fresh} opens a new connection for every request (a browser, a load balancer's health check);
 * {@link #keepAlive} sends every request on one kept connection, and when the server closed it while idle (no byte of
 * an answer came back) reconnects and sends the request again, as HTTP clients do for an idempotent request. Any
 * other error or a status other than 200 is a failure, with its time.
 */
final class Probe implements AutoCloseable {
    record Failure(Instant at, String what) {}

    private final int port;
    private final String path;
    private final Duration every;
    private final boolean reuse;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger idleCloses = new AtomicInteger();
    private final List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Instant> successes = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private Socket kept;

    private Probe(int port, String path, Duration every, boolean reuse) {
        this.port = port;
        this.path = path;
        this.every = every;
        this.reuse = reuse;
        this.thread = new Thread(this::loop, "probe-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    static Probe fresh(int port, String path, Duration every) {
        return new Probe(port, path, every, false);
    }

    static Probe keepAlive(int port, String path, Duration every) {
        return new Probe(port, path, every, true);
    }

    private void loop() {
        while (!stop.get()) {
            Instant at = Instant.now();
            requests.incrementAndGet();
            try {
                String status = reuse ? onKept() : once();
                if (status.startsWith("HTTP/1.1 200")) {
                    successes.add(at);
                } else {
                    failures.add(new Failure(at, status));
                }
            } catch (IOException e) {
                failures.add(new Failure(at, e.toString()));
                closeKept();
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
        closeKept();
    }

    private String once() throws IOException {
        try (Socket s = connect()) {
            return exchange(s, "close");
        }
    }

    private String onKept() throws IOException {
        if (kept == null) {
            kept = connect();
        }
        try {
            return exchange(kept, "keep-alive");
        } catch (ClosedBeforeAnswer e) {
            idleCloses.incrementAndGet();
            closeKept();
            kept = connect();
            return exchange(kept, "keep-alive");
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** One request and its whole answer; the status line is returned. */
    private String exchange(Socket s, String connection) throws IOException {
        OutputStream out = s.getOutputStream();
        try {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: probe\r\nConnection: " + connection + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new ClosedBeforeAnswer();
        }
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        int c;
        try {
            while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                head.append((char) c);
            }
        } catch (java.net.SocketException e) {
            if (head.length() == 0) {
                throw new ClosedBeforeAnswer();
            }
            throw e;
        }
        if (head.length() == 0) {
            throw new ClosedBeforeAnswer();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        in.readNBytes(length);
        return head.substring(0, Math.max(0, head.indexOf("\r\n")));
    }

    /** The server closed a kept connection before any byte of the answer: the request may be sent again. */
    private static final class ClosedBeforeAnswer extends IOException {}

    private void closeKept() {
        if (kept != null) {
            try {
                kept.close();
            } catch (IOException ignored) {
            }
            kept = null;
        }
    }

    int requests() {
        return requests.get();
    }

    int idleCloses() {
        return idleCloses.get();
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** The longest time from a failure to the next success (zero without failures). */
    Duration longestOutage() {
        Duration longest = Duration.ZERO;
        List<Instant> ok = List.copyOf(successes);
        for (Failure f : failures()) {
            Instant next = ok.stream().filter(t -> t.isAfter(f.at())).findFirst().orElse(Instant.now());
            Instant start = ok.stream().filter(t -> t.isBefore(f.at())).reduce((a, b) -> b).orElse(f.at());
            Duration d = Duration.between(start, next);
            longest = d.compareTo(longest) > 0 ? d : longest;
        }
        return longest;
    }

    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return requests() + " requests, " + failures().size() + " failed" + (failures().isEmpty() ? "" : " " + failures().subList(0, Math.min(5, failures().size())))
                + (reuse ? ", " + idleCloses() + " idle connections closed by the server and retried" : "");
    }
}
