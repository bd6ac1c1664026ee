package io.percore.demo.resp;

import java.util.List;

/**
 * A command's name and the metadata Redis publishes in COMMAND: arity (positive = exact,
 * negative = at least), flags, key positions (first, last, step; 0 = no keys, last -1 = to the
 * end) and its group, plus the handler.
 */
public record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step,
                          String group, String summary, CommandHandler handler) {

    public boolean noAuth() {
        return flags.contains("no_auth");
    }
}
