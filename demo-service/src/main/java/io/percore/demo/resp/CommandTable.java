package io.percore.demo.resp;

import io.percore.net.server.RequestKinds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The command registry. Lookup hashes the name's bytes case-insensitively into an
 * open-addressing table, so finding a command allocates nothing.
 */
public final class CommandTable {

    private final CommandSpec[] slots;
    private final byte[][] names;
    private final List<CommandSpec> all;
    /** The command groups, in table order: the "family" of percore.server.requests. */
    private final String[] groups;

    public CommandTable(List<CommandSpec> specs) {
        int capacity = Integer.highestOneBit(Math.max(16, specs.size() * 4) - 1) << 1;
        this.slots = new CommandSpec[capacity];
        this.names = new byte[capacity][];
        for (CommandSpec spec : specs) {
            byte[] name = spec.name().toLowerCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int i = hash(name) & (capacity - 1);
            while (slots[i] != null) {
                if (java.util.Arrays.equals(names[i], name)) {
                    throw new IllegalArgumentException("Duplicate command " + spec.name());
                }
                i = (i + 1) & (capacity - 1);
            }
            slots[i] = spec;
            names[i] = name;
        }
        this.all = Collections.unmodifiableList(new ArrayList<>(specs));
        this.groups = specs.stream().map(CommandSpec::group).distinct().toArray(String[]::new);
    }

    /** Family of a request that named no known command. */
    public static final String UNKNOWN_FAMILY = "unknown";
    /** Family of a request the decoder rejected (a RESP protocol error). */
    public static final String PROTOCOL_FAMILY = "protocol";
    public static final String OK = "ok";
    public static final String ERROR = "error";

    /**
     * How the RESP server counts requests ({@code percore.server.requests}): by family (the
     * commands' groups, as COMMAND DOCS names them, plus {@value #UNKNOWN_FAMILY} and
     * {@value #PROTOCOL_FAMILY}) and outcome ({@value #OK} or {@value #ERROR}, an error reply).
     * Bounded by the table, whatever clients send.
     */
    public RequestKinds requestKinds() {
        List<String> families = new ArrayList<>(List.of(groups));
        families.add(UNKNOWN_FAMILY);
        families.add(PROTOCOL_FAMILY);
        return RequestKinds.of("family", families, "outcome", List.of(OK, ERROR));
    }

    /** Index of {@code spec}'s family in {@link #requestKinds()}; a scan of a handful of interned names. */
    public int familyOf(CommandSpec spec) {
        String group = spec.group();
        for (int i = 0; i < groups.length; i++) {
            if (groups[i] == group) {
                return i;
            }
        }
        for (int i = 0; i < groups.length; i++) {
            if (groups[i].equals(group)) {
                return i;
            }
        }
        throw new IllegalArgumentException("Command " + spec.name() + " is not in this table");
    }

    public int unknownFamily() {
        return groups.length;
    }

    public int protocolFamily() {
        return groups.length + 1;
    }

    /** The command named {@code name} (any case), or null. */
    public CommandSpec lookup(byte[] name) {
        if (name.length == 0 || name.length > 32) {
            return null;
        }
        int mask = slots.length - 1;
        int i = hash(name) & mask;
        CommandSpec spec;
        while ((spec = slots[i]) != null) {
            if (equalsIgnoreCase(names[i], name)) {
                return spec;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    public List<CommandSpec> all() {
        return all;
    }

    private static int hash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + lower(b);
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsIgnoreCase(byte[] lowerName, byte[] candidate) {
        if (lowerName.length != candidate.length) {
            return false;
        }
        for (int i = 0; i < candidate.length; i++) {
            if (lowerName[i] != lower(candidate[i])) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }
}
