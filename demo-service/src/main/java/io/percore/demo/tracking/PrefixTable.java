package io.percore.demo.tracking;

import io.percore.demo.kv.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One shard's copy of Redis's prefix table ({@code tracking.c}'s {@code PrefixTable}): the BCAST
 * prefixes every tracking client in BCAST mode registered, each with its clients and the keys of
 * this shard changed under it since the last broadcast (Redis's {@code bcastState}). Every shard
 * holds the same prefixes (registering goes to every shard), since any shard's keys may match.
 *
 * <p>The prefixes are a trie over the key's bytes, so a changed key finds every prefix it starts
 * with in O(its length), however many prefixes there are (Redis walks the whole table per change).
 */
final class PrefixTable {

    /** A trie node beyond its children: the object, its two arrays' headers and a slot in its parent. */
    private static final long NODE_BYTES = 72;
    /** A prefix registered here beyond its bytes: the object, its client list, its slot. */
    private static final long PREFIX_BYTES = 64;
    /** One client of a prefix: its slot in the prefix's list and in its own list. */
    private static final long SUBSCRIPTION_BYTES = 16;
    private static final long CLIENT_BYTES = 48;
    private static final byte[] NO_LABELS = new byte[0];
    private static final Node[] NO_CHILDREN = new Node[0];

    /** A BCAST client as this shard knows it. */
    static final class Client {
        final long reader;
        boolean noloop;
        final List<Prefix> prefixes = new ArrayList<>();

        private Client(long reader) {
            this.reader = reader;
        }
    }

    /** One registered prefix, its clients and the keys changed under it since the last broadcast. */
    static final class Prefix {
        final byte[] bytes;
        final List<Client> clients = new ArrayList<>();
        /** Key → the client that changed it last (0: none, such as an expiry); null when nothing changed. */
        Map<ByteString, Long> changed;

        private Prefix(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    private static final class Node {
        byte[] labels = NO_LABELS;
        Node[] children = NO_CHILDREN;
        Prefix prefix;

        Node child(byte label) {
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == label) {
                    return children[i];
                }
            }
            return null;
        }
    }

    private final Node root = new Node();
    private final Map<Long, Client> clients = new HashMap<>();
    /** The prefixes with changed keys, in the order they first changed. */
    private final List<Prefix> withChanges = new ArrayList<>();
    private int prefixCount;
    private long bytes;

    /** Distinct prefixes (INFO's {@code tracking_total_prefixes}). */
    int prefixCount() {
        return prefixCount;
    }

    long bytes() {
        return bytes;
    }

    /** Registers {@code prefixes} for {@code reader}, and its NOLOOP setting for all its prefixes here. */
    void subscribe(long reader, boolean noloop, List<byte[]> prefixes) {
        Client c = clients.get(reader);
        if (c == null) {
            c = new Client(reader);
            clients.put(reader, c);
            bytes += CLIENT_BYTES;
        }
        c.noloop = noloop;
        for (byte[] p : prefixes) {
            Prefix prefix = nodeFor(p).prefix;
            if (!prefix.clients.contains(c)) {
                prefix.clients.add(c);
                c.prefixes.add(prefix);
                bytes += SUBSCRIPTION_BYTES;
            }
        }
    }

    /** Forgets {@code reader} and every prefix only it had. */
    void unsubscribe(long reader) {
        Client c = clients.remove(reader);
        if (c == null) {
            return;
        }
        bytes -= CLIENT_BYTES;
        for (Prefix prefix : c.prefixes) {
            prefix.clients.remove(c);
            bytes -= SUBSCRIPTION_BYTES;
            if (prefix.clients.isEmpty()) {
                remove(prefix.bytes);
            }
        }
    }

    /**
     * {@code key} changed, by {@code writer} (a client id, 0 for none): recorded under every
     * prefix it starts with. @return whether some prefix had nothing changed before (a broadcast is due)
     */
    boolean changed(byte[] key, long writer) {
        boolean first = false;
        Node node = root;
        for (int i = 0; node != null; i++) {
            Prefix prefix = node.prefix;
            if (prefix != null) {
                if (prefix.changed == null) {
                    prefix.changed = new HashMap<>();
                    withChanges.add(prefix);
                    first = true;
                }
                prefix.changed.put(new ByteString(key), writer);
            }
            node = i < key.length ? node.child(key[i]) : null;
        }
        return first;
    }

    /** The prefixes with changed keys, in byte order (as Redis walks its table), their changes taken. */
    List<Prefix> takeChanged() {
        List<Prefix> out = new ArrayList<>(withChanges);
        withChanges.clear();
        out.sort((a, b) -> Arrays.compareUnsigned(a.bytes, b.bytes));
        return out;
    }

    private Node nodeFor(byte[] p) {
        Node node = root;
        for (byte b : p) {
            Node next = node.child(b);
            if (next == null) {
                next = new Node();
                node.labels = Arrays.copyOf(node.labels, node.labels.length + 1);
                node.children = Arrays.copyOf(node.children, node.children.length + 1);
                node.labels[node.labels.length - 1] = b;
                node.children[node.children.length - 1] = next;
                bytes += NODE_BYTES;
            }
            node = next;
        }
        if (node.prefix == null) {
            node.prefix = new Prefix(p);
            prefixCount++;
            bytes += PREFIX_BYTES + p.length;
        }
        return node;
    }

    /** Removes prefix {@code p} and the nodes left leading nowhere. */
    private void remove(byte[] p) {
        Node[] path = new Node[p.length + 1];
        path[0] = root;
        for (int i = 0; i < p.length; i++) {
            path[i + 1] = path[i].child(p[i]);
        }
        Node end = path[p.length];
        Prefix prefix = end.prefix;
        end.prefix = null;
        withChanges.remove(prefix);
        prefixCount--;
        bytes -= PREFIX_BYTES + p.length;
        for (int i = p.length; i > 0; i--) {
            Node n = path[i];
            if (n.prefix != null || n.labels.length != 0) {
                return;
            }
            Node parent = path[i - 1];
            int at = 0;
            while (parent.labels[at] != p[i - 1]) {
                at++;
            }
            parent.labels = without(parent.labels, at);
            Node[] children = new Node[parent.children.length - 1];
            System.arraycopy(parent.children, 0, children, 0, at);
            System.arraycopy(parent.children, at + 1, children, at, children.length - at);
            parent.children = children;
            bytes -= NODE_BYTES;
        }
    }

    private static byte[] without(byte[] labels, int at) {
        byte[] out = new byte[labels.length - 1];
        System.arraycopy(labels, 0, out, 0, at);
        System.arraycopy(labels, at + 1, out, at, out.length - at);
        return out;
    }
}
