package io.percore.config.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A position in the configuration tree as a list of segments (a {@link String} for an object
 * key, an {@link Integer} for a list index), rendered the way Spring writes property names:
 * {@code percore.engine.scheduling-groups[1].name}.
 */
final class PropertyPath {

    static final String ROOT = "percore";

    private static final Pattern PLAIN_KEY = Pattern.compile("^[A-Za-z0-9_-]+$");

    private final List<Object> segments;

    private PropertyPath(List<Object> segments) {
        this.segments = segments;
    }

    static PropertyPath root() {
        return new PropertyPath(List.of());
    }

    static PropertyPath of(List<Object> segments) {
        return new PropertyPath(Collections.unmodifiableList(new ArrayList<>(segments)));
    }

    PropertyPath key(String key) {
        return append(key);
    }

    PropertyPath index(int index) {
        return append(index);
    }

    private PropertyPath append(Object segment) {
        List<Object> next = new ArrayList<>(segments.size() + 1);
        next.addAll(segments);
        next.add(segment);
        return new PropertyPath(Collections.unmodifiableList(next));
    }

    List<Object> segments() {
        return segments;
    }

    boolean isRoot() {
        return segments.isEmpty();
    }

    /** The last key segment, or {@code null} for the root or an index. */
    String lastKey() {
        return segments.isEmpty() || !(segments.get(segments.size() - 1) instanceof String s) ? null : s;
    }

    PropertyPath parent() {
        return segments.isEmpty() ? this : new PropertyPath(segments.subList(0, segments.size() - 1));
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(ROOT);
        for (Object segment : segments) {
            if (segment instanceof Integer index) {
                out.append('[').append(index).append(']');
            } else {
                String key = (String) segment;
                // Spring's bracket form keeps keys with dots or odd characters intact.
                if (PLAIN_KEY.matcher(key).matches()) {
                    out.append('.').append(key);
                } else {
                    out.append('[').append(key).append(']');
                }
            }
        }
        return out.toString();
    }
}
