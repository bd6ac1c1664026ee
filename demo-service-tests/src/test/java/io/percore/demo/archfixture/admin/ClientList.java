package io.percore.demo.archfixture.admin;

import io.percore.demo.archfixture.commands.Sets;

/** An operators' command that uses a data command class of its own layer: allowed, but that one uses it back. */
public final class ClientList {
    public String name() {
        return Sets.name();
    }
}
