package io.percore.operator.migration;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reading Redis's {@code INFO} text: {@code field:value} lines under {@code # Section} headers. */
public final class InfoFields {

    private InfoFields() {
    }

    /** Every field of the text (the first of a name that repeats). */
    public static Map<String, String> of(String info) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    /** The keys of every {@code dbN:keys=...} line. */
    public static long keys(String info) {
        long keys = 0;
        for (Map.Entry<String, String> e : of(info).entrySet()) {
            if (e.getKey().matches("db[0-9]+")) {
                for (String part : e.getValue().split(",")) {
                    if (part.startsWith("keys=")) {
                        keys += number(part.substring(5));
                    }
                }
            }
        }
        return keys;
    }

    /** A number field, 0 when absent or not a number. */
    public static long number(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
