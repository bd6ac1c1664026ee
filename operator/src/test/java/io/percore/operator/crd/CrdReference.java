package io.percore.operator.crd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PercoreService reference page ({@code docs/reference/percoreservice.md}) rendered from the CRD the build generates:
 * every field of {@code spec} and {@code status} with its type, its validation and its description, a section per
 * top-level object. {@code spec.config} is the application's {@code percore:} section, whose keys the configuration
 * reference lists from the configuration model: it is linked, not repeated.
 */
final class CrdReference {

    static final String PAGE = "docs/reference/percoreservice.md";
    static final String REGENERATE = "Regenerate it: ./mvnw -pl operator test -Dtest=CrdReferenceTest -Ddocs.regenerate=true";

    private CrdReference() {
    }

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> crd) {
        Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
        Map<String, Object> names = (Map<String, Object>) spec.get("names");
        Map<String, Object> version = ((List<Map<String, Object>>) spec.get("versions")).get(0);
        Map<String, Object> root = (Map<String, Object>) ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema");
        Map<String, Object> top = (Map<String, Object>) root.get("properties");
        StringBuilder out = new StringBuilder();
        out.append("# PercoreService reference\n\n");
        out.append("<!-- Generated from the CRD the operator's build writes (").append("operator/target/classes/META-INF/fabric8/")
                .append(") by CrdReferenceTest. Do not edit by hand.\n     ").append(REGENERATE).append(" -->\n\n");
        out.append("`").append(spec.get("group")).append('/').append(version.get("name")).append("`, kind `").append(names.get("kind"))
                .append("` (short name `").append(String.join("`, `", (List<String>) names.get("shortNames"))).append("`), ")
                .append(String.valueOf(spec.get("scope")).toLowerCase()).append(". ")
                .append("The API server checks every constraint below when a resource is created or changed and refuses ")
                .append("the change with the field's path; `kubectl explain percoreservice.spec` prints the same descriptions.\n\n");
        out.append("`kubectl get pcs` shows: ");
        List<String> columns = new ArrayList<>();
        for (Map<String, Object> c : (List<Map<String, Object>>) version.get("additionalPrinterColumns")) {
            columns.add("**" + c.get("name") + "** (`" + c.get("jsonPath") + "`)");
        }
        out.append(String.join(", ", columns)).append(".\n");
        for (String part : List.of("spec", "status")) {
            Map<String, Object> node = (Map<String, Object>) top.get(part);
            out.append("\n## `").append(part).append("`\n\n");
            if (node.get("description") != null) {
                out.append(text(node.get("description"))).append("\n\n");
            }
            Map<String, Object> fields = (Map<String, Object>) node.get("properties");
            List<String> sections = new ArrayList<>();
            header(out);
            for (Map.Entry<String, Object> e : fields.entrySet()) {
                Map<String, Object> field = (Map<String, Object>) e.getValue();
                String path = part + "." + e.getKey();
                if (path.equals("spec.config")) {
                    row(out, path, field, required(node, e.getKey()), " The keys: the [configuration reference](../configuration.md).");
                } else if (hasFields(field)) {
                    row(out, path, field, required(node, e.getKey()), " Its fields: [below](#" + anchor(path) + ").");
                    sections.add(e.getKey());
                } else {
                    row(out, path, field, required(node, e.getKey()), "");
                }
            }
            for (String name : sections) {
                String path = part + "." + name;
                out.append("\n### `").append(path).append("`\n\n");
                header(out);
                rows(out, path, (Map<String, Object>) fields.get(name));
            }
        }
        return out.toString();
    }

    /** Lowercase path, dots and brackets dropped: the id MkDocs gives the heading {@code `spec.backup`}. */
    static String anchor(String path) {
        return path.toLowerCase().replaceAll("[^a-z0-9_-]", "");
    }

    private static void header(StringBuilder out) {
        out.append("| field | type | constraints | description |\n|---|---|---|---|\n");
    }

    /** The rows under {@code node}: its fields, their items' and values' fields, depth first. */
    @SuppressWarnings("unchecked")
    private static void rows(StringBuilder out, String path, Map<String, Object> node) {
        Map<String, Object> fields = (Map<String, Object>) node.get("properties");
        if (fields != null) {
            for (Map.Entry<String, Object> e : fields.entrySet()) {
                Map<String, Object> field = (Map<String, Object>) e.getValue();
                String child = path + "." + e.getKey();
                row(out, child, field, required(node, e.getKey()), "");
                rows(out, child, field);
            }
        }
        if (node.get("items") instanceof Map<?, ?> items) {
            rows(out, path + "[]", (Map<String, Object>) items);
        }
        if (node.get("additionalProperties") instanceof Map<?, ?> values) {
            rows(out, path + ".<name>", (Map<String, Object>) values);
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean hasFields(Map<String, Object> field) {
        if (field.get("properties") != null) {
            return true;
        }
        if (field.get("items") instanceof Map<?, ?> items) {
            return hasFields((Map<String, Object>) items);
        }
        return field.get("additionalProperties") instanceof Map<?, ?> values && hasFields((Map<String, Object>) values);
    }

    @SuppressWarnings("unchecked")
    private static boolean required(Map<String, Object> parent, String name) {
        Object required = parent.get("required");
        return required instanceof List<?> list && ((List<String>) list).contains(name);
    }

    private static void row(StringBuilder out, String path, Map<String, Object> field, boolean required, String more) {
        out.append("| `").append(path).append("` | ").append(type(field)).append(" | ").append(constraints(field, required))
                .append(" | ").append(text(field.get("description"))).append(more).append(" |\n");
    }

    @SuppressWarnings("unchecked")
    private static String type(Map<String, Object> field) {
        if (Boolean.TRUE.equals(field.get("x-kubernetes-int-or-string"))) {
            return "integer or string";
        }
        String type = String.valueOf(field.getOrDefault("type", "any"));
        if (type.equals("array") && field.get("items") instanceof Map<?, ?> items) {
            return "array of " + type((Map<String, Object>) items);
        }
        if (type.equals("object") && field.get("additionalProperties") instanceof Map<?, ?> values) {
            return "map of name to " + type((Map<String, Object>) values);
        }
        return type;
    }

    @SuppressWarnings("unchecked")
    private static String constraints(Map<String, Object> field, boolean required) {
        List<String> c = new ArrayList<>();
        if (required) {
            c.add("required");
        }
        if (field.get("enum") instanceof List<?> values) {
            List<String> quoted = new ArrayList<>();
            for (Object v : values) {
                quoted.add("`" + v + "`");
            }
            c.add("one of " + String.join(", ", quoted));
        }
        bound(c, field, "minimum", "at least ");
        bound(c, field, "maximum", "at most ");
        bound(c, field, "minLength", "at least %s characters");
        bound(c, field, "maxLength", "at most %s characters");
        bound(c, field, "minItems", "at least %s items");
        bound(c, field, "maxItems", "at most %s items");
        if (field.get("pattern") != null) {
            c.add("matches `" + String.valueOf(field.get("pattern")).replace("|", "\\|") + "`");
        }
        if (field.get("x-kubernetes-validations") instanceof List<?> rules) {
            for (Object rule : rules) {
                Map<String, Object> r = (Map<String, Object>) rule;
                c.add(text(r.getOrDefault("message", r.get("rule"))));
            }
        }
        return String.join("; ", c);
    }

    private static void bound(List<String> c, Map<String, Object> field, String key, String format) {
        Object v = field.get(key);
        if (v != null) {
            String n = v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())
                    ? Long.toString(num.longValue()) : String.valueOf(v);
            c.add(format.contains("%s") ? String.format(format, n) : format + n);
        }
    }

    /** One table cell: no line breaks, no bare pipes, no angle brackets read as HTML ({@code <name>-auth}). */
    private static String text(Object description) {
        return description == null ? "" : String.valueOf(description).replace("\r", "").replace("\n", " ").replace("|", "\\|")
                .replace("<", "&lt;").replace(">", "&gt;").trim();
    }
}
