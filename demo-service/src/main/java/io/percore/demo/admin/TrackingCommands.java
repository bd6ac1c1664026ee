package io.percore.demo.admin;

import static io.percore.demo.resp.RespReplies.OK;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.RespSession;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.tracking.ClientTracking;
import io.percore.demo.tracking.TrackingShard;
import io.percore.demo.tracking.TrackingReceiver;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (Redis's {@code networking.c} for
 * client-side caching): what a client sets about its own tracking, on its shard, with Redis
 * 7.0.15's checks in its order and its error texts. The tracking itself is {@link TrackingShard}.
 */
public final class TrackingCommands {

    private TrackingCommands() {
    }

    /** CLIENT TRACKING's options as parsed, and the first error met after a REDIRECT (told only once that client is found). */
    private static final class Options {
        long redirect;
        boolean redirectGiven;
        boolean bcast;
        boolean optin;
        boolean optout;
        boolean noloop;
        final List<byte[]> prefixes = new ArrayList<>();
        RespError afterRedirect;
    }

    /** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]. */
    public static void tracking(CommandContext c, byte[][] argv) {
        Options o = parse(argv);
        if (!o.redirectGiven) {
            apply(c, argv, o, 0);
            return;
        }
        // Redis checks that the client exists where it reads REDIRECT: clients live on every shard
        long wanted = o.redirect;
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier(); // the connection's next command sees tracking as this one leaves it
        c.servers().mapReduce(s -> s.data().tracking().receives(wanted) ? s.shardId() : -1, -1, Math::max).whenComplete((shard, failure) -> {
            if (failure != null) {
                slot.complete(RespReplies.forFailure(failure));
                c.endBarrier();
                return;
            }
            RespError error = shard < 0 ? new RespError("ERR The client ID you want redirect to does not exist") : o.afterRedirect;
            if (error != null) {
                slot.complete(error.reply());
                c.endBarrier();
                return;
            }
            try {
                ShardFuture<RedisMessage> done = applied(c, argv, o, shard);
                done.whenComplete((reply, e) -> {
                    slot.complete(e == null ? reply : RespReplies.forFailure(e));
                    c.endBarrier();
                });
            } catch (RespError e) {
                slot.complete(e.reply());
                c.endBarrier();
            }
        });
    }

    private static Options parse(byte[][] argv) {
        Options o = new Options();
        for (int j = 3; j < argv.length; j++) {
            boolean moreArgs = argv.length - 1 - j > 0;
            String opt = RespReplies.ascii(argv[j]);
            RespError error = null;
            if (opt.equalsIgnoreCase("redirect") && moreArgs) {
                j++;
                if (o.redirectGiven) {
                    error = new RespError("ERR A client can only redirect to a single other client");
                } else if (!RespNumbers.isLong(argv[j])) {
                    error = new RespError(RespReplies.NOT_INTEGER);
                } else {
                    o.redirect = RespNumbers.parseLong(argv[j]);
                    o.redirectGiven = true;
                    continue;
                }
            } else if (opt.equalsIgnoreCase("bcast")) {
                o.bcast = true;
                continue;
            } else if (opt.equalsIgnoreCase("optin")) {
                o.optin = true;
                continue;
            } else if (opt.equalsIgnoreCase("optout")) {
                o.optout = true;
                continue;
            } else if (opt.equalsIgnoreCase("noloop")) {
                o.noloop = true;
                continue;
            } else if (opt.equalsIgnoreCase("prefix") && moreArgs) {
                o.prefixes.add(argv[++j]);
                continue;
            } else {
                error = new RespError(RespReplies.SYNTAX_ERROR);
            }
            if (!o.redirectGiven) {
                throw error;
            }
            o.afterRedirect = error; // Redis met the REDIRECT's lookup first
            return o;
        }
        return o;
    }

    private static void apply(CommandContext c, byte[][] argv, Options o, int redirectShard) {
        c.replyLater(applied(c, argv, o, redirectShard));
    }

