package io.percore.demo.scripting;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

/**
 * Redis's {@code cmsgpack} (lua-cmsgpack 0.4.0): {@code pack(...)}, {@code unpack},
 * {@code unpack_one}, {@code unpack_limit}, with MessagePack's encoding from msgpack-java and
 * lua-cmsgpack's choices: a number that is a whole 64-bit integer in its smallest integer format,
 * otherwise a float when it survives the round trip through one, else a double; strings in the str
 * formats (bytes as they are); a table whose keys are exactly 1..n an array, any other a map in Lua
 * 5.1's walk order ({@link LuaTableOrder}); tables nested past 16 levels (a table that contains
 * itself) written as nil. Unpacking takes what cmsgpack takes (no bin or ext formats: {@code Bad
 * data format in input.}; a cut input: {@code Missing bytes in input.}).
 */
final class LuaCMsgPack {

    /** lua-cmsgpack's LUACMSGPACK_MAX_NESTING. */
    static final int MAX_NESTING = 16;
    /** What Lua 5.1 lets one call return (LUAI_MAXCSTACK): unpack stops past it with luaL_checkstack's error. */
    static final int MAX_RESULTS = 8000;
    /**
     * How deep unpacking may nest: lua-cmsgpack has no bound (its C recursion is the limit); here a
     * crafted input of nested arrays must not overflow the shard's stack.
     */
    static final int MAX_UNPACK_DEPTH = 1000;

    private final LuaRuntime runtime;

    private LuaCMsgPack(LuaRuntime runtime) {
        this.runtime = runtime;
    }

    static LuaTable table(LuaRuntime runtime) {
        LuaCMsgPack m = new LuaCMsgPack(runtime);
        LuaTable t = new LuaTable();
        t.rawset("pack", m.function(m::pack));
        t.rawset("unpack", m.function(a -> m.unpack(a, 0, 0)));
        t.rawset("unpack_one", m.function(a -> m.unpack(a, 1, a.optInteger(2, 0))));
        t.rawset("unpack_limit", m.function(a -> {
            long limit = a.integer(2);
            return m.unpack(a, limit, a.optInteger(3, 0));
        }));
        t.rawset("_NAME", LuaValue.valueOf("cmsgpack"));
        t.rawset("_VERSION", LuaValue.valueOf("lua-cmsgpack 0.4.0"));
        t.rawset("_COPYRIGHT", LuaValue.valueOf("Copyright (C) 2012, Salvatore Sanfilippo"));
        t.rawset("_DESCRIPTION", LuaValue.valueOf("MessagePack C implementation for Lua"));
        return t;
    }

    private VarArgFunction function(CArgs.Body body) {
        return CArgs.function(runtime, body);
    }

    // ------------------------------------------------------------------ pack

    private Varargs pack(CArgs a) {
        if (a.count() == 0) {
            throw a.error(0, "MessagePack pack needs input.");
        }
        MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
        try {
            for (int i = 1; i <= a.count(); i++) {
                encode(a.get(i), 0, packer);
            }
            packer.close();
        } catch (IOException e) {
            throw new LuaError(e.getMessage());
        }
        byte[] bytes = packer.toByteArray();
        LuaMemory.checkAllocationHere(bytes.length);
        return LuaString.valueUsing(bytes);
    }

    private void encode(LuaValue v, int level, MessageBufferPacker out) throws IOException {
        int type = v.type();
        if (type == LuaValue.TTABLE && level == MAX_NESTING) {
            type = LuaValue.TNIL;
        }
        switch (type) {
            case LuaValue.TSTRING -> {
                LuaString s = (LuaString) v;
                out.packRawStringHeader(s.m_length);
                out.writePayload(s.m_bytes, s.m_offset, s.m_length);
            }
            case LuaValue.TBOOLEAN -> out.packBoolean(v.toboolean());
            case LuaValue.TNUMBER -> encodeNumber(v.todouble(), out);
            case LuaValue.TTABLE -> encodeTable((LuaTable) v, level, out);
            default -> out.packNil();
        }
    }

    private static void encodeNumber(double n, MessageBufferPacker out) throws IOException {
        if (!Double.isInfinite(n) && n >= -0x1p63 && n < 0x1p63 && (double) (long) n == n) {
            out.packLong((long) n);
        } else if ((double) (float) n == n) {
            out.packFloat((float) n);
        } else {
            out.packDouble(n);
        }
    }

    private void encodeTable(LuaTable t, int level, MessageBufferPacker out) throws IOException {
        if (isArray(t)) {
            int length = t.length();
            out.packArrayHeader(length);
            for (int i = 1; i <= length; i++) {
                encode(t.get(i), level + 1, out);
            }
            return;
        }
        List<LuaValue> keys = LuaTableOrder.keys(t);
        out.packMapHeader(keys.size());
        for (LuaValue key : keys) {
            encode(key, level + 1, out);
            encode(t.rawget(key), level + 1, out);
        }
    }

