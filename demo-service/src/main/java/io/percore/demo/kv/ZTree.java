package io.percore.demo.kv;

import java.util.Arrays;

/**
 * A large sorted set (Redis's {@code skiplist} encoding, {@code zskiplist} + {@code dict}): a B+ tree
 * whose branches count the entries under each child (an order-statistic tree), plus a member →
 * score map ({@link MemberScores}) for O(1) scores. Inserts, removals, score updates, ranks and
 * the entry at a rank are O(log n) as in Redis's skip list; a range of k entries is O(log n + k).
 *
 * <p>Why not Redis's skip list: in Java each skip-list node is three objects (the node, its forward
 * links and its spans), so every step of a search is two or three cache misses, and a ZADD that
 * moves a member through a 100,000-member set spent about 3 µs in them, twice Redis. Here a search
 * reads a few contiguous arrays per level and the upper levels (one per ~50 leaves) stay in cache.
 *
 * <p>Order: by score, then member bytes unsigned ({@link SortedEntries#compare}); scores compare with
 * {@code <} and {@code ==}, so -0 and 0 tie and the member decides, as in Redis. Separators are
 * exact: the separator of child i &gt; 0 of a branch is the first entry of that child's subtree, kept so
 * through every insert, removal, split, merge and redistribution (a stale separator would hold on to
 * a removed member's bytes, which the memory budget no longer counts).
 */
final class ZTree implements SortedEntries {

    static final int LEAF_CAPACITY = 64;
    static final int BRANCH_CAPACITY = 64;

    /**
     * The {@link ZSetValue} and this object, and its two path arrays for 4 levels (16 million entries
     * at the default capacities; a deeper tree's 8 bytes a level are not counted).
     */
    private static final long BASE = 16 + 56 + 2 * (16 + 16);

    private static final class Leaf {
        final double[] scores;
        final byte[][] members;
        int size;
        Leaf prev;
        Leaf next;

        Leaf(int capacity) {
            scores = new double[capacity];
            members = new byte[capacity][];
        }
    }

    private static final class Branch {
        final Object[] children;
        /** Entries under each child. */
        final int[] counts;
        /** [i], i ≥ 1: the first entry of child i's subtree. [0] is unused (the parent holds it). */
        final double[] lowScores;
        final byte[][] lowMembers;
        int size;

        Branch(int capacity) {
            children = new Object[capacity];
            counts = new int[capacity];
            lowScores = new double[capacity];
            lowMembers = new byte[capacity][];
        }

        int total() {
            int t = 0;
            for (int i = 0; i < size; i++) {
                t += counts[i];
            }
            return t;
        }
    }

    private final int leafCapacity;
    private final int branchCapacity;
    private final int leafMin;
    private final int branchMin;
    private final long leafBytes;
    private final long branchBytes;

    private final MemberScores index = new MemberScores();
    private Object root;
    /** Branch levels above the leaves: 0 when the root is a leaf. */
    private int height;
    private int length;
    private int leaves = 1;
    private int branches;
    private long memberBytes;

    /** The branches from the root down to the current leaf, and the child taken in each. */
    private Branch[] pathNodes = new Branch[4];
    private int[] pathIndex = new int[4];

    ZTree() {
        this(LEAF_CAPACITY, BRANCH_CAPACITY);
    }

