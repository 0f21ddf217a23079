import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The nginx proxy in front of the colours: its whole configuration ({@link #NGINX_CONF}) and the upstream file
 * naming the colour that serves, both in {@code <state>/proxy/}, which the proxy service mounts as a folder (a file
 * replaced by rename is seen there; a single bind-mounted file would keep its old inode). The upstream file is the
 * one record of which colour serves: it is replaced atomically, checked with {@code nginx -t}, and loaded by a
 * graceful reload (SIGHUP: new workers take new connections, old ones finish their requests and exit).
 */
final class Proxy {
    static final String DIR = "proxy";
    static final String MOUNT = "/etc/nginx/cdeploy";
    static final String CONF = "nginx.conf";
    static final String UPSTREAM = "upstream.conf";
    /** The response header naming the colour that answered: how the switch is confirmed from outside. */
    static final String COLOUR_HEADER = "X-Cdeploy-Colour";
    static final int LISTEN = 80;
    static final Duration CONFIRM = Duration.ofSeconds(15);
    private static final Pattern SERVING = Pattern.compile("(?m)^# serving: (\\S+) ");

    /** Ours, whole: the same with the official image and a Debian-built nginx. Sized for a Spring Boot service. */
    static final String NGINX_CONF = """
            # Written by the cdeploy hooks (lib/host/Proxy.java): the proxy's whole configuration. The hooks own
            # upstream.conf beside it, which names the colour that serves; every change is checked (nginx -t) and
            # loaded by a graceful reload.
            worker_processes auto;
            pid /tmp/cdeploy-nginx.pid;
            error_log /dev/stderr warn;
            events { worker_connections 4096; }
            http {
                log_format cdeploy '$remote_addr "$request" $status $body_bytes_sent $request_time s $cdeploy_colour';
                access_log /dev/stdout cdeploy;
                server_tokens off;
                include %1$s/%2$s;                        # upstream cdeploy_app, and $cdeploy_colour
                # the client's scheme as a load balancer in front saw it, else ours
                map $http_x_forwarded_proto $cdeploy_proto { default $http_x_forwarded_proto; "" $scheme; }
                # WebSocket upgrades pass through; every other request keeps its upstream connection alive
                map $http_upgrade $cdeploy_connection { default upgrade; "" ""; }
                keepalive_timeout 65s;                    # longer than an ALB's 60 s idle timeout
                client_max_body_size 20m;                 # Spring Boot's default multipart limit is 1 MB a file, 10 MB a request
                client_body_buffer_size 128k;
                proxy_http_version 1.1;                   # keep-alive to the app
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection $cdeploy_connection;
                proxy_set_header Host $http_host;
                proxy_set_header X-Real-IP $remote_addr;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                proxy_set_header X-Forwarded-Proto $cdeploy_proto;
                proxy_set_header X-Forwarded-Host $host;
                proxy_connect_timeout 5s;
                proxy_send_timeout 60s;
                proxy_read_timeout 60s;                   # a request longer than a minute is cut: raise it here
                proxy_buffering on;                       # server-sent events: answer with X-Accel-Buffering: no
                server {
                    listen %3$d;
                    location / {
                        proxy_pass http://cdeploy_app;
                        add_header %4$s $cdeploy_colour always;
                    }
                }
            }
            """.formatted(MOUNT, UPSTREAM, LISTEN, COLOUR_HEADER);

    private final Path dir;

    Proxy(Path stateDir) {
        this.dir = stateDir.resolve(DIR);
    }

    Path dir() {
        return dir;
    }

    /** The colour the upstream file names: what serves, or is being switched to (see {@link BlueGreen#reconcile}). */
    Optional<String> serving() {
        try {
            Path f = dir.resolve(UPSTREAM);
            Matcher m = SERVING.matcher(Files.isRegularFile(f) ? Files.readString(f) : "");
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** nginx.conf (when it differs) and the upstream naming {@code colour}'s container, each replaced atomically. */
    void write(String colour, String container, int port) {
        Path conf = dir.resolve(CONF);
        try {
            if (!Files.isRegularFile(conf) || !Files.readString(conf).equals(NGINX_CONF)) {
                Disk.writeAtomically(conf, NGINX_CONF);
            }
        } catch (IOException e) {
            throw new Cli.Fail(Cli.ENVIRONMENT, "cannot read " + conf + " (" + e.getMessage() + ")", "check the disk and the folder's owner");
        }
        Disk.writeAtomically(dir.resolve(UPSTREAM), upstream(colour, container, port));
    }

    static String upstream(String colour, String container, int port) {
        return "# serving: " + colour + " (written by the cdeploy hooks; nginx reads it on a reload)\n"
                + "upstream cdeploy_app {\n    server " + container + ":" + port + " max_fails=0;\n    keepalive 32;\n"
                + "    keepalive_timeout 20s;\n}\n" // closes idle connections before Tomcat's 60 s does
                + "map $host $cdeploy_colour { default \"" + colour + "\"; }\n";
    }

    /** The proxy service's running container, found by its compose labels (its name is the template's to choose). */
    static Optional<String> container(Docker docker, String project, String service) {
        Proc.Result r = docker.docker(Duration.ofSeconds(20), "ps", "--quiet", "--filter", "label=com.docker.compose.project=" + project,
                "--filter", "label=com.docker.compose.service=" + service, "--filter", "status=running");
        return r.ok() ? r.out().lines().filter(l -> !l.isBlank()).findFirst() : Optional.empty();
    }

    /**
     * {@code nginx -t} on the files as they are now, then a graceful reload; a refused configuration is one line.
     * Returns the workers that served before the reload: they stop accepting and finish what they serve.
     */
    static Set<String> reload(Docker docker, String container) {
        Proc.Result t = docker.docker(Duration.ofSeconds(30), "exec", container, "nginx", "-t", "-q", "-c", MOUNT + "/" + CONF);
        if (!t.ok()) {
            throw new Cli.Fail(Cli.FAILED, "nginx refuses the new configuration: " + t.reason(), "see the proxy's output: docker logs " + container);
        }
        Set<String> before = workers(docker, container);
        Proc.Result r = docker.docker(Duration.ofSeconds(20), "kill", "--signal", "HUP", container);
        if (!r.ok()) {
            throw new Cli.Fail(Cli.FAILED, "could not reload the proxy: " + r.reason(), "check the proxy container: docker ps -a");
        }
        return before;
    }

    /**
     * The process ids of the proxy's nginx workers, read with {@code docker top} (so the image needs no ps); when it
     * cannot be read, {@link #UNKNOWN}, which never exits: a drain then waits its whole limit.
     */
    static Set<String> workers(Docker docker, String container) {
        Proc.Result r = docker.docker(Duration.ofSeconds(10), "top", container); // UID PID PPID C STIME TTY TIME CMD
        Set<String> pids = new TreeSet<>();
        if (!r.ok()) {
            return Set.of(UNKNOWN);
        }
        r.out().lines().filter(l -> l.contains("nginx: worker process")).forEach(l -> pids.add(l.strip().split("\\s+")[1]));
        return pids;
    }

    static final String UNKNOWN = "unknown";

    /** Asks through the proxy until {@code colour} answers (new workers start within milliseconds of the reload). */
    static boolean confirm(String url, String colour, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (colour.equals(answeringColour(url))) {
                return true;
            }
            Health.sleep(Duration.ofMillis(50));
        }
        return false;
    }

    /** The colour that answered {@code url} through the proxy with a 2xx (nginx's own 502 carries the header too), or null. */
    static String answeringColour(String url) {
        try {
            HttpURLConnection http = (HttpURLConnection) URI.create(url).toURL().openConnection();
            http.setConnectTimeout(2000);
            http.setReadTimeout(5000);
            int code = http.getResponseCode();
            String colour = http.getHeaderField(COLOUR_HEADER);
            http.disconnect();
            return code / 100 == 2 ? colour : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Waits until {@code old}, the workers of the configuration before a reload, have finished their requests and
     * exited, at most {@code limit}; true when they did. Until they receive the reload's signal they may still accept
     * a connection, so it is their exit that is waited for, not their title.
     */
    static boolean drain(Docker docker, String container, Set<String> old, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            Set<String> left = new TreeSet<>(old);
            Set<String> now = workers(docker, container);
            if (!now.contains(UNKNOWN)) {
                left.retainAll(now);
            }
            if (left.isEmpty()) {
                return true;
            }
            if (!Instant.now().isBefore(deadline)) {
                return false;
            }
            Health.sleep(Duration.ofMillis(100));
        }
    }

    /**
     * With a proxy service and the blue-green switch, the app runs twice at once: it may publish no host port (the
     * proxy does), and the proxy must publish the health URL's port. release and pull both check the template.
     */
    static void checkTemplate(ObjectNode compose, Settings settings) {
        JsonNode services = compose.path("services");
        if (!services.path(settings.proxy()).isObject() || !Settings.BLUE_GREEN.equals(settings.switchMode())) {
            return;
        }
        JsonNode ports = services.path(settings.service()).path("ports");
        if (ports.size() > 0) {
            throw new Cli.Fail(Cli.INPUT, "the app service " + settings.service() + " publishes " + ports + ", but its two colours run side by side "
                    + "behind the proxy service " + settings.proxy(), "move the port to the proxy (expose it on the app instead), or swap in place: release --switch recreate");
        }
        ObjectNode proxyOnly = Json.MAPPER.createObjectNode();
        proxyOnly.putObject("services").set(settings.proxy(), services.path(settings.proxy()));
        if (!Template.publishedPorts(proxyOnly).contains(settings.port())) {
            throw new Cli.Fail(Cli.INPUT, "the proxy service " + settings.proxy() + " does not publish port " + settings.port()
                    + " of the health URL " + settings.healthUrl() + ", through which the switch is confirmed",
                    "publish it on the proxy, e.g. ports: [\"" + settings.port() + ":80\"], or set healthUrl to the port it publishes");
        }
    }
}
