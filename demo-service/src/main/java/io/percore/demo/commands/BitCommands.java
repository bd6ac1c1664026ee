package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.NIL;
import static io.percore.demo.resp.RespReplies.ONE;
import static io.percore.demo.resp.RespReplies.ZERO;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.GrowableString;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.StringView;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.shard.Keyspace;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.KeysByShard;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * The bit commands (Redis's {@code bitops.c}): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO, with Redis 7.0's argument order, ranges and error texts. Bit 0 is the most
 * significant bit of the first byte. Writes change the string in place ({@link GrowableString}), so
 * a SETBIT costs O(1) amortized whatever the bitmap's size. Every offset is checked against
 * {@code proto-max-bulk-len} (a bitmap can never be longer than a string may be), and a write that
 * would make the value larger than the shard's whole budget is refused before allocation.
 */
public final class BitCommands {

    static final String BIT_OFFSET_ERROR = "ERR bit offset is not an integer or out of range";
    static final String BIT_VALUE_ERROR = "ERR bit is not an integer or out of range";
    static final String BITFIELD_TYPE_ERROR = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    // ------------------------------------------------------------------ argument parsing

    /**
     * Redis's {@code getBitOffsetFromArgument}: a non-negative integer whose byte is below the live
     * {@code proto-max-bulk-len} ({@link io.percore.demo.kv.Databases#stringLengthLimit}); with {@code hash} (BITFIELD) {@code #n} means n times the type's width.
     */
    long bitOffset(ValueStore ks, byte[] arg, boolean hash, int bits) {
        boolean useHash = hash && bits > 0 && arg.length > 0 && arg[0] == '#';
        byte[] digits = useHash ? java.util.Arrays.copyOfRange(arg, 1, arg.length) : arg;
        if (!RespNumbers.isLong(digits)) {
            throw new RespError(BIT_OFFSET_ERROR);
        }
        long offset = RespNumbers.parseLong(digits);
        if (useHash) {
            offset *= bits; // wraps as Redis's C does; a wrapped offset is negative or out of range below
        }
        if (offset < 0 || (offset >> 3) >= ks.databases().stringLengthLimit()) {
            throw new RespError(BIT_OFFSET_ERROR);
        }
        return offset;
    }

    // ------------------------------------------------------------------ SETBIT / GETBIT

    /** SETBIT key offset 0|1: the bit's previous value; grows the string with zeros to reach it. */
    public RedisMessage setbit(ValueStore ks, byte[][] argv, long now) {
        long offset = bitOffset(ks, argv[2], false, 0);
        if (!RespNumbers.isLong(argv[3])) {
            throw new RespError(BIT_VALUE_ERROR);
        }
        long on = RespNumbers.parseLong(argv[3]);
        if ((on & ~1L) != 0) {
            throw new RespError(BIT_VALUE_ERROR);
        }
        int byteIndex = (int) (offset >>> 3);
        byte[] p = ks.strings().writable(argv[1], byteIndex + 1, now).array();
        int mask = 1 << (7 - (int) (offset & 7));
        boolean was = (p[byteIndex] & mask) != 0;
        if (was != (on == 1)) {
            p[byteIndex] = (byte) (on == 1 ? p[byteIndex] | mask : p[byteIndex] & ~mask);
            if (!ks.strings().lastCounted()) {
                ks.modified(argv[1]); // WATCH sees a bit that changed (creating or growing the string counted already)
            }
        }
        if (was != (on == 1) || ks.strings().lastCounted()) {
            ks.notify(KeyspaceEvents.STRING, "setbit", argv[1]);
        }
        return was ? ONE : ZERO;
    }

    /** GETBIT key offset: 0 past the end of the string or for a missing key. */
    public RedisMessage getbit(ValueStore ks, byte[][] argv, long now) {
        long offset = bitOffset(ks, argv[2], false, 0);
        StringView v = StringView.of(ks.lookupRead(argv[1], ValueType.STRING, now));
        long byteIndex = offset >>> 3;
        if (v == null || byteIndex >= v.length()) {
            return ZERO;
        }
        return (v.at(byteIndex) & (1 << (7 - (int) (offset & 7)))) != 0 ? ONE : ZERO;
    }

    // ------------------------------------------------------------------ BITCOUNT / BITPOS

    /** BITCOUNT key [start end [BYTE|BIT]]: Redis checks the key before the arguments (a missing key is 0 whatever follows). */
    public static RedisMessage bitcount(ValueStore ks, byte[][] argv, long now) {
        StringView v = StringView.of(ks.lookupRead(argv[1], ValueType.STRING, now));
        if (v == null) {
            return ZERO;
        }
        long strlen = v.length();
        long start;
        long end;
        int firstMask = 0;
        int lastMask = 0;
        if (argv.length == 4 || argv.length == 5) {
            long totlen = strlen;
            start = RespNumbers.requireLong(argv[2]);
            end = RespNumbers.requireLong(argv[3]);
            if (start < 0 && end < 0 && start > end) {
                return ZERO;
            }
            boolean isBit = argv.length == 5 && unit(argv[4]);
            if (isBit) {
                totlen <<= 3;
            }
            start = start < 0 ? Math.max(0, totlen + start) : start;
            end = end < 0 ? Math.max(0, totlen + end) : end;
            end = Math.min(end, totlen - 1);
            if (isBit && start <= end) {
                // the bits of the edge bytes outside the range, to take off the count
                firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int) (end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
        } else if (argv.length == 2) {
            start = 0;
            end = strlen - 1;
        } else {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (start > end) {
            return ZERO;
        }
        long count = popcount(v.array(), (int) start, (int) (end - start + 1));
        if (firstMask != 0) {
            count -= Integer.bitCount(v.at(start) & firstMask);
        }
        if (lastMask != 0) {
            count -= Integer.bitCount(v.at(end) & lastMask);
        }
        return integer(count);
    }

    /** True for BIT, false for BYTE, else a syntax error. */
    private static boolean unit(byte[] arg) {
        String unit = RespReplies.ascii(arg);
        if (unit.equalsIgnoreCase("bit")) {
            return true;
        }
        if (unit.equalsIgnoreCase("byte")) {
            return false;
        }
        throw new RespError(RespReplies.SYNTAX_ERROR);
    }

    /**
     * BITPOS key bit [start [end [BYTE|BIT]]]: the first bit set (1) or clear (0) in the range, -1 if
     * none. Past the string's end bits count as clear, unless an end was given (Redis's rule).
     */
    public static RedisMessage bitpos(ValueStore ks, byte[][] argv, long now) {
        long bit = RespNumbers.requireLong(argv[2]);
        if (bit != 0 && bit != 1) {
            throw new RespError("ERR The bit argument must be 1 or 0.");
        }
        StringView v = StringView.of(ks.lookupRead(argv[1], ValueType.STRING, now));
        if (v == null) {
            return integer(bit == 1 ? -1 : 0);
        }
        long strlen = v.length();
        long start;
        long end;
        boolean endGiven = false;
        int firstMask = 0;
        int lastMask = 0;
        if (argv.length >= 4 && argv.length <= 6) {
            long totlen = strlen;
            start = RespNumbers.requireLong(argv[3]);
            boolean isBit = argv.length == 6 && unit(argv[5]);
            if (argv.length >= 5) {
                end = RespNumbers.requireLong(argv[4]);
                endGiven = true;
            } else {
                end = isBit ? (totlen << 3) + 7 : totlen - 1;
            }
            if (isBit) {
                totlen <<= 3;
            }
            start = start < 0 ? Math.max(0, totlen + start) : start;
            end = end < 0 ? Math.max(0, totlen + end) : end;
            end = Math.min(end, totlen - 1);
            if (isBit && start <= end) {
                firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int) (end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
        } else if (argv.length == 3) {
            start = 0;
            end = strlen - 1;
        } else {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (start > end) {
            return integer(-1);
        }
        boolean one = bit == 1;
        byte[] p = v.array();
        long bytes = end - start + 1;
        long pos;
        search:
        {
            if (firstMask != 0) {
                // the first byte with the bits before the range made neutral (0 when seeking 1, 1 when seeking 0)
                int b = one ? v.at(start) & ~firstMask : v.at(start) | firstMask;
                if (lastMask != 0 && bytes == 1) {
                    b = one ? b & ~lastMask : b | lastMask;
                }
                pos = firstBit(new byte[] {(byte) b}, 0, 1, one);
                if (bytes == 1 || (pos != -1 && pos != 8)) {
                    break search;
                }
                start++;
                bytes--;
            }
            long middle = bytes - (lastMask != 0 ? 1 : 0);
            if (middle > 0) {
                pos = firstBit(p, (int) start, (int) middle, one);
                if (bytes == middle || (pos != -1 && pos != middle << 3)) {
                    break search;
                }
                start += middle;
                bytes -= middle;
            }
            int b = one ? v.at(end) & ~lastMask : v.at(end) | lastMask;
            pos = firstBit(new byte[] {(byte) b}, 0, 1, one);
        }
        if (endGiven && !one && pos == bytes << 3) {
            return integer(-1); // an explicit range has no clear bits after it
        }
        return integer(pos == -1 ? -1 : pos + (start << 3));
    }

    /**
     * Redis's {@code redisBitpos}: the position of the first bit {@code one} in {@code count} bytes
     * from {@code from}; none: -1 when seeking a set bit, {@code count * 8} when seeking a clear one
     * (the bits after are taken as clear). Skips whole 8-byte words.
     */
    static long firstBit(byte[] p, int from, int count, boolean one) {
        long skipWord = one ? 0 : -1L;
        int skipByte = one ? 0 : 0xFF;
        int i = from;
        int to = from + count;
        while (to - i >= 8 && (long) LONGS.get(p, i) == skipWord) {
            i += 8;
        }
        while (i < to && (p[i] & 0xFF) == skipByte) {
            i++;
        }
        if (i == to) {
            return one ? -1 : (long) count << 3;
        }
        int b = one ? p[i] & 0xFF : ~p[i] & 0xFF;
        return ((long) (i - from) << 3) + Integer.numberOfLeadingZeros(b) - 24;
    }

    /** The set bits in {@code count} bytes from {@code from}, 8 bytes at a time. */
    static long popcount(byte[] p, int from, int count) {
        long n = 0;
        int i = from;
        int to = from + count;
        for (; to - i >= 8; i += 8) {
            n += Long.bitCount((long) LONGS.get(p, i));
        }
        for (; i < to; i++) {
            n += Integer.bitCount(p[i] & 0xFF);
        }
        return n;
    }

    // ------------------------------------------------------------------ BITOP

    private enum Op { AND, OR, XOR, NOT }

    /**
     * BITOP AND|OR|XOR|NOT destkey key [key ...]: the sources are read on their shards (one message
     * per shard, their arrays shared, not copied), the result computed on this connection's shard and
     * stored on the destination's (deleted when empty); the reply is the result's length. Atomic per
     * shard, as the demo's other multi-key commands.
     */
    public static void bitop(CommandContext c, byte[][] argv) {
        Op op;
        try {
            op = Op.valueOf(RespReplies.ascii(argv[1]).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (op == Op.NOT && argv.length != 4) {
            throw new RespError("ERR BITOP NOT must be called with a single source key.");
        }
        byte[] dst = argv[2];
        Keyspace keyspace = c.keyspace();
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier(); // the connection's next command sees the destination written
        KeysByShard.readEach(keyspace, argv, 3, argv.length,
                        (store, key, now) -> StringView.shared(store.lookupRead(key, ValueType.STRING, now)))
                .flatMap(sources -> {
                    byte[] result = compute(op, sources);
                    return keyspace.invokeOn(keyspace.shardOf(dst), st -> {
                        ValueStore ks = st.store();
                        long now = System.currentTimeMillis();
                        if (!ks.makeRoom(now)) {
                            throw new OutOfBudgetException(); // denyoom, as the single-key writes
                        }
                        if (result.length == 0) {
                            if (ks.delete(dst, now)) {
                                ks.changes().propagate(Effects.del(dst));
                                ks.notify(KeyspaceEvents.GENERIC, "del", dst);
                            }
                            return (RedisMessage) ZERO;
                        }
                        ks.memory().requireFits(result.length);
                        // Redis stores BITOP's result as a raw string: one that is changed in place later. Its effect
                        // (made from other shards' strings: the result itself) holds the same array until the unit or the
                        // transaction ends: a SETBIT or BITFIELD after it in a MULTI or a script would change the SET
                        // too, and replayed after it count twice. Followed, the string is shared: its first change copies.
                        boolean followed = ks.changes().followed();
                        ks.set(dst, ValueType.STRING, followed ? GrowableString.adopt(result) : GrowableString.own(result),
                                ValueStore.NO_EXPIRY);
                        ks.changes().propagate(Effects.SET, dst, result);
                        ks.notify(KeyspaceEvents.STRING, "set", dst);
                        return (RedisMessage) integer(result.length);
                    });
                }).whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    /** The bitwise combination, as long as the longest source; shorter and missing sources count as zeros. */
    private static byte[] compute(Op op, Object[] sources) {
        int max = 0;
        for (Object s : sources) {
            if (s != null) {
                max = Math.max(max, ((StringView) s).length());
            }
        }
        byte[] out = new byte[max];
        StringView first = (StringView) sources[0];
        if (first != null) {
            System.arraycopy(first.array(), 0, out, 0, first.length());
        }
        if (op == Op.NOT) {
            for (int i = 0; i < max; i++) {
                out[i] = (byte) ~out[i];
            }
            return out;
        }
        for (int k = 1; k < sources.length; k++) {
            StringView s = (StringView) sources[k];
            int n = s == null ? 0 : s.length();
            byte[] p = s == null ? null : s.array();
            switch (op) {
                case AND -> {
                    for (int i = 0; i < n; i++) {
                        out[i] &= p[i];
                    }
                    java.util.Arrays.fill(out, n, max, (byte) 0);
                }
                case OR -> {
                    for (int i = 0; i < n; i++) {
                        out[i] |= p[i];
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        out[i] ^= p[i];
                    }
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ BITFIELD

    private static final int GET = 0;
    private static final int SET = 1;
    private static final int INCRBY = 2;
    private static final int WRAP = 0;
    private static final int SAT = 1;
    private static final int FAIL = 2;

    /** One parsed BITFIELD operation. */
    private record FieldOp(int opcode, long offset, long value, int overflow, int bits, boolean signed) {
    }

    public RedisMessage bitfield(ValueStore ks, byte[][] argv, long now) {
        return bitfieldGeneric(ks, argv, now, false);
    }

    public RedisMessage bitfieldRo(ValueStore ks, byte[][] argv, long now) {
        return bitfieldGeneric(ks, argv, now, true);
    }

    /**
     * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
     * [OVERFLOW WRAP|SAT|FAIL] ...: every operation is parsed (and its errors reported) before any
     * runs; the string is grown once to the farthest bit written, then the operations run in order.
     */
    private RedisMessage bitfieldGeneric(ValueStore ks, byte[][] argv, long now, boolean readOnlyCommand) {
        List<FieldOp> ops = new ArrayList<>();
        int overflow = WRAP;
        boolean readOnly = true;
        long highestWrite = 0;
        for (int j = 2; j < argv.length; j++) {
            int remaining = argv.length - j - 1;
            String sub = RespReplies.ascii(argv[j]);
            int opcode;
            if (sub.equalsIgnoreCase("get") && remaining >= 2) {
                opcode = GET;
            } else if (sub.equalsIgnoreCase("set") && remaining >= 3) {
                opcode = SET;
            } else if (sub.equalsIgnoreCase("incrby") && remaining >= 3) {
                opcode = INCRBY;
            } else if (sub.equalsIgnoreCase("overflow") && remaining >= 1) {
                String type = RespReplies.ascii(argv[++j]);
                if (type.equalsIgnoreCase("wrap")) {
                    overflow = WRAP;
                } else if (type.equalsIgnoreCase("sat")) {
                    overflow = SAT;
                } else if (type.equalsIgnoreCase("fail")) {
                    overflow = FAIL;
                } else {
                    throw new RespError("ERR Invalid OVERFLOW type specified");
                }
                continue;
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
            byte[] type = argv[j + 1];
            boolean signed = fieldSigned(type);
            int bits = fieldBits(type, signed);
            long offset = bitOffset(ks, argv[j + 2], true, bits);
            long value = 0;
            if (opcode != GET) {
                readOnly = false;
                highestWrite = Math.max(highestWrite, offset + bits - 1);
                value = RespNumbers.requireLong(argv[j + 3]);
            }
            ops.add(new FieldOp(opcode, offset, value, overflow, bits, signed));
            j += opcode == GET ? 2 : 3;
        }
        StringView read;
        byte[] p = null;
        if (readOnly) {
            read = StringView.of(ks.lookupRead(argv[1], ValueType.STRING, now));
        } else {
            if (readOnlyCommand) {
                throw new RespError("ERR BITFIELD_RO only supports the GET subcommand");
            }
            GrowableString string = ks.strings().writable(argv[1], (int) (highestWrite >>> 3) + 1, now);
            p = string.array();
            read = new StringView(p, string.length());
        }
        List<RedisMessage> replies = new ArrayList<>(ops.size());
        boolean changed = false;
        boolean wrote = false;
        for (FieldOp op : ops) {
            if (op.opcode() == GET) {
                replies.add(integer(get(read, op)));
                continue;
            }
            long old = op.signed() ? getSigned(p, op.offset(), op.bits()) : getUnsigned(p, op.offset(), op.bits());
            long[] limit = new long[1];
            long result;
            long stored;
            int overflowed;
            if (op.opcode() == INCRBY) {
                overflowed = op.signed()
                        ? signedOverflow(old, op.value(), op.bits(), op.overflow(), limit)
                        : unsignedOverflow(old, op.value(), op.bits(), op.overflow(), limit);
                stored = overflowed != 0 ? limit[0] : old + op.value();
                result = stored;
            } else {
                overflowed = op.signed()
                        ? signedOverflow(op.value(), 0, op.bits(), op.overflow(), limit)
                        : unsignedOverflow(op.value(), 0, op.bits(), op.overflow(), limit);
                stored = overflowed != 0 ? limit[0] : op.value();
                result = old;
            }
            if (overflowed != 0 && op.overflow() == FAIL) {
                replies.add(NIL);
            } else {
                replies.add(integer(result));
                setBits(p, op.offset(), op.bits(), stored);
                changed |= stored != old;
                wrote = true;
            }
        }
        if (changed && !ks.strings().lastCounted()) {
            ks.modified(argv[1]);
        }
        if (changed || (wrote && ks.strings().lastCounted())) {
            ks.notify(KeyspaceEvents.STRING, "setbit", argv[1]); // Redis's event for BITFIELD's writes too
        }
        return new ArrayRedisMessage(replies);
    }

    private static boolean fieldSigned(byte[] type) {
        if (type.length > 0 && type[0] == 'i') {
            return true;
        }
        if (type.length > 0 && type[0] == 'u') {
            return false;
        }
        throw new RespError(BITFIELD_TYPE_ERROR);
    }

    /** i1..i64, u1..u63 (an unsigned 64-bit value would not fit Redis's signed integer reply). */
    private static int fieldBits(byte[] type, boolean signed) {
        byte[] digits = java.util.Arrays.copyOfRange(type, 1, type.length);
        long bits = RespNumbers.isLong(digits) ? RespNumbers.parseLong(digits) : 0;
        if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
            throw new RespError(BITFIELD_TYPE_ERROR);
        }
        return (int) bits;
    }

    /** GET reads past the string's end as zeros, without growing it (Redis copies up to 9 bytes into a zeroed buffer). */
    private static long get(StringView v, FieldOp op) {
        byte[] window = new byte[9];
        long first = op.offset() >>> 3;
        for (int i = 0; i < 9 && v != null && first + i < v.length(); i++) {
            window[i] = v.array()[(int) (first + i)];
        }
        long offset = op.offset() - (first << 3);
        return op.signed() ? getSigned(window, offset, op.bits()) : getUnsigned(window, offset, op.bits());
    }

    private static long getUnsigned(byte[] p, long offset, int bits) {
        long value = 0;
        for (int j = 0; j < bits; j++, offset++) {
            int bit = (p[(int) (offset >>> 3)] >> (7 - (int) (offset & 7))) & 1;
            value = value << 1 | bit;
        }
        return value;
    }

    private static long getSigned(byte[] p, long offset, int bits) {
        long value = getUnsigned(p, offset, bits);
        if (bits < 64 && (value & (1L << (bits - 1))) != 0) {
            value |= -1L << bits; // sign extension
        }
        return value;
    }

    private static void setBits(byte[] p, long offset, int bits, long value) {
        for (int j = 0; j < bits; j++, offset++) {
            int bit = (int) (value >>> (bits - 1 - j)) & 1;
            int at = (int) (offset >>> 3);
            int mask = 1 << (7 - (int) (offset & 7));
            p[at] = (byte) (bit != 0 ? p[at] | mask : p[at] & ~mask);
        }
    }

    /**
     * Redis's {@code checkUnsignedBitfieldOverflow}: 1 on overflow, -1 on underflow, 0 if
     * {@code value + incr} fits {@code bits} unsigned bits ({@code value} read as unsigned); on
     * overflow {@code limit[0]} is the wrapped or saturated result.
     */
    static int unsignedOverflow(long value, long incr, int bits, int overflow, long[] limit) {
        long max = bits == 64 ? -1L : (1L << bits) - 1;
        long maxIncr = max - value;
        long minIncr = -value;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxIncr)) {
            if (overflow == WRAP) {
                limit[0] = wrapUnsigned(value, incr, bits);
            } else if (overflow == SAT) {
                limit[0] = max;
            }
            return 1;
        }
        if (incr < 0 && incr < minIncr) {
            if (overflow == WRAP) {
                limit[0] = wrapUnsigned(value, incr, bits);
            } else if (overflow == SAT) {
                limit[0] = 0;
            }
            return -1;
        }
        return 0;
    }

    private static long wrapUnsigned(long value, long incr, int bits) {
        return (value + incr) & ~(-1L << bits);
    }

    /** Redis's {@code checkSignedBitfieldOverflow}, the same for {@code bits} signed bits. */
    static int signedOverflow(long value, long incr, int bits, int overflow, long[] limit) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxIncr = max - value;
        long minIncr = min - value;
        if (value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)) {
            if (overflow == WRAP) {
                limit[0] = wrapSigned(value, incr, bits);
            } else if (overflow == SAT) {
                limit[0] = max;
            }
            return 1;
        }
        if (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr)) {
            if (overflow == WRAP) {
                limit[0] = wrapSigned(value, incr, bits);
            } else if (overflow == SAT) {
                limit[0] = min;
            }
            return -1;
        }
        return 0;
    }

    private static long wrapSigned(long value, long incr, int bits) {
        long c = value + incr;
        if (bits < 64) {
            long mask = -1L << bits;
            c = (c & (1L << (bits - 1))) != 0 ? c | mask : c & ~mask;
        }
        return c;
    }
}
