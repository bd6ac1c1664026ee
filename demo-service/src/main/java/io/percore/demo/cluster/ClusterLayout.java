package io.percore.demo.cluster;

import io.percore.demo.kv.KeyHashing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who owns which hash slot, as a control plane laid it out (there is no gossip here): the nodes
 * (primaries and their replicas, with the address clients are sent to), each slot's owner, and the
 * slots moving from one primary to another. Immutable; read by every shard.
 *
 * <p>The text form, one item per line in any order (canonical: sorted), is what
 * {@code CLUSTER SETLAYOUT} takes and {@code CLUSTER GETLAYOUT} gives:
 * <pre>
 * node &lt;id&gt; &lt;ip&gt; &lt;port&gt; primary
 * node &lt;id&gt; &lt;ip&gt; &lt;port&gt; replica &lt;primary-id&gt;
 * slots &lt;primary-id&gt; 0-5460,10923
 * migrating &lt;from-id&gt; &lt;to-id&gt; 100-199
 * </pre>
 */
public final class ClusterLayout {

    /** No layout yet (epoch 0: every node starts so; any layout a control plane sends is newer). */
    /** Most nodes a layout may list: Redis Cluster's recommended limit, and within the slot table's short indexes. */
    public static final int MAX_NODES = 1000;

    public static final ClusterLayout EMPTY = new ClusterLayout(0, List.of(), new short[KeyHashing.SLOTS], new short[KeyHashing.SLOTS]);

    /** One node of the layout. {@code primary} is null for a primary, else its primary's id. */
    public record Node(String id, String ip, int port, String primary) {
        public boolean isPrimary() {
            return primary == null;
        }

        /** {@code ip:port}, as a redirection names it. */
        public String address() {
            return ip + ":" + port;
        }
    }

    /** Thrown for a layout that cannot be applied; the message says why. */
    public static final class BadLayout extends IllegalArgumentException {
        BadLayout(String why) {
            super(why);
        }
    }

    private final long epoch;
    private final List<Node> nodes;
    private final Map<String, Integer> indexById = new LinkedHashMap<>();
    /** Per slot: the owning node's index + 1 (0: nobody owns it). */
    private final short[] owners;
    /** Per slot: the index + 1 of the node it migrates to (0: it does not migrate). */
    private final short[] migratingTo;
    private final String text;
    private final int assigned;

    private ClusterLayout(long epoch, List<Node> nodes, short[] owners, short[] migratingTo) {
        this.epoch = epoch;
        this.nodes = List.copyOf(nodes);
        for (int i = 0; i < nodes.size(); i++) {
            indexById.put(nodes.get(i).id(), i);
        }
        this.owners = owners;
        this.migratingTo = migratingTo;
        this.text = format();
        int n = 0;
        for (short o : owners) {
            if (o != 0) {
                n++;
            }
        }
        this.assigned = n;
    }

