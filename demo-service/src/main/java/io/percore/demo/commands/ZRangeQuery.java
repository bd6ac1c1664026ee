package io.percore.demo.commands;

import io.percore.demo.kv.ZSetValue;
import io.percore.demo.kv.ZSetValue.Entry;
import io.percore.demo.kv.ZSetValue.LexRange;
import io.percore.demo.kv.ZSetValue.ScoreRange;
import java.util.List;
import io.percore.demo.resp.RespDoubles;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * The arguments of ZRANGE and its relatives (ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE,
 * Z[REV]RANGEBYLEX), parsed with Redis's {@code zrangeGenericCommand} rules and errors, and the
 * selection they make from a sorted set. Every selection is computed from ranks (O(log n) to
 * find the ends, then O(k) for k entries), so a LIMIT offset costs no walk over the skipped entries.
 */
record ZRangeQuery(Kind kind, boolean reverse, boolean withScores, long offset, long limit,
                   long start, long end, ScoreRange scores, LexRange lex) {

    enum Kind { RANK, SCORE, LEX }

    static final String NOT_A_FLOAT_RANGE = "ERR min or max is not a float";
    static final String NOT_A_LEX_RANGE = "ERR min or max not valid string range item";

    /**
     * Parses {@code argv[keyIndex]}'s range: min, max and the options after them.
     *
     * @param kind    null for ZRANGE/ZRANGESTORE (BYSCORE/BYLEX choose), else fixed by the command
     * @param reverse null for ZRANGE/ZRANGESTORE (REV chooses), else fixed by the command
     * @param store   ZRANGESTORE: WITHSCORES is refused, the scores are always kept
     */
    static ZRangeQuery parse(byte[][] argv, int keyIndex, Kind kind, Boolean reverse, boolean store) {
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = keyIndex + 3; j < argv.length; j++) {
            String opt = RespReplies.ascii(argv[j]);
            int left = argv.length - j - 1;
            if (!store && opt.equalsIgnoreCase("withscores")) {
                withScores = true;
            } else if (opt.equalsIgnoreCase("limit") && left >= 2) {
                offset = RespNumbers.requireLong(argv[j + 1]);
                limit = RespNumbers.requireLong(argv[j + 2]);
                j += 2;
            } else if (reverse == null && opt.equalsIgnoreCase("rev")) {
                reverse = true;
            } else if (kind == null && opt.equalsIgnoreCase("bylex")) {
                kind = Kind.LEX;
            } else if (kind == null && opt.equalsIgnoreCase("byscore")) {
                kind = Kind.SCORE;
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        boolean rev = reverse != null && reverse;
        if (kind == null) {
            kind = Kind.RANK;
        }
        if (limit != -1 && kind == Kind.RANK) {
            throw new RespError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        }
        if (withScores && kind == Kind.LEX) {
            throw new RespError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }
        // the reverse forms give the range as max, min
        byte[] min = argv[keyIndex + (rev && kind != Kind.RANK ? 2 : 1)];
        byte[] max = argv[keyIndex + (rev && kind != Kind.RANK ? 1 : 2)];
        return switch (kind) {
            case RANK -> new ZRangeQuery(kind, rev, withScores, offset, limit,
                    RespNumbers.requireLong(min), RespNumbers.requireLong(max), null, null);
            case SCORE -> new ZRangeQuery(kind, rev, withScores, offset, limit, 0, 0, scoreRange(min, max), null);
            case LEX -> new ZRangeQuery(kind, rev, withScores, offset, limit, 0, 0, null, lexRange(min, max));
        };
    }

    /** Redis's {@code zslParseRange}: {@code (} makes an end exclusive; the rest is read by strtod. */
    static ScoreRange scoreRange(byte[] min, byte[] max) {
        boolean minEx = min.length > 0 && min[0] == '(';
        boolean maxEx = max.length > 0 && max[0] == '(';
        double lo = RespDoubles.parseBound(min, minEx ? 1 : 0);
        double hi = RespDoubles.parseBound(max, maxEx ? 1 : 0);
        if (Double.isNaN(lo) || Double.isNaN(hi)) {
            throw new RespError(NOT_A_FLOAT_RANGE);
        }
        return new ScoreRange(lo, minEx, hi, maxEx);
    }

    /** Redis's {@code zslParseLexRange}: {@code [a} inclusive, {@code (a} exclusive, {@code -} and {@code +} the ends. */
    static LexRange lexRange(byte[] min, byte[] max) {
        byte[] lo = lexItem(min);
        byte[] hi = lexItem(max);
        return new LexRange(lo, lo == LexRange.MIN || lo == LexRange.MAX || min[0] == '(',
                hi, hi == LexRange.MIN || hi == LexRange.MAX || max[0] == '(');
    }

    private static byte[] lexItem(byte[] item) {
        if (item.length == 0) {
            throw new RespError(NOT_A_LEX_RANGE);
        }
        switch (item[0]) {
            case '+':
                if (item.length != 1) {
                    throw new RespError(NOT_A_LEX_RANGE);
                }
                return LexRange.MAX;
            case '-':
                if (item.length != 1) {
                    throw new RespError(NOT_A_LEX_RANGE);
                }
                return LexRange.MIN;
            case '(':
            case '[':
                return java.util.Arrays.copyOfRange(item, 1, item.length);
            default:
                throw new RespError(NOT_A_LEX_RANGE);
        }
    }

    /** The selected entries, in reply order. */
    List<Entry> select(ZSetValue z) {
        int size = z.size();
        if (kind == Kind.RANK) {
            long s = start < 0 ? size + start : start;
            long e = end < 0 ? size + end : end;
            s = Math.max(s, 0);
            if (s > e || s >= size) {
                return List.of();
            }
            e = Math.min(e, size - 1);
            return reverse ? z.range((int) (size - 1 - e), (int) (size - 1 - s), true) : z.range((int) s, (int) e, false);
        }
        int first = kind == Kind.SCORE ? z.firstRank(scores) : z.firstRank(lex);
        int last = kind == Kind.SCORE ? z.lastRank(scores) : z.lastRank(lex);
        // Redis walks the offset node by node; a negative one walks off the end: nothing
        if (first > last || offset < 0 || offset > last - first) {
            return List.of();
        }
        long count = last - first + 1 - offset;
        if (limit >= 0) {
            count = Math.min(count, limit);
        }
        if (count == 0) {
            return List.of();
        }
        if (reverse) {
            int top = (int) (last - offset);
            return z.range((int) (top - count + 1), top, true);
        }
        int from = (int) (first + offset);
        return z.range(from, (int) (from + count - 1), false);
    }
}