    /** Small capacities make tests reach splits, merges and deep trees with few entries. */
    ZTree(int leafCapacity, int branchCapacity) {
        if (leafCapacity < 4 || branchCapacity < 4) {
            throw new IllegalArgumentException("capacities below 4");
        }
        this.leafCapacity = leafCapacity;
        this.branchCapacity = branchCapacity;
        this.leafMin = leafCapacity / 4;
        this.branchMin = Math.max(2, branchCapacity / 4);
        this.leafBytes = 32 + align(16 + 8L * leafCapacity) + align(16 + 4L * leafCapacity);
        this.branchBytes = 32 + 2 * align(16 + 4L * branchCapacity) + align(16 + 8L * branchCapacity) + align(16 + 4L * branchCapacity);
        this.root = new Leaf(leafCapacity);
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    private static long arrayBytes(byte[] member) {
        return (16L + member.length + 7) & ~7L;
    }

    @Override
    public int size() {
        return length;
    }

    @Override
    public long bytes() {
        return BASE + index.bytes() + leaves * leafBytes + branches * branchBytes + memberBytes;
    }

    @Override
    public double score(byte[] member) {
        return index.get(member);
    }

    /** True when (s1, m1) sorts before (s2, m2). */
    private static boolean before(double s1, byte[] m1, double s2, byte[] m2) {
        return s1 < s2 || (s1 == s2 && SortedEntries.compare(m1, m2) < 0);
    }

    /** The child whose subtree holds (score, member) or would: the last one whose first entry is not after it. */
    private static int childFor(Branch b, double score, byte[] member) {
        int lo = 1;
        int hi = b.size;
        while (lo < hi) { // first separator after the key
            int mid = (lo + hi) >>> 1;
            if (before(score, member, b.lowScores[mid], b.lowMembers[mid])) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo - 1;
    }

    /** The first position in the leaf whose entry does not sort before (score, member). */
    private static int positionIn(Leaf leaf, double score, byte[] member) {
        int lo = 0;
        int hi = leaf.size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (before(leaf.scores[mid], leaf.members[mid], score, member)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void ensurePath() {
        if (pathNodes.length < height) {
            pathNodes = Arrays.copyOf(pathNodes, height + 4);
            pathIndex = Arrays.copyOf(pathIndex, height + 4);
        }
    }

    /** Walks to the leaf of (score, member), filling the path and adding {@code delta} to the counts on it. */
    private Leaf descend(double score, byte[] member, int delta) {
        Object node = root;
        for (int d = 0; d < height; d++) {
            Branch b = (Branch) node;
            int c = childFor(b, score, member);
            pathNodes[d] = b;
            pathIndex[d] = c;
            b.counts[c] += delta;
            node = b.children[c];
        }
        return (Leaf) node;
    }

    /** Walks to the leaf holding 0-based {@code rank}, filling the path; returns the leaf and leaves the rank within it in {@link #rankInLeaf}. */
    private Leaf descendToRank(int rank) {
        Object node = root;
        for (int d = 0; d < height; d++) {
            Branch b = (Branch) node;
            int c = 0;
            while (rank >= b.counts[c]) {
                rank -= b.counts[c];
                c++;
            }
            pathNodes[d] = b;
            pathIndex[d] = c;
            node = b.children[c];
        }
        rankInLeaf = rank;
        return (Leaf) node;
    }

    private int rankInLeaf;

    // ------------------------------------------------------------------ insert

    @Override
    public void insert(byte[] member, double score) {
        index.put(member, score);
        add(score, member);
        memberBytes += arrayBytes(member);
    }

    private void add(double score, byte[] member) {
        Leaf leaf = descend(score, member, 1);
        int at = positionIn(leaf, score, member);
        length++;
        if (leaf.size < leafCapacity) {
            insertAt(leaf, at, score, member);
            return;
        }
        // full: split in halves, or when appending at the end of the set (an ascending load) leave the
        // new leaf only its minimum, so such a load fills its leaves
        int split = (at == leafCapacity && leaf.next == null) ? leafCapacity - leafMin + 1 : leafCapacity / 2;
        Leaf right = new Leaf(leafCapacity);
        leaves++;
        int moved = leaf.size - split;
        System.arraycopy(leaf.scores, split, right.scores, 0, moved);
        System.arraycopy(leaf.members, split, right.members, 0, moved);
        Arrays.fill(leaf.members, split, leaf.size, null);
        right.size = moved;
        leaf.size = split;
        right.next = leaf.next;
        if (right.next != null) {
            right.next.prev = right;
        }
        right.prev = leaf;
        leaf.next = right;
        if (at <= split && split < leafCapacity) {
            insertAt(leaf, at, score, member);
        } else {
            insertAt(right, at - split, score, member);
        }
        addChild(height - 1, right, right.size, right.scores[0], right.members[0], leaf.size);
    }

    private static void insertAt(Leaf leaf, int at, double score, byte[] member) {
        System.arraycopy(leaf.scores, at, leaf.scores, at + 1, leaf.size - at);
        System.arraycopy(leaf.members, at, leaf.members, at + 1, leaf.size - at);
        leaf.scores[at] = score;
        leaf.members[at] = member;
        leaf.size++;
    }

    /**
     * Puts {@code node} (first entry lowScore/lowMember, {@code count} entries) right after the child
     * the path took at depth {@code d}, whose count becomes {@code leftCount}; splits full branches up
     * to a new root.
     */
    private void addChild(int d, Object node, int count, double lowScore, byte[] lowMember, int leftCount) {
        if (d < 0) {
            Branch top = new Branch(branchCapacity);
            branches++;
            top.children[0] = root;
            top.counts[0] = leftCount;
            top.children[1] = node;
            top.counts[1] = count;
            top.lowScores[1] = lowScore;
            top.lowMembers[1] = lowMember;
            top.size = 2;
            root = top;
            height++;
            ensurePath();
            return;
        }
        Branch b = pathNodes[d];
        int c = pathIndex[d];
        b.counts[c] = leftCount;
        int at = c + 1;
        if (b.size < branchCapacity) {
            insertChild(b, at, node, count, lowScore, lowMember);
            return;
        }
        int split = branchCapacity / 2;
        Branch right = new Branch(branchCapacity);
        branches++;
        int moved = b.size - split;
        System.arraycopy(b.children, split, right.children, 0, moved);
        System.arraycopy(b.counts, split, right.counts, 0, moved);
        System.arraycopy(b.lowScores, split, right.lowScores, 0, moved);
        System.arraycopy(b.lowMembers, split, right.lowMembers, 0, moved);
        Arrays.fill(b.children, split, b.size, null);
        Arrays.fill(b.lowMembers, split, b.size, null);
        right.size = moved;
        b.size = split;
        double upScore = right.lowScores[0];
        byte[] upMember = right.lowMembers[0];
        right.lowMembers[0] = null;
        if (at <= split) {
            insertChild(b, at, node, count, lowScore, lowMember); // at == split: b's last, before right's first
        } else {
            insertChild(right, at - split, node, count, lowScore, lowMember);
        }
        addChild(d - 1, right, right.total(), upScore, upMember, b.total());
    }

    private static void insertChild(Branch b, int at, Object node, int count, double lowScore, byte[] lowMember) {
        int n = b.size - at;
        System.arraycopy(b.children, at, b.children, at + 1, n);
        System.arraycopy(b.counts, at, b.counts, at + 1, n);
        System.arraycopy(b.lowScores, at, b.lowScores, at + 1, n);
        System.arraycopy(b.lowMembers, at, b.lowMembers, at + 1, n);
        b.children[at] = node;
        b.counts[at] = count;
        b.lowScores[at] = lowScore;
        b.lowMembers[at] = lowMember;
        b.size++;
    }

    // ------------------------------------------------------------------ remove, update

    @Override
    public boolean remove(byte[] member) {
        double score = index.remove(member);
        if (Double.isNaN(score)) {
            return false;
        }
        byte[] stored = delete(score, member);
        memberBytes -= arrayBytes(stored);
        return true;
    }

    /** Removes the entry (score, member), which is there; returns the stored member array. */
    private byte[] delete(double score, byte[] member) {
        Leaf leaf = descend(score, member, -1);
        int at = positionIn(leaf, score, member);
        if (at >= leaf.size || !Arrays.equals(leaf.members[at], member)) {
            throw new IllegalStateException("a member of the map is not in the tree");
        }
        byte[] stored = leaf.members[at];
        removeFrom(leaf, at, 1);
        length--;
        afterRemoval(leaf, at);
        return stored;
    }

    private static void removeFrom(Leaf leaf, int from, int count) {
        int tail = leaf.size - from - count;
        System.arraycopy(leaf.scores, from + count, leaf.scores, from, tail);
        System.arraycopy(leaf.members, from + count, leaf.members, from, tail);
        Arrays.fill(leaf.members, leaf.size - count, leaf.size, null);
        leaf.size -= count;
    }

    @Override
    public void update(byte[] member, double oldScore, double newScore) {
        index.put(member, newScore);
        byte[] stored = delete(oldScore, member);
        add(newScore, stored);
    }

    /** After entries left {@code leaf} from position {@code at}: keep its separator exact and its size above the minimum. */
    private void afterRemoval(Leaf leaf, int at) {
        if (at == 0 && leaf.size > 0) {
            refreshLow(height, leaf.scores[0], leaf.members[0]);
        }
        if (height == 0 || leaf.size >= leafMin) {
            return;
        }
        Branch parent = pathNodes[height - 1];
        int c = pathIndex[height - 1];
        if (c > 0) {
            Leaf left = (Leaf) parent.children[c - 1];
            if (left.size + leaf.size <= leafCapacity) {
                appendLeaf(left, leaf);
                parent.counts[c - 1] += leaf.size;
                removeChild(height - 1, c);
            } else { // move the left's tail over, half the difference
                int k = (left.size - leaf.size) / 2;
                System.arraycopy(leaf.scores, 0, leaf.scores, k, leaf.size);
                System.arraycopy(leaf.members, 0, leaf.members, k, leaf.size);
                System.arraycopy(left.scores, left.size - k, leaf.scores, 0, k);
                System.arraycopy(left.members, left.size - k, leaf.members, 0, k);
                Arrays.fill(left.members, left.size - k, left.size, null);
                left.size -= k;
                leaf.size += k;
                parent.counts[c - 1] -= k;
                parent.counts[c] += k;
                parent.lowScores[c] = leaf.scores[0];
                parent.lowMembers[c] = leaf.members[0];
            }
        } else {
            Leaf right = (Leaf) parent.children[1];
            boolean merge = leaf.size + right.size <= leafCapacity;
            boolean wasEmpty = leaf.size == 0;
            if (merge) {
                parent.counts[0] += right.size;
                appendLeaf(leaf, right);
            } else { // move the right's head over
                int k = (right.size - leaf.size) / 2;
                System.arraycopy(right.scores, 0, leaf.scores, leaf.size, k);
                System.arraycopy(right.members, 0, leaf.members, leaf.size, k);
                leaf.size += k;
                removeFrom(right, 0, k);
                parent.counts[0] += k;
                parent.counts[1] -= k;
                parent.lowScores[1] = right.scores[0];
                parent.lowMembers[1] = right.members[0];
            }
            if (wasEmpty) { // the entries taken from the right are its subtree's first now (before the path changes)
                refreshLow(height - 1, leaf.scores[0], leaf.members[0]);
            }
            if (merge) {
                removeChild(height - 1, 1);
            }
        }
    }

    /** Moves all of {@code right}'s entries to the end of {@code left} and unlinks {@code right}. */
    private void appendLeaf(Leaf left, Leaf right) {
        System.arraycopy(right.scores, 0, left.scores, left.size, right.size);
        System.arraycopy(right.members, 0, left.members, left.size, right.size);
        left.size += right.size;
        left.next = right.next;
        if (right.next != null) {
            right.next.prev = left;
        }
        leaves--;
    }

    /**
     * The first entry of the subtree the path reaches at depth {@code d} is now (score, member): sets
     * the one separator that names it, in the deepest branch above where the path did not take child 0.
     */
    private void refreshLow(int d, double score, byte[] member) {
        for (int i = d - 1; i >= 0; i--) {
            int c = pathIndex[i];
            if (c > 0) {
                pathNodes[i].lowScores[c] = score;
                pathNodes[i].lowMembers[c] = member;
                return;
            }
        }
    }

    /** Removes child {@code c} (merged into its left neighbour) of the branch at depth {@code d}, then rebalances that branch. */
    private void removeChild(int d, int c) {
        Branch b = pathNodes[d];
        int n = b.size - c - 1;
        System.arraycopy(b.children, c + 1, b.children, c, n);
        System.arraycopy(b.counts, c + 1, b.counts, c, n);
        System.arraycopy(b.lowScores, c + 1, b.lowScores, c, n);
        System.arraycopy(b.lowMembers, c + 1, b.lowMembers, c, n);
        b.size--;
        b.children[b.size] = null;
        b.lowMembers[b.size] = null;
        if (d == 0) {
            if (b.size == 1) { // the root has one child left: that child is the root
                root = b.children[0];
                height--;
                branches--;
            }
            return;
        }
        if (b.size >= branchMin) {
            return;
        }
        Branch parent = pathNodes[d - 1];
        int i = pathIndex[d - 1];
        if (i > 0) {
            Branch left = (Branch) parent.children[i - 1];
            if (left.size + b.size <= branchCapacity) {
                appendBranch(left, b, parent.lowScores[i], parent.lowMembers[i]);
                parent.counts[i - 1] += parent.counts[i];
                removeChild(d - 1, i);
            } else {
                shiftRight(left, b, parent, i, (left.size - b.size) / 2);
            }
        } else {
            Branch right = (Branch) parent.children[1];
            if (b.size + right.size <= branchCapacity) {
                appendBranch(b, right, parent.lowScores[1], parent.lowMembers[1]);
                parent.counts[0] += parent.counts[1];
                removeChild(d - 1, 1);
            } else {
                shiftLeft(b, right, parent, 1, (right.size - b.size) / 2);
            }
        }
    }

    /** Moves all of {@code right}'s children to the end of {@code left}; {@code right}'s first entry is (lowScore, lowMember). */
    private void appendBranch(Branch left, Branch right, double lowScore, byte[] lowMember) {
        int at = left.size;
        System.arraycopy(right.children, 0, left.children, at, right.size);
        System.arraycopy(right.counts, 0, left.counts, at, right.size);
        System.arraycopy(right.lowScores, 0, left.lowScores, at, right.size);
        System.arraycopy(right.lowMembers, 0, left.lowMembers, at, right.size);
        left.lowScores[at] = lowScore;
        left.lowMembers[at] = lowMember;
        left.size += right.size;
        branches--;
    }

    /** Moves {@code k} children from the end of {@code left} to the front of {@code right} (child {@code i} of {@code parent}). */
    private static void shiftRight(Branch left, Branch right, Branch parent, int i, int k) {
        System.arraycopy(right.children, 0, right.children, k, right.size);
        System.arraycopy(right.counts, 0, right.counts, k, right.size);
        System.arraycopy(right.lowScores, 0, right.lowScores, k, right.size);
        System.arraycopy(right.lowMembers, 0, right.lowMembers, k, right.size);
        right.lowScores[k] = parent.lowScores[i]; // right's old first child keeps its first entry
        right.lowMembers[k] = parent.lowMembers[i];
        int from = left.size - k;
        System.arraycopy(left.children, from, right.children, 0, k);
        System.arraycopy(left.counts, from, right.counts, 0, k);
        System.arraycopy(left.lowScores, from, right.lowScores, 0, k);
        System.arraycopy(left.lowMembers, from, right.lowMembers, 0, k);
        parent.lowScores[i] = right.lowScores[0];
        parent.lowMembers[i] = right.lowMembers[0];
        right.lowMembers[0] = null;
        int movedCount = 0;
        for (int j = 0; j < k; j++) {
            movedCount += right.counts[j];
        }
        Arrays.fill(left.children, from, left.size, null);
        Arrays.fill(left.lowMembers, from, left.size, null);
        left.size -= k;
        right.size += k;
        parent.counts[i - 1] -= movedCount;
        parent.counts[i] += movedCount;
    }

    /** Moves {@code k} children from the front of {@code right} (child {@code i} of {@code parent}) to the end of {@code left}. */
    private static void shiftLeft(Branch left, Branch right, Branch parent, int i, int k) {
        int at = left.size;
        System.arraycopy(right.children, 0, left.children, at, k);
        System.arraycopy(right.counts, 0, left.counts, at, k);
        System.arraycopy(right.lowScores, 0, left.lowScores, at, k);
        System.arraycopy(right.lowMembers, 0, left.lowMembers, at, k);
        left.lowScores[at] = parent.lowScores[i];
        left.lowMembers[at] = parent.lowMembers[i];
        int movedCount = 0;
        for (int j = 0; j < k; j++) {
            movedCount += right.counts[j];
        }
        parent.lowScores[i] = right.lowScores[k];
        parent.lowMembers[i] = right.lowMembers[k];
        int n = right.size - k;
        System.arraycopy(right.children, k, right.children, 0, n);
        System.arraycopy(right.counts, k, right.counts, 0, n);
        System.arraycopy(right.lowScores, k, right.lowScores, 0, n);
        System.arraycopy(right.lowMembers, k, right.lowMembers, 0, n);
        Arrays.fill(right.children, n, right.size, null);
        Arrays.fill(right.lowMembers, n, right.size, null);
        right.lowMembers[0] = null;
        right.size = n;
        left.size += k;
        parent.counts[i - 1] += movedCount;
        parent.counts[i] -= movedCount;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public int rank(byte[] member) {
        double score = index.get(member);
        if (Double.isNaN(score)) {
            return -1;
        }
        Object node = root;
        int rank = 0;
        for (int d = 0; d < height; d++) {
            Branch b = (Branch) node;
            int c = childFor(b, score, member);
            for (int j = 0; j < c; j++) {
                rank += b.counts[j];
            }
            node = b.children[c];
        }
        return rank + positionIn((Leaf) node, score, member);
    }

    @Override
    public int countWhile(Prefix test) {
        Object node = root;
        int count = 0;
        for (int d = 0; d < height; d++) {
            Branch b = (Branch) node;
            int lo = 1;
            int hi = b.size;
            while (lo < hi) { // the first child whose first entry fails the test
                int mid = (lo + hi) >>> 1;
                if (test.holds(b.lowMembers[mid], b.lowScores[mid])) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            int c = lo - 1;
            for (int j = 0; j < c; j++) {
                count += b.counts[j];
            }
            node = b.children[c];
        }
        Leaf leaf = (Leaf) node;
        int n = 0;
        while (n < leaf.size && test.holds(leaf.members[n], leaf.scores[n])) {
            n++;
        }
        return count + n;
    }

    @Override
    public void visit(int from, int to, boolean reverse, ZSetValue.Visitor visitor) {
        if (from > to) {
            return;
        }
        Leaf leaf = descendToRank(reverse ? to : from);
        int i = rankInLeaf;
        for (int n = to - from + 1; n > 0; n--) {
            visitor.visit(leaf.members[i], leaf.scores[i]);
            if (reverse) {
                if (--i < 0 && n > 1) {
                    leaf = leaf.prev;
                    i = leaf.size - 1;
                }
            } else if (++i == leaf.size && n > 1) {
                leaf = leaf.next;
                i = 0;
            }
        }
    }

    @Override
    public void removeRange(int from, int to) {
        int remaining = to - from + 1;
        while (remaining > 0) {
            Leaf leaf = descendToRank(from);
            int at = rankInLeaf;
            int m = Math.min(remaining, leaf.size - at);
            for (int j = at; j < at + m; j++) {
                index.remove(leaf.members[j]);
                memberBytes -= arrayBytes(leaf.members[j]);
            }
            for (int d = 0; d < height; d++) {
                pathNodes[d].counts[pathIndex[d]] -= m;
            }
            removeFrom(leaf, at, m);
            length -= m;
            remaining -= m;
            afterRemoval(leaf, at);
        }
    }

    /** The tree's shape for tests: every invariant holds, or an exception says which does not. */
    void check() {
        if (index.size() != length) {
            throw new IllegalStateException("map " + index.size() + " vs tree " + length);
        }
        int[] seen = new int[2];
        int total = checkNode(root, height, null, 0, true, seen);
        if (total != length) {
            throw new IllegalStateException("counted " + total + " vs length " + length);
        }
        if (seen[0] != leaves || seen[1] != branches) {
            throw new IllegalStateException("leaves/branches " + seen[0] + "/" + seen[1] + " vs " + leaves + "/" + branches);
        }
        Leaf first = (Leaf) leftmost(root, height);
        Leaf prev = null;
        double ps = 0;
        byte[] pm = null;
        int walked = 0;
        for (Leaf l = first; l != null; l = l.next) {
            if (l.prev != prev) {
                throw new IllegalStateException("prev link");
            }
            for (int i = 0; i < l.size; i++) {
                if (pm != null && !before(ps, pm, l.scores[i], l.members[i])) {
                    throw new IllegalStateException("order at " + walked);
                }
                if (index.get(l.members[i]) != l.scores[i]) {
                    throw new IllegalStateException("map score of entry " + walked);
                }
                ps = l.scores[i];
                pm = l.members[i];
                walked++;
            }
            prev = l;
        }
        if (walked != length) {
            throw new IllegalStateException("walked " + walked);
        }
    }

    private static Object leftmost(Object node, int h) {
        for (; h > 0; h--) {
            node = ((Branch) node).children[0];
        }
        return node;
    }

    private int checkNode(Object node, int h, byte[] lowMember, double lowScore, boolean isRoot, int[] seen) {
        if (h == 0) {
            Leaf leaf = (Leaf) node;
            seen[0]++;
            if (!isRoot && leaf.size < leafMin) {
                throw new IllegalStateException("leaf under minimum: " + leaf.size);
            }
            if (lowMember != null && (leaf.scores[0] != lowScore || leaf.members[0] != lowMember)) {
                throw new IllegalStateException("separator is not the leaf's first entry");
            }
            for (int i = leaf.size; i < leaf.members.length; i++) {
                if (leaf.members[i] != null) {
                    throw new IllegalStateException("stale member reference in a leaf");
                }
            }
            return leaf.size;
        }
        Branch b = (Branch) node;
        seen[1]++;
        if (isRoot ? b.size < 2 : b.size < branchMin) {
            throw new IllegalStateException("branch under minimum: " + b.size);
        }
        int total = 0;
        for (int i = 0; i < b.size; i++) {
            byte[] m = i == 0 ? lowMember : b.lowMembers[i];
            double s = i == 0 ? lowScore : b.lowScores[i];
            int n = checkNode(b.children[i], h - 1, m, s, false, seen);
            if (n != b.counts[i]) {
                throw new IllegalStateException("count " + b.counts[i] + " vs " + n);
            }
            total += n;
        }
        for (int i = b.size; i < b.children.length; i++) {
            if (b.children[i] != null || b.lowMembers[i] != null) {
                throw new IllegalStateException("stale reference in a branch");
            }
        }
        if (b.lowMembers[0] != null) {
            throw new IllegalStateException("stale reference in a branch's slot 0");
        }
        return total;
    }
}
