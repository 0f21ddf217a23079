//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.21.0

import java.io.PrintWriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What setup prints on stdout: the outcome as lines or JSON ({@code --json}); the IAM documents and the template as JSON. */
final class SetupOutput {
    private final PrintWriter out;
    private final boolean json;

    SetupOutput(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void document(JsonNode doc) {
        out.println(Json.write(doc));
        out.flush();
    }

    void outcome(GroupSetup.Outcome o) {
        if (json) {
            document(json(o));
            return;
        }
        GroupSetup.lines(o).forEach(out::println);
        out.flush();
    }

    /**
     * {"dryRun", "region", "application": {"name", "action"}, "deploymentGroup": {"name", "action", "changes": [{"field",
     * "from", "to"}]}}; an action is created, updated or unchanged (what it would be, in a dry run).
     */
    static ObjectNode json(GroupSetup.Outcome o) {
        ObjectNode j = JsonNodeFactory.instance.objectNode();
        j.put("dryRun", o.dryRun());
        j.put("region", o.region());
        j.putObject("application").put("name", o.application()).put("action", o.applicationAction());
        ObjectNode g = j.putObject("deploymentGroup").put("name", o.group()).put("action", o.groupAction());
        if (o.created() != null) {
            g.put("settings", o.created());
        }
        ArrayNode changes = g.putArray("changes");
        o.changes().forEach(c -> changes.addObject().put("field", c.field()).put("from", c.from()).put("to", c.to()));
        return j;
    }
}
