package io.percore.demo.resp;

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
