package io.percore.demo.archfixture.admin;

import io.percore.demo.archfixture.commands.Sets;

/** An operators' command that uses a data command class on its own row: what {@code ArchitectureTest} must refuse. */
public final class ClientList {
    public String name() {
        return Sets.name();
    }
}
