package io.percore.demo.kv;

/**
 * Redis's keyspace notification classes ({@code server.h}'s {@code NOTIFY_*}) and the text of
 * {@code notify-keyspace-events} ({@code notify.c}'s {@code keyspaceEventsStringToFlags} and
 * {@code keyspaceEventsFlagsToString}). A command reports an event with its class through
 * {@link KeyspaceChanges#notify}, where Redis calls {@code notifyKeyspaceEvent}; the shard's write
 * path publishes it when the class and a channel kind ({@link #KEYSPACE}, {@link #KEYEVENT}) are on.
 */
public final class KeyspaceEvents {

    /** K: {@code __keyspace@0__:<key>} messages carrying the event. */
    public static final int KEYSPACE = 1;
    /** E: {@code __keyevent@0__:<event>} messages carrying the key. */
    public static final int KEYEVENT = 1 << 1;
    /** g: commands on keys of any type (DEL, EXPIRE, RENAME, COPY, ...). */
    public static final int GENERIC = 1 << 2;
    /** $: string commands. */
    public static final int STRING = 1 << 3;
    /** l: list commands. */
    public static final int LIST = 1 << 4;
    /** s: set commands. */
    public static final int SET = 1 << 5;
    /** h: hash commands. */
    public static final int HASH = 1 << 6;
    /** z: sorted set commands. */
    public static final int ZSET = 1 << 7;
    /** x: a key deleted because its time to live passed. */
    public static final int EXPIRED = 1 << 8;
    /** e: a key evicted for maxmemory. */
    public static final int EVICTED = 1 << 9;
    /** t: stream commands. */
    public static final int STREAM = 1 << 10;
    /** m: a read of a missing key (not part of A, as in Redis). */
    public static final int KEY_MISS = 1 << 11;
    /** d: module key types (no modules here; accepted and shown, as Redis does). */
    public static final int MODULE = 1 << 13;
    /** n: a key created (not part of A, as in Redis). */
    public static final int NEW = 1 << 14;
    /** A: every class but m and n. */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /** CONFIG SET's error for a character that names no class (Redis's text). */
    public static final String INVALID = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    private KeyspaceEvents() {
    }

    /** The classes {@code text} names, or -1 when a character names none (Redis accepts repeats and any order). */
    public static int parse(String text) {
        int flags = 0;
        for (int i = 0; i < text.length(); i++) {
            flags |= switch (text.charAt(i)) {
                case 'A' -> ALL;
                case 'g' -> GENERIC;
                case '$' -> STRING;
                case 'l' -> LIST;
                case 's' -> SET;
                case 'h' -> HASH;
                case 'z' -> ZSET;
                case 'x' -> EXPIRED;
                case 'e' -> EVICTED;
                case 'K' -> KEYSPACE;
                case 'E' -> KEYEVENT;
                case 't' -> STREAM;
                case 'm' -> KEY_MISS;
                case 'd' -> MODULE;
                case 'n' -> NEW;
                default -> -1;
            };
            if (flags == -1) {
                return -1;
            }
        }
        return flags;
    }

    /** CONFIG GET's text of {@code flags}: Redis's order, {@code A} for all of A's classes. */
    public static String format(int flags) {
        StringBuilder s = new StringBuilder();
        if ((flags & ALL) == ALL) {
            s.append('A');
        } else {
            append(s, flags, GENERIC, 'g');
            append(s, flags, STRING, '$');
            append(s, flags, LIST, 'l');
            append(s, flags, SET, 's');
            append(s, flags, HASH, 'h');
            append(s, flags, ZSET, 'z');
            append(s, flags, EXPIRED, 'x');
            append(s, flags, EVICTED, 'e');
            append(s, flags, STREAM, 't');
            append(s, flags, MODULE, 'd');
            append(s, flags, NEW, 'n');
        }
        append(s, flags, KEYSPACE, 'K');
        append(s, flags, KEYEVENT, 'E');
        append(s, flags, KEY_MISS, 'm');
        return s.toString();
    }

    /**
     * The classes that publish anything with {@code flags}: none unless K or E is on (Redis would
     * check the class, then find no channel kind to publish on), so that one compare decides.
     */
    public static int published(int flags) {
        return (flags & (KEYSPACE | KEYEVENT)) == 0 ? 0 : flags;
    }

    private static void append(StringBuilder s, int flags, int type, char c) {
        if ((flags & type) != 0) {
            s.append(c);
        }
    }

    /**
     * Where a shard's write path hands the events whose class is on: called on the key's shard, in
     * the order the events happen there, inside the change (it must not change the keyspace).
     * {@code kinds} says which messages to send: {@link #KEYSPACE}, {@link #KEYEVENT} or both;
     * {@code db} is the database of the key (the channels' {@code @<db>}).
     */
    @FunctionalInterface
    public interface Publisher {
        void publish(int kinds, String event, byte[] key, int db);
    }
}
