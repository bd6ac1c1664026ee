package io.percore.operator.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who serves which of Redis Cluster's 16,384 hash slots (issue 31's control plane): a pure function
 * of the members (pods, each with its shard count) and of who owns what now, as the sizing planner
 * is. Each member's share is proportional to its shards (NUMA-fit pods may differ in size), shares
 * rounded by largest remainder so they add up to every slot; the fewest slots move: a member keeps
 * what it owns up to its share, and only the excess and the slots of members that leave (which the
 * operator drains before removing their pods) or that nobody owns are handed out.
 */
public final class SlotPlanner {

    public static final int SLOTS = 16384;

    private SlotPlanner() {
    }

    /** A pod that serves slots: its node id and how many shards it has. */
    public record Member(String id, int shards) {
        public Member {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("a member needs an id");
            }
            if (shards < 1) {
                throw new IllegalArgumentException("member " + id + " needs at least one shard, has " + shards);
            }
        }
    }

    /** Slots that change hands: from a member (present, or leaving) to another. */
    public record Move(String from, String to, BitSet slots) {
    }

    /**
     * The target: each member's slots, and the moves from the current owners that reach it. Slots
     * nobody owned are simply assigned (nothing to move).
     */
    public record Plan(Map<String, BitSet> owners, List<Move> moves) {
        /** Slots that move in all. */
        public int movedSlots() {
            return moves.stream().mapToInt(m -> m.slots().cardinality()).sum();
        }
    }

    /**
     * Plans the slots for {@code members} from {@code current} (member id → its slots now; ids not
     * among the members are leaving). Deterministic for the same inputs.
     *
     * @throws IllegalArgumentException for no members, duplicate ids, or a slot owned twice in {@code current}
     */
    public static Plan plan(List<Member> members, Map<String, BitSet> current) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one member");
        }
        Map<String, Integer> share = shares(members);
        BitSet seen = new BitSet(SLOTS);
        for (Map.Entry<String, BitSet> e : current.entrySet()) {
            if (e.getValue().intersects(seen)) {
                throw new IllegalArgumentException("a slot is owned twice in the current layout (by " + e.getKey() + " and another)");
            }
            if (e.getValue().length() > SLOTS) {
                throw new IllegalArgumentException(e.getKey() + " owns a slot past " + (SLOTS - 1));
            }
            seen.or(e.getValue());
        }
        Map<String, BitSet> owners = new LinkedHashMap<>();
        BitSet free = new BitSet(SLOTS);
        free.set(0, SLOTS);
        free.andNot(seen); // nobody owns these: assigned without a move
        // who gave each handed-out slot up, indexed by slot (up to 16,384 per plan, run on every reconcile)
        String[] previous = new String[SLOTS];
        for (Member m : members) {
            BitSet mine = current.getOrDefault(m.id(), new BitSet());
            BitSet kept = new BitSet(SLOTS);
            int keep = share.get(m.id());
            // keep the lowest slots up to the share: what a member keeps stays in few ranges (counted here, as
            // BitSet.cardinality() per slot made the plan quadratic in the slots)
            int keptCount = 0;
            for (int s = mine.nextSetBit(0); s >= 0 && keptCount < keep; s = mine.nextSetBit(s + 1), keptCount++) {
                kept.set(s);
            }
            owners.put(m.id(), kept);
        }
        BitSet handedOut = new BitSet(SLOTS);
        for (Map.Entry<String, BitSet> e : current.entrySet()) {
            BitSet excess = (BitSet) e.getValue().clone();
            BitSet kept = owners.get(e.getKey());
            if (kept != null) {
                excess.andNot(kept);
            }
            for (int s = excess.nextSetBit(0); s >= 0; s = excess.nextSetBit(s + 1)) {
                previous[s] = e.getKey();
            }
            handedOut.or(excess);
        }
        BitSet pool = (BitSet) handedOut.clone();
        pool.or(free);
        // members short of their share take from the pool in slot order, largest deficit first
        List<Member> order = new ArrayList<>(members);
        order.sort(Comparator.comparingInt((Member m) -> owners.get(m.id()).cardinality() - share.get(m.id())).thenComparing(Member::id));
        int next = pool.nextSetBit(0);
        for (Member m : order) {
            BitSet mine = owners.get(m.id());
            int missing = share.get(m.id()) - mine.cardinality();
            for (int i = 0; i < missing; i++) {
                mine.set(next);
                next = pool.nextSetBit(next + 1);
            }
        }
        Map<String, Move> moves = new LinkedHashMap<>();
        for (Member m : members) {
            BitSet mine = owners.get(m.id());
            for (int s = mine.nextSetBit(0); s >= 0; s = mine.nextSetBit(s + 1)) {
                String from = previous[s];
                if (from != null && !from.equals(m.id())) {
                    moves.computeIfAbsent(from + "\u0000" + m.id(), k -> new Move(from, m.id(), new BitSet())).slots().set(s);
                }
            }
        }
        return new Plan(owners, List.copyOf(moves.values()));
    }

    /** Each member's number of slots: proportional to its shards, largest remainders rounded up, ties by id. */
    static Map<String, Integer> shares(List<Member> members) {
        long total = 0;
        Map<String, Integer> share = new LinkedHashMap<>();
        for (Member m : members) {
            total += m.shards();
            if (share.put(m.id(), 0) != null) {
                throw new IllegalArgumentException("member " + m.id() + " is listed twice");
            }
        }
        int given = 0;
        List<long[]> remainders = new ArrayList<>(); // [remainder * members.size() scale, index]
        for (int i = 0; i < members.size(); i++) {
            long exact = (long) SLOTS * members.get(i).shards();
            int floor = (int) (exact / total);
            share.put(members.get(i).id(), floor);
            given += floor;
            remainders.add(new long[] {exact % total, i});
        }
        remainders.sort((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0])
                : members.get((int) a[1]).id().compareTo(members.get((int) b[1]).id()));
        for (int i = 0; i < SLOTS - given; i++) {
            String id = members.get((int) remainders.get(i)[1]).id();
            share.put(id, share.get(id) + 1);
        }
        return share;
    }

    /** Redis's range text of {@code slots}: {@code 0-5460,10923} (empty for none). */
    public static String rangesText(BitSet slots) {
        StringBuilder sb = new StringBuilder();
        for (int s = slots.nextSetBit(0); s >= 0; ) {
            int end = slots.nextClearBit(s) - 1;
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(s);
            if (end > s) {
                sb.append('-').append(end);
            }
            s = slots.nextSetBit(end + 1);
        }
        return sb.toString();
    }
}
