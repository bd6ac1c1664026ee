package io.percore.demo.kv;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A large sorted set's member → score map: open addressing with linear probing over three parallel
 * arrays (hash, member, score), so an entry costs 16 bytes a slot and no object, and changing a
 * score allocates nothing. {@code java.util.HashMap<ByteString, ...>} costs a node and a key wrapper
 * per member (about 56 bytes) and a boxed or wrapped score that a score update replaces. Removal
 * shifts the following run back (no tombstones); the table doubles past 3/4 full and halves below
 * 1/8. The hash is FNV-1a from a random basis per map, then murmur3's finaliser: which members share
 * a slot differs from map to map, so a client cannot prepare members that pile up in one run of
 * slots (linear probing's weakness: a run of n colliding members makes each lookup O(n)).
 * Single-threaded: owned by one shard.
 */
final class MemberScores {

    private static final int MIN_CAPACITY = 8;
    /** This object and its three array headers. */
    private static final long BASE = 32 + 3 * 16;

    private final int basis = 0x811C9DC5 ^ ThreadLocalRandom.current().nextInt();
    private int[] hashes;
    private byte[][] members;
    private double[] scores;
    private int size;

    MemberScores() {
        allocate(MIN_CAPACITY);
    }

    private void allocate(int capacity) {
        hashes = new int[capacity];
        members = new byte[capacity][];
        scores = new double[capacity];
    }

    int size() {
        return size;
    }

    /** Heap estimate: the three arrays at their capacity. */
    long bytes() {
        return BASE + 16L * members.length;
    }

    private int hash(byte[] member) {
        int h = basis;
        for (byte b : member) {
            h = (h ^ (b & 0xFF)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    private int slotOf(byte[] member, int hash) {
        int mask = members.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            byte[] m = members[i];
            if (m == null || (hashes[i] == hash && Arrays.equals(m, member))) {
                return i;
            }
        }
    }

    /** The member's score, or NaN when it is absent. */
    double get(byte[] member) {
        int i = slotOf(member, hash(member));
        return members[i] == null ? Double.NaN : scores[i];
    }

    /** Sets the member's score; a new member is stored by reference ({@code member} must not change). */
    void put(byte[] member, double score) {
        int hash = hash(member);
        int i = slotOf(member, hash);
        if (members[i] != null) {
            scores[i] = score;
            return;
        }
        if ((size + 1L) * 4 > 3L * members.length) {
            resize(members.length * 2);
            i = slotOf(member, hash);
        }
        hashes[i] = hash;
        members[i] = member;
        scores[i] = score;
        size++;
    }

    /** Removes the member; its score, or NaN when it was absent. */
    double remove(byte[] member) {
        int mask = members.length - 1;
        int i = slotOf(member, hash(member));
        if (members[i] == null) {
            return Double.NaN;
        }
        double old = scores[i];
        // backward shift: pull every later entry of the run whose home slot is not in (i, j] into the hole
        for (int j = (i + 1) & mask; members[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays) {
                hashes[i] = hashes[j];
                members[i] = members[j];
                scores[i] = scores[j];
                i = j;
            }
        }
        members[i] = null;
        size--;
        if (members.length > MIN_CAPACITY && size * 8L < members.length) {
            resize(members.length / 2);
        }
        return old;
    }

    private void resize(int capacity) {
        int[] oldHashes = hashes;
        byte[][] oldMembers = members;
        double[] oldScores = scores;
        allocate(capacity);
        int mask = capacity - 1;
        for (int k = 0; k < oldMembers.length; k++) {
            if (oldMembers[k] != null) {
                int i = oldHashes[k] & mask;
                while (members[i] != null) {
                    i = (i + 1) & mask;
                }
                hashes[i] = oldHashes[k];
                members[i] = oldMembers[k];
                scores[i] = oldScores[k];
            }
        }
    }
}
