package io.percore.demo.rdb;

import io.percore.demo.kv.ListValue;

/**
 * How redis-server 7.0 holds a list (its {@code quicklist.c}): the elements packed into listpack nodes, a
 * node taking one more element while {@code list-max-listpack-size} (the fill) allows it, else a new node
 * starting; an element of 1 GB or more alone in a plain node. This server keeps a list in one ring
 * ({@link ListValue}); DEBUG OBJECT's {@code ql_*} fields and the list's serialized length are those of the
 * nodes Redis makes when the elements are pushed at the tail in order, as its RDB loader and RPUSH do
 * ({@code quicklistPushTail}: a list built at the head, or changed in the middle, may have its nodes split
 * elsewhere in Redis).
 *
 * @param fill       the fill in force (Redis's {@code ql->fill}: the configured value within -5..32767)
 * @param nodes      how many nodes
 * @param bytes      the nodes' listpacks together ({@code ql_uncompressed_size})
 * @param serialized the list as {@code rdbSaveObject} writes RDB_TYPE_LIST_QUICKLIST_2 without compression
 */
public record QuicklistLayout(int fill, long nodes, long bytes, long serialized) {

    /** Redis's {@code optimization_level}: a node's byte limit for fills -1 to -5. */
    private static final long[] OPTIMIZATION_LEVEL = {4096, 8192, 16384, 32768, 65536};
    /** Redis's {@code SIZE_SAFETY_LIMIT}: past it a node takes no more elements whatever the fill says. */
    private static final long SIZE_SAFETY_LIMIT = 8192;
    /** Redis's {@code SIZE_ESTIMATE_OVERHEAD}: what an element may add beyond its bytes. */
    private static final long SIZE_ESTIMATE_OVERHEAD = 8;
    /** Redis's {@code packed_threshold}: an element this long or longer is a plain node of its own. */
    private static final long PACKED_THRESHOLD = 1L << 30;
    /** Redis's {@code FILL_MAX} (16 bits of fill, signed). */
    private static final int FILL_MAX = (1 << 15) - 1;
    /** RDB's container byte of a node: {@code QUICKLIST_NODE_CONTAINER_PLAIN}, {@code _PACKED}. */
    private static final int PLAIN = 1;
    private static final int PACKED = 2;

    /** {@code list} as Redis packs it with {@code configuredFill} ({@code list-max-listpack-size}). */
    public static QuicklistLayout of(ListValue list, long configuredFill) {
        int fill = (int) Math.max(-5, Math.min(FILL_MAX, configuredFill));
        Packer p = new Packer(fill);
        for (int i = 0; i < list.size(); i++) {
            p.push(list.get(i));
        }
        p.close();
        return new QuicklistLayout(fill, p.nodes, p.bytes, SavedLength.length(p.nodes) + p.nodesSerialized);
    }

    /** The average elements per node ({@code ql_avg_node}). */
    public double averageNode(long elements) {
        return (double) elements / nodes;
    }

    /** The nodes as they fill, one element at a time. */
    private static final class Packer {
        private final int fill;
        private long nodes;
        private long bytes;
        private long nodesSerialized;
        /** The tail node: its listpack's bytes (or the element's, when plain) and its elements; none when {@code open} is false. */
        private boolean open;
        private boolean plain;
        private long size;
        private long count;

        Packer(int fill) {
            this.fill = fill;
        }

        void push(byte[] element) {
            long sz = element.length;
            if (sz >= PACKED_THRESHOLD) {
                close();
                open = true;
                plain = true;
                size = sz;
                count = 1;
                return;
            }
            if (open && allowsInsert(sz)) {
                size += Listpack.entryBytes(element);
                count++;
                return;
            }
            close();
            open = true;
            plain = false;
            size = Listpack.EMPTY_BYTES + Listpack.entryBytes(element);
            count = 1;
        }

        /** Redis's {@code _quicklistNodeAllowInsert} for the tail node and an element of {@code sz} bytes. */
        private boolean allowsInsert(long sz) {
            if (plain) {
                return false;
            }
            long next = size + sz + SIZE_ESTIMATE_OVERHEAD;
            if (fill < 0 && next <= OPTIMIZATION_LEVEL[-fill - 1]) {
                return true;
            }
            if (next > SIZE_SAFETY_LIMIT) {
                return false;
            }
            return count < fill;
        }

        void close() {
            if (!open) {
                return;
            }
            nodes++;
            bytes += size;
            // the container, then the listpack (or the plain element) as a string: rdbSaveRawString, never an integer here
            nodesSerialized += SavedLength.length(plain ? PLAIN : PACKED) + SavedLength.length(size) + size;
            open = false;
        }
    }
}