    public long epoch() {
        return epoch;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(String id) {
        Integer i = indexById.get(id);
        return i == null ? null : nodes.get(i);
    }

    /** The primary owning {@code slot}, or null. */
    public Node owner(int slot) {
        int i = owners[slot];
        return i == 0 ? null : nodes.get(i - 1);
    }

    /** The primary {@code slot} moves to, or null when it does not move. */
    public Node migratingTo(int slot) {
        int i = migratingTo[slot];
        return i == 0 ? null : nodes.get(i - 1);
    }

    /** Slots with an owner. */
    public int assignedSlots() {
        return assigned;
    }

    /** The slot ranges {@code id} owns, as [start, end] pairs in order. */
    public List<int[]> rangesOf(String id) {
        Integer i = indexById.get(id);
        return i == null ? List.of() : ranges(owners, (short) (i + 1));
    }

    /** The slot ranges moving from {@code from} to {@code to}. */
    public List<int[]> migratingRanges(String from, String to) {
        Integer f = indexById.get(from);
        Integer t = indexById.get(to);
        if (f == null || t == null) {
            return List.of();
        }
        short[] both = new short[KeyHashing.SLOTS];
        for (int s = 0; s < both.length; s++) {
            if (owners[s] == f + 1 && migratingTo[s] == t + 1) {
                both[s] = 1;
            }
        }
        return ranges(both, (short) 1);
    }

    /** The replicas of primary {@code id}, in layout order. */
    public List<Node> replicasOf(String id) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (id.equals(n.primary())) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The id of the primary this layout gives replica {@code replicaId}, when that primary is laid out at
     * {@code host}:{@code port} (the address a replica's link follows); null when the layout names no
     * primary of it there (it is not a replica here, or the link follows an address the layout does not
     * give its primary: a REPLICAOF newer than the layout).
     */
    public String primaryIdAt(String replicaId, String host, int port) {
        Node self = node(replicaId);
        Node primary = self == null || self.isPrimary() ? null : node(self.primary());
        return primary != null && primary.port() == port && primary.ip().equalsIgnoreCase(host) ? primary.id() : null;
    }

    /** The canonical text (lines sorted): equal layouts have equal texts. */
    public String text() {
        return text;
    }

    /** This layout at another epoch. */
    ClusterLayout atEpoch(long next) {
        return new ClusterLayout(next, nodes, owners, migratingTo);
    }

    // ------------------------------------------------------------------ parsing

    /** Parses {@code text} at {@code epoch}. @throws BadLayout naming what is wrong */
    public static ClusterLayout parse(long epoch, String text) {
        List<Node> nodes = new ArrayList<>();
        Map<String, Integer> index = new LinkedHashMap<>();
        List<String[]> slotLines = new ArrayList<>();
        List<String[]> migratingLines = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "node" -> {
                    if (f.length != 5 && f.length != 6) {
                        throw new BadLayout("a node line is 'node <id> <ip> <port> primary' or '... replica <primary-id>': " + line);
                    }
                    String id = id(f[1]);
                    int port = port(f[3], line);
                    String primary;
                    if (f[4].equals("primary") && f.length == 5) {
                        primary = null;
                    } else if (f[4].equals("replica") && f.length == 6) {
                        primary = id(f[5]);
                    } else {
                        throw new BadLayout("a node is 'primary' or 'replica <primary-id>': " + line);
                    }
                    if (index.put(id, nodes.size()) != null) {
                        throw new BadLayout("node " + id + " is listed twice");
                    }
                    if (nodes.size() == MAX_NODES) {
                        throw new BadLayout("more than " + MAX_NODES + " nodes (Redis Cluster's own limit of sense)");
                    }
                    nodes.add(new Node(id, f[2], port, primary));
                }
                case "slots" -> {
                    if (f.length != 3) {
                        throw new BadLayout("a slots line is 'slots <primary-id> <ranges>': " + line);
                    }
                    slotLines.add(f);
                }
                case "migrating" -> {
                    if (f.length != 4) {
                        throw new BadLayout("a migrating line is 'migrating <from-id> <to-id> <ranges>': " + line);
                    }
                    migratingLines.add(f);
                }
                default -> throw new BadLayout("unknown line '" + f[0] + "' (node, slots or migrating): " + line);
            }
        }
        for (Node n : nodes) {
            if (n.primary() != null) {
                Integer p = index.get(n.primary());
                if (p == null || !nodes.get(p).isPrimary()) {
                    throw new BadLayout("replica " + n.id() + " follows " + n.primary() + ", which is no primary of the layout");
                }
            }
        }
        short[] owners = new short[KeyHashing.SLOTS];
        for (String[] f : slotLines) {
            int owner = primaryIndex(index, nodes, f[1]);
            for (int[] r : parseRanges(f[2])) {
                for (int s = r[0]; s <= r[1]; s++) {
                    if (owners[s] != 0) {
                        throw new BadLayout("slot " + s + " is owned by " + nodes.get(owners[s] - 1).id() + " and " + f[1]);
                    }
                    owners[s] = (short) (owner + 1);
                }
            }
        }
        short[] migrating = new short[KeyHashing.SLOTS];
        for (String[] f : migratingLines) {
            int from = primaryIndex(index, nodes, f[1]);
            int to = primaryIndex(index, nodes, f[2]);
            if (from == to) {
                throw new BadLayout("a slot cannot migrate from " + f[1] + " to itself");
            }
            for (int[] r : parseRanges(f[3])) {
                for (int s = r[0]; s <= r[1]; s++) {
                    if (owners[s] != from + 1) {
                        throw new BadLayout("slot " + s + " migrates from " + f[1] + ", which does not own it");
                    }
                    if (migrating[s] != 0) {
                        throw new BadLayout("slot " + s + " migrates twice");
                    }
                    migrating[s] = (short) (to + 1);
                }
            }
        }
        return new ClusterLayout(epoch, nodes, owners, migrating);
    }

