import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP front for a local JSON 1.1 server (the CodeDeploy endpoint) that loses what networks lose. Per operation
 * (its X-Amz-Target), each of the next requests can pass, be reset before the server sees it ({@link Loss#DROP}), be
 * handled by the server and its answer lost to a reset ({@link Loss#RESET}), be handled and answered only after the
 * client stopped waiting ({@link Loss#HOLD}), or reach the server only then ({@link Loss#LATE}). Once an operation is seen, the front can stop listening (connections are
 * refused: nothing ran) for a while or for good. Every request is recorded with the time it arrived. It frames HTTP/1.1
 * by Content-Length only, which is what the SDK and the JDK's server send.
 */
final class LossyFront implements AutoCloseable {
    enum Loss { PASS, DROP, RESET, HOLD, LATE }

    record Seen(String operation, Instant at) {}

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final InetSocketAddress backend;
    private final int port;
    private final Map<String, Deque<Loss>> losses = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile Duration hold = Duration.ofSeconds(3);
    private volatile String refuseAfter;
    private volatile Duration refuseFor;
    private volatile boolean closed;

    LossyFront(URI backend) throws IOException {
        this.backend = new InetSocketAddress(backend.getHost(), backend.getPort());
        listener = listen(0);
        port = listener.getLocalPort();
        accept(listener);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The next requests of {@code operation} meet these, one each, in order; later ones pass. */
    LossyFront lose(String operation, Loss... next) {
        losses.computeIfAbsent(operation, o -> new ArrayDeque<>()).addAll(Arrays.asList(next));
        return this;
    }

    /** How long a {@link Loss#HOLD} keeps the answer (a {@link Loss#LATE} the request) before going on. */
    LossyFront hold(Duration d) {
        hold = d;
        return this;
    }

    /** Once {@code operation} is seen, nothing listens for {@code d} ({@code null}: for good); open connections close. */
    LossyFront refuseAfter(String operation, Duration d) {
        refuseFor = d;
        refuseAfter = operation;
        return this;
    }

    /** When {@code operation} first arrived here. */
    Instant first(String operation) {
        return seen.stream().filter(s -> s.operation().equals(operation)).map(Seen::at).findFirst()
                .orElseThrow(() -> new AssertionError(operation + " never arrived: " + seen));
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return s;
    }

    private void accept(ServerSocket l) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Socket client = l.accept();
                    Thread c = new Thread(() -> serve(client), "lossy-front-connection");
                    c.setDaemon(true);
                    c.start();
                }
            } catch (IOException e) {
                // the listener closed
            }
        }, "lossy-front-accept");
        t.setDaemon(true);
        t.start();
    }

    private void serve(Socket client) {
        open.add(client);
        try (client; Socket server = new Socket()) {
            server.connect(backend, 5000);
            InputStream fromClient = new BufferedInputStream(client.getInputStream());
            OutputStream toClient = client.getOutputStream();
            InputStream fromServer = new BufferedInputStream(server.getInputStream());
            while (true) {
                byte[] request = message(fromClient);
                if (request == null) {
                    return;
                }
                String op = operation(request);
                seen.add(new Seen(op, Instant.now()));
                Deque<Loss> planned = losses.get(op);
                Loss loss = planned == null || planned.isEmpty() ? Loss.PASS : planned.poll();
                boolean refuse = op.equals(refuseAfter);
                if (refuse) {
                    stopListening(client); // before the client hears anything: its next connection is refused
                }
                if (loss != Loss.DROP) {
                    if (loss == Loss.LATE) {
                        Thread.sleep(hold.toMillis());
                    }
                    server.getOutputStream().write(request);
                    server.getOutputStream().flush();
                    byte[] answer = message(fromServer);
                    if (loss == Loss.PASS && answer != null) {
                        toClient.write(refuse ? withClose(answer) : answer);
                        toClient.flush();
                    } else if (loss == Loss.HOLD) {
                        Thread.sleep(hold.toMillis());
                    }
                }
                if (loss == Loss.DROP || loss == Loss.RESET) {
                    client.setSoLinger(true, 0); // close with RST: the connection is reset, not ended
                }
                if (loss != Loss.PASS || refuse) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client or the server went away
        } finally {
            open.remove(client);
        }
    }

    /** Stops listening and closes every other connection (their clients must reconnect), and listens again later. */
    private void stopListening(Socket keep) throws IOException {
        refuseAfter = null;
        listener.close();
        for (Socket s : open) {
            if (s != keep) {
                s.close();
            }
        }
        Duration d = refuseFor;
        if (d == null) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(d.toMillis());
                if (closed) {
                    return;
                }
                listener = listen(port);
                accept(listener);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot listen on " + port + " again", e);
            }
        }, "lossy-front-reopen");
        t.setDaemon(true);
        t.start();
    }

    /** One HTTP/1.1 message (head and Content-Length body), or null at the end of the stream. */
    private static byte[] message(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        if (b == -1) {
            return null;
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("content-length:")) {
                length = Integer.parseInt(l.substring("content-length:".length()).strip());
            } else if (l.startsWith("transfer-encoding:")) {
                throw new IllegalStateException("the lossy front frames messages by Content-Length only: " + line);
            }
        }
        byte[] body = in.readNBytes(length);
        head.write(body);
        return head.toByteArray();
    }

    private static String operation(byte[] request) {
        for (String line : new String(request, StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("x-amz-target:")) {
                String target = line.substring("x-amz-target:".length()).strip();
                return target.substring(target.indexOf('.') + 1);
            }
            if (line.isEmpty()) {
                break;
            }
        }
        return "";
    }

    /** The answer with Connection: close, so the client does not keep the connection for its next request. */
    private static byte[] withClose(byte[] answer) {
        String s = new String(answer, StandardCharsets.ISO_8859_1);
        int eol = s.indexOf("\r\n");
        return (s.substring(0, eol + 2) + "Connection: close\r\n" + s.substring(eol + 2)).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