    /** lua-cmsgpack's {@code table_is_an_array}: every key a positive whole number (an int), and as many as the largest. */
    private static boolean isArray(LuaTable t) {
        long count = 0;
        long max = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
            k = t.next(k).arg1();
            if (k.isnil()) {
                break;
            }
            if (k.type() != LuaValue.TNUMBER) {
                return false;
            }
            double n = k.todouble();
            if (n <= 0 || n > Integer.MAX_VALUE || (double) (int) n != n) {
                return false;
            }
            max = Math.max(max, (long) n);
            count++;
        }
        return max == count;
    }

    // ------------------------------------------------------------------ unpack

    /** lua-cmsgpack's {@code mp_unpack_full}: all objects (limit and offset 0), or up to {@code limit} from {@code offset} and the next offset first. */
    private Varargs unpack(CArgs a, long limit, long offset) {
        LuaString s = a.string(1);
        int length = s.m_length;
        if (offset < 0 || limit < 0) {
            throw new LuaError("Invalid request to unpack with offset of " + (int) offset + " and limit of " + length + ".");
        }
        if (offset > length) {
            throw new LuaError("Start offset " + (int) offset + " greater than input length " + length + ".");
        }
        boolean all = limit == 0 && offset == 0;
        if (all) {
            limit = Integer.MAX_VALUE;
        }
        List<LuaValue> values = new ArrayList<>();
        decoded = 0;
        decodedBytes = 0;
        long consumed;
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(s.m_bytes, s.m_offset + (int) offset, length - (int) offset)) {
            while (in.hasNext() && values.size() < limit) {
                if (values.size() >= MAX_RESULTS) {
                    throw new LuaError("stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)");
                }
                values.add(decode(in, 0));
            }
            consumed = in.getTotalReadBytes();
        } catch (MessageInsufficientBufferException e) {
            throw new LuaError("Missing bytes in input.");
        } catch (BadFormat | MessagePackException e) {
            throw new LuaError("Bad data format in input.");
        } catch (IOException e) {
            throw new LuaError(e.getMessage());
        }
        if (all) {
            return LuaValue.varargsOf(values.toArray(new LuaValue[0]));
        }
        long next = offset + consumed;
        LuaValue[] out = new LuaValue[values.size() + 1];
        out[0] = LuaValue.valueOf(next >= length ? -1 : next);
        for (int i = 0; i < values.size(); i++) {
            out[i + 1] = values.get(i);
        }
        return LuaValue.varargsOf(out);
    }

    /** A format lua-cmsgpack does not read (bin, ext, the never-used byte). */
    private static final class BadFormat extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadFormat() {
            super(null, null, false, false);
        }
    }

    /**
     * Values unpacked by the running call and what they hold (estimated: a value's object and
     * reference, a string's bytes): every {@link #CHECK_EVERY} values the result so far, which no
     * walk of the Lua state can see yet, is checked against the Lua heap's bound.
     */
    private long decoded;
    private long decodedBytes;
    static final int CHECK_EVERY = 4096;
    static final int VALUE_BYTES = 40;

    private LuaValue decode(MessageUnpacker in, int depth) throws IOException {
        if (depth > MAX_UNPACK_DEPTH) {
            throw new BadFormat();
        }
        decodedBytes += VALUE_BYTES;
        if (++decoded % CHECK_EVERY == 0) {
            LuaMemory.checkAllocationHere(decodedBytes);
        }
        MessageFormat format = in.getNextFormat();
        switch (format) {
            case NIL:
                in.unpackNil();
                return LuaValue.NIL;
            case BOOLEAN:
                return LuaValue.valueOf(in.unpackBoolean());
            case POSFIXINT, NEGFIXINT, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32:
                return LuaValue.valueOf((double) in.unpackLong());
            case UINT64:
                // lua_pushunsigned is lua_pushinteger on 64-bit builds: the value wraps to a signed 64-bit integer
                return LuaValue.valueOf((double) in.unpackBigInteger().longValue());
            case FLOAT32:
                return LuaValue.valueOf((double) in.unpackFloat());
            case FLOAT64:
                return LuaValue.valueOf(in.unpackDouble());
            case FIXSTR, STR8, STR16, STR32: {
                int length = in.unpackRawStringHeader();
                decodedBytes += length;
                LuaMemory.checkAllocationHere(decodedBytes);
                return LuaString.valueUsing(in.readPayload(length));
            }
            case FIXARRAY, ARRAY16, ARRAY32: {
                int n = in.unpackArrayHeader();
                LuaTable t = new LuaTable();
                for (int i = 1; i <= n; i++) {
                    t.rawset(i, decode(in, depth + 1));
                }
                return t;
            }
            case FIXMAP, MAP16, MAP32: {
                int n = in.unpackMapHeader();
                LuaTable t = new LuaTable();
                for (int i = 0; i < n; i++) {
                    LuaValue key = decode(in, depth + 1);
                    LuaValue value = decode(in, depth + 1);
                    if (key.isnil()) {
                        throw new LuaError("table index is nil");
                    }
                    t.rawset(key, value);
                }
                return t;
            }
            default:
                throw new BadFormat();
        }
    }
}
