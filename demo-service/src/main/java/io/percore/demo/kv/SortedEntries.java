package io.percore.demo.kv;

/**
 * One representation of a sorted set's entries, ordered by score then member bytes (unsigned, a
 * prefix first: Redis's {@code sdscmp}): the compact {@link ZListpack} or the {@link ZTree}.
 * Ranks are 0-based. {@link ZSetValue} chooses between them and keeps the memory figure.
 */
interface SortedEntries {

    /** A test on an entry that holds for a prefix of the order (a range's lower or upper side). */
    @FunctionalInterface
    interface Prefix {
        boolean holds(byte[] member, double score);
    }

    /** Member order among equal scores: bytes unsigned, a prefix first (Redis's {@code sdscmp}). */
    static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }

    int size();

    /** The member's score, or NaN when it is absent (a stored score is never NaN). */
    double score(byte[] member);

    /** Adds a member that is not there. */
    void insert(byte[] member, double score);

    /** Removes {@code member}; false when it was not there. */
    boolean remove(byte[] member);

    /** Moves a present member from {@code oldScore} to {@code newScore}. */
    void update(byte[] member, double oldScore, double newScore);

    /** The member's 0-based rank in ascending order, or -1 when it is absent. */
    int rank(byte[] member);

    /** How many entries from the first one satisfy {@code test}, for a test that holds on a prefix. */
    int countWhile(Prefix test);

    /** Visits ranks {@code from..to} (inclusive, within the set) ascending, or descending from {@code to} when {@code reverse}. */
    void visit(int from, int to, boolean reverse, ZSetValue.Visitor visitor);

    /** Removes ranks {@code from..to} (inclusive, within the set). */
    void removeRange(int from, int to);

    /** Estimated heap bytes of this representation, members included. */
    long bytes();
}
