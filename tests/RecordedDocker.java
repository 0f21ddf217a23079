import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A Docker host on paper, for running the hooks in-process: each rule answers the commands that start with its
 * words (later answers in turn, the last one repeated), rules given after {@link #afterUp()} hold once compose up has
 * run, unmatched commands succeed silently, and every command is recorded so a test can assert what the hook did.
 */
final class RecordedDocker implements Proc.Runner {
    /** Rules by phase: phase n holds after the n-th compose up (a swap or a rollback changes what Docker answers). */
    private final List<Map<String, List<Proc.Result>>> phases = new ArrayList<>(List.of(new LinkedHashMap<>()));
    private final Map<String, Integer> served = new LinkedHashMap<>();
    private int phase;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    /** The daemon answers and Compose is v1, as on the test machine. */
    static RecordedDocker healthyHost() {
        return new RecordedDocker()
                .answer("docker version", 0, "20.10.24\n")
                .answer("docker compose version", 1, "")
                .answer("docker-compose version", 0, "1.29.2\n");
    }

    RecordedDocker answer(String prefix, int exit, String out) {
        phases.get(phases.size() - 1).computeIfAbsent(prefix, k -> new ArrayList<>()).add(new Proc.Result(List.of(prefix), exit, out, exit == 0 ? "" : out));
        return this;
    }

    /** {@code docker container inspect NAME} answering with a container in this state, in turn per call. */
    RecordedDocker container(String name, String image, String status, String health, int restarts) {
        String healthJson = health == null ? "" : ",\"Health\":{\"Status\":\"" + health + "\"}";
        return answer("docker container inspect " + name, 0, "[{\"Name\":\"/" + name + "\",\"RestartCount\":" + restarts
                + ",\"State\":{\"Status\":\"" + status + "\",\"ExitCode\":" + ("exited".equals(status) ? 1 : 0) + healthJson + "},"
                + "\"Config\":{\"Image\":\"" + image + "\",\"Labels\":{\"com.docker.compose.project\":\"art\"}}}]");
    }

    /** Commands starting with {@code prefix} take {@code time} (or their timeout, then answer 124 as the real runner does). */
    RecordedDocker slow(String prefix, Duration time) {
        slow.put(prefix, time);
        return this;
    }

    private final Map<String, Duration> slow = new LinkedHashMap<>();

    /** The rules that follow hold once compose up has run (once more). */
    RecordedDocker afterUp() {
        phases.add(new LinkedHashMap<>());
        return this;
    }

    RecordedDocker noContainer(String name) {
        return answer("docker container inspect " + name, 1, "Error: No such container: " + name);
    }

    @Override
    public synchronized Proc.Result run(List<String> command, Duration timeout, Consumer<String> echo) {
        String line = String.join(" ", command);
        calls.add(line);
        for (Map.Entry<String, Duration> s : slow.entrySet()) {
            if (line.startsWith(s.getKey())) {
                boolean late = s.getValue().compareTo(timeout) > 0;
                try {
                    Thread.sleep((late ? timeout : s.getValue()).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (late) {
                    return new Proc.Result(command, 124, "", "timed out after " + timeout.toSeconds() + " s: " + line);
                }
            }
        }
        Proc.Result r = answerFor(line);
        if (r.ok() && line.startsWith("docker-compose --project-name") && command.contains("up")) {
            phase++;
        }
        if (echo != null) {
            r.out().lines().forEach(echo);
        }
        return new Proc.Result(command, r.exit(), r.out(), r.err());
    }

    private Proc.Result answerFor(String line) {
        for (int p = Math.min(phase, phases.size() - 1); p >= 0; p--) {
            for (Map.Entry<String, List<Proc.Result>> rule : phases.get(p).entrySet()) {
                if (line.startsWith(rule.getKey())) {
                    int n = served.merge(p + " " + rule.getKey(), 1, Integer::sum) - 1;
                    return rule.getValue().get(Math.min(n, rule.getValue().size() - 1));
                }
            }
        }
        return new Proc.Result(List.of(line), 0, "", "");
    }

    List<String> callsStartingWith(String prefix) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.startsWith(prefix)).toList();
        }
    }
}
