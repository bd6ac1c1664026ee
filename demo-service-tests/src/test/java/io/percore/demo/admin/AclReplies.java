package io.percore.demo.admin;

import io.percore.demo.support.RespTestClient;
import java.util.ArrayList;
import java.util.List;

/**
 * What may differ between redis-server's ACL replies and the demo's without being a difference: the
 * order of the single commands in a user's command rules (Redis writes them in its command dictionary's
 * order, which a random hash seed changes from run to run; the categories before them are in a fixed
 * order and kept), a client's CLIENT LIST line in an ACL LOG entry (ids, addresses, buffers, the demo's
 * extra fields), an entry's age, and HELLO's connection id.
 */
final class AclReplies {

    private AclReplies() {
    }

    /** {@code reply} with those parts made comparable. */
    @SuppressWarnings("unchecked")
    static Object normalized(Object reply) {
        if (reply instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                Object key = i > 0 ? list.get(i - 1) : null;
                out.add("age-seconds".equals(key) ? "AGE" : "id".equals(key) && item instanceof Long ? "ID" : normalized(item));
            }
            return out;
        }
        if (reply instanceof RespTestClient.Map3 map) {
            return new RespTestClient.Map3((List<Object>) normalized(map.keysAndValues()));
        }
        if (reply instanceof RespTestClient.Set3 set) {
            return new RespTestClient.Set3((List<Object>) normalized(set.members()));
        }
        if (reply instanceof String s) {
            return s.startsWith("id=") ? clientInfo(s) : rules(s);
        }
        return reply;
    }

    /** A CLIENT LIST line with what differs per connection and per server masked, and the demo's own fields gone. */
    static String clientInfo(String lines) {
        StringBuilder out = new StringBuilder();
        for (String line : lines.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(clientLine(line));
        }
        return out.toString();
    }

    private static String clientLine(String line) {
        return line.replaceAll("id=\\d+ addr=\\S+ laddr=\\S+ fd=\\S+", "id=N addr=A laddr=L fd=F")
                .replaceAll("age=\\d+ idle=\\d+", "age=0 idle=0")
                .replaceAll("qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ multi-mem=\\d+ rbs=\\d+ rbp=\\d+ obl=\\d+ oll=\\d+ omem=\\d+ tot-mem=\\d+",
                        "MEMORY")
                .replaceAll(" lib-name=\\S* lib-ver=\\S* shard=\\d+$", "");
    }

    /** Every run of command rules in {@code text} (from {@code +@all}/{@code -@all} on) with its single commands sorted. */
    static String rules(String text) {
        String[] tokens = text.split(" ", -1);
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < tokens.length) {
            String t = tokens[i];
            String bare = t.startsWith("(") ? t.substring(1) : t;
            if (!(bare.startsWith("+@all") || bare.startsWith("-@all"))) {
                out.add(t);
                i++;
                continue;
            }
            List<String> group = new ArrayList<>();
            group.add(t);
            boolean closed = t.endsWith(")");
            i++;
            while (!closed && i < tokens.length && (tokens[i].startsWith("+") || tokens[i].startsWith("-"))) {
                group.add(tokens[i]);
                closed = tokens[i].endsWith(")");
                i++;
            }
            String last = group.get(group.size() - 1);
            boolean paren = last.endsWith(")");
            if (paren) {
                group.set(group.size() - 1, last.substring(0, last.length() - 1));
            }
            int categories = 1;
            while (categories < group.size() && group.get(categories).substring(1).startsWith("@")) {
                categories++;
            }
            List<String> singles = new ArrayList<>(group.subList(categories, group.size()));
            singles.sort(null);
            List<String> sorted = new ArrayList<>(group.subList(0, categories));
            sorted.addAll(singles);
            if (paren) {
                sorted.set(sorted.size() - 1, sorted.get(sorted.size() - 1) + ")");
            }
            out.addAll(sorted);
        }
        return String.join(" ", out);
    }
}
