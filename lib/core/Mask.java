import java.util.regex.Pattern;

/**
 * Masks what looks like a secret before a line leaves the machine (the CI log, the agent's log tail, a one-line
 * error): AWS access key ids, {@code password=}-style values, bearer tokens and basic-auth credentials in URLs.
 * A pattern, not a proof: it keeps the common leaks out of logs that many people read.
 */
final class Mask {
    private static final Pattern AWS_KEY_ID = Pattern.compile("\\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\\b");
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)\\b([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]*\"?)"
                    + "(\\s*[=:]\\s*|\\s+(?=[^\\s=:]))(\"[^\"]*\"|'[^']*'|[^\\s,;&}]+)");
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}");
    private static final Pattern URL_CREDENTIALS = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s:@]*:[^/\\s@]+@");
    static final String HIDDEN = "****";

    private Mask() {}

    static String line(String s) {
        if (s == null || s.isEmpty()) {
            return s;
        }
        String out = AWS_KEY_ID.matcher(s).replaceAll(m -> m.group(1) + HIDDEN);
        out = ASSIGNMENT.matcher(out).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1) + m.group(2) + HIDDEN));
        out = BEARER.matcher(out).replaceAll(m -> m.group(1) + " " + HIDDEN);
        return URL_CREDENTIALS.matcher(out).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1) + HIDDEN + "@"));
    }

    /**
     * A command line as it may be shown: the value of every {@code --build-arg K=V}, {@code -e}/{@code --env K=V}
     * masked (they often carry tokens), then {@link #line}.
     */
    static String command(java.util.List<String> command) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < command.size(); i++) {
            String word = command.get(i);
            boolean value = i > 0 && java.util.Set.of("--build-arg", "-e", "--env").contains(command.get(i - 1));
            int eq = word.indexOf('=');
            shown.append(i == 0 ? "" : " ").append(value && eq >= 0 ? word.substring(0, eq + 1) + HIDDEN : word);
        }
        return line(shown.toString());
    }
}
