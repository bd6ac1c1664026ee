package io.percore.operator.users;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the pods accepted, per user: the rules last applied and taken ({@link AclUser#digest()} and the {@code ACL SETUSER}
 * arguments), and how the pods print them in {@code ACL LIST}. Redis prints its own form of a user's rules (the commands
 * rebuilt from its bitmap, {@code sanitize-payload}, {@code resetchannels} ...), which the operator cannot compute; so it
 * learns it from the pod that took the rules, and a pod whose line is one of those has the user as wanted: it is not
 * touched, and its clients stay connected. The single commands of that form come in the order of the server's command
 * dictionary, which is seeded at random in each process (two pods, or one pod restarted, print the same rules in two
 * orders): lines are compared {@link #normalized} (each group of rules sorted), which loses nothing, since Redis prints
 * the categories before the commands and a command before its subcommands whatever that order. Kept in the operator's Secret {@code <name>-users} (key
 * {@value #KEY}) beside the aclfile, since the lines hold the passwords' hashes.
 *
 * <p>The aclfile is written from the applied rules only, never from a line a pod printed, so a pod cannot put a user
 * into the file the others read.
 *
 * <p>Text form, one line each: {@code <user> <digest> rules <arguments>} and {@code <user> <digest> seen <ACL LIST line>}.
 */
public final class AclRecord {

    public static final String KEY = "applied";
    /** Redis prints the same rules the same way on one version; a roll between two versions may show two forms. */
    static final int MAX_FORMS = 4;

    /** @param rules the {@code ACL SETUSER} arguments taken; {@code seen} the lines pods printed for them */
    public record Entry(String digest, List<String> rules, Set<String> seen) {
        public Entry {
            rules = List.copyOf(rules);
            seen = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(seen));
        }
    }

    public static final AclRecord EMPTY = new AclRecord(Map.of());

    private final Map<String, Entry> entries;

    AclRecord(Map<String, Entry> entries) {
        this.entries = java.util.Collections.unmodifiableMap(new TreeMap<>(entries));
    }

    public Entry get(String user) {
        return entries.get(user);
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** Whether {@code line} ({@code ACL LIST}) is a form pods print for exactly {@code user}'s rules. */
    boolean holds(AclUser user, String line) {
        Entry e = entries.get(user.name());
        return e != null && e.digest().equals(user.digest()) && e.seen().contains(normalized(line));
    }

    /**
     * An {@code ACL LIST} line ({@code user <name> <rules>}) with the words of its root rules sorted, and of each selector
     * ({@code (...)}) sorted within it, the selectors in their order: what two pods print for the same rules is then the
     * same text.
     */
    static String normalized(String line) {
        String[] head = line.split(" ", 3);
        if (head.length < 3 || !head[0].equals("user")) {
            return line;
        }
        List<String> root = new ArrayList<>();
        List<String> selectors = new ArrayList<>();
        List<String> selector = null;
        for (String word : head[2].split(" ")) {
            if (selector == null && word.startsWith("(")) {
                selector = new ArrayList<>();
            }
            (selector == null ? root : selector).add(word);
            if (selector != null && word.endsWith(")")) {
                selector.set(0, selector.get(0).substring(1));
                int last = selector.size() - 1;
                selector.set(last, selector.get(last).substring(0, selector.get(last).length() - 1));
                selector.removeIf(String::isEmpty);
                java.util.Collections.sort(selector);
                selectors.add("(" + String.join(" ", selector) + ")");
                selector = null;
            }
        }
        if (selector != null) {
            root.addAll(selector); // unbalanced: as words of the root, still the same text for the same line
        }
        java.util.Collections.sort(root);
        StringBuilder b = new StringBuilder("user ").append(head[1]).append(' ').append(String.join(" ", root));
        selectors.forEach(sel -> b.append(' ').append(sel));
        return b.toString();
    }

    /** The record with {@code user}'s rules taken by a pod that then printed {@code seen} (null: not read back). */
    AclRecord taken(AclUser user, String seen) {
        Map<String, Entry> next = new LinkedHashMap<>(entries);
        Entry before = entries.get(user.name());
        Set<String> forms = new LinkedHashSet<>();
        if (before != null && before.digest().equals(user.digest())) {
            forms.addAll(before.seen());
        }
        if (seen != null && printable(seen)) {
            forms.add(normalized(seen));
        }
        while (forms.size() > MAX_FORMS) {
            forms.remove(forms.iterator().next());
        }
        next.put(user.name(), new Entry(user.digest(), user.rules(), forms));
        return new AclRecord(next);
    }

    AclRecord without(String user) {
        Map<String, Entry> next = new LinkedHashMap<>(entries);
        next.remove(user);
        return new AclRecord(next);
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        entries.forEach((user, e) -> {
            b.append(user).append(' ').append(e.digest()).append(" rules ").append(String.join(" ", e.rules())).append('\n');
            e.seen().forEach(line -> b.append(user).append(' ').append(e.digest()).append(" seen ").append(line).append('\n'));
        });
        return b.toString();
    }

    /** The record's text; what does not read as one (a hand edit) is left out, and those users are applied again. */
    public static AclRecord parse(String text) {
        if (text == null || text.isEmpty()) {
            return EMPTY;
        }
        Map<String, String> digests = new LinkedHashMap<>();
        Map<String, List<String>> rules = new LinkedHashMap<>();
        Map<String, Set<String>> seen = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] parts = line.split(" ", 4);
            if (parts.length < 4 || !parts[1].matches("[0-9a-f]{64}") || !printable(parts[3])) {
                continue;
            }
            String user = parts[0];
            String previous = digests.putIfAbsent(user, parts[1]);
            if (previous != null && !previous.equals(parts[1])) {
                continue;
            }
            if (parts[2].equals("rules")) {
                rules.put(user, List.of(parts[3].split(" ")));
            } else if (parts[2].equals("seen") && parts[3].startsWith("user " + user + " ")) {
                seen.computeIfAbsent(user, k -> new LinkedHashSet<>()).add(parts[3]);
            }
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        rules.forEach((user, r) -> entries.put(user, new Entry(digests.get(user), r, seen.getOrDefault(user, Set.of()))));
        return new AclRecord(entries);
    }

    /**
     * The aclfile the pods read at start: the default user, then each user applied live with the rules the pods took
     * last, or, for the operator's own users, the rules wanted (the operator's rules are known to be taken; a pod must
     * have them from its start). A {@code spec.users} user whose rules no pod has taken yet is not in it: a rule that a
     * server refuses in its aclfile stops it from starting, so only rules a pod took reach the file; the live path gives
     * the new user to a pod that started without it.
     *
     * @param kept the users the pods keep as they are (the spec's list was refused): their last rules stay in the file
     */
    public String aclFile(AclUser defaultUser, List<AclUser> live, Set<String> kept) {
        List<String> lines = new ArrayList<>();
        lines.add(defaultUser.fileLine());
        Set<String> written = new LinkedHashSet<>();
        written.add(defaultUser.name());
        for (AclUser u : live) {
            Entry e = entries.get(u.name());
            if (OperatorUsers.RESERVED.contains(u.name()) || e != null && e.digest().equals(u.digest())) {
                lines.add(u.fileLine());
            } else if (e != null) {
                lines.add(line(u.name(), e.rules()));
            } else {
                continue;
            }
            written.add(u.name());
        }
        for (String user : kept) {
            Entry e = entries.get(user);
            if (e != null && written.add(user)) {
                lines.add(line(user, e.rules()));
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static String line(String user, List<String> rules) {
        return "user " + user + " " + String.join(" ", rules);
    }

    /** One line of visible characters and spaces: nothing a pod printed can start a second line in the record. */
    static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
