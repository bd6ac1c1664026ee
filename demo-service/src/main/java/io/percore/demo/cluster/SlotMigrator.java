package io.percore.demo.cluster;

import io.percore.demo.kv.KeyHashing;
import io.percore.demo.kv.KeyWalks;
import io.percore.demo.rdb.DumpWriter;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Engine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the keys of the slots this node migrates away to their new owner (Redis's MIGRATE, driven
 * here by the node itself once the layout says {@code migrating}), on a thread of its own.
 *
 * <p>One shard at a time, a batch at a time: the shard is held ({@link Keyspace#reserve}: its other
 * keyspace work waits, as Redis's server waits during MIGRATE) while the batch's keys are taken from
 * the slots (a SCAN cursor over the shard: every key there for the whole walk is met), sent to the
 * target as {@code RESTORE-ASKING key ttl payload REPLACE ABSTTL} and acknowledged, then deleted here
 * (reported to this node's write path as DEL, so its log and replicas follow). The target answers
 * only once the keys are as durable there as any write (its appendfsync), so a key leaves here only
 * once it is there; a batch whose answers do not come in time is released without deleting anything
 * and sent again later (REPLACE: while a key is still here, this copy is the one clients are served,
 * so the target's is only ever replaced by a newer one). So no key is lost or served from two places,
 * and a migration interrupted on either side resumes where it was: the keys still here are moved.
 * Two nodes moving slots to each other at once cannot block each other for good: a held batch waits
 * at most {@link #REPLY_TIMEOUT_MILLIS}.
 */
final class SlotMigrator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotMigrator.class);
    /** Keys per batch at most (a batch holds its shard for one round trip to the target). */
    static final int BATCH_KEYS = 100;
    /** Buckets of a shard's table one batch looks at, at most (keys of other slots are skipped). */
    static final int BATCH_BUCKETS = 4096;
    /** Payload bytes per batch, at most (one larger key goes alone). */
    static final long BATCH_BYTES = 4L << 20;
    static final long REPLY_TIMEOUT_MILLIS = 2000;
    private static final long RETRY_MILLIS = 500;

    private final Cluster cluster;
    private final Keyspace keyspace;
    private final Engine engine;
    private final Supplier<String> auth;
    private final Thread thread;
    private final Object wake = new Object();
    private volatile boolean closed;
    private volatile boolean changed;
    /** Per target id: what CLUSTER MIGRATIONS reports. */
    private final Map<String, Progress> progress = new ConcurrentHashMap<>();

    /** A migration's figures: keys moved, keys left (as of the last batch or count), its state. */
    private static final class Progress {
        volatile long moved;
        volatile long left = -1;
        volatile String state = "moving";
    }

    SlotMigrator(Cluster cluster, Keyspace keyspace, Engine engine, Supplier<String> auth) {
        this.cluster = cluster;
        this.keyspace = keyspace;
        this.engine = engine;
        this.auth = auth;
        this.thread = new Thread(this::loop, "percore-slot-migrator");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void layoutChanged() {
        changed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** CLUSTER MIGRATIONS: one entry per target of the current layout's migrations from here. */
    List<Object> status() {
        ClusterLayout l = cluster.layout();
        List<Object> out = new ArrayList<>();
        for (Map.Entry<String, BitSet> e : plan(l).entrySet()) {
            Progress p = progress.computeIfAbsent(e.getKey(), k -> new Progress());
            List<Object> entry = new ArrayList<>();
            entry.add(e.getKey());
            entry.add(ClusterLayout.rangesText(l.migratingRanges(cluster.myId(), e.getKey())));
            entry.add(p.moved);
            entry.add(p.left);
            entry.add(p.state);
            out.add(entry);
        }
        return out;
    }

    /** The slots this node moves away in {@code l}, by target id. */
    private Map<String, BitSet> plan(ClusterLayout l) {
        Map<String, BitSet> byTarget = new LinkedHashMap<>();
        for (int s = 0; s < KeyHashing.SLOTS; s++) {
            ClusterLayout.Node to = l.migratingTo(s);
            ClusterLayout.Node owner = l.owner(s);
            if (to != null && owner != null && owner.id().equals(cluster.myId())) {
                byTarget.computeIfAbsent(to.id(), k -> new BitSet()).set(s);
            }
        }
        return byTarget;
    }

    // ------------------------------------------------------------------ the thread

    private void loop() {
        while (!closed) {
            changed = false;
            ClusterLayout l = cluster.layout();
            // a layout read back at the start moves nothing until it is confirmed: it may be one the control plane replaced
            Map<String, BitSet> plan = cluster.confirmed() ? plan(l) : Map.of();
            progress.keySet().retainAll(plan.keySet());
            boolean work = false;
            for (Map.Entry<String, BitSet> e : plan.entrySet()) {
                if (closed || changed) {
                    break;
                }
                ClusterLayout.Node target = l.node(e.getKey());
                Progress p = progress.computeIfAbsent(e.getKey(), k -> new Progress());
                try {
                    work |= moveTo(target, e.getValue(), p);
                } catch (IOException | RuntimeException ex) {
                    if (!closed) {
                        p.state = "moving";
                        LOG.warn("Moving slots to {} ({}) failed: {}; trying again", target.id(), target.address(), ex.toString());
                    }
                    work = true;
                    sleep(RETRY_MILLIS);
                }
            }
            if (!work) {
                sleep(1000);
            }
        }
    }

    private void sleep(long millis) {
        synchronized (wake) {
            if (closed || changed) {
                return;
            }
            try {
                wake.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
    }

    /** One walk over every shard's keys of {@code slots}, moving them to {@code target}. @return whether keys were left to move */
    private boolean moveTo(ClusterLayout.Node target, BitSet slots, Progress p) throws IOException {
        long left = countLeft(slots);
        p.left = left;
        if (left == 0) {
            if (!"done".equals(p.state)) {
                LOG.info("Every key of the slots moving to {} is there: the migration is done here", target.id());
            }
            p.state = "done";
            return false;
        }
        p.state = "moving";
        try (Link link = new Link(target, auth.get())) {
            for (int shard = 0; shard < keyspace.shardCount() && !closed && !changed; shard++) {
                BitSet mine = new BitSet();
                for (int s = slots.nextSetBit(0); s >= 0; s = slots.nextSetBit(s + 1)) {
                    if (s % keyspace.shardCount() == shard) {
                        mine.set(s);
                    }
                }
                if (mine.isEmpty()) {
                    continue;
                }
                long cursor = 0;
                do {
                    Batch b = take(shard, mine, cursor);
                    cursor = b.next;
                    int moved = 0;
                    List<byte[]> done = new ArrayList<>();
                    try {
                        if (!b.items.isEmpty()) {
                            done = link.restore(b.items);
                        }
                    } finally {
                        moved = finish(shard, b, done);
                    }
                    p.moved += moved;
                    p.left = Math.max(0, p.left - moved);
                } while (cursor != 0 && !closed && !changed);
            }
        }
        p.left = countLeft(slots);
        if (p.left == 0) {
            p.state = "done";
            LOG.info("Every key of the slots moving to {} is there: the migration is done here ({} keys moved)", target.id(), p.moved);
        }
        return p.left > 0;
    }

    private long countLeft(BitSet slots) {
        long left = 0;
        for (int shard = 0; shard < keyspace.shardCount(); shard++) {
            int s0 = shard;
            left += keyspace.beforeServing(shard, st -> {
                long n = 0;
                for (int s = slots.nextSetBit(0); s >= 0; s = slots.nextSetBit(s + 1)) {
                    if (s % keyspace.shardCount() == s0) {
                        n += st.store().slots().count(s);
                    }
                }
                return n;
            }).join();
        }
        return left;
    }

    // ------------------------------------------------------------------ a batch, holding its shard

    private record Item(byte[] key, long expireAt, byte[] payload) {
    }

    private record Batch(Keyspace bound, BitSet held, long next, List<Item> items) {
    }

    /** Holds {@code shard} and takes the next batch of its keys of {@code slots}, their payloads made there. */
    private Batch take(int shard, BitSet slots, long cursor) {
        CompletableFuture<Batch> taken = new CompletableFuture<>();
        engine.submitTo(shard, () -> {
            KeyspaceShard local = keyspace.local();
            Keyspace bound = keyspace.boundTo(local.nextGroupId());
            BitSet held = new BitSet();
            held.set(shard);
            bound.reserve(shard).whenComplete((v, failure) -> {
                if (failure != null) {
                    taken.completeExceptionally(failure);
                    return;
                }
                try {
                    List<KeyWalks.SlotEntry> entries = new ArrayList<>();
                    long next = local.store().walks().scanSlots(cursor, slots, BATCH_KEYS, BATCH_BUCKETS, System.currentTimeMillis(), entries);
                    List<Item> items = new ArrayList<>(entries.size());
                    long bytes = 0;
                    for (KeyWalks.SlotEntry e : entries) {
                        if (bytes > BATCH_BYTES) {
                            next = cursor; // what is left of these buckets: the next batch looks again from here
                            break;
                        }
                        byte[] payload = DumpWriter.dump(e.type(), e.value());
                        bytes += payload.length;
                        items.add(new Item(e.key(), e.expireAt(), payload));
                    }
                    taken.complete(new Batch(bound, held, next, items));
                } catch (RuntimeException e) {
                    bound.release(shard, held);
                    taken.completeExceptionally(e);
                }
            });
            return null;
        });
        return taken.join();
    }

    /** Deletes {@code moved} (acknowledged by the target) on the batch's shard, then releases it. @return how many it deleted */
    private int finish(int shard, Batch b, List<byte[]> moved) {
        CompletableFuture<Integer> deleted = new CompletableFuture<>();
        engine.submitTo(shard, () -> {
            b.bound.invokeOn(shard, st -> {
                long now = System.currentTimeMillis();
                int n = 0;
                List<byte[]> gone = new ArrayList<>();
                for (byte[] key : moved) {
                    if (st.store().delete(key, now)) {
                        n++;
                        gone.add(key);
                    }
                }
                if (!gone.isEmpty()) {
                    byte[][] del = new byte[gone.size() + 1][];
                    del[0] = "DEL".getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < gone.size(); i++) {
                        del[i + 1] = gone.get(i);
                    }
                    st.store().changes().propagate(del); // moved away: this node's log and replicas drop them too
                }
                return n;
            }).whenComplete((n, failure) -> b.bound.release(shard, b.held).whenComplete((x, f) -> {
                if (failure != null) {
                    deleted.completeExceptionally(failure);
                } else {
                    deleted.complete(n);
                }
            }));
            return null;
        });
        return deleted.join();
    }

    // ------------------------------------------------------------------ the connection to the target

    /** A blocking connection to the target node, authenticated, for one walk. */
    private static final class Link implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Link(ClusterLayout.Node target, String password) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(target.ip(), target.port()), (int) REPLY_TIMEOUT_MILLIS);
            socket.setSoTimeout((int) REPLY_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            if (password != null) {
                send("AUTH".getBytes(StandardCharsets.US_ASCII), password.getBytes(StandardCharsets.UTF_8));
                out.flush();
                String reply = line();
                if (!reply.startsWith("+")) {
                    throw new IOException("the target refused AUTH: " + reply);
                }
            }
        }

        /** Sends every item as RESTORE-ASKING ... REPLACE ABSTTL. @return the keys the target took */
        List<byte[]> restore(List<Item> items) throws IOException {
            byte[] cmd = "RESTORE-ASKING".getBytes(StandardCharsets.US_ASCII);
            byte[] replace = "REPLACE".getBytes(StandardCharsets.US_ASCII);
            byte[] absttl = "ABSTTL".getBytes(StandardCharsets.US_ASCII);
            for (Item i : items) {
                byte[] ttl = Long.toString(i.expireAt() < 0 ? 0 : i.expireAt()).getBytes(StandardCharsets.US_ASCII);
                send(cmd, i.key(), ttl, i.payload(), replace, absttl);
            }
            out.flush();
            List<byte[]> took = new ArrayList<>(items.size());
            for (Item i : items) {
                String reply = line();
                if (reply.startsWith("+OK")) {
                    took.add(i.key());
                } else {
                    LOG.warn("The target refused a key of {} bytes: {}", i.key().length, reply);
                }
            }
            return took;
        }

        private void send(byte[]... args) throws IOException {
            out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] a : args) {
                out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(a);
                out.write('\r');
                out.write('\n');
            }
        }

        /** One simple reply line ({@code +...} or {@code -...}). */
        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("the target closed the connection");
                }
                if (c != '\r') {
                    b.write(c);
                }
                if (b.size() > 4096) {
                    throw new IOException("the target's reply is too long");
                }
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