    private static int primaryIndex(Map<String, Integer> index, List<Node> nodes, String id) {
        Integer i = index.get(id(id));
        if (i == null) {
            throw new BadLayout("node " + id + " is not in the layout");
        }
        if (!nodes.get(i).isPrimary()) {
            throw new BadLayout("node " + id + " is a replica: only primaries own slots");
        }
        return i;
    }

    private static String id(String s) {
        if (s.length() != 40 || !s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new BadLayout("a node id is 40 lowercase hex characters: " + s);
        }
        return s;
    }

    private static int port(String s, String line) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new BadLayout("a port is 1..65535: " + line);
    }

    /** {@code "0-5460,10923"} as [start, end] pairs. */
    static List<int[]> parseRanges(String text) {
        List<int[]> out = new ArrayList<>();
        for (String item : text.split(",")) {
            int dash = item.indexOf('-');
            int a;
            int b;
            try {
                a = Integer.parseInt(dash < 0 ? item : item.substring(0, dash));
                b = dash < 0 ? a : Integer.parseInt(item.substring(dash + 1));
            } catch (NumberFormatException e) {
                throw new BadLayout("a slot range is 'a-b' or 'a' with slots 0..16383: " + item);
            }
            if (a < 0 || b >= KeyHashing.SLOTS || a > b) {
                throw new BadLayout("a slot range is 'a-b' or 'a' with slots 0..16383: " + item);
            }
            out.add(new int[] {a, b});
        }
        return out;
    }

    // ------------------------------------------------------------------ formatting

    private static List<int[]> ranges(short[] per, short value) {
        List<int[]> out = new ArrayList<>();
        int start = -1;
        for (int s = 0; s <= per.length; s++) {
            boolean in = s < per.length && per[s] == value;
            if (in && start < 0) {
                start = s;
            } else if (!in && start >= 0) {
                out.add(new int[] {start, s - 1});
                start = -1;
            }
        }
        return out;
    }

    /** The slots of {@code slots} as the text form writes ranges ({@code 0-5460,10923}), adjacent slots in one range; "" for none. */
    public static String rangesText(java.util.BitSet slots) {
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

    /** Ranges as the text form writes them: {@code 0-5460,10923}. */
    public static String rangesText(List<int[]> ranges) {
        StringBuilder sb = new StringBuilder();
        for (int[] r : ranges) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r[0]);
            if (r[1] != r[0]) {
                sb.append('-').append(r[1]);
            }
        }
        return sb.toString();
    }

    private String format() {
        List<String> lines = new ArrayList<>();
        for (Node n : nodes) {
            lines.add("node " + n.id() + " " + n.ip() + " " + n.port() + (n.isPrimary() ? " primary" : " replica " + n.primary()));
            if (n.isPrimary()) {
                List<int[]> r = rangesOf(n.id());
                if (!r.isEmpty()) {
                    lines.add("slots " + n.id() + " " + rangesText(r));
                }
            }
        }
        Map<String, short[]> moves = new TreeMap<>();
        for (int s = 0; s < KeyHashing.SLOTS; s++) {
            if (migratingTo[s] != 0) {
                String key = nodes.get(owners[s] - 1).id() + " " + nodes.get(migratingTo[s] - 1).id();
                moves.computeIfAbsent(key, k -> new short[KeyHashing.SLOTS])[s] = 1;
            }
        }
        moves.forEach((pair, per) -> lines.add("migrating " + pair + " " + rangesText(ranges(per, (short) 1))));
        Collections.sort(lines);
        return String.join("\n", lines);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterLayout l && l.epoch == epoch && l.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + text.hashCode();
    }

    @Override
    public String toString() {
        return "epoch " + epoch + ": " + text.replace('\n', ';');
    }

    /** For tests: the owners array's copy. */
    short[] ownersCopy() {
        return Arrays.copyOf(owners, owners.length);
    }
}
