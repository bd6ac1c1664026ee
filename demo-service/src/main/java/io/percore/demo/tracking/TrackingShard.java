package io.percore.demo.tracking;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ByteString;
import io.percore.demo.resp.BulkArrayReply;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespReplies;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client-side caching on one shard (Redis's {@code tracking.c}), in its two roles.
 *
 * <p><b>As the owner of keys</b>: the {@link TrackingTable} of the keys of this shard tracking
 * clients read (remembered in the same step as the read: {@link #begin}/{@link #end}), bounded by
 * this shard's part of {@code tracking-table-max-keys}, and the {@link PrefixTable} of every BCAST
 * client's prefixes. The shard's write path reports every change of a key here
 * ({@link #modified}, {@link #removedByStore}, {@link #flushed}: Redis's {@code signalModifiedKey}
 * → {@code trackingInvalidateKey}); a key's readers are each sent one invalidation and forgotten,
 * and the keys changed under a BCAST prefix are sent once per loop turn
 * ({@code trackingBroadcastInvalidationMessages}). Invalidations for clients living on other shards
 * go to those shards, one message per shard.
 *
 * <p><b>As the home of connections</b>: its tracking clients by id, and their delivery: an
 * invalidation is written to the client (a RESP3 push), or to the client it redirects to (RESP3, or
 * a message of {@code __redis__:invalidate} when that one is subscribed in RESP2), which may live on
 * another shard; a redirection to a client that is gone is reported to the tracking client
 * ({@code tracking-redir-broken}).
 *
 * <p><b>Order.</b> An invalidation for a client on another shard is enqueued at that client's
 * connection before the reply of the command that caused it leaves: the shard that ran it keeps the
 * deliveries' acknowledgements ({@link #takeAcks}) and whoever makes the reply waits for them. So a
 * client that has the writer's reply, and then makes a tracking client send any command, is sure the
 * tracking client reads the invalidation before that command's reply. A tracking client's own
 * command's invalidations come after that command's reply, as in Redis.
 *
 * <p>Touched only by its shard's thread. With nothing tracked and no BCAST prefix here, a change of a
 * key costs the write path one field check ({@link #watching()}).
 */
public final class TrackingShard {

    private static final Logger LOG = LoggerFactory.getLogger(TrackingShard.class);

    /** Runs {@code fn} on another shard's tracking, whatever that shard is doing (invalidations touch no key). */
    public interface Courier {
        <R> ShardFuture<R> call(int shard, Function<TrackingShard, ShardFuture<R>> fn);
    }

    /** INFO's figures of one shard. */
    public record Figures(long clients, long keys, long items, long prefixes, long bytes) {

        public static final Figures NONE = new Figures(0, 0, 0, 0, 0);

        /** Two shards' figures together: every shard holds the same prefixes, so they are not added. */
        public Figures plus(Figures other) {
            return new Figures(clients + other.clients, keys + other.keys, items + other.items, Math.max(prefixes, other.prefixes),
                    bytes + other.bytes);
        }
    }

    /** An invalidation on its way to a client's home: a key the table dropped, or the keys a BCAST prefix collected. */
    record Invalidation(long client, long writer, byte[] key, List<byte[]> keys) {
    }

    /** An invalidation handed to the shard of the client it is redirected to. */
    record Redirected(long from, long to, int shard, RedisMessage payload) {
    }

    /** Entries of the table walked per cron run to forget disconnected clients. */
    static final int SWEEP_SLICE = 16_384;
    /** Random keys evicted per cron run while over the limit, times the runs that ended still over it (Redis's effort). */
    static final int EVICTION_EFFORT = 100;

    private static final RedisMessage INVALIDATE = RespReplies.bulk("invalidate");
    private static final RedisMessage MESSAGE = RespReplies.bulk("message");
    private static final RedisMessage CHANNEL = RespReplies.bulk("__redis__:invalidate");
    private static final RedisMessage REDIR_BROKEN = RespReplies.bulk("tracking-redir-broken");

    private final int shardId;
    private final int shards;
    /** The shard's memory: the tracking table is counted in it. */
    private final io.percore.demo.kv.StoreMemory memory;
    private Courier courier;
    private LongFunction<TrackingReceiver> clientsById = id -> null;

    // ------------------------------------------------------------------ owner side
    private final TrackingTable table = new TrackingTable();
    private final PrefixTable prefixes = new PrefixTable();
    private boolean watching;
    private long countedBytes;
    /** This shard's part of tracking-table-max-keys; -1: no limit. */
    private long maxKeys;
    private int evictionRounds;
    private final SplittableRandom random = new SplittableRandom();
    /** The client whose command runs on this shard now (0: none known), for NOLOOP. */
    private long writer;
    /** Clients gone since the sweep began, and those it is removing now: nothing is sent to them or remembered for them. */
    private Set<Long> departing = new HashSet<>();
    private Set<Long> sweeping = new HashSet<>();
    private int sweepCursor;
    /** Invalidations for other shards' clients, not sent yet, by home shard. */
    private final List<List<Invalidation>> outbox;
    private int outboxed;
    private boolean fallbackScheduled;
    /** Deliveries not acknowledged yet that the next reply made here waits for; null for none. */
    private ShardFuture<Void> acks;
    /** Completed once this turn's BCAST invalidations are delivered; null when none is due. */
    private ShardPromise<Void> broadcast;
    private long lostDeliveries;

    // ------------------------------------------------------------------ home side
    private final Map<Long, TrackingReceiver> clients = new HashMap<>();

    public TrackingShard(int shardId, int shards, io.percore.demo.kv.StoreMemory memory) {
        if (shards > Reader.MAX_SHARDS) {
            throw new IllegalArgumentException("client tracking supports at most " + Reader.MAX_SHARDS + " shards, not " + shards);
        }
        this.shardId = shardId;
        this.shards = shards;
        this.memory = memory;
        this.outbox = new ArrayList<>(java.util.Collections.nCopies(shards, null));
        maxKeys(DEFAULT_MAX_KEYS);
    }

    /** Redis's default tracking-table-max-keys. */
    public static final long DEFAULT_MAX_KEYS = 1_000_000;

    /** The way to the other shards' tracking, once the keyspace exists. */
    public void courier(Courier courier) {
        this.courier = courier;
    }

    /** How this shard finds any of its connections by id (a redirection's target). */
    public void clientsById(LongFunction<TrackingReceiver> lookup) {
        this.clientsById = lookup;
    }

    /** Whether client {@code id} lives on this shard and is not going: what REDIRECT may name. */
    public boolean receives(long id) {
        TrackingReceiver target = clientsById.apply(id);
        return target != null && !target.closing();
    }

    /** {@code tracking-table-max-keys} for the whole server (0: no limit): this shard keeps its part. */
    public void maxKeys(long all) {
        maxKeys = all == 0 ? -1 : all / shards + (shardId < all % shards ? 1 : 0);
    }

    /** Whether a change of a key here concerns tracking at all (keys tracked or BCAST prefixes registered). */
    public boolean watching() {
        return watching;
    }

    // ------------------------------------------------------------------ commands running here

    /**
     * A tracking client's command begins a step on this shard: its changes here are its own (NOLOOP).
     * @return what {@link #end} restores
     */
    public long begin(TrackedCommand command) {
        long previous = writer;
        writer = command.client();
        return previous;
    }

    /** Runs {@code step} as {@code command}'s step on this shard ({@link #begin}, then {@link #end} whatever happens). */
    public <R> R run(TrackedCommand command, java.util.function.Supplier<R> step) {
        long previous = begin(command);
        try {
            return step.get();
        } finally {
            end(command, previous);
        }
    }

    /** The step {@link #begin} opened is over: the keys it read here are remembered for the client. */
    public void end(TrackedCommand command, long previousWriter) {
        writer = previousWriter;
        byte[][] keys = command.keys();
        if (keys == null || isDeparted(command.client())) {
            return;
        }
        long reader = command.reader();
        int added = 0;
        for (int i = 0; i < keys.length; i++) {
            if (command.owners()[i] == shardId && table.add(keys[i], reader)) {
                added++;
            }
        }
        if (added > 0) {
            if (maxKeys >= 0) {
                while (table.size() > maxKeys) {
                    evictOne();
                }
            }
            counted();
        }
    }

    /**
     * Deliveries the reply of what just ran here must wait for (other shards' clients told of its
     * changes), or null: the invalidations gathered for other shards leave now, one message per shard.
     */
    public ShardFuture<Void> takeAcks() {
        if (outboxed == 0 && acks == null) {
            return null;
        }
        sendOutbox();
        ShardFuture<Void> taken = acks;
        acks = null;
        return taken;
    }

    // ------------------------------------------------------------------ changes (from the write path)

    /** A command changed {@code key}. */
    public void modified(byte[] key) {
        invalidate(key, writer, true);
    }

    /** The store deleted {@code key} on its own (it expired, or was evicted): nobody's change, as Redis's NULL client. */
    public void removedByStore(byte[] key) {
        invalidate(key, 0, true);
    }

    /**
     * Every key of this shard is about to go (FLUSHALL, FLUSHDB, which run on every shard): the table
     * is emptied, and every tracking client living here is told that all its keys are invalid (a null
     * instead of keys), once, since each shard tells its own.
     */
    public void flushed() {
        if (table.size() > 0) {
            table.clear();
            counted();
        }
        List<Redirected> forwards = null;
        for (TrackingReceiver x : List.copyOf(clients.values())) {
            // the null in the tracking client's own protocol, wherever it goes (as Redis builds it)
            RedisMessage payload = new Resp3Replies.NullOf(x.resp3());
            if (x.runningCommand()) {
                x.afterReply(payload);
            } else {
                forwards = send(x, payload, forwards);
            }
        }
        pend(forward(forwards));
    }

    private void invalidate(byte[] key, long writer, boolean broadcastToo) {
        if (broadcastToo && prefixes.prefixCount() > 0 && prefixes.changed(key, writer) && broadcast == null) {
            broadcast = new ShardPromise<>();
            pend(broadcast);
            Shard.current().execute(this::broadcastNow);
        }
        if (table.size() == 0) {
            return;
        }
        TrackingTable.Entry tracked = table.remove(key);
        if (tracked != null) {
            counted();
            tellReaders(tracked, writer);
        }
    }

    private void tellReaders(TrackingTable.Entry tracked, long writer) {
        for (int i = 0; i < tracked.count; i++) {
            long reader = tracked.readers[i];
            long client = Reader.client(reader);
            if (isDeparted(client)) {
                continue;
            }
            Invalidation inv = new Invalidation(client, writer, tracked.key, null);
            int home = Reader.home(reader);
            if (home == shardId) {
                pend(received(List.of(inv)));
            } else {
                List<Invalidation> list = outbox.get(home);
                if (list == null) {
                    list = new ArrayList<>();
                    outbox.set(home, list);
                }
                list.add(inv);
                outboxed++;
                fallback();
            }
        }
    }

    /** The BCAST prefixes' changed keys of this loop turn go to their clients, each prefix's keys in one message per client. */
    private void broadcastNow() {
        ShardPromise<Void> done = broadcast;
        broadcast = null;
        List<List<Invalidation>> byHome = new ArrayList<>(java.util.Collections.nCopies(shards, null));
        for (PrefixTable.Prefix prefix : prefixes.takeChanged()) {
            Map<ByteString, Long> changed = prefix.changed;
            prefix.changed = null;
            List<Map.Entry<ByteString, Long>> keys = new ArrayList<>(changed.entrySet());
            keys.sort((a, b) -> Arrays.compareUnsigned(a.getKey().bytes(), b.getKey().bytes()));
            List<byte[]> every = keys.stream().map(e -> e.getKey().bytes()).toList();
            for (PrefixTable.Client c : prefix.clients) {
                long client = Reader.client(c.reader);
                // NOLOOP: without the keys this client changed last (Redis's trackingBuildBroadcastReply)
                List<byte[]> mine = !c.noloop ? every
                        : keys.stream().filter(e -> e.getValue() != client).map(e -> e.getKey().bytes()).toList();
                if (mine.isEmpty() || isDeparted(client)) {
                    continue;
                }
                int home = Reader.home(c.reader);
                if (byHome.get(home) == null) {
                    byHome.set(home, new ArrayList<>());
                }
                byHome.get(home).add(new Invalidation(client, 0, null, mine));
            }
        }
        ShardFuture<Void> all = null;
        for (int home = 0; home < shards; home++) {
            List<Invalidation> list = byHome.get(home);
            if (list != null) {
                all = both(all, home == shardId ? received(list) : deliverAt(home, list));
            }
        }
        if (all == null) {
            done.complete(null);
        } else {
            all.whenComplete((v, e) -> done.complete(null));
        }
    }

    private void sendOutbox() {
        if (outboxed == 0) {
            return;
        }
        for (int home = 0; home < shards; home++) {
            List<Invalidation> list = outbox.get(home);
            if (list != null) {
                outbox.set(home, null);
                pend(deliverAt(home, list));
            }
        }
        outboxed = 0;
    }

    private ShardFuture<Void> deliverAt(int home, List<Invalidation> list) {
        return quiet(courier.call(home, t -> {
            ShardFuture<Void> forwarded = t.received(list);
            // nothing passed on (the common case) is done at once: a cross-shard call's task must return a future
            return forwarded != null ? forwarded : ShardFuture.completed(null);
        }));
    }

    /** Changes whose maker did not wait for their deliveries (an expiry, an HTTP write): sent at the end of the turn all the same. */
    private void fallback() {
        if (!fallbackScheduled) {
            fallbackScheduled = true;
            Shard.current().execute(() -> {
                fallbackScheduled = false;
                sendOutbox();
                acks = null; // nobody waits for these
            });
        }
    }

    private void pend(ShardFuture<Void> delivery) {
        if (delivery != null && !(delivery.isDone())) {
            acks = both(acks, delivery);
            fallback();
        }
    }

    // ------------------------------------------------------------------ delivery (home side)

    /** Invalidations for clients living here, from any shard (this one included): each is written or passed on. */
    ShardFuture<Void> received(List<Invalidation> list) {
        List<Redirected> forwards = null;
        for (Invalidation inv : list) {
            TrackingReceiver x = clients.get(inv.client());
            if (x == null) {
                continue; // gone, or tracking turned off since
            }
            ClientTracking t = x.tracking();
            RedisMessage payload;
            if (inv.key() != null) {
                // a key the table dropped: not for a client in BCAST mode now, nor for its own change under NOLOOP
                if (t.bcast || (t.noloop && inv.writer() == inv.client())) {
                    continue;
                }
                payload = new BulkArrayReply(List.of(inv.key()));
                if (x.runningCommand()) {
                    x.afterReply(payload); // its own command's doing: after that command's reply
                    continue;
                }
            } else {
                if (!t.bcast) {
                    continue;
                }
                payload = new BulkArrayReply(inv.keys());
            }
            forwards = send(x, payload, forwards);
        }
        return forward(forwards);
    }

    /** Sends what the tracking client {@code x}'s command deferred until its reply was written. */
    public void sendDeferred(TrackingReceiver x, List<RedisMessage> payloads) {
        if (x.tracking() == null) {
            return;
        }
        List<Redirected> forwards = null;
        for (RedisMessage payload : payloads) {
            forwards = send(x, payload, forwards);
        }
        forward(forwards);
    }

    /** Writes {@code payload} to {@code x} or to the client it redirects to (Redis's {@code sendTrackingMessage}). */
    private List<Redirected> send(TrackingReceiver x, RedisMessage payload, List<Redirected> forwards) {
        ClientTracking t = x.tracking();
        if (t.redirect == 0) {
            if (x.resp3()) {
                x.push(new Resp3Replies.PushReply(List.of(INVALIDATE, payload)));
            }
            return forwards; // RESP2 without a redirection: nowhere to write it
        }
        if (t.redirectShard == shardId) {
            TrackingReceiver target = clientsById.apply(t.redirect);
            if (target == null || target.closing()) {
                broken(x);
            } else {
                deliver(target, payload);
            }
            return forwards;
        }
        List<Redirected> more = forwards == null ? new ArrayList<>() : forwards;
        more.add(new Redirected(x.id(), t.redirect, t.redirectShard, payload));
        return more;
    }

    private static void deliver(TrackingReceiver target, RedisMessage payload) {
        if (target.resp3()) {
            target.push(new Resp3Replies.PushReply(List.of(INVALIDATE, payload)));
        } else if (target.subscribed()) {
            target.push(new Resp3Replies.PushReply(List.of(MESSAGE, CHANNEL, payload)));
        }
    }

    private void broken(TrackingReceiver x) {
        ClientTracking t = x.tracking();
        t.brokenRedirect = true;
        if (x.resp3()) {
            x.push(new Resp3Replies.PushReply(List.of(REDIR_BROKEN, RespReplies.integer(t.redirect))));
        }
    }

    /** Hands redirected invalidations to their targets' shards; a target found gone there is reported back here. */
    private ShardFuture<Void> forward(List<Redirected> forwards) {
        if (forwards == null) {
            return null;
        }
        Map<Integer, List<Redirected>> byShard = new HashMap<>();
        for (Redirected r : forwards) {
            byShard.computeIfAbsent(r.shard(), s -> new ArrayList<>()).add(r);
        }
        ShardFuture<Void> all = null;
        for (Map.Entry<Integer, List<Redirected>> e : byShard.entrySet()) {
            List<Redirected> list = e.getValue();
            ShardFuture<Void> one = quiet(courier.call(e.getKey(), t -> ShardFuture.completed(t.redirected(list))).map(missing -> {
                for (long from : missing) {
                    TrackingReceiver x = clients.get(from);
                    if (x != null && x.tracking() != null) {
                        broken(x);
                    }
                }
                return null;
            }));
            all = both(all, one);
        }
        return all;
    }

    /** On the redirection targets' shard: writes each; @return the tracking clients whose target is gone */
    private long[] redirected(List<Redirected> list) {
        long[] missing = new long[list.size()];
        int n = 0;
        for (Redirected r : list) {
            TrackingReceiver target = clientsById.apply(r.to());
            if (target == null || target.closing()) {
                missing[n++] = r.from();
            } else {
                deliver(target, r.payload());
            }
        }
        return Arrays.copyOf(missing, n);
    }

    // ------------------------------------------------------------------ clients living here (CLIENT TRACKING)

    /**
     * CLIENT TRACKING ON for {@code x} (Redis's {@code enableTracking}): its settings replace the
     * previous ones but for its prefixes, which accumulate; in BCAST mode its prefixes (none given:
     * the empty prefix) are registered on every shard before the returned future completes.
     */
    public ShardFuture<Void> enable(TrackingReceiver x, ClientTracking t, long redirect, int redirectShard, boolean bcast, boolean optin,
                                    boolean optout, boolean noloop, List<byte[]> newPrefixes) {
        t.brokenRedirect = false;
        t.redirect = redirect;
        t.redirectShard = redirectShard;
        t.bcast = bcast;
        t.optin = optin;
        t.optout = optout;
        t.noloop = noloop;
        clients.put(x.id(), x);
        if (!bcast) {
            return ShardFuture.completed(null);
        }
        List<byte[]> added = t.addPrefixes(newPrefixes.isEmpty() ? List.of(new byte[0]) : newPrefixes);
        long reader = Reader.of(x.id(), shardId);
        return everyShard(s -> s.subscribe(reader, noloop, added));
    }

    /** CLIENT TRACKING OFF, RESET: {@code x} is no tracking client any more; its BCAST prefixes go from every shard. */
    public ShardFuture<Void> disable(TrackingReceiver x, ClientTracking t) {
        clients.remove(x.id());
        if (!t.bcast) {
            return ShardFuture.completed(null);
        }
        t.clearPrefixes();
        long reader = Reader.of(x.id(), shardId);
        return everyShard(s -> s.unsubscribe(reader));
    }

    /** {@code x}'s connection closed: tracking off, and the shards that may remember its reads forget it. */
    public void closed(TrackingReceiver x, ClientTracking t) {
        disable(x, t);
        long client = x.id();
        for (int s = t.readOn.nextSetBit(0); s >= 0; s = t.readOn.nextSetBit(s + 1)) {
            quiet(courier.call(s, st -> {
                st.departed(client);
                return ShardFuture.completed(null);
            }));
        }
    }

    private ShardFuture<Void> everyShard(java.util.function.Consumer<TrackingShard> action) {
        ShardFuture<Void> all = null;
        for (int s = 0; s < shards; s++) {
            all = both(all, courier.call(s, st -> {
                action.accept(st);
                return ShardFuture.completed(null);
            }));
        }
        return all;
    }

    private void subscribe(long reader, boolean noloop, List<byte[]> more) {
        prefixes.subscribe(reader, noloop, more);
        counted();
    }

    private void unsubscribe(long reader) {
        prefixes.unsubscribe(reader);
        counted();
    }

    // ------------------------------------------------------------------ departed clients and the limit

    private void departed(long client) {
        departing.add(client);
    }

    private boolean isDeparted(long client) {
        return (!departing.isEmpty() || !sweeping.isEmpty()) && (departing.contains(client) || sweeping.contains(client));
    }

    /**
     * The cron's part (every 100 ms): evicts random keys while the table is over its limit, with
     * Redis's growing effort ({@code trackingLimitUsedSlots}), and walks a slice of the table to forget
     * clients that disconnected: once a walk that began after they left is over, nothing here names them.
     */
    public void tick() {
        if (maxKeys >= 0 && table.size() > maxKeys) {
            int effort = EVICTION_EFFORT * (evictionRounds + 1);
            while (effort-- > 0 && table.size() > maxKeys) {
                evictOne();
            }
            evictionRounds = table.size() > maxKeys ? evictionRounds + 1 : 0;
        } else {
            evictionRounds = 0;
        }
        if (sweeping.isEmpty() && !departing.isEmpty()) {
            Set<Long> begin = departing;
            departing = sweeping;
            sweeping = begin;
            sweepCursor = table.size();
        }
        if (!sweeping.isEmpty()) {
            sweepCursor = table.sweep(sweepCursor, SWEEP_SLICE, reader -> sweeping.contains(Reader.client(reader)));
            if (sweepCursor == 0) {
                sweeping.clear();
            }
        }
        counted();
    }

    /** Evicts a random key from the table, telling its readers as if it changed (Redis: no BCAST, no NOLOOP). */
    private void evictOne() {
        TrackingTable.Entry victim = table.removeRandom(random);
        if (victim != null) {
            counted();
            tellReaders(victim, 0);
        }
    }

    // ------------------------------------------------------------------ figures

    public Figures figures() {
        return new Figures(clients.size(), table.size(), table.items(), prefixes.prefixCount(), countedBytes);
    }

    /** Invalidations that could not be handed to their shard (the mesh refused them): their caches may be stale. */
    public long lostDeliveries() {
        return lostDeliveries;
    }

    /** The table's and the prefixes' heap, counted in the shard's memory (Redis's used_memory holds them). */
    private void counted() {
        long now = table.bytes() + prefixes.bytes();
        if (now != countedBytes) {
            memory.trackingBytes(now - countedBytes);
            countedBytes = now;
        }
        watching = table.size() > 0 || prefixes.prefixCount() > 0;
    }

    // ------------------------------------------------------------------ futures

    private static ShardFuture<Void> both(ShardFuture<Void> a, ShardFuture<Void> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.flatMap(v -> b);
    }

    /** A delivery's outcome as a plain "done": a lost one is counted and logged, never an error for the command that caused it. */
    private <R> ShardFuture<Void> quiet(ShardFuture<R> delivery) {
        return delivery.<Void>handle((v, e) -> {
            if (e != null) {
                lostDeliveries++;
                if (Long.bitCount(lostDeliveries) == 1) {
                    LOG.warn("Client tracking: {} invalidation deliveries lost so far (caches may be stale)", lostDeliveries, e);
                }
            }
            return null;
        });
    }
}
