package io.percore.demo.commands;

import io.percore.demo.kv.ListValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;

/**
 * What SORT reads on the shard of the sorted key (the first half of Redis's
 * {@code sortCommandGeneric}): the elements to sort and the output range that LIMIT leaves, with
 * Redis's clamping. An unsorted list or sorted set (BY without {@code *}) is read in its own order,
 * reversed by DESC, and only the LIMIT range of it; an unsorted set read for STORE, or by a script,
 * is sorted ALPHA instead, as Redis does so that what is stored or replicated does not depend on the
 * set's internal order.
 *
 * @param elements  the elements to sort (or already in output order when {@link #dontSort})
 * @param start     first output position in the sorted elements
 * @param end       last output position (below {@code start} when the output is empty)
 * @param dontSort  whether the elements go out as read
 * @param alpha     ALPHA, possibly forced on as above
 * @param by        the BY pattern, or null (dropped when ALPHA is forced)
 */
record SortSource(byte[][] elements, int start, int end, boolean dontSort, boolean alpha, SortPattern by) {

    private static final byte[][] NONE = new byte[0][];

    /**
     * @param fromScript the SORT is a script's {@code redis.call}
     * @throws RespError WRONGTYPE when the key is not a list, set or sorted set
     */
    static SortSource read(ValueStore ks, SortQuery q, long now, boolean fromScript) {
        ValueType type = ks.typeOf(q.key, now);
        if (type != null && type != ValueType.LIST && type != ValueType.SET && type != ValueType.ZSET) {
            throw new RespError(RespReplies.WRONGTYPE);
        }
        boolean dontSort = q.dontSort;
        boolean alpha = q.alpha;
        SortPattern by = q.by;
        if (dontSort && type == ValueType.SET && (q.store != null || fromScript)) {
            dontSort = false;
            alpha = true;
            by = null;
        }
        // a missing key reads as a list (counting the miss, as Redis's lookupKeyRead): an empty one
        Object value = ks.lookupRead(q.key, type == null ? ValueType.LIST : type, now);
        int len = value == null ? 0 : size(value);
        long start = Math.min(Math.max(q.limitStart, 0), len);
        long count = Math.min(Math.max(q.limitCount, -1), len);
        long end = count < 0 ? len - 1 : start + count - 1;
        if (start >= len) {
            start = len - 1;
            end = len - 2;
        }
        if (end >= len) {
            end = len - 1;
        }
        if (value == null) {
            return new SortSource(NONE, (int) start, (int) end, dontSort, alpha, by);
        }
        if (dontSort && (value instanceof ListValue || value instanceof ZSetValue)) {
            // only the output range, in the value's own order (reversed by DESC)
            int n = (int) Math.max(0, end - start + 1);
            int first = q.desc ? (int) (len - start - n) : (int) start;
            byte[][] out = range(value, first, n, q.desc);
            return new SortSource(out, 0, n - 1, true, alpha, by);
        }
        return new SortSource(range(value, 0, len, false), (int) start, (int) end, dontSort, alpha, by);
    }

    private static int size(Object value) {
        if (value instanceof ListValue l) {
            return l.size();
        }
        if (value instanceof SetValue s) {
            return s.size();
        }
        return ((ZSetValue) value).size();
    }

    /** {@code n} elements from position {@code first}, in order or (reverse) from the last of them down. */
    private static byte[][] range(Object value, int first, int n, boolean reverse) {
        byte[][] out = new byte[n][];
        if (n == 0) {
            return out;
        }
        if (value instanceof ListValue l) {
            for (int i = 0; i < n; i++) {
                out[i] = l.get(reverse ? first + n - 1 - i : first + i);
            }
        } else if (value instanceof SetValue s) {
            return s.members().toArray(out);
        } else {
            int[] i = {0};
            for (ZSetValue.Entry e : ((ZSetValue) value).range(first, first + n - 1, reverse)) {
                out[i[0]++] = e.member();
            }
        }
        return out;
    }
}
