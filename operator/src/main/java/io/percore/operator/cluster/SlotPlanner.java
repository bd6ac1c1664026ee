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
        // Every step works on ranges of slots, not slot by slot: the planner runs on every reconcile (and thousands of
        // times in the planners' simulations), and per-slot loops over 16,384 slots were most of its time.
        Map<String, BitSet> owners = new LinkedHashMap<>();
        BitSet free = new BitSet(SLOTS);
        free.set(0, SLOTS);
        free.andNot(seen); // nobody owns these: assigned without a move
        for (Member m : members) {
            // keep the lowest slots up to the share: what a member keeps stays in few ranges
            owners.put(m.id(), lowest(current.getOrDefault(m.id(), new BitSet()), share.get(m.id())));
        }
        // what each current owner gives up (its slots past what it keeps; all of them for one that leaves)
        Map<String, BitSet> excess = new LinkedHashMap<>();
        BitSet pool = (BitSet) free.clone();
        for (Map.Entry<String, BitSet> e : current.entrySet()) {
            BitSet given = (BitSet) e.getValue().clone();
            BitSet kept = owners.get(e.getKey());
            if (kept != null) {
                given.andNot(kept);
            }
            if (!given.isEmpty()) {
                excess.put(e.getKey(), given);
                pool.or(given);
            }
        }
        // members short of their share take from the pool in slot order, largest deficit first
        List<Member> order = new ArrayList<>(members);
        order.sort(Comparator.comparingInt((Member m) -> owners.get(m.id()).cardinality() - share.get(m.id())).thenComparing(Member::id));
        for (Member m : order) {
            BitSet mine = owners.get(m.id());
            BitSet taken = lowest(pool, share.get(m.id()) - mine.cardinality());
            mine.or(taken);
            pool.andNot(taken);
        }
        // a move per (giver, taker), the takers in the members' order, a taker's moves in the order of their first slot
        List<Move> moves = new ArrayList<>();
        for (Member m : members) {
            BitSet mine = owners.get(m.id());
            List<Move> mineMoves = new ArrayList<>();
            excess.forEach((from, given) -> {
                if (!from.equals(m.id()) && given.intersects(mine)) {
                    BitSet moved = (BitSet) given.clone();
                    moved.and(mine);
                    mineMoves.add(new Move(from, m.id(), moved));
                }
            });
            mineMoves.sort(Comparator.comparingInt(mv -> mv.slots().nextSetBit(0)));
            moves.addAll(mineMoves);
        }
        return new Plan(owners, List.copyOf(moves));
    }

    /** The lowest {@code count} slots of {@code slots} (all of them when it has fewer), range by range. */
    private static BitSet lowest(BitSet slots, int count) {
        BitSet out = new BitSet(SLOTS);
        int left = count;
        for (int s = slots.nextSetBit(0); s >= 0 && left > 0; s = slots.nextSetBit(s)) {
            int end = Math.min(slots.nextClearBit(s), s + left);
            out.set(s, end);
            left -= end - s;
            s = end;
        }
        return out;
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
