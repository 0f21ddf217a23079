import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A CloudFormation template's structure, checked without AWS: every resource has a Type of the AWS::Service::Thing
 * form and Properties, every Ref, Fn::GetAtt and Fn::Sub variable names a parameter, resource or pseudo parameter
 * that exists, every Condition a resource, output or Fn::If uses is defined (and every defined one is used), and
 * Outputs have values. What it finds, one line each; empty when the template holds together.
 */
final class CfnCheck {
    static final Set<String> PSEUDO = Set.of("AWS::AccountId", "AWS::NoValue", "AWS::NotificationARNs", "AWS::Partition",
            "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
    static final Pattern TYPE = Pattern.compile("AWS::[A-Za-z0-9]+::[A-Za-z0-9]+");
    static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");
    static final Set<String> TOP = Set.of("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
            "Conditions", "Transform", "Resources", "Outputs");

    private CfnCheck() {}

    static List<String> problems(JsonNode t) {
        List<String> out = new ArrayList<>();
        t.fieldNames().forEachRemaining(k -> {
            if (!TOP.contains(k)) out.add("unknown top-level section " + k);
        });
        Set<String> parameters = names(t.path("Parameters"));
        Set<String> resources = names(t.path("Resources"));
        Set<String> conditions = names(t.path("Conditions"));
        Set<String> used = new HashSet<>();
        if (resources.isEmpty()) {
            out.add("no Resources");
        }
        t.path("Resources").fields().forEachRemaining(e -> {
            String type = e.getValue().path("Type").asText();
            if (!TYPE.matcher(type).matches()) {
                out.add("resource " + e.getKey() + " has Type '" + type + "', not AWS::Service::Thing");
            }
            if (!e.getValue().path("Properties").isObject()) {
                out.add("resource " + e.getKey() + " has no Properties object");
            }
            condition(e.getValue(), "resource " + e.getKey(), conditions, used, out);
            e.getValue().path("DependsOn").forEach(d -> {
                if (!resources.contains(d.asText())) out.add("resource " + e.getKey() + " DependsOn unknown " + d.asText());
            });
        });
        t.path("Outputs").fields().forEachRemaining(e -> {
            if (e.getValue().path("Value").isMissingNode()) out.add("output " + e.getKey() + " has no Value");
            condition(e.getValue(), "output " + e.getKey(), conditions, used, out);
        });
        t.path("Parameters").fields().forEachRemaining(e -> {
            if (!Set.of("String", "Number", "CommaDelimitedList", "List<Number>").contains(e.getValue().path("Type").asText())
                    && !e.getValue().path("Type").asText().startsWith("AWS::")) {
                out.add("parameter " + e.getKey() + " has Type '" + e.getValue().path("Type").asText() + "'");
            }
        });
        walk(t, "", parameters, resources, conditions, used, out);
        for (String c : conditions) {
            if (!used.contains(c)) out.add("condition " + c + " is defined and never used");
        }
        return out;
    }

    private static void condition(JsonNode node, String where, Set<String> conditions, Set<String> used, List<String> out) {
        if (node.has("Condition")) {
            String c = node.get("Condition").asText();
            used.add(c);
            if (!conditions.contains(c)) out.add(where + " uses unknown condition " + c);
        }
    }

    private static void walk(JsonNode n, String at, Set<String> parameters, Set<String> resources, Set<String> conditions,
                             Set<String> used, List<String> out) {
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                walk(n.get(i), at + "[" + i + "]", parameters, resources, conditions, used, out);
            }
            return;
        }
        if (!n.isObject()) {
            return;
        }
        if (n.has("Ref") && n.size() == 1) {
            String r = n.get("Ref").asText();
            if (!parameters.contains(r) && !resources.contains(r) && !PSEUDO.contains(r)) out.add(at + ": Ref to unknown " + r);
        }
        if (n.has("Fn::GetAtt")) {
            JsonNode g = n.get("Fn::GetAtt");
            String r = g.isArray() ? g.path(0).asText() : g.asText().split("\\.")[0];
            if (!resources.contains(r)) out.add(at + ": Fn::GetAtt of unknown resource " + r);
        }
        if (n.has("Fn::Sub")) {
            JsonNode s = n.get("Fn::Sub");
            Set<String> local = new HashSet<>();
            if (s.isArray()) {
                s.path(1).fieldNames().forEachRemaining(local::add);
            }
            Matcher m = SUB_VARIABLE.matcher(s.isArray() ? s.path(0).asText() : s.asText());
            while (m.find()) {
                String v = m.group(1).split("\\.")[0];
                if (!local.contains(v) && !parameters.contains(v) && !resources.contains(v) && !PSEUDO.contains(m.group(1))) {
                    out.add(at + ": Fn::Sub names unknown ${" + m.group(1) + "}");
                }
            }
        }
        if (n.has("Fn::If")) {
            String c = n.get("Fn::If").path(0).asText();
            used.add(c);
            if (!conditions.contains(c) || n.get("Fn::If").size() != 3) out.add(at + ": Fn::If on unknown condition " + c + " or not 3 arguments");
        }
        if (n.has("Condition") && n.get("Condition").isTextual() && at.startsWith("/Conditions")) {
            used.add(n.get("Condition").asText()); // a condition built from another
        }
        n.fields().forEachRemaining(e -> walk(e.getValue(), at + "/" + e.getKey(), parameters, resources, conditions, used, out));
    }

    private static Set<String> names(JsonNode section) {
        Set<String> s = new HashSet<>();
        section.fieldNames().forEachRemaining(s::add);
        return s;
    }
}
