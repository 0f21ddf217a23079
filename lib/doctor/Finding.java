import java.util.List;

/**
 * One check's verdict: PASS, WARN, FAIL, or SKIP (it needs a live system, or what it checks is absent), what it saw,
 * the fix in one line (none for a pass), and for a failure worth reading whole (a hook's log tail) a few lines more.
 * Checks compose what they saw from names and counts, never from a file's secret values (key ids are shown as
 * AKIA****WXYZ); a log tail in the detail comes from the failure renderer, which masks it.
 */
record Finding(String check, Status status, String saw, String fix, List<String> detail) {
    enum Status { PASS, WARN, FAIL, SKIP }

    Finding {
        detail = detail == null ? List.of() : List.copyOf(detail);
    }

    static Finding pass(String check, String saw) {
        return new Finding(check, Status.PASS, saw, null, null);
    }

    static Finding warn(String check, String saw, String fix) {
        return new Finding(check, Status.WARN, saw, fix, null);
    }

    static Finding fail(String check, String saw, String fix) {
        return new Finding(check, Status.FAIL, saw, fix, null);
    }

    static Finding skip(String check, String why) {
        return new Finding(check, Status.SKIP, why, null, null);
    }

    Finding withDetail(List<String> lines) {
        return new Finding(check, status, saw, fix, lines);
    }

    /** {@code FAIL credentials       what it saw; fix: the fix}, then the detail indented. */
    List<String> lines() {
        String head = String.format("%-4s %-19s %s", status, check, saw) + (fix == null ? "" : "; fix: " + fix);
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(head), detail.stream().map(l -> "       " + l)).toList();
    }
}
