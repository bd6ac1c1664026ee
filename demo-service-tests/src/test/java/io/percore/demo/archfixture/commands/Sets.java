package io.percore.demo.archfixture.commands;

import io.percore.demo.archfixture.admin.ClientList;
import io.percore.demo.archfixture.kv.StoredThing;

/** A data command class that uses an operators' command beside it, which uses it back: a circle {@code ArchitectureTest} must refuse. */
public final class Sets {
    public static String name() {
        return "sets";
    }

    public static int clients() {
        return new ClientList().name().length();
    }

    /** Uses a layer below, as it may. */
    public static int count() {
        return new StoredThing().owner(new byte[1]);
    }
}
