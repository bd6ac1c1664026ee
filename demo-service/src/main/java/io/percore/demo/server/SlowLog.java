package io.percore.demo.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One shard's slow log (Redis's {@code slowlog.c}): the commands its connections ran that took at
 * least {@code slowlog-log-slower-than} microseconds, newest first, at most {@code slowlog-max-len}
 * of them. SLOWLOG GET merges the shards' logs by time and keeps the newest max-len overall, so
 * each shard keeping its own newest max-len loses nothing the merged view would show.
 *
 * <p>Entry ids come from one counter for the whole process, so they are unique and increase with
 * time across shards as Redis's do; a slow command is rare, so that atomic increment is off the
 * command path.
 */
public final class SlowLog {

    /** Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING. */
    static final int MAX_ARGC = 32;
    static final int MAX_STRING = 128;

    private static final AtomicLong NEXT_ID = new AtomicLong();

    /**
     * A logged command: id, when it ran (seconds since the epoch; {@code micros} orders entries of
     * one second), how long it took (µs), its arguments as Redis keeps them, the client's address and name.
     */
    public record Entry(long id, long timestampMicros, long durationMicros, List<byte[]> argv, String clientAddress,
                        String clientName) {

        public long timestamp() {
            return timestampMicros / 1_000_000;
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    /**
     * Logs a command that took {@code micros} when {@code slowerThan} (µs, negative: off) says so,
     * then trims the log to {@code maxLen}. Arguments past {@link #MAX_ARGC} become one
     * {@code "... (N more arguments)"}, strings past {@link #MAX_STRING} bytes end in
     * {@code "... (N more bytes)"}, as Redis's {@code slowlogCreateEntry}.
     */
    public void push(byte[][] argv, long micros, long slowerThan, long maxLen, String clientAddress, String clientName) {
        if (slowerThan < 0) {
            return;
        }
        if (micros >= slowerThan) {
            entries.addFirst(new Entry(NEXT_ID.getAndIncrement(), nowMicros(), micros, kept(argv), clientAddress,
                    clientName == null ? "" : clientName));
        }
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    static List<byte[]> kept(byte[][] argv) {
        int argc = Math.min(argv.length, MAX_ARGC);
        List<byte[]> out = new ArrayList<>(argc);
        for (int j = 0; j < argc; j++) {
            if (argc != argv.length && j == argc - 1) {
                out.add(("... (" + (argv.length - argc + 1) + " more arguments)").getBytes(StandardCharsets.US_ASCII));
            } else if (argv[j].length > MAX_STRING) {
                byte[] suffix = ("... (" + (argv[j].length - MAX_STRING) + " more bytes)").getBytes(StandardCharsets.US_ASCII);
                byte[] trimmed = new byte[MAX_STRING + suffix.length];
                System.arraycopy(argv[j], 0, trimmed, 0, MAX_STRING);
                System.arraycopy(suffix, 0, trimmed, MAX_STRING, suffix.length);
                out.add(trimmed);
            } else {
                out.add(argv[j].clone());
            }
        }
        return out;
    }

    private static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    /** The newest {@code count} entries, newest first (entries are immutable: safe to hand to another shard). */
    public List<Entry> newest(long count) {
        List<Entry> out = new ArrayList<>((int) Math.min(count, entries.size()));
        Iterator<Entry> it = entries.iterator();
        while (out.size() < count && it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    public int size() {
        return entries.size();
    }

    /** Trims to {@code maxLen} at once (CONFIG SET slowlog-max-len), as Redis does at the next push. */
    public void trim(long maxLen) {
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    public void reset() {
        entries.clear();
    }
}
