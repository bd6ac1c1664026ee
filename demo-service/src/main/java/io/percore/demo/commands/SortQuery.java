package io.percore.demo.commands;

import java.util.ArrayList;
import java.util.List;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * One SORT or SORT_RO call's options, parsed as Redis's {@code sortCommandGeneric} does: options in
 * any order, the last LIMIT, STORE and BY winning, GETs in order; a BY pattern without {@code *}
 * (such as {@code nosort}) turns sorting off for good, even if a later BY has one, as in Redis.
 */
final class SortQuery {

    final byte[] key;
    final boolean desc;
    final boolean alpha;
    final long limitStart;
    /** -1: no LIMIT. */
    final long limitCount;
    /** STORE's destination, or null. */
    final byte[] store;
    /** BY's pattern, or null. */
    final SortPattern by;
    final boolean dontSort;
    final List<SortPattern> gets;

    private SortQuery(byte[] key, boolean desc, boolean alpha, long limitStart, long limitCount, byte[] store,
                      SortPattern by, boolean dontSort, List<SortPattern> gets) {
        this.key = key;
        this.desc = desc;
        this.alpha = alpha;
        this.limitStart = limitStart;
        this.limitCount = limitCount;
        this.store = store;
        this.by = by;
        this.dontSort = dontSort;
        this.gets = gets;
    }

    /**
     * @param readsEveryKey whether the user may read every key with this call: BY with a pattern and GET are refused otherwise (ACLs)
     * @throws RespError for a syntax error, a LIMIT that is not an integer, or BY or GET the user may not use
     */
    static SortQuery parse(byte[][] argv, boolean readonly, boolean readsEveryKey) {
        boolean desc = false;
        boolean alpha = false;
        long limitStart = 0;
        long limitCount = -1;
        byte[] store = null;
        SortPattern by = null;
        boolean dontSort = false;
        List<SortPattern> gets = new ArrayList<>();
        for (int j = 2; j < argv.length; j++) {
            int left = argv.length - j - 1;
            String opt = RespReplies.ascii(argv[j]);
            if (opt.equalsIgnoreCase("asc")) {
                desc = false;
            } else if (opt.equalsIgnoreCase("desc")) {
                desc = true;
            } else if (opt.equalsIgnoreCase("alpha")) {
                alpha = true;
            } else if (opt.equalsIgnoreCase("limit") && left >= 2) {
                limitStart = RespNumbers.requireLong(argv[j + 1]);
                limitCount = RespNumbers.requireLong(argv[j + 2]);
                j += 2;
            } else if (!readonly && opt.equalsIgnoreCase("store") && left >= 1) {
                store = argv[++j];
            } else if (opt.equalsIgnoreCase("by") && left >= 1) {
                by = SortPattern.of(argv[++j]);
                if (!SortPattern.hasStar(argv[j])) {
                    dontSort = true;
                } else if (!readsEveryKey) {
                    throw new RespError("ERR BY option of SORT denied due to insufficient ACL permissions.");
                }
            } else if (opt.equalsIgnoreCase("get") && left >= 1) {
                if (!readsEveryKey) {
                    throw new RespError("ERR GET option of SORT denied due to insufficient ACL permissions.");
                }
                gets.add(SortPattern.of(argv[++j]));
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        return new SortQuery(argv[1], desc, alpha, limitStart, limitCount, store, by, dontSort, gets);
    }

    /** Whether a BY or GET pattern of the call may name keys (has a {@code *}): keys no argument names. */
    static boolean readsPatternKeys(byte[][] argv) {
        for (int i = 2; i + 1 < argv.length; i++) {
            String opt = RespReplies.ascii(argv[i]);
            if (opt.equalsIgnoreCase("limit")) {
                i += 2;
            } else if (opt.equalsIgnoreCase("get") || opt.equalsIgnoreCase("by")) {
                if (SortPattern.hasStar(argv[++i])) {
                    return true;
                }
            }
        }
        return false;
    }
}
