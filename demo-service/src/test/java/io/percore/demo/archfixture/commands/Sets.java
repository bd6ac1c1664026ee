package io.percore.demo.archfixture.commands;

/** A data command class. */
public final class Sets {
    public static String name() {
        return "sets";
    }
}
