package io.percore.operator.config;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CRD as a real API server stores it. The server drops fields that serialise as "empty"
 * ({@code omitempty} in the Go types): {@code priority: 0} on printer columns, {@code false} on
 * {@code nullable}, {@code uniqueItems}, {@code exclusiveMinimum/Maximum}, {@code deprecated}, empty
 * lists and maps. A file carrying any of them never equals the stored object, so each
 * {@code kubectl apply --server-side} (and Helm) finds a difference and conflicts with the first
 * writer's field ownership. Values that are data, not schema ({@code default}, {@code example},
 * {@code enum}), and the marker {@code subresources.status: {}} are kept as written.
 */
public final class CrdCanonicalForm {

    private static final Set<String> DATA_KEYS = Set.of("default", "example", "enum");
    private static final Set<String> OMITTED_WHEN_FALSE = Set.of("nullable", "uniqueItems", "exclusiveMinimum",
            "exclusiveMaximum", "deprecated");

    private CrdCanonicalForm() {
    }

    /** Removes, in place, everything the API server would drop; returns the same map. */
    public static Map<String, Object> apply(Map<String, Object> crd) {
        List<String> found = new ArrayList<>();
        walk(crd, "", true, found);
        return crd;
    }

    /** Paths of everything the API server would drop (empty when the CRD is canonical). */
    public static List<String> violations(Map<String, Object> crd) {
        List<String> found = new ArrayList<>();
        walk(crd, "", false, found);
        return found;
    }

    @SuppressWarnings("unchecked")
    private static void walk(Object node, String path, boolean fix, List<String> found) {
        if (node instanceof Map<?, ?> map) {
            for (Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<?, ?> entry = it.next();
                String key = String.valueOf(entry.getKey());
                String at = path + "." + key;
                Object value = entry.getValue();
                if (DATA_KEYS.contains(key) || ".spec.versions[].subresources.status".equals(at)) {
                    continue;
                }
                if (value != null && !isEmpty(value)) {
                    walk(value, at, fix, found);
                }
                if (droppedByServer(path, key, value)) {
                    found.add(at + ": " + value);
                    if (fix) {
                        it.remove();
                    }
                }
            }
        } else if (node instanceof List<?> list) {
            for (Object item : list) {
                walk(item, path + "[]", fix, found);
            }
        }
    }

    private static boolean droppedByServer(String parent, String key, Object value) {
        if (value == null || isEmpty(value)) {
            return true;
        }
        if ("priority".equals(key) && parent.endsWith("additionalPrinterColumns[]") && value instanceof Number n && n.longValue() == 0) {
            return true;
        }
        return OMITTED_WHEN_FALSE.contains(key) && Boolean.FALSE.equals(value);
    }

    private static boolean isEmpty(Object value) {
        return (value instanceof Map<?, ?> m && m.isEmpty()) || (value instanceof List<?> l && l.isEmpty())
                || (value instanceof String s && s.isEmpty());
    }
}
