package io.percore.demo.persistence;

import io.percore.demo.rdb.ReplicationInfo;
import java.nio.charset.StandardCharsets;

/**
 * The line an append-only file carries where its commands so far hold exactly the replication stream up to an offset:
 * {@code #REPL:<replid>:<offset>:<db>}, an annotation as Redis 7's own {@code #TS:} lines ({@code aof-timestamp-enabled}),
 * which Redis's loader and {@code redis-check-aof} skip. Read back at load ({@link AofLoad}) as a snapshot's
 * {@code repl-id} and {@code repl-offset} are when nothing follows it, so a server restarted from the file says where it
 * stands: a replica continues with a partial resync, and the operator ranks it by what it holds instead of where it
 * was last seen. Redis 7.0's file keeps no offset.
 */
final class ReplicationAnnotation {

    private static final String PREFIX = "#REPL:";

    private ReplicationAnnotation() {
    }

    static byte[] line(ReplicationInfo at) {
        return (PREFIX + at.replid() + ":" + at.offset() + ":" + at.streamDb() + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The position {@code line} (an annotation, without its line end) names; null for another annotation or a malformed one. */
    static ReplicationInfo parse(String line) {
        if (!line.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = line.substring(PREFIX.length()).split(":", -1);
        if (parts.length != 3 || parts[0].length() != 40) {
            return null;
        }
        try {
            long offset = Long.parseLong(parts[1]);
            int db = Integer.parseInt(parts[2]);
            return offset < 0 || db < 0 ? null : new ReplicationInfo(parts[0], offset, db);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
