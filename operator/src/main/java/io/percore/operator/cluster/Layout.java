package io.percore.operator.cluster;

import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A cluster layout as {@code CLUSTER SETLAYOUT} takes it and {@code CLUSTER GETLAYOUT} gives it (the
 * docs/reference/service-cluster.md): the nodes (primaries and their replicas) and the address clients are
 * sent to, each primary's slots, and the slots moving from one primary to another. The operator's
 * own reading of the text: it imports nothing of the service.
 *
 * @param nodes     node id → address, in the order written (primaries and replicas)
 * @param owners    node id → its slots (a migrating slot is still its source's)
 * @param migrating the slots being moved, by source and target
 * @param replicaOf replica id → the id of the primary it follows (a node not in it is a primary)
 */
public record Layout(long epoch, Map<String, HostPort> nodes, Map<String, BitSet> owners, List<SlotPlanner.Move> migrating,
                     Map<String, String> replicaOf) {

    public static final Layout EMPTY = new Layout(0, Map.of(), Map.of(), List.of());

    /** A layout of primaries only. */
    public Layout(long epoch, Map<String, HostPort> nodes, Map<String, BitSet> owners, List<SlotPlanner.Move> migrating) {
        this(epoch, nodes, owners, migrating, Map.of());
    }

    public Layout {
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        replicaOf = Collections.unmodifiableMap(new LinkedHashMap<>(replicaOf));
        Map<String, BitSet> copy = new LinkedHashMap<>();
        owners.forEach((id, slots) -> {
            if (!slots.isEmpty()) {
                copy.put(id, (BitSet) slots.clone());
            }
        });
        owners = Collections.unmodifiableMap(copy);
        migrating = List.copyOf(migrating);
    }

    /** A layout text that is not one: the message says why. */
    public static final class BadLayout extends IllegalArgumentException {
        BadLayout(String why) {
            super(why);
        }
    }

    /** Parses {@code text}. */
    public static Layout parse(long epoch, String text) {
        Map<String, HostPort> nodes = new LinkedHashMap<>();
        Map<String, String> replicaOf = new LinkedHashMap<>();
        Map<String, BitSet> owners = new LinkedHashMap<>();
        List<SlotPlanner.Move> migrating = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "node" -> {
                    boolean primary = f.length == 5 && f[4].equals("primary");
                    boolean replica = f.length == 6 && f[4].equals("replica");
                    if (!primary && !replica) {
                        throw new BadLayout("not 'node <id> <ip> <port> primary' or '... replica <primary-id>': " + line);
                    }
                    if (replica) {
                        replicaOf.put(f[1], f[5]);
                    }
                    try {
                        nodes.put(f[1], new HostPort(f[2], Integer.parseInt(f[3])));
                    } catch (NumberFormatException e) {
                        throw new BadLayout("bad port: " + line);
                    }
                }
                case "slots" -> {
                    if (f.length != 3) {
                        throw new BadLayout("bad slots line: " + line);
                    }
                    owners.computeIfAbsent(f[1], k -> new BitSet()).or(parseRanges(f[2]));
                }
                case "migrating" -> {
                    if (f.length != 4) {
                        throw new BadLayout("bad migrating line: " + line);
                    }
                    migrating.add(new SlotPlanner.Move(f[1], f[2], parseRanges(f[3])));
                }
                default -> throw new BadLayout("unknown line: " + line);
            }
        }
        return new Layout(epoch, nodes, owners, migrating, replicaOf);
    }

    /** {@code 0-5460,10923} → those slots. */
    static BitSet parseRanges(String text) {
        BitSet out = new BitSet(SlotPlanner.SLOTS);
        for (String item : text.split(",")) {
            try {
                int dash = item.indexOf('-');
                int start = Integer.parseInt(dash < 0 ? item : item.substring(0, dash));
                int end = dash < 0 ? start : Integer.parseInt(item.substring(dash + 1));
                if (start < 0 || end >= SlotPlanner.SLOTS || end < start) {
                    throw new BadLayout("bad slot range " + item);
                }
                out.set(start, end + 1);
            } catch (NumberFormatException e) {
                throw new BadLayout("bad slot range " + item);
            }
        }
        return out;
    }

    /** The text {@code CLUSTER SETLAYOUT} takes (lines sorted, as the service's canonical form). */
    public String text() {
        List<String> lines = new ArrayList<>();
        nodes.forEach((id, a) -> lines.add("node " + id + " " + a.host() + " " + a.port()
                + (replicaOf.containsKey(id) ? " replica " + replicaOf.get(id) : " primary")));
        owners.forEach((id, slots) -> lines.add("slots " + id + " " + SlotPlanner.rangesText(slots)));
        for (SlotPlanner.Move m : migrating) {
            lines.add("migrating " + m.from() + " " + m.to() + " " + SlotPlanner.rangesText(m.slots()));
        }
        Collections.sort(lines);
        return String.join("\n", lines);
    }

    /** Slots with an owner. */
    public int assignedSlots() {
        BitSet all = new BitSet(SlotPlanner.SLOTS);
        owners.values().forEach(all::or);
        return all.cardinality();
    }

    /** The slots of {@code id}: empty when it owns none. */
    public BitSet slotsOf(String id) {
        BitSet s = owners.get(id);
        return s == null ? new BitSet() : (BitSet) s.clone();
    }

    /** The primaries' ids, in the order written. */
    public List<String> primaries() {
        return nodes.keySet().stream().filter(id -> !replicaOf.containsKey(id)).toList();
    }

    /** The replicas of primary {@code id}, in the order written. */
    public List<String> replicasOf(String id) {
        return replicaOf.entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).toList();
    }

    /** Whether {@code id} owns a slot or takes part in a migration. */
    public boolean holds(String id) {
        return owners.containsKey(id) || migrating.stream().anyMatch(m -> m.from().equals(id) || m.to().equals(id));
    }

    /** The same nodes, slots and migrations (the epoch aside). */
    public boolean sameAs(Layout other) {
        return nodes.equals(other.nodes) && owners.equals(other.owners) && replicaOf.equals(other.replicaOf) && Objects.equals(moveSet(migrating), moveSet(other.migrating));
    }

    private static Map<String, BitSet> moveSet(List<SlotPlanner.Move> moves) {
        Map<String, BitSet> out = new LinkedHashMap<>();
        for (SlotPlanner.Move m : moves) {
            out.computeIfAbsent(m.from() + " " + m.to(), k -> new BitSet()).or(m.slots());
        }
        return out;
    }
}
