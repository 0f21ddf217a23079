import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

/**
 * release.json, the bundle's manifest (version, commit, the commit's time, the image pinned by digest, settings): written by release and read by the hooks with this one record. Strict: an
 * unknown key, a key given twice, a value of the wrong type or anything after the object is refused with one line.
 */
record Manifest(String version, String commit, String time, String image, Settings settings) {
    static final String FILE = "release.json";

    Manifest {
        settings = settings == null ? Settings.DEFAULTS : settings;
    }

    /** The file's text: pretty JSON ending with a newline. */
    String json() {
        return Json.write(this) + "\n";
    }

    static Manifest read(Path file) {
        try {
            Manifest m = Json.STRICT.readValue(file.toFile(), Manifest.class);
            if (m == null) {
                throw new Cli.Fail(Cli.INPUT, file + " must hold a JSON object", "rebuild the bundle with 'jbang release'");
            }
            return m;
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof Cli.Fail f) {
                throw new Cli.Fail(f.exitCode, file + ": " + f.getMessage());
            }
            throw invalid(file, e);
        } catch (UnrecognizedPropertyException e) {
            boolean inSettings = e.getPath().size() > 1 && "settings".equals(e.getPath().get(0).getFieldName());
            throw inSettings
                    ? new Cli.Fail(Cli.INPUT, file + ": unknown setting '" + e.getPropertyName() + "'", "use " + Settings.KEYS)
                    : new Cli.Fail(Cli.INPUT, file + ": unknown key '" + e.getPropertyName() + "'",
                            "use version, commit, time, image and settings; rebuild the bundle with 'jbang release'");
        } catch (JsonProcessingException e) {
            throw invalid(file, e);
        } catch (IOException e) {
            throw new Cli.Fail(Cli.INPUT, "cannot read " + file + " (" + e.getMessage() + ")", null);
        }
    }

    private static Cli.Fail invalid(Path file, JsonProcessingException e) {
        return new Cli.Fail(Cli.INPUT, file + " is not valid JSON (" + Cli.firstLine(e.getOriginalMessage())
                + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + ")", "rebuild the bundle with 'jbang release'");
    }
}
