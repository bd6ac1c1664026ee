package io.percore.demo.acl;

/**
 * One command of the catalog ACL rules speak of (Redis's {@code redisCommand} as {@code acl.c} sees it):
 * its id (its bit in a selector's commands), full name ({@code get}, {@code config|get}), container,
 * subcommands, categories, whether it runs before authentication ({@code no_auth}, which no command rule
 * refuses), its arity (ACL DRYRUN checks it), how its keys are found and which of its arguments are
 * channels.
 *
 * @param parent      the container's id, or -1 for a command of its own
 * @param subcommands the subcommands' ids (Redis's {@code subcommands_dict}), empty for none
 * @param categories  {@link AclCategory} bits
 * @param channels    what the command does with channels, for the check
 */
public record AclCommand(int id, String fullName, int parent, int[] subcommands, long categories, boolean noAuth, int arity,
                         KeySearch keys, ChannelUse channels) {

    /** What a command does with the channels in its arguments (Redis's {@code commands_with_channels}). */
    public enum ChannelUse {
        /** None that the check looks at (the unsubscribe commands name channels but are never refused for them). */
        NONE,
        /** PUBLISH, SPUBLISH: the argument at 1 is a channel. */
        PUBLISH,
        /** SUBSCRIBE, SSUBSCRIBE: every argument from 1 is a channel. */
        SUBSCRIBE,
        /** PSUBSCRIBE: every argument from 1 is a pattern, matched literally against the user's channel patterns. */
        PATTERN_SUBSCRIBE
    }

    /** Whether the command is a container with subcommands. */
    public boolean container() {
        return subcommands.length > 0;
    }

    /** Whether {@code argc} arguments (the name included) fit the arity: exactly n, or at least -n. */
    public boolean arityFits(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }
}
