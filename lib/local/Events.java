import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Which lifecycle events a local deployment runs, and in what order, by codedeploy-local's rules: without
 * {@code --events} every default event (the traffic hooks included, as codedeploy-local runs them); with it, the
 * events given, DownloadBundle and Install added when missing and put in order, custom events only when the appspec
 * names them, and the appspec refused when it names an event nothing would run.
 */
final class Events {
    static final String DOWNLOAD_BUNDLE = "DownloadBundle";
    static final String INSTALL = "Install";
    static final List<String> DEFAULT = List.of("BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop", DOWNLOAD_BUNDLE,
            "BeforeInstall", INSTALL, "AfterInstall", "ApplicationStart", "ValidateService", "BeforeAllowTraffic", "AfterAllowTraffic");
    /** Events whose scripts come from the last successful revision (nothing runs when there is none). */
    static final Set<String> FROM_LAST_SUCCESSFUL = Set.of("BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop");
    private static final List<String> BEFORE_DOWNLOAD = List.of("BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop");
    /** Events whose scripts come from the revision being deployed. */
    private static final List<String> NEW_REVISION = List.of("BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService",
            "BeforeAllowTraffic", "AfterAllowTraffic");
    private static final List<String> BEFORE_INSTALL = List.of("BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop", DOWNLOAD_BUNDLE, "BeforeInstall");

    private Events() {}

    /**
     * The events to run for {@code --events} (null or empty: the default list): the order given is checked first (no
     * event of the new revision before DownloadBundle or Install), then a missing DownloadBundle or Install is put
     * where the lifecycle has it, never moving an event given: DownloadBundle after the leading events of the
     * previous revision, Install after DownloadBundle (and a BeforeInstall right after it). codedeploy-local puts
     * them in front (1.x; 2.x then swaps them), which runs a given ApplicationStop from the new revision.
     */
    static List<String> ordered(String requested) {
        if (requested == null || requested.isBlank()) {
            return DEFAULT;
        }
        List<String> given = Arrays.stream(requested.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (before(given, DOWNLOAD_BUNDLE).stream().anyMatch(e -> NEW_REVISION.contains(e) || e.equals(INSTALL))) {
            throw new Cli.Fail(Cli.INPUT, "The only events that can be specified before DownloadBundle are " + String.join(",", BEFORE_DOWNLOAD)
                    + ". Please fix the order of your specified events: " + requested);
        }
        if (before(given, INSTALL).stream().anyMatch(e -> NEW_REVISION.contains(e) && !e.equals("BeforeInstall"))) {
            throw new Cli.Fail(Cli.INPUT, "The only events that can be specified before Install are " + String.join(",", BEFORE_INSTALL)
                    + ". Please fix the order of your specified events: " + requested);
        }
        List<String> events = new ArrayList<>(given);
        if (!events.contains(DOWNLOAD_BUNDLE)) {
            int at = 0;
            while (at < events.size() && BEFORE_DOWNLOAD.contains(events.get(at))) {
                at++;
            }
            events.add(at, DOWNLOAD_BUNDLE);
        }
        if (!events.contains(INSTALL)) {
            int at = events.indexOf(DOWNLOAD_BUNDLE) + 1;
            if (at < events.size() && events.get(at).equals("BeforeInstall")) {
                at++;
            }
            events.add(at, INSTALL);
        }
        return List.copyOf(events);
    }

    /** The events given before {@code marker}; none when it is not given. */
    private static List<String> before(List<String> events, String marker) {
        int at = events.indexOf(marker);
        return at < 0 ? List.of() : events.subList(0, at);
    }

    /** codedeploy-local's two checks of the new revision's appspec against the events to run. */
    static void check(List<String> events, AppSpec spec) {
        for (String e : events) {
            if (!DEFAULT.contains(e) && !spec.hooks().containsKey(e)) {
                throw new Cli.Fail(Cli.INPUT, "You specified a lifecycle event which is not a default one and doesn't exist in your appspec.yml file: " + e);
            }
        }
        List<String> unknown = spec.hooks().keySet().stream()
                .filter(e -> !AppSpec.SCRIPTABLE_EVENTS.contains(e) && !events.contains(e)).toList();
        if (!unknown.isEmpty()) {
            throw new Cli.Fail(Cli.INPUT, AppSpec.unknownEventsMessage(unknown));
        }
    }
}