    /** Turns tracking on or off as parsed, after Redis's checks (in its order); the reply once every shard has it. */
    private static ShardFuture<RedisMessage> applied(CommandContext c, byte[][] argv, Options o, int redirectShard) {
        String onOff = RespReplies.ascii(argv[2]);
        RespSession session = c.session();
        ClientTracking current = session.tracking;
        TrackingReceiver me = c.connection().trackingReceiver();
        if (me == null) {
            throw new RespError("ERR CLIENT TRACKING needs a connection to send invalidations to");
        }
        TrackingShard here = c.local().tracking();
        if (onOff.equalsIgnoreCase("on")) {
            if (!o.bcast && !o.prefixes.isEmpty()) {
                throw new RespError("ERR PREFIX option requires BCAST mode to be enabled");
            }
            if (current != null && current.bcast() != o.bcast) {
                throw new RespError("ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
            }
            if (o.bcast && (o.optin || o.optout)) {
                throw new RespError("ERR OPTIN and OPTOUT are not compatible with BCAST");
            }
            if (o.optin && o.optout) {
                throw new RespError("ERR You can't specify both OPTIN mode and OPTOUT mode");
            }
            if (current != null && ((o.optin && current.optout()) || (o.optout && current.optin()))) {
                throw new RespError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
            }
            if (o.bcast) {
                checkPrefixes(current, o.prefixes);
                if (c.local().store().memory().overBudget()) {
                    return ShardFuture.completed(RespReplies.OOM_REPLY); // every shard keeps the prefixes: bounded by the memory budget
                }
            }
            ClientTracking t = current != null ? current : new ClientTracking();
            session.tracking = t;
            c.connection().trackingChanged();
            return here.enable(me, t, o.redirect, redirectShard, o.bcast, o.optin, o.optout, o.noloop, o.prefixes).map(v -> OK);
        }
        if (onOff.equalsIgnoreCase("off")) {
            if (current == null) {
                return ShardFuture.completed(OK);
            }
            session.tracking = null;
            c.connection().trackingChanged();
            return here.disable(me, current).map(v -> OK);
        }
        throw new RespError(RespReplies.SYNTAX_ERROR);
    }

    /** Redis's checkPrefixCollisionsOrReply: no prefix may be a prefix of another of the same client. */
    private static void checkPrefixes(ClientTracking current, List<byte[]> prefixes) {
        for (int i = 0; i < prefixes.size(); i++) {
            byte[] p = prefixes.get(i);
            byte[] existing = current == null ? null : current.overlapping(p);
            if (existing != null) {
                throw new RespError("ERR Prefix '" + text(p) + "' overlaps with an existing prefix '" + text(existing)
                        + "'. Prefixes for a single client must not overlap.");
            }
            for (int j = i + 1; j < prefixes.size(); j++) {
                if (ClientTracking.overlap(p, prefixes.get(j))) {
                    throw new RespError("ERR Prefix '" + text(p) + "' overlaps with another provided prefix '" + text(prefixes.get(j))
                            + "'. Prefixes for a single client must not overlap.");
                }
            }
        }
    }

    /** A prefix as Redis prints it in an error (a C string: up to a NUL). */
    private static String text(byte[] prefix) {
        int end = 0;
        while (end < prefix.length && prefix[end] != 0) {
            end++;
        }
        return RespReplies.sanitize(new String(prefix, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** CLIENT CACHING YES|NO: in OPTIN or OPTOUT mode, whether the next command's reads are remembered. */
    public static void caching(CommandContext c, byte[][] argv) {
        ClientTracking t = c.session().tracking;
        if (t == null) {
            throw new RespError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
        }
        String opt = RespReplies.ascii(argv[2]);
        if (opt.equalsIgnoreCase("yes")) {
            if (!t.optin()) {
                throw new RespError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            }
        } else if (opt.equalsIgnoreCase("no")) {
            if (!t.optout()) {
                throw new RespError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            }
        } else {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        t.caching(true);
        c.reply(OK);
    }

    /** CLIENT GETREDIR: the client invalidations are redirected to, 0 for none, -1 when tracking is off. */
    public static void getredir(CommandContext c, byte[][] argv) {
        ClientTracking t = c.session().tracking;
        c.reply(RespReplies.integer(t == null ? -1 : t.redirect()));
    }

    /** CLIENT TRACKINGINFO: flags (a set), redirect, prefixes, as Redis. */
    public static void trackinginfo(CommandContext c, byte[][] argv) {
        ClientTracking t = c.session().tracking;
        List<RedisMessage> flags = new ArrayList<>();
        flags.add(RespReplies.bulk(t != null ? "on" : "off"));
        List<RedisMessage> prefixes = new ArrayList<>();
        if (t != null) {
            if (t.bcast()) {
                flags.add(RespReplies.bulk("bcast"));
            }
            if (t.optin()) {
                flags.add(RespReplies.bulk("optin"));
                if (t.caching()) {
                    flags.add(RespReplies.bulk("caching-yes"));
                }
            }
            if (t.optout()) {
                flags.add(RespReplies.bulk("optout"));
                if (t.caching()) {
                    flags.add(RespReplies.bulk("caching-no"));
                }
            }
            if (t.noloop()) {
                flags.add(RespReplies.bulk("noloop"));
            }
            if (t.brokenRedirect()) {
                flags.add(RespReplies.bulk("broken_redirect"));
            }
            t.prefixes().forEach(p -> prefixes.add(RespReplies.bulk(p)));
        }
        c.reply(new Resp3Replies.MapReply(List.of(
                RespReplies.bulk("flags"), new Resp3Replies.SetReply(flags),
                RespReplies.bulk("redirect"), RespReplies.integer(t == null ? -1 : t.redirect()),
                RespReplies.bulk("prefixes"), RespReplies.array(prefixes))));
    }
}
