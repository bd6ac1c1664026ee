package io.percore.demo.replay;

import io.percore.demo.command.CommandTable;

/**
 * A command of a feed (the append-only file, a primary's stream) with the registry's answer for it, found once where
 * the feed is read: {@link CommandTable#lookup(byte[][])}'s id, or {@link CommandTable#NO_SUBCOMMAND} for a subcommand
 * this server does not have (refused where it runs). It places the command on its keys' shard ({@link ReplayRouting}),
 * and the call on that shard takes it as it is, without a second lookup.
 */
record Replayed(int id, byte[][] argv) {
}
