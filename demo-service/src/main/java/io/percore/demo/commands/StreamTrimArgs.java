package io.percore.demo.commands;

import io.percore.demo.kv.StreamId;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.StreamValue.TrimStrategy;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of XADD and XTRIM, read as Redis 7.0's {@code streamParseAddOrTrimArgsOrReply} reads
 * them (same order, same errors): MAXLEN or MINID with {@code =} or {@code ~}, LIMIT, and for XADD
 * NOMKSTREAM and the ID, which ends the options. An approximate trim without LIMIT is limited to 100
 * nodes' worth of entries (between 10,000 and 1,000,000), so no trim holds the shard long.
 */
final class StreamTrimArgs {

    TrimStrategy strategy = TrimStrategy.NONE;
    /** Position of MAXLEN's count or MINID's ID (what propagation rewrites). */
    int strategyArgAt;
    boolean approx;
    long limit;
    long maxlen;
    StreamId minId;
    boolean noMkStream;
    /** XADD: the ID's position, and the ID (null for "*"). */
    int idAt;
    StreamIds.Requested id;
    /** Positions of a LIMIT and its count, left out when the trim is propagated exactly. */
    int limitAt = -1;

    private StreamTrimArgs() {
    }

    /** XADD's options and ID, or XTRIM's options. @throws RespError with Redis's text */
    static StreamTrimArgs parse(byte[][] argv, boolean xadd, long nodeMaxEntries) {
        StreamTrimArgs a = new StreamTrimArgs();
        boolean limitGiven = false;
        int i = 2;
        for (; i < argv.length; i++) {
            int moreArgs = argv.length - 1 - i;
            String opt = StreamIds.cString(argv[i]);
            String lower = opt == null ? "" : opt.toLowerCase(java.util.Locale.ROOT);
            if (xadd && "*".equals(opt)) {
                break;
            } else if (lower.equals("maxlen") && moreArgs > 0) {
                a.strategyOnce();
                a.approx = false;
                i = a.marker(argv, i, moreArgs);
                a.maxlen = RespNumbers.requireLong(argv[i + 1]);
                if (a.maxlen < 0) {
                    throw new RespError("ERR The MAXLEN argument must be >= 0.");
                }
                i++;
                a.strategy = TrimStrategy.MAXLEN;
                a.strategyArgAt = i;
            } else if (lower.equals("minid") && moreArgs > 0) {
                a.strategyOnce();
                a.approx = false;
                i = a.marker(argv, i, moreArgs);
                a.minId = StreamIds.parseStrict(argv[i + 1], 0);
                i++;
                a.strategy = TrimStrategy.MINID;
                a.strategyArgAt = i;
            } else if (lower.equals("limit") && moreArgs > 0) {
                a.limit = RespNumbers.requireLong(argv[i + 1]);
                if (a.limit < 0) {
                    throw new RespError("ERR The LIMIT argument must be >= 0.");
                }
                limitGiven = true;
                a.limitAt = i;
                i++;
            } else if (xadd && lower.equals("nomkstream")) {
                a.noMkStream = true;
            } else if (xadd) {
                a.id = StreamIds.parseForAdd(argv[i]);
                break;
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        a.idAt = i;
        if (a.limit != 0 && a.strategy == TrimStrategy.NONE) {
            throw new RespError("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        }
        if (!xadd && a.strategy == TrimStrategy.NONE) {
            throw new RespError("ERR syntax error, XTRIM must be called with a trimming strategy");
        }
        if (limitGiven) {
            if (!a.approx) {
                throw new RespError("ERR syntax error, LIMIT cannot be used without the special ~ option");
            }
        } else if (a.approx) {
            long limit = 100 * nodeMaxEntries; // wraps past 2^63 as Redis's long long multiplication does
            if (limit <= 0) {
                limit = 10_000;
            }
            a.limit = Math.min(limit, 1_000_000);
        } else {
            a.limit = 0;
        }
        return a;
    }

    private void strategyOnce() {
        if (strategy != TrimStrategy.NONE) {
            throw new RespError("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        }
    }

    /** After MAXLEN or MINID: a {@code ~} or {@code =} marker, when more than one argument follows, is consumed. */
    private int marker(byte[][] argv, int i, int moreArgs) {
        String next = StreamIds.cString(argv[i + 1]);
        if (moreArgs >= 2 && "~".equals(next)) {
            approx = true;
            return i + 1;
        }
        if (moreArgs >= 2 && "=".equals(next)) {
            return i + 1;
        }
        return i;
    }

    long trim(StreamValue s) {
        return s.trim(strategy, maxlen, minId, approx, limit);
    }

    /**
     * The command as it is propagated after an approximate trim (Redis's
     * streamRewriteApproxSpecifier and streamRewriteTrimArgument): {@code =} and the stream's length
     * or first ID, so a replica trims exactly as much; LIMIT, which an exact trim may not carry, is
     * left out. {@code idAt} gets {@code newId} when it is not null.
     */
    byte[][] rewritten(byte[][] argv, StreamValue s, byte[] newId) {
        List<byte[]> out = new ArrayList<>(argv.length);
        for (int i = 0; i < argv.length; i++) {
            if (limitAt >= 0 && (i == limitAt || i == limitAt + 1)) {
                continue;
            }
            byte[] arg = argv[i];
            if (approx && i == strategyArgAt - 1) {
                arg = EQUALS;
            } else if (approx && i == strategyArgAt) {
                arg = strategy == TrimStrategy.MAXLEN ? RespNumbers.toBytes(s.length()) : s.edgeId(true, false).bytes();
            } else if (newId != null && i == idAt) {
                arg = newId;
            }
            out.add(arg);
        }
        return out.toArray(new byte[0][]);
    }

    private static final byte[] EQUALS = "=".getBytes(StandardCharsets.US_ASCII);
}
