import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a hook's time goes: other programs (docker, compose, jbang build), the wait for the service itself (health
 * probes and the pauses between them), and the rest, which is the hook's own cost, JBang and JVM start-up included.
 */
final class Clock {
    private static final AtomicLong CHILD_NANOS = new AtomicLong();
    private static final AtomicLong SERVICE_NANOS = new AtomicLong();

    private Clock() {}

    static void addChild(long nanos) {
        CHILD_NANOS.addAndGet(nanos);
    }

    static void addService(long nanos) {
        SERVICE_NANOS.addAndGet(nanos);
    }

    /**
     * One line of timing since the hook started: {@code CDEPLOY_HOOK_START} (epoch nanoseconds, exported by
     * hooks/launch) when set, else the JVM's own start (a manual run).
     */
    static String summary(Map<String, String> env) {
        Instant start = started(env);
        Duration total = Duration.between(start, Instant.now());
        Duration others = Duration.ofNanos(CHILD_NANOS.get());
        Duration service = Duration.ofNanos(SERVICE_NANOS.get());
        return String.format("%s in all: %s waiting on other programs, %s%s own", seconds(total), seconds(others),
                service.isZero() ? "" : seconds(service) + " waiting for the service, ", seconds(total.minus(others).minus(service)));
    }

    /** When the hook started: {@code CDEPLOY_HOOK_START} (epoch nanoseconds, from hooks/launch), else the JVM's start. */
    static Instant started(Map<String, String> env) {
        String launched = env.get("CDEPLOY_HOOK_START");
        return launched != null && launched.matches("\\d{19}")
                ? Instant.ofEpochSecond(0, Long.parseLong(launched))
                : Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    }

    static String seconds(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }

    static String since(Instant t) {
        return seconds(Duration.between(t, Instant.now()));
    }
}
