package io.percore.demo.scripting;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.percore.demo.resp.CountedError;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.CharsetUtil;
import io.percore.demo.resp.BulkArrayReply;
import io.percore.demo.resp.BulkReply;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.resp.ScoredMembersReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * The conversions between replies and Lua values, as Redis's {@code redisProtocolToLuaType} and
 * {@code luaReplyToRedisReply} make them (see Redis's EVAL documentation, "Conversion between Lua
 * and Redis data types"): what {@code redis.call} gives a script, in RESP2 or, after
 * {@code redis.setresp(3)}, RESP3; and what a script's return value becomes for its client.
 */
final class LuaReplies {

    static final LuaString ERR = LuaString.valueOf("err");
    static final LuaString OK = LuaString.valueOf("ok");
    /** The status most commands answer (SET's), made once. */
    private static final LuaString OK_STATUS = LuaString.valueOf("OK");
    static final LuaString DOUBLE = LuaString.valueOf("double");
    static final LuaString MAP = LuaString.valueOf("map");
    static final LuaString SET = LuaString.valueOf("set");
    static final LuaString BIG_NUMBER = LuaString.valueOf("big_number");
    static final LuaString VERBATIM = LuaString.valueOf("verbatim_string");
    static final LuaString FORMAT = LuaString.valueOf("format");
    static final LuaString STRING = LuaString.valueOf("string");
    static final LuaString SOURCE = LuaString.valueOf("source");
    static final LuaString LINE = LuaString.valueOf("line");
    /**
     * Set in the error table of a call that failed or was refused, whose error was counted then (Redis's
     * field of that name): the script's reply made of that table is a {@link CountedError}.
     */
    static final LuaString IGNORE_ERROR_STATS = LuaString.valueOf("ignore_error_stats_update");

    /** Lua's stack of C calls allows about this much nesting; deeper replies end the conversion, as Redis's stack check. */
    private static final int MAX_DEPTH = 1000;

    private LuaReplies() {
    }

    // ------------------------------------------------------------------ reply -> Lua

    /** What {@code redis.call} returns to a script speaking RESP {@code resp} for {@code reply}. */
    static LuaValue toLua(RedisMessage reply, int resp) {
        boolean resp3 = resp == 3;
        if (reply instanceof BulkReply bulk) {
            return LuaString.valueUsing(bulk.value());
        }
        if (reply instanceof FullBulkStringRedisMessage bulk) {
            if (bulk.isNull()) {
                return resp3 ? LuaValue.NIL : LuaValue.FALSE;
            }
            return LuaString.valueUsing(bytes(bulk.content()));
        }
        if (reply instanceof IntegerRedisMessage integer) {
            return LuaValue.valueOf((double) integer.value());
        }
        if (reply instanceof SimpleStringRedisMessage simple) {
            String status = simple.content();
            return single(OK, status.equals("OK") ? OK_STATUS : LuaValue.valueOf(status));
        }
        if (reply instanceof ErrorRedisMessage error) {
            return single(ERR, LuaValue.valueOf(error.content()));
        }
        if (reply instanceof BulkArrayReply bulks) {
            if ((resp3 && bulks.shape() != BulkArrayReply.Shape.ARRAY) || bulks.hasNil()) {
                return toLua(bulks.asMessages(), resp); // a set or map table, or nils: as the one-object-per-element reply converts
            }
            LuaTable t = new LuaTable(bulks.items().size(), 0);
            int i = 1;
            for (byte[] item : bulks.items()) {
                t.rawset(i++, LuaString.valueUsing(item));
            }
            return t;
        }
        if (reply instanceof ScoredMembersReply scored) {
            return toLua(scored.asMessages(), resp);
        }
        if (reply instanceof ArrayRedisMessage array) {
            if (array.isNull()) {
                return resp3 ? LuaValue.NIL : LuaValue.FALSE;
            }
            return list(array.children(), resp);
        }
        if (reply instanceof Resp3Replies.MapReply map) {
            if (!resp3) {
                return list(map.keysAndValues(), resp);
            }
            LuaTable inner = new LuaTable();
            List<RedisMessage> kv = map.keysAndValues();
            for (int i = 0; i < kv.size(); i += 2) {
                inner.rawset(toLua(kv.get(i), resp), toLua(kv.get(i + 1), resp));
            }
            return single(MAP, inner);
        }
        if (reply instanceof Resp3Replies.SetReply set) {
            if (!resp3) {
                return list(set.members(), resp);
            }
            LuaTable inner = new LuaTable();
            for (RedisMessage member : set.members()) {
                inner.rawset(toLua(member, resp), LuaValue.TRUE);
            }
            return single(SET, inner);
        }
        if (reply instanceof Resp3Replies.PairsReply pairs) {
            List<RedisMessage> items = pairs.firstsAndSeconds();
            if (!resp3) {
                return list(items, resp);
            }
            LuaTable t = new LuaTable(items.size() / 2, 0);
            for (int i = 0; i < items.size(); i += 2) {
                t.rawset(i / 2 + 1, list(items.subList(i, i + 2), resp));
            }
            return t;
        }
        if (reply instanceof Resp3Replies.PushReply push) {
            return list(push.items(), resp);
        }
        if (reply instanceof Resp3Replies.DoubleReply d) {
            if (!resp3) {
                return LuaString.valueUsing(d.text());
            }
            return single(DOUBLE, LuaValue.valueOf(parseDouble(d.text())));
        }
        if (reply instanceof Resp3Replies.VerbatimReply verbatim) {
            if (!resp3) {
                return LuaValue.valueOf(verbatim.text().getBytes(StandardCharsets.UTF_8));
            }
            LuaTable inner = new LuaTable();
            inner.rawset(FORMAT, LuaValue.valueOf(verbatim.format()));
            inner.rawset(STRING, LuaValue.valueOf(verbatim.text().getBytes(StandardCharsets.UTF_8)));
            return single(VERBATIM, inner);
        }
        if (reply instanceof Resp3Replies.BooleanReply b) {
            return resp3 ? LuaValue.valueOf(b.value()) : (b.value() ? LuaValue.ONE : LuaValue.FALSE);
        }
        if (reply instanceof Resp3Replies.BigNumberReply big) {
            return resp3 ? single(BIG_NUMBER, LuaString.valueUsing(big.digits())) : LuaString.valueUsing(big.digits());
        }
        return LuaValue.FALSE;
    }

    private static LuaTable list(List<RedisMessage> items, int resp) {
        LuaTable t = new LuaTable(items.size(), 0);
        int i = 1;
        for (RedisMessage item : items) {
            t.rawset(i++, toLua(item, resp));
        }
        return t;
    }

    /** {@code error} made of error table {@code t}: a {@link CountedError} when its call counted it already. */
    static RedisMessage counted(LuaValue t, ErrorRedisMessage error) {
        return t.istable() && t.rawget(IGNORE_ERROR_STATS).toboolean() ? new CountedError(error) : error;
    }

    static LuaTable single(LuaValue key, LuaValue value) {
        LuaTable t = new LuaTable(0, 1);
        t.rawset(key, value);
        return t;
    }

    private static byte[] bytes(ByteBuf content) {
        byte[] out = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), out);
        return out;
    }

    private static double parseDouble(byte[] text) {
        String s = new String(text, StandardCharsets.US_ASCII);
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    // ------------------------------------------------------------------ Lua -> reply

    /**
     * What a script's return value {@code value} becomes for its client; {@code resp} is the
     * protocol the script last asked for with {@code redis.setresp} (it decides booleans).
     */
    static RedisMessage toReply(LuaValue value, int resp) {
        return toReply(value, resp, 0);
    }

    private static RedisMessage toReply(LuaValue value, int resp, int depth) {
        switch (value.type()) {
            case LuaValue.TSTRING:
                return RespReplies.bulk(bytesOf((LuaString) value));
            case LuaValue.TBOOLEAN:
                if (resp == 2) {
                    return value.toboolean() ? RespReplies.ONE : RespReplies.NIL;
                }
                return value.toboolean() ? Resp3Replies.BooleanReply.TRUE : Resp3Replies.BooleanReply.FALSE;
            case LuaValue.TNUMBER:
                return RespReplies.integer(toLong(value.todouble()));
            case LuaValue.TTABLE:
                if (depth > MAX_DEPTH) {
                    return new ErrorRedisMessage("ERR reached lua stack limit");
                }
                return tableToReply((LuaTable) value, resp, depth);
            default:
                return RespReplies.NIL;
        }
    }

    private static RedisMessage tableToReply(LuaTable t, int resp, int depth) {
        LuaValue err = t.rawget(ERR);
        if (err.type() == LuaValue.TSTRING) {
            return counted(t, new ErrorRedisMessage(ScriptErrors.oneLine(err.tojstring())));
        }
        LuaValue ok = t.rawget(OK);
        if (ok.type() == LuaValue.TSTRING) {
            return new SimpleStringRedisMessage(ok.tojstring().replace('\r', ' ').replace('\n', ' '));
        }
        LuaValue d = t.rawget(DOUBLE);
        if (d.type() == LuaValue.TNUMBER) {
            return Resp3Replies.DoubleReply.of(d.todouble());
        }
        LuaValue big = t.rawget(BIG_NUMBER);
        if (big.type() == LuaValue.TSTRING) {
            return new Resp3Replies.BigNumberReply(big.tojstring().replace('\r', ' ').replace('\n', ' ').getBytes(CharsetUtil.ISO_8859_1));
        }
        LuaValue verbatim = t.rawget(VERBATIM);
        if (verbatim.istable()) {
            LuaValue format = verbatim.rawget(FORMAT);
            LuaValue text = verbatim.rawget(STRING);
            if (format.type() == LuaValue.TSTRING && text.type() == LuaValue.TSTRING) {
                String f = format.tojstring();
                return new Resp3Replies.VerbatimReply(f.length() == 3 ? f : (f + "   ").substring(0, 3),
                        new String(bytesOf((LuaString) text), StandardCharsets.UTF_8));
            }
        }
        LuaValue map = t.rawget(MAP);
        if (map.istable()) {
            List<RedisMessage> kv = new ArrayList<>();
            LuaValue k = LuaValue.NIL;
            while (true) {
                org.luaj.vm2.Varargs next = map.next(k);
                k = next.arg1();
                if (k.isnil()) {
                    break;
                }
                kv.add(toReply(k, resp, depth + 1));
                kv.add(toReply(next.arg(2), resp, depth + 1));
            }
            return new Resp3Replies.MapReply(kv);
        }
        LuaValue set = t.rawget(SET);
        if (set.istable()) {
            List<RedisMessage> members = new ArrayList<>();
            LuaValue k = LuaValue.NIL;
            while (true) {
                k = set.next(k).arg1();
                if (k.isnil()) {
                    break;
                }
                members.add(toReply(k, resp, depth + 1));
            }
            return new Resp3Replies.SetReply(members);
        }
        List<RedisMessage> items = new ArrayList<>();
        for (int i = 1; ; i++) {
            LuaValue item = t.rawget(i);
            if (item.isnil()) {
                break;
            }
            items.add(toReply(item, resp, depth + 1));
        }
        return RespReplies.array(items);
    }

    /**
     * A Lua number as redis-server's {@code (long long)} cast makes it on x86-64: truncated toward
     * zero, and {@code LLONG_MIN} for NaN and anything out of range (what {@code cvttsd2si} gives).
     */
    static long toLong(double d) {
        if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
            return Long.MIN_VALUE;
        }
        return (long) d;
    }

    static byte[] bytesOf(LuaString s) {
        byte[] out = new byte[s.m_length];
        System.arraycopy(s.m_bytes, s.m_offset, out, 0, s.m_length);
        return out;
    }
}
