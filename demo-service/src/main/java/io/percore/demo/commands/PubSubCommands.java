package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.GlobPattern;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.RespSession;
import io.percore.demo.pubsub.PubSubShard;
import io.percore.demo.pubsub.Subscriptions;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;

/**
 * SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and
 * PUBSUB (Redis's {@code pubsub.c}). A subscription lives in the subscriber's shard's
 * {@link PubSubShard} and in its session ({@link Subscriptions}); PUBLISH reaches every shard.
 */
public final class PubSubCommands {

    private static final RedisMessage SUBSCRIBE = bulk("subscribe");
    private static final RedisMessage UNSUBSCRIBE = bulk("unsubscribe");
    private static final RedisMessage PSUBSCRIBE = bulk("psubscribe");
    private static final RedisMessage PUNSUBSCRIBE = bulk("punsubscribe");
    private static final RedisMessage SSUBSCRIBE = bulk("ssubscribe");
    private static final RedisMessage SUNSUBSCRIBE = bulk("sunsubscribe");

    /** What a RESP2 connection in subscribed mode may still send (Redis's processCommand). */
    private static final Set<String> ALLOWED_WHEN_SUBSCRIBED = Set.of("ping", "subscribe", "ssubscribe", "unsubscribe",
            "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset");

    private PubSubCommands() {
    }


    /** The error a RESP2 subscriber gets for any other command, or null when {@code spec} may run. */
    public static RespError refusedWhenSubscribed(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        RespSession session = c.session();
        if (session.subscriptions == null || session.resp3 || session.subscriptions.isEmpty()
                || ALLOWED_WHEN_SUBSCRIBED.contains(spec.name())) {
            return null;
        }
        return new RespError("ERR Can't execute '" + spec.name() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                + "are allowed in this context");
    }

    private static Subscriptions subscriptions(CommandContext c) {
        RespSession session = c.session();
        if (session.subscriptions == null) {
            session.subscriptions = new Subscriptions();
        }
        return session.subscriptions;
    }

    private static RedisMessage confirmation(RedisMessage kind, RedisMessage channel, long count) {
        return new Resp3Replies.PushReply(List.of(kind, channel, integer(count)));
    }

    public static void subscribe(CommandContext c, byte[][] argv) {
        subscribe(c, argv, false);
    }

    public static void ssubscribe(CommandContext c, byte[][] argv) {
        subscribe(c, argv, true);
    }

    private static void subscribe(CommandContext c, byte[][] argv, boolean shard) {
        Subscriptions subs = subscriptions(c);
        PubSubShard table = c.pubsub().local();
        for (int i = 1; i < argv.length; i++) {
            ByteString channel = new ByteString(argv[i]);
            if ((shard ? subs.shardChannels : subs.channels).add(channel)) {
                table.subscribe(c.subscriber(), channel, shard);
            }
            c.replyPushing(confirmation(shard ? SSUBSCRIBE : SUBSCRIBE, bulk(argv[i]), shard ? subs.shardChannels.size() : subs.count()));
        }
    }

    public static void psubscribe(CommandContext c, byte[][] argv) {
        Subscriptions subs = subscriptions(c);
        PubSubShard table = c.pubsub().local();
        for (int i = 1; i < argv.length; i++) {
            ByteString pattern = new ByteString(argv[i]);
            if (subs.patterns.add(pattern)) {
                table.psubscribe(c.subscriber(), pattern);
            }
            c.replyPushing(confirmation(PSUBSCRIBE, bulk(argv[i]), subs.count()));
        }
    }

    public static void unsubscribe(CommandContext c, byte[][] argv) {
        unsubscribe(c, argv, Kind.CHANNEL);
    }

    public static void sunsubscribe(CommandContext c, byte[][] argv) {
        unsubscribe(c, argv, Kind.SHARD_CHANNEL);
    }

    public static void punsubscribe(CommandContext c, byte[][] argv) {
        unsubscribe(c, argv, Kind.PATTERN);
    }

    private enum Kind { CHANNEL, PATTERN, SHARD_CHANNEL }

    /** UNSUBSCRIBE/PUNSUBSCRIBE/SUNSUBSCRIBE with names, or from everything of the kind without. */
    private static void unsubscribe(CommandContext c, byte[][] argv, Kind kind) {
        RespSession session = c.session();
        Subscriptions subs = session.subscriptions == null ? new Subscriptions() : session.subscriptions;
        Set<ByteString> mine = switch (kind) {
            case CHANNEL -> subs.channels;
            case PATTERN -> subs.patterns;
            case SHARD_CHANNEL -> subs.shardChannels;
        };
        RedisMessage name = switch (kind) {
            case CHANNEL -> UNSUBSCRIBE;
            case PATTERN -> PUNSUBSCRIBE;
            case SHARD_CHANNEL -> SUNSUBSCRIBE;
        };
        List<ByteString> targets = new ArrayList<>();
        if (argv.length == 1) {
            targets.addAll(mine);
        } else {
            for (int i = 1; i < argv.length; i++) {
                targets.add(new ByteString(argv[i]));
            }
        }
        PubSubShard table = c.pubsub().local();
        for (ByteString target : targets) {
            if (mine.remove(target)) {
                switch (kind) {
                    case CHANNEL -> table.unsubscribe(c.subscriber(), target, false);
                    case PATTERN -> table.punsubscribe(c.subscriber(), target);
                    case SHARD_CHANNEL -> table.unsubscribe(c.subscriber(), target, true);
                }
            }
            c.replyPushing(confirmation(name, bulk(target.bytes()), kind == Kind.SHARD_CHANNEL ? subs.shardChannels.size() : subs.count()));
        }
        if (targets.isEmpty()) {
            c.replyPushing(confirmation(name, RespReplies.NIL, kind == Kind.SHARD_CHANNEL ? subs.shardChannels.size() : subs.count()));
        }
        if (session.subscriptions != null && session.subscriptions.isEmpty()) {
            session.subscriptions = null;
        }
    }

