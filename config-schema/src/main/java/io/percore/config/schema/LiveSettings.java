package io.percore.config.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Which settings a running application may change without a restart, from the schema's
 * {@value PercoreConfigSchema#LIVE_KEYWORD} keyword: the one place both the starter (which applies
 * a changed configuration) and the operator (which decides whether a change of {@code spec.config}
 * rolls the pods) learn it from.
 *
 * <p>Trees are {@code percore} sections as plain maps, lists and scalars ({@code ModelTree.of},
 * parsed YAML, a CRD's {@code spec.config}). A key written on one side only stands for its
 * default on the other. An entry added to or removed from a map of names (a server, a client) or
 * a list (scheduling groups) needs a restart, whatever it holds.
 */
public final class LiveSettings {

    /**
     * The paths (Spring property names, {@code percore.engine.task-quota}) whose values differ,
     * sorted, split into those a running application takes live and those that need a restart.
     */
    public record Changes(List<String> live, List<String> restart) {

        public Changes {
            live = List.copyOf(live);
            restart = List.copyOf(restart);
        }

        public boolean isEmpty() {
            return live.isEmpty() && restart.isEmpty();
        }

        public boolean needsRestart() {
            return !restart.isEmpty();
        }
    }

    private LiveSettings() {
    }

    /** What changed from {@code before} to {@code after} (either may be null: nothing written). */
    public static Changes between(Map<String, ?> before, Map<String, ?> after) {
        Set<String> live = new LinkedHashSet<>();
        Set<String> restart = new LinkedHashSet<>();
        diff(before == null ? Map.of() : before, after == null ? Map.of() : after, PercoreConfigSchema.sharedTree(),
                PropertyPath.root(), live, restart);
        List<String> l = new ArrayList<>(live);
        List<String> r = new ArrayList<>(restart);
        Collections.sort(l);
        Collections.sort(r);
        return new Changes(l, r);
    }

    /** Whether the setting at {@code path} ({@code percore.engine.stall-threshold}, a server's key under {@code <name>}) changes live. */
    public static boolean isLive(String path) {
        if (!path.startsWith(PropertyPath.ROOT + ".")) {
            return false;
        }
        JsonNode schema = PercoreConfigSchema.sharedTree();
        for (String segment : path.substring(PropertyPath.ROOT.length() + 1).replaceAll("\\[\\d+]", ".[]").split("\\.")) {
            schema = segment.equals("[]") ? SubSchemas.items(schema) : SubSchemas.property(schema, segment);
            if (schema == null) {
                return false;
            }
        }
        return live(schema);
    }

    /**
     * {@code current} with the values {@code next} gives its settings that change live, and its
     * other settings as they are: what a running application takes from a change that also holds
     * settings needing a restart. Both are whole trees of one shape ({@code ModelTree.of} of two
     * models); a live setting within an entry only one side has is not taken.
     */
    public static Map<String, Object> mergeLive(Map<String, ?> current, Map<String, ?> next) {
        @SuppressWarnings("unchecked")
        Map<String, Object> merged = (Map<String, Object>) merge(current, next, PercoreConfigSchema.sharedTree());
        return merged;
    }

    private static Object merge(Object current, Object next, JsonNode schema) {
        if (live(schema)) {
            return next;
        }
        if (current instanceof Map<?, ?> a && next instanceof Map<?, ?> b) {
            Map<String, Object> out = new LinkedHashMap<>();
            a.forEach((k, v) -> out.put(String.valueOf(k),
                    b.containsKey(k) ? merge(v, b.get(k), SubSchemas.property(schema, String.valueOf(k))) : v));
            return out;
        }
        if (current instanceof List<?> a && next instanceof List<?> b && a.size() == b.size()) {
            List<Object> out = new ArrayList<>(a.size());
            for (int i = 0; i < a.size(); i++) {
                out.add(merge(a.get(i), b.get(i), SubSchemas.items(schema)));
            }
            return out;
        }
        return current;
    }

    /**
     * A copy of {@code section} without the settings that change live: two sections that differ
     * only in those give equal results (the operator hashes this to decide whether pods roll).
     */
    public static Map<String, Object> withoutLive(Map<String, ?> section) {
        @SuppressWarnings("unchecked")
        Map<String, Object> stripped = (Map<String, Object>) strip(section, PercoreConfigSchema.sharedTree());
        return stripped == null ? Map.of() : stripped;
    }

    private static Object strip(Object node, JsonNode schema) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                JsonNode sub = SubSchemas.property(schema, String.valueOf(k));
                if (!live(sub)) {
                    out.put(String.valueOf(k), strip(v, sub));
                }
            });
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(strip(item, SubSchemas.items(schema))));
            return out;
        }
        return node;
    }

    private static void diff(Object before, Object after, JsonNode schema, PropertyPath path, Set<String> live, Set<String> restart) {
        if (Objects.equals(normal(before), normal(after))) {
            return;
        }
        if (live(schema)) {
            live.add(path.toString());
            return;
        }
        if (SubSchemas.isMap(schema)) {
            Map<?, ?> a = asMap(before);
            Map<?, ?> b = asMap(after);
            Set<Object> keys = new LinkedHashSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (Object key : keys) {
                PropertyPath entry = path.key(String.valueOf(key));
                if (!a.containsKey(key) || !b.containsKey(key)) {
                    restart.add(entry.toString()); // a server or client added or removed
                } else {
                    diff(a.get(key), b.get(key), SubSchemas.property(schema, String.valueOf(key)), entry, live, restart);
                }
            }
            return;
        }
        if (schema != null && schema.has("properties") && (before == null || before instanceof Map) && (after == null || after instanceof Map)) {
            Map<?, ?> a = asMap(before);
            Map<?, ?> b = asMap(after);
            Set<Object> keys = new LinkedHashSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (Object key : keys) {
                diff(a.get(key), b.get(key), SubSchemas.property(schema, String.valueOf(key)), path.key(String.valueOf(key)), live, restart);
            }
            return;
        }
        if (before instanceof List<?> a && after instanceof List<?> b && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                diff(a.get(i), b.get(i), SubSchemas.items(schema), path.index(i), live, restart);
            }
            return;
        }
        restart.add(path.toString());
    }

    private static boolean live(JsonNode schema) {
        return schema != null && schema.path(PercoreConfigSchema.LIVE_KEYWORD).asBoolean(false);
    }

    private static Map<?, ?> asMap(Object node) {
        return node instanceof Map<?, ?> m ? m : Map.of();
    }

    /** Numbers compare by value (YAML's 5 and a bound 5L are one setting); strings and the rest as they are. */
    private static Object normal(Object value) {
        if (value instanceof Number n) {
            return new java.math.BigDecimal(n.toString()).stripTrailingZeros();
        }
        return value;
    }
}
