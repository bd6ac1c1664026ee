package io.percore.demo.acl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The ACL LOG (Redis's {@code ACLLog}): the refusals and failed logins, newest first, a refusal like
 * one of the 10 newest (same reason, context, object and user, within 60 s) counted into it and moved
 * to the front, at most {@code acllog-max-len} entries (trimmed when one is added, as Redis trims).
 *
 * <p>One log for the server, written by whichever shard refused: a small {@code synchronized}
 * structure rather than a message to one owner, because it is written only on a refusal (never on an
 * allowed command) and read only by ACL LOG, so the lock is never on the hot path, and a refusal's
 * entry is there when its client's next command (ACL LOG on another shard) reads it. What one entry
 * keeps is bounded: an object or user name past {@link #MAX_TEXT} bytes is cut, saying how much was.
 */
public final class AclLog {

    /** Redis's {@code ACL_LOG_GROUPING_MAX_TIME_DELTA}. */
    static final long GROUPING_MILLIS = 60_000;
    /** How many of the newest entries a refusal is compared with. */
    static final int GROUPING_SCAN = 10;
    /** The most bytes of an object or user name an entry keeps (Redis keeps them whole: a 512 MB key name would stay). */
    static final int MAX_TEXT = 64 * 1024;

    /** One entry as ACL LOG shows it. */
    public record Entry(long count, String reason, String context, String object, String username, long millis, String clientInfo) {
    }

    private static final class Mutable {
        long count = 1;
        final Denial.Reason reason;
        final Denial.Context context;
        final String object;
        final String username;
        long millis;
        String clientInfo;

        Mutable(Denial.Reason reason, Denial.Context context, String object, String username, long millis, String clientInfo) {
            this.reason = reason;
            this.context = context;
            this.object = object;
            this.username = username;
            this.millis = millis;
            this.clientInfo = clientInfo;
        }

        boolean like(Mutable other) {
            return reason == other.reason && context == other.context && Math.abs(millis - other.millis) <= GROUPING_MILLIS
                    && object.equals(other.object) && username.equals(other.username);
        }
    }

    private final ArrayDeque<Mutable> entries = new ArrayDeque<>();
    private volatile long maxLength = 128;

    /** {@code acllog-max-len}: the most entries kept (applied when the next one is added). */
    public void maxLength(long max) {
        this.maxLength = max;
    }

    public long maxLength() {
        return maxLength;
    }

    /**
     * Adds a refusal or failed login (Redis's {@code addACLLogEntry}).
     *
     * @param username   the user the client is logged in as, or the one it failed to log in as
     * @param clientInfo the client's CLIENT LIST line (a script's: the client that ran the script)
     */
    public synchronized void add(Denial.Reason reason, Denial.Context context, String object, String username, String clientInfo,
                                 long nowMillis) {
        Mutable entry = new Mutable(reason, context, bounded(object), bounded(username), nowMillis, clientInfo);
        int scanned = 0;
        for (Iterator<Mutable> it = entries.iterator(); it.hasNext() && scanned < GROUPING_SCAN; scanned++) {
            Mutable current = it.next();
            if (current.like(entry)) {
                it.remove();
                current.clientInfo = clientInfo;
                current.millis = nowMillis;
                current.count++;
                entries.addFirst(current);
                return;
            }
        }
        entries.addFirst(entry);
        while (entries.size() > maxLength) {
            entries.removeLast();
        }
    }

    /** The newest {@code count} entries (fewer when there are fewer). */
    public synchronized List<Entry> newest(long count) {
        List<Entry> out = new ArrayList<>((int) Math.min(count, entries.size()));
        for (Mutable m : entries) {
            if (out.size() >= count) {
                break;
            }
            out.add(new Entry(m.count, m.reason.logName(), m.context.logName(), m.object, m.username, m.millis, m.clientInfo));
        }
        return out;
    }

    /** ACL LOG RESET. */
    public synchronized void reset() {
        entries.clear();
    }

    private static String bounded(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "... (" + (text.length() - MAX_TEXT) + " more bytes)";
    }
}
