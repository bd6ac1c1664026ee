package io.percore.demo.shard;

import io.percore.demo.feed.Change;
import io.percore.demo.feed.ChangeListener;
import io.percore.demo.kv.KeyspaceChanges;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.rdb.DumpWriter;
import io.percore.demo.tracking.TrackingShard;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's write path: the one place where every change of the shard's keys is known, as
 * Redis's {@code call()} knows it ({@code propagate}, {@code signalModifiedKey},
 * {@code signalKeyAsReady}, the feed to monitors). Whatever follows changes subscribes here and
 * nowhere else: WATCH ({@link WatchedKeyVersions}), clients blocked on keys ({@link KeyWaiters}),
 * MONITOR ({@link #monitor}), client tracking's invalidations ({@link TrackingShard}), through
 * {@link ChangeListener}s the append-only file and replicas, and keyspace notifications through
 * {@link #notify} (Redis's notifyKeyspaceEvent, called by the commands and the store where Redis calls
 * it; one field check while they are off).
 *
 * <p><b>Units.</b> A command's work on this shard runs as a unit ({@link #begin}/{@link #end}: a
 * single-key command on its key's shard, each part of a multi-key command, a blocked client's pop);
 * units nest, and the outermost one's end reports the unit's change once. As Redis's
 * {@code call()}, a unit whose command changed the store ({@link ValueStore#dirty()} moved) reports
 * the command's own arguments as its effect, unless the command reported another effect
 * ({@link #propagate}: a relative expiry as an absolute one, SPOP as SREM, a part of a command that
 * spans shards as the commands on this shard's keys). A unit that changed the store and reported
 * nothing is a defect: counted, logged, and in tests ({@code -Dpercore.demo.write-path.strict=true})
 * an exception. A unit that changed nothing reports nothing.
 *
 * <p><b>The store's own changes</b> (a key deleted because it expired, or evicted) are reported as
 * {@code DEL key} with their cause, at once and in order with the rest.
 *
 * <p><b>Transactions.</b> While a transaction holds the shard ({@link ShardReservation}), only its
 * work runs here; its changes are kept and reported as one change when it releases the shard, a
 * part of the transaction's group, each command with its step in the transaction (see {@link Change}).
 *
 * <p>Touched only by its shard's thread. With nobody listening a write costs two field reads and
 * compares at the end of its unit, and a change of a key one null check (WATCH) and one compare
 * (blocked clients).
 */
public final class WritePath implements KeyspaceChanges {

    private static final Logger LOG = LoggerFactory.getLogger(WritePath.class);

    /** A write that reports no effect throws instead of being logged (set in the tests). */
    static final boolean STRICT = Boolean.getBoolean("percore.demo.write-path.strict");

    private static final byte[] DEL = ascii("DEL");
    private static final byte[] RESTORE = ascii("RESTORE");
    private static final byte[] REPLACE = ascii("REPLACE");
    private static final byte[] ABSTTL = ascii("ABSTTL");


    /** Hears every command a client ran on this shard (Redis's feed to monitors), arguments already redacted. */
    @FunctionalInterface
    public interface CommandMonitor {
        void ran(String clientAddress, byte[][] argv);
    }

    private final int shardId;
    private final ValueStore store;
    private final ShardReservation reservation;
    private final WatchedKeyVersions watches = new WatchedKeyVersions();
    /** Redis's trackingInvalidateKey: while nothing is tracked here, one check per change. */
    private final TrackingShard tracking;
    private KeyWaiters waiters;
    /** Keys clients block on here: while 0, a value set pays this one compare for blocking. */
    private int waitedKeys;
    private ChangeListener[] listeners = new ChangeListener[0];
    private CommandMonitor monitor;
    /** The keyspace event classes published now ({@link KeyspaceEvents#published}): 0 while notifications are off. */
    private int notifyClasses;
    private int configuredClasses;
    private KeyspaceEvents.Publisher notifications;

    // the open unit
    private int depth;
    private long[] dirtyAt = new long[8];
    private long[] reportsAt = new long[8];
    /** Effects commands reported themselves ({@link #propagate}) since start. */
    private long reports;
    private int step;
    private String cause;
    /** What the open unit reported, kept only while someone listens. */
    private final List<byte[][]> commands = new ArrayList<>();
    private final List<byte[]> keys = new ArrayList<>();

    // the transaction holding the shard: its commands so far, each with its step
    private final List<byte[][]> held = new ArrayList<>();
    private int[] heldSteps = new int[8];
    private final List<byte[]> heldKeys = new ArrayList<>();

    /** Units that changed the store and reported no effect (a defect of the command). */
    private long unreported;
    /** The open unit (or transaction) added a key while a blocking command's first try was on its way. */
    private boolean addedWhileTrying;
    /** What serving the clients blocked on keys the last outermost unit (or release) added still does, or null. */
    private io.percore.engine.ShardFuture<Void> wakeups;

    WritePath(int shardId, ValueStore store, ShardReservation reservation, TrackingShard tracking) {
        this.shardId = shardId;
        this.store = store;
        this.reservation = reservation;
        this.tracking = tracking;
        store.changes(this);
    }

    void waiters(KeyWaiters waiters) {
        this.waiters = waiters;
    }

    // ------------------------------------------------------------------ subscribing

    /** Adds a listener of every change of this shard from now on. Shard thread only. */
    public void listen(ChangeListener listener) {
        ChangeListener[] more = Arrays.copyOf(listeners, listeners.length + 1);
        more[listeners.length] = listener;
        listeners = more;
    }

    /** Removes a listener added by {@link #listen}. Shard thread only. */
    public void unlisten(ChangeListener listener) {
        listeners = Arrays.stream(listeners).filter(l -> l != listener).toArray(ChangeListener[]::new);
    }

    /** Where the commands clients run on this shard are fed (MONITOR); null for nobody. */
    public void monitor(CommandMonitor monitor) {
        this.monitor = monitor;
    }

    /** Where this shard's keyspace events are published (pub/sub's, set once at start). */
    public void notifications(KeyspaceEvents.Publisher publisher) {
        this.notifications = publisher;
        notifyClasses = publisher == null ? 0 : KeyspaceEvents.published(configuredClasses);
    }

    /** {@code notify-keyspace-events} as CONFIG SET parsed it ({@link KeyspaceEvents#parse}); 0 turns notifications off. */
    public void notifyKeyspaceEvents(int classes) {
        configuredClasses = classes;
        notifyClasses = notifications == null ? 0 : KeyspaceEvents.published(classes);
    }

    /** A client ran {@code argv} on this shard (shown to monitors once it ran, as Redis's call() does). */
    public void commandRan(String clientAddress, byte[][] argv) {
        if (monitor != null) {
            monitor.ran(clientAddress, argv);
        }
    }

    // ------------------------------------------------------------------ units

    /** Opens a unit of a command's work on this shard; {@code step} is its step in a transaction (0 outside one). */
    public void begin(int step) {
        if (depth == dirtyAt.length) {
            dirtyAt = Arrays.copyOf(dirtyAt, depth * 2);
            reportsAt = Arrays.copyOf(reportsAt, depth * 2);
        }
        dirtyAt[depth] = store.dirty();
        reportsAt[depth] = reports;
        if (depth == 0) {
            this.step = step;
            this.cause = null;
            this.wakeups = null; // a unit nobody waited for: its serving goes on without a waiter
        }
        depth++;
    }

    /**
     * Closes the unit {@link #begin} opened. If it changed the store and reported no effect, its
     * effect is {@code command} (the command's own arguments: {@code null} when there are none to
     * stand for it, which makes such a unit a defect). The outermost unit's end reports the change
     * and serves the clients blocked on keys it added (Redis's handleClientsBlockedOnKeys after a
     * command), before the shard runs anything else.
     */
    public void end(byte[][] command) {
        int d = --depth;
        if (store.dirty() != dirtyAt[d] && reports == reportsAt[d]) {
            if (command != null) {
                if (cause == null && d == 0 && listeners.length != 0) {
                    cause = causeOf(command[0]);
                }
                propagate(command);
            } else {
                unreported();
            }
        }
        if (d == 0) {
            flushUnit();
            if (waitedKeys != 0 || addedWhileTrying) {
                wakeups = waiters.commandDone(addedWhileTrying);
                addedWhileTrying = false;
            }
        }
    }

    /**
     * What serving the clients blocked on keys the last unit (or a transaction's release) added still
     * does: the served clients answered, a BLMOVE's push onto its destination made, their own wake-ups
     * served. The command's reply waits for it, so a client that read the reply sees the whole effect,
     * as in Redis. Null (the common case: one field read) when it served nobody. Taken once.
     */
    public io.percore.engine.ShardFuture<Void> takeWakeups() {
        io.percore.engine.ShardFuture<Void> w = wakeups;
        wakeups = null;
        return w;
    }

    /**
     * A command that runs without a unit because it only reads is over; {@code dirtyBefore} was
     * {@link ValueStore#dirty()} when it began. A read that changed the store is a defect, as an
     * unreported write is. One compare.
     */
    public void readDone(long dirtyBefore) {
        if (store.dirty() != dirtyBefore) {
            unreported();
        }
    }

    /** The step of the unit open now in the transaction holding the shard (0 outside one). */
    int step() {
        return step;
    }

    /** Effects a command should have reported and did not, since start (INFO, tests). */
    public long unreportedWrites() {
        return unreported;
    }

    private void unreported() {
        unreported++;
        String message = "A write on shard " + shardId + " changed the store and reported no effect"
                + " (a command's part that spans shards must call KeyspaceChanges.propagate)";
        if (STRICT) {
            throw new IllegalStateException(message);
        }
        if (unreported == 1 || Long.bitCount(unreported) == 1) {
            LOG.error("{} ({} so far): replicas and the append-only file miss it", message, unreported, new Throwable("here"));
        }
    }

    // ------------------------------------------------------------------ KeyspaceChanges: from the store

    @Override
    public void modified(byte[] key) {
        watches.modified(key);
        if (tracking.watching()) {
            tracking.modified(key);
        }
        if (listeners.length != 0) {
            (reservation.held() ? heldKeys : keys).add(key);
        }
    }

    @Override
    public void valueSet(byte[] key, ValueType type) {
        if (waitedKeys != 0) {
            waiters.keyAdded(key, type);
        } else if (waiters != null && waiters.triesInFlight()) {
            addedWhileTrying = true; // a blocking command on its way here may be after it: served in its turn
        }
    }

    @Override
    public void keyReady(byte[] key) {
        if (waitedKeys != 0) {
            waiters.keyAdded(key, ValueType.STREAM);
        }
    }

    @Override
    public void expired(byte[] key) {
        storeDeleted(key, "expired");
        notify(KeyspaceEvents.EXPIRED, "expired", key);
    }

    @Override
    public void evicted(byte[] key) {
        storeDeleted(key, "evicted");
        notify(KeyspaceEvents.EVICTED, "evicted", key);
    }

    @Override
    public void notify(int type, String event, byte[] key) {
        if ((notifyClasses & type) != 0) {
            notifications.publish(notifyClasses & (KeyspaceEvents.KEYSPACE | KeyspaceEvents.KEYEVENT), event, key);
        }
    }

    /** The store deleted {@code key} on its own: reported at once as {@code DEL key}, after what the unit reported before it. */
    private void storeDeleted(byte[] key, String why) {
        watches.modified(key);
        if (tracking.watching()) {
            tracking.removedByStore(key);
        }
        if (listeners.length == 0) {
            return;
        }
        byte[][] del = {DEL, key};
        if (reservation.held()) {
            hold(del, key);
            return;
        }
        flushUnit();
        emit(new Change(shardId, 0, null, List.<byte[][]>of(del), null, List.of(key), why));
    }

    @Override
    public void flushing() {
        watches.flushing(store, System.currentTimeMillis());
        if (waitedKeys != 0) {
            waiters.flushing(); // the streams clients wait on go: their XREADGROUP clients fail
        }
        tracking.flushed();
    }

    // ------------------------------------------------------------------ KeyspaceChanges: from commands

    @Override
    public void propagate(byte[]... command) {
        reports++;
        if (listeners.length == 0) {
            return;
        }
        if (reservation.held()) {
            hold(command, null);
        } else {
            commands.add(command);
        }
    }

    @Override
    public boolean followed() {
        return listeners.length != 0;
    }

    @Override
    public void propagated() {
        reports++;
    }

    @Override
    public void propagateValue(byte[] key) {
        if (listeners.length == 0) {
            reports++;
            return;
        }
        ValueStore.StoredValue stored = store.stored(key, System.currentTimeMillis());
        if (stored == null) {
            propagate(DEL, key);
            return;
        }
        // a string changed in place (GrowableString) is written from its own array, without a copy
        byte[] payload = DumpWriter.dump(stored.type(), stored.value());
        long ttl = stored.expireAt() == ValueStore.NO_EXPIRY ? 0 : stored.expireAt();
        propagate(RESTORE, key, ascii(Long.toString(ttl)), payload, REPLACE, ABSTTL);
    }

    private void hold(byte[][] command, byte[] key) {
        if (held.size() == heldSteps.length) {
            heldSteps = Arrays.copyOf(heldSteps, held.size() * 2);
        }
        heldSteps[held.size()] = step;
        held.add(command);
        if (key != null) {
            heldKeys.add(key);
        }
    }

    private void flushUnit() {
        if (commands.isEmpty()) {
            keys.clear();
            return;
        }
        List<byte[][]> made = List.copyOf(commands);
        List<byte[]> touched = List.copyOf(keys);
        commands.clear();
        keys.clear();
        emit(new Change(shardId, 0, null, made, null, touched, cause != null ? cause : causeOf(made.get(0)[0])));
    }

    private void emit(Change change) {
        for (ChangeListener listener : listeners) {
            listener.changed(change);
        }
    }

    // ------------------------------------------------------------------ transactions and blocked clients

    /**
     * The transaction {@code group} released this shard (see {@link ShardReservation#release}): its
     * changes here are reported as its part, an empty one when it spans shards and changed nothing
     * here, then clients blocked on keys it added are served (Redis serves them after EXEC).
     */
    void released(long group, BitSet participants) {
        if (listeners.length != 0 && (!held.isEmpty() || (participants != null && participants.cardinality() > 1))) {
            BitSet parts = participants != null ? (BitSet) participants.clone() : bitOf(shardId);
            emit(new Change(shardId, group, parts, List.copyOf(held), Arrays.copyOf(heldSteps, held.size()),
                    List.copyOf(heldKeys), "exec"));
        }
        held.clear();
        heldKeys.clear();
        wakeups = null;
        if (waitedKeys != 0 || addedWhileTrying) {
            wakeups = waiters.commandDone(addedWhileTrying);
            addedWhileTrying = false;
        }
    }

    /** How many keys clients block on here (kept by {@link KeyWaiters}). */
    void waitedKeys(int count) {
        this.waitedKeys = count;
    }

    // ------------------------------------------------------------------ WATCH

    /** WATCH of {@code key} by one connection: its version now (see {@link WatchedKeyVersions}). */
    public long watch(byte[] key, long now) {
        return watches.watch(store, key, now);
    }

    /** Whether {@code key}, watched at {@code version}, changed since. */
    public boolean watchedKeyChanged(byte[] key, long version, long now) {
        return watches.changedSince(store, key, version, now);
    }

    /** One connection stops watching {@code key}. */
    public void unwatch(byte[] key) {
        watches.unwatch(key);
    }

    /** Keys watched on this shard. */
    public int watchedKeys() {
        return watches.size();
    }

    // ------------------------------------------------------------------ helpers

    private static BitSet bitOf(int shard) {
        BitSet one = new BitSet();
        one.set(shard);
        return one;
    }

    /** The last command name made a cause, and its name: a stream of one command's writes makes no String per write. */
    private byte[] lastName;
    private String lastCause;

    private String causeOf(byte[] name) {
        if (!Arrays.equals(name, lastName)) {
            lastCause = lower(name);
            lastName = name.clone();
        }
        return lastCause;
    }

    private static String lower(byte[] name) {
        return new String(name, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
