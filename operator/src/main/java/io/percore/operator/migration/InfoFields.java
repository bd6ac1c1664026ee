package io.percore.operator.migration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

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
        for (long n : keysByDatabase(info).values()) {
            keys += n;
        }
        return keys;
    }

    /** Each database of a {@code dbN:keys=...} line with its keys, by number (N past an int is left out: no Redis has it). */
    public static SortedMap<Integer, Long> keysByDatabase(String info) {
        SortedMap<Integer, Long> out = new TreeMap<>();
        for (Map.Entry<String, String> e : of(info).entrySet()) {
            if (e.getKey().matches("db[0-9]{1,9}")) {
                long keys = 0;
                for (String part : e.getValue().split(",")) {
                    if (part.startsWith("keys=")) {
                        keys += number(part.substring(5));
                    }
                }
                out.put(Integer.parseInt(e.getKey().substring(2)), keys);
            }
        }
        return out;
    }

    /** The name of each module an INFO's modules section lists ({@code module:name=<name>,ver=...}, a line each). */
    public static List<String> modules(String info) {
        List<String> names = new ArrayList<>();
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("module:")) {
                for (String part : line.substring("module:".length()).split(",")) {
                    if (part.startsWith("name=")) {
                        names.add(part.substring("name=".length()).trim());
                    }
                }
            }
        }
        return names;
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
