package io.percore.demo.kv;

import java.util.Arrays;
import java.util.HashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A large sorted set (Redis's {@code OBJ_ENCODING_SKIPLIST}, {@code zskiplist} + {@code dict}): a
 * skip list whose links carry spans (how many entries each link jumps), so finding an entry by
 * rank and the rank of an entry are O(log n) like lookups by score, plus a member → node map for
 * O(1) scores. The algorithms are those of Redis's {@code zsl*} functions, so the expected costs
 * are the same: O(log n) insert, remove, rank and rank lookup, O(log n + k) for k entries of a range.
 */
final class ZSkipList implements SortedEntries {

    /** Redis's ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P: 32 levels, a quarter of the nodes climb each. */
    static final int MAX_LEVEL = 32;
    private static final int P_THRESHOLD = (int) (0.25 * 0x10000);

    /**
     * The {@link ZSetValue} and this object, the list head (no member, all levels), the two scratch
     * arrays of the update path and the empty map: about 800 bytes, as measured (JDK 17, compressed oops).
     */
    static final long BASE = 16 + 40 + 40 + 2 * (16 + 4L * MAX_LEVEL) + 2 * (16 + 4L * MAX_LEVEL) + 48 + 80;
    /** A node object: header, member, score, backward, forward and span array references. */
    private static final long NODE = 40;
    /** An entry of the member map: the map's node, its key wrapper and a table slot at the load factor. */
    private static final long INDEX_ENTRY = 32 + 16 + 8;

    static final class Node {
        final byte[] member;
        double score;
        Node backward;
        final Node[] forward;
        final int[] span;

        Node(int level, byte[] member, double score) {
            this.member = member;
            this.score = score;
            this.forward = new Node[level];
            this.span = new int[level];
        }
    }

    private final Node header = new Node(MAX_LEVEL, null, 0);
    private final HashMap<ByteString, Node> index = new HashMap<>();
    private Node tail;
    private int level = 1;
    private int length;
    private long bytes = BASE;

    // scratch for the update path of inserts and deletes (one shard thread per list)
    private final Node[] update = new Node[MAX_LEVEL];
    private final int[] rankAt = new int[MAX_LEVEL];

    @Override
    public int size() {
        return length;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public double score(byte[] member) {
        Node n = index.get(new ByteString(member));
        return n == null ? Double.NaN : n.score;
    }

    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** True when (score, member) sorts after the node: the search may step over the node. */
    private static boolean before(Node n, double score, byte[] member) {
        return n.score < score || (n.score == score && compare(n.member, member) < 0);
    }

    private static int randomLevel() {
        int lvl = 1;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (lvl < MAX_LEVEL && (r.nextInt() & 0xFFFF) < P_THRESHOLD) {
            lvl++;
        }
        return lvl;
    }

    private static long nodeBytes(int level, byte[] member) {
        long arrays = 2 * ((16L + 4L * level + 7) & ~7L);
        return NODE + arrays + INDEX_ENTRY + ((16L + member.length + 7) & ~7L);
    }

    @Override
    public void insert(byte[] member, double score) {
        Node n = new Node(randomLevel(), member, score);
        link(n);
        index.put(new ByteString(member), n);
        bytes += nodeBytes(n.forward.length, member);
    }

    /** Redis's zslInsert: links {@code n} (unlinked, its score set) after the last node that sorts before it. */
    private void link(Node n) {
        double score = n.score;
        byte[] member = n.member;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            rankAt[i] = i == level - 1 ? 0 : rankAt[i + 1];
            while (x.forward[i] != null && before(x.forward[i], score, member)) {
                rankAt[i] += x.span[i];
                x = x.forward[i];
            }
            update[i] = x;
        }
        int lvl = n.forward.length;
        if (lvl > level) {
            for (int i = level; i < lvl; i++) {
                rankAt[i] = 0;
                update[i] = header;
                header.span[i] = length;
            }
            level = lvl;
        }
        for (int i = 0; i < lvl; i++) {
            n.forward[i] = update[i].forward[i];
            update[i].forward[i] = n;
            n.span[i] = update[i].span[i] - (rankAt[0] - rankAt[i]);
            update[i].span[i] = rankAt[0] - rankAt[i] + 1;
        }
        for (int i = lvl; i < level; i++) {
            update[i].span[i]++;
        }
        n.backward = update[0] == header ? null : update[0];
        if (n.forward[0] != null) {
            n.forward[0].backward = n;
        } else {
            tail = n;
        }
        length++;
        Arrays.fill(update, null);
    }

    /** Redis's zslDeleteNode: unlinks {@code x}, whose predecessors on each level are in {@code update}. */
    private void unlink(Node x) {
        for (int i = 0; i < level; i++) {
            if (update[i].forward[i] == x) {
                update[i].span[i] += x.span[i] - 1;
                update[i].forward[i] = x.forward[i];
            } else {
                update[i].span[i]--;
            }
        }
        if (x.forward[0] != null) {
            x.forward[0].backward = x.backward;
        } else {
            tail = x.backward;
        }
        while (level > 1 && header.forward[level - 1] == null) {
            level--;
        }
        length--;
    }

    /** Fills {@code update} with the last node before (score, member) on each level; returns the level-0 one. */
    private Node seek(double score, byte[] member) {
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && before(x.forward[i], score, member)) {
                x = x.forward[i];
            }
            update[i] = x;
        }
        return x;
    }

    @Override
    public boolean remove(byte[] member) {
        Node n = index.remove(new ByteString(member));
        if (n == null) {
            return false;
        }
        Node x = seek(n.score, member).forward[0];
        unlink(x);
        Arrays.fill(update, null);
        bytes -= nodeBytes(x.forward.length, member);
        return true;
    }

    @Override
    public void update(byte[] member, double oldScore, double newScore) {
        Node x = seek(oldScore, member).forward[0];
        // Redis's zslUpdateScore: a node that keeps its place only changes its score
        if ((x.backward == null || x.backward.score < newScore) && (x.forward[0] == null || x.forward[0].score > newScore)) {
            x.score = newScore;
            Arrays.fill(update, null);
            return;
        }
        // Redis frees the node and inserts a new one; here the node moves with its level and stays
        // the map's value. A new node per update made every ZADD of a large set allocate four
        // long-lived objects, which the young collections then copied: a third of ZADD's CPU.
        unlink(x);
        x.score = newScore;
        link(x);
    }

    @Override
    public int rank(byte[] member) {
        Node n = index.get(new ByteString(member));
        if (n == null) {
            return -1;
        }
        // Redis's zslGetRank: spans summed on the way down to the node
        Node x = header;
        int rank = 0;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && (before(x.forward[i], n.score, member) || x.forward[i] == n)) {
                rank += x.span[i];
                x = x.forward[i];
            }
            if (x == n) {
                return rank - 1;
            }
        }
        throw new IllegalStateException("a member of the map is not in the list");
    }

    /** Redis's zslGetElementByRank with a 1-based rank. */
    private Node nodeAt(int rank1) {
        Node x = header;
        int traversed = 0;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && traversed + x.span[i] <= rank1) {
                traversed += x.span[i];
                x = x.forward[i];
            }
            if (traversed == rank1) {
                return x;
            }
        }
        throw new IndexOutOfBoundsException("rank " + rank1 + " of " + length);
    }

    @Override
    public int countWhile(Prefix test) {
        Node x = header;
        int count = 0;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && test.holds(x.forward[i].member, x.forward[i].score)) {
                count += x.span[i];
                x = x.forward[i];
            }
        }
        return count;
    }

    @Override
    public void visit(int from, int to, boolean reverse, ZSetValue.Visitor visitor) {
        if (from > to) {
            return;
        }
        Node x = nodeAt((reverse ? to : from) + 1);
        for (int n = to - from + 1; n > 0; n--) {
            visitor.visit(x.member, x.score);
            x = reverse ? x.backward : x.forward[0];
        }
    }

    @Override
    public void removeRange(int from, int to) {
        if (from > to) {
            return;
        }
        // Redis's zslDeleteRangeByRank: one descent to the predecessor, then unlink along level 0
        Node x = header;
        int traversed = 0;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && traversed + x.span[i] < from + 1) {
                traversed += x.span[i];
                x = x.forward[i];
            }
            update[i] = x;
        }
        x = x.forward[0];
        for (int n = to - from + 1; n > 0; n--) {
            Node next = x.forward[0];
            unlink(x);
            index.remove(new ByteString(x.member));
            bytes -= nodeBytes(x.forward.length, x.member);
            x = next;
        }
        Arrays.fill(update, null);
    }
}
