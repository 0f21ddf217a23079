import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Docker image reference checked against the distribution grammar
 * ({@code [domain/]path[:tag][@digest]}). A release must be pinned: it needs a tag other than
 * {@code latest}, or a digest.
 */
record ImageRef(String name, String tag, String digest) {

    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|-+)";
    private static final String PATH_COMPONENT = ALNUM + "(?:" + SEPARATOR + ALNUM + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
    private static final String NAME = "(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private static final Pattern REFERENCE =
            Pattern.compile("(" + NAME + ")(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
    /** Name (255) + tag (128) + a sha512 digest (7 + 128) and separators, with room to spare. */
    static final int MAX_LENGTH = 600;
    private static final String FIX = "write one pinned reference such as registry.example.com/team/app:1.4.2";

    static ImageRef parse(String text, String source) {
        String ref = text == null ? "" : text.strip();
        if (ref.isEmpty()) {
            throw new Cli.Fail(Cli.INPUT, source + " holds no image reference", FIX);
        }
        if (ref.length() > MAX_LENGTH) { // before the pattern: a huge input must not reach the regex engine
            throw new Cli.Fail(Cli.INPUT, source + " holds " + ref.length() + " characters, more than an image reference can (" + MAX_LENGTH + ")", FIX);
        }
        if (ref.lines().count() > 1) {
            throw new Cli.Fail(Cli.INPUT, source + " holds more than one line", FIX);
        }
        Matcher m = REFERENCE.matcher(ref);
        if (!m.matches()) {
            throw new Cli.Fail(Cli.INPUT, source + ": '" + ref + "' is not a valid Docker image reference",
                    "use lowercase [registry/]path[:tag][@sha256:...] (" + FIX + ")");
        }
        if (m.group(1).length() > 255) {
            throw new Cli.Fail(Cli.INPUT, source + ": image name longer than 255 characters", FIX);
        }
        ImageRef image = new ImageRef(m.group(1), m.group(2), m.group(3));
        if (image.tag == null && image.digest == null) {
            throw new Cli.Fail(Cli.INPUT, source + ": '" + ref + "' has no tag, so it means whatever 'latest' is at pull time",
                    "tag the release (app:1.4.2) or pin a digest (app@sha256:...)");
        }
        if ("latest".equals(image.tag) && image.digest == null) {
            throw new Cli.Fail(Cli.INPUT, source + ": '" + ref + "' uses the moving tag 'latest'",
                    "tag each release with its own version (app:1.4.2) or pin a digest");
        }
        return image;
    }

    /** What to pull and run: by digest when there is one (the tag is then only a label). */
    String pinned() {
        return digest != null ? name + "@" + digest : name + ":" + tag;
    }

    @Override
    public String toString() {
        return name + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The registry a reference names, by Docker's rule: the first part when it has a '.' or ':' or is localhost; else Docker Hub. */
    static String registryOf(String reference) {
        int slash = reference.indexOf('/');
        String first = slash < 0 ? "" : reference.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : "docker.io";
    }
}
