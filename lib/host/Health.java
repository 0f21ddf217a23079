import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Waits until a container is healthy: by its Docker healthcheck when it has one, else by an HTTP URL answering
 * 2xx. A container that exits or restarts fails at once instead of burning the deadline.
 */
final class Health {
    static final Duration POLL = Duration.ofMillis(250);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    record Outcome(boolean healthy, String detail, Duration waited) {}

    static Outcome await(Docker docker, String container, String url, Duration limit) {
        return await(docker, container, c -> url, limit);
    }

    /** The same with a URL taken from the container as inspected (its own address); {@code null} while it has none. */
    static Outcome await(Docker docker, String container, java.util.function.Function<Docker.Container, String> urlOf, Duration limit) {
        Instant start = Instant.now();
        Instant deadline = start.plus(limit);
        String last = "no answer yet";
        int restartsBefore = -1;
        while (true) {
            Optional<Docker.Container> c;
            try {
                c = docker.container(container);
            } catch (Cli.Fail f) { // one failed inspect is no verdict: the wait goes on to its deadline
                last = Cli.firstLine(f.getMessage());
                if (!Instant.now().plus(POLL).isBefore(deadline)) {
                    return new Outcome(false, "not healthy after " + limit.toSeconds() + " s (" + last + ")", Duration.between(start, Instant.now()));
                }
                sleep(POLL);
                continue;
            }
            Duration waited = Duration.between(start, Instant.now());
            if (c.isEmpty()) {
                return new Outcome(false, "container " + container + " does not exist", waited);
            }
            Docker.Container ct = c.get();
            if ("restarting".equals(ct.status())) {
                return new Outcome(false, "container " + container + " is restarting after exit code " + ct.exitCode(), waited);
            }
            if (restartsBefore < 0) {
                restartsBefore = ct.restarts(); // a container compose left alone may have restarted long ago
            } else if (ct.restarts() > restartsBefore) {
                return new Outcome(false, "container " + container + " crashed and Docker restarted it", waited);
            }
            if (!ct.running()) {
                return new Outcome(false, "container " + container + " " + ct.status() + " with exit code " + ct.exitCode(), waited);
            }
            if (ct.health() != null) {
                switch (ct.health()) {
                    case "healthy" -> { return new Outcome(true, "Docker healthcheck: healthy", waited); }
                    case "unhealthy" -> { return new Outcome(false, "Docker healthcheck reports unhealthy", waited); }
                    default -> last = "Docker healthcheck: " + ct.health();
                }
            } else {
                long probing = System.nanoTime();
                String url = urlOf.apply(ct);
                last = url == null ? "container " + container + " has no address yet" : probe(url);
                Clock.addService(System.nanoTime() - probing);
                if (last == null) {
                    return new Outcome(true, url + " answered 2xx", waited);
                }
            }
            if (!Instant.now().plus(POLL).isBefore(deadline)) {
                return new Outcome(false, "not healthy after " + limit.toSeconds() + " s (" + last + ")", Duration.between(start, Instant.now()));
            }
            sleep(POLL);
        }
    }

    /** {@code null} when the URL answers 2xx, else what it did instead. */
    static String probe(String url) {
        try {
            if (!(URI.create(url).toURL().openConnection() instanceof HttpURLConnection http)) {
                return url + " is not an http(s) URL";
            }
            http.setConnectTimeout((int) PROBE_TIMEOUT.toMillis());
            http.setReadTimeout((int) PROBE_TIMEOUT.toMillis());
            int code = http.getResponseCode();
            http.disconnect();
            return code / 100 == 2 ? null : url + " answered HTTP " + code;
        } catch (IOException | RuntimeException e) { // a probe never ends the wait early: its failure is "not yet"
            return url + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            Clock.addService(d.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cli.Fail(Cli.FAILED, "interrupted while waiting for the service to get healthy");
        }
    }
}