    /** Drops every subscription of a closing (or RESET) connection from its shard's table. */
    public static void forgetAll(RespSession session, PubSubShard table, Subscriber subscriber) {
        Subscriptions subs = session.subscriptions;
        if (subs == null) {
            return;
        }
        subs.channels.forEach(ch -> table.unsubscribe(subscriber, ch, false));
        subs.shardChannels.forEach(ch -> table.unsubscribe(subscriber, ch, true));
        subs.patterns.forEach(p -> table.punsubscribe(subscriber, p));
        session.subscriptions = null;
    }

    public static void publish(CommandContext c, byte[][] argv) {
        publish(c, argv, false);
    }

    public static void spublish(CommandContext c, byte[][] argv) {
        publish(c, argv, true);
    }

    private static void publish(CommandContext c, byte[][] argv, boolean shard) {
        if (c.answersAtOnce()) {
            // a script's redis.call (Redisson's unlock): delivered everywhere, counted on this shard (Redis Cluster's count)
            c.reply(RespReplies.integer(c.pubsub().publishHere(argv[1], argv[2], shard)));
            return;
        }
        c.replyLater(c.pubsub().publish(argv[1], argv[2], shard).map(RespReplies::integer));
    }

    /** PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB|HELP, over every shard's table. */
    public static void pubsub(CommandContext c, byte[][] argv) {
        String sub = RespReplies.ascii(argv[1]).toLowerCase(Locale.ROOT);
        PubSub pubsub = c.pubsub();
        switch (sub) {
            case "help" -> {
                if (argv.length != 2) {
                    throw RespReplies.wrongArgs("pubsub|help");
                }
                List<RedisMessage> lines = new ArrayList<>();
                for (String line : List.of("PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                        "CHANNELS [<pattern>]",
                        "    Return the currently active channels matching a <pattern> (default: '*').",
                        "NUMPAT",
                        "    Return number of subscriptions to patterns.",
                        "NUMSUB [<channel> ...]",
                        "    Return the number of subscribers for the specified channels, excluding",
                        "    pattern subscriptions(default: no channels).",
                        "SHARDCHANNELS [<pattern>]",
                        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                        "SHARDNUMSUB [<shardchannel> ...]",
                        "    Return the number of subscribers for the specified shard level channel(s)",
                        "HELP",
                        "    Prints this help.")) {
                    lines.add(new SimpleStringRedisMessage(line));
                }
                c.reply(RespReplies.array(lines));
            }
            case "channels", "shardchannels" -> {
                if (argv.length > 3) {
                    // the subcommand's arity allows more; pubsub.c itself refuses them, with this text
                    throw new RespError("ERR unknown subcommand or wrong number of arguments for '" + RespReplies.ascii(argv[1])
                            + "'. Try PUBSUB HELP.");
                }
                boolean shard = sub.equals("shardchannels");
                GlobPattern pattern = argv.length == 3 ? new GlobPattern(argv[2]) : null;
                c.replyLater(pubsub.mapReduce(t -> t.channels(pattern, shard), new ArrayList<byte[]>(), (all, part) -> {
                    Set<ByteString> seen = new LinkedHashSet<>();
                    all.forEach(b -> seen.add(new ByteString(b)));
                    part.forEach(b -> seen.add(new ByteString(b)));
                    List<byte[]> merged = new ArrayList<>();
                    seen.forEach(b -> merged.add(b.bytes()));
                    return merged;
                }).map(RespReplies::bulkArray));
            }
            case "numsub", "shardnumsub" -> {
                boolean shard = sub.equals("shardnumsub");
                int n = argv.length - 2;
                c.replyLater(pubsub.mapReduce(t -> {
                    long[] counts = new long[n];
                    for (int i = 0; i < n; i++) {
                        counts[i] = t.subscribers(argv[i + 2], shard);
                    }
                    return counts;
                }, new long[n], (all, part) -> {
                    long[] sum = all.clone();
                    for (int i = 0; i < n; i++) {
                        sum[i] += part[i];
                    }
                    return sum;
                }).map(counts -> {
                    List<RedisMessage> out = new ArrayList<>(2 * n);
                    for (int i = 0; i < n; i++) {
                        out.add(bulk(argv[i + 2]));
                        out.add(integer(counts[i]));
                    }
                    return (RedisMessage) RespReplies.array(out);
                }));
            }
            case "numpat" -> {
                if (argv.length != 2) {
                    throw RespReplies.wrongArgs("pubsub|numpat");
                }
                c.replyLater(pubsub.mapReduce(PubSubShard::patterns, new ArrayList<ByteString>(), (all, part) -> {
                    List<ByteString> merged = new ArrayList<>(all);
                    merged.addAll(part);
                    return merged;
                }).map(all -> integer(new java.util.HashSet<>(all).size())));
            }
            default -> throw RespReplies.unknownSubcommand(argv[1], "pubsub");
        }
    }
}
