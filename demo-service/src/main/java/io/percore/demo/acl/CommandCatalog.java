package io.percore.demo.acl;

/**
 * The commands ACL rules speak of: Redis 7.0.15's whole command set with its categories and
 * subcommands (so {@code +debug} or {@code -@dangerous} mean what they mean in Redis even for commands
 * this server lacks), plus this server's own commands, under the command registry's ids. Implemented by the
 * registry ({@code command.CommandTable}), so this package needs nothing above it.
 * Immutable: every shard reads it.
 */
public interface CommandCatalog {

    /** How many commands there are (ids 0 to size - 1: commands and subcommands). */
    int size();

    /** Command {@code id}. */
    AclCommand command(int id);

    /** The commands of their own (not subcommands), in the catalog's order. */
    int[] topLevel();

    /** The id of the command whose full name is {@code fullName} ({@code get}, {@code config|get}; any case), or -1. */
    int named(String fullName);

    /**
     * The command a call names (Redis's {@code lookupCommand}): its first argument and, for a
     * container, the second; -1 when there is none. A command this server does not run is found too.
     */
    int lookupAny(byte[][] argv);
}
