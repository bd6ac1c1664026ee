package io.percore.demo.shard;

import io.percore.demo.feed.Change;
import io.percore.demo.feed.ChangeClocks;
import io.percore.demo.feed.ChangeListener;
import io.percore.demo.kv.Databases;
import io.percore.demo.kv.KeyspaceChanges;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.StoredValue;
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
 * {@code call()}, a unit whose command changed the store ({@link Databases#dirty()} moved) reports
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
 * <p><b>Databases.</b> Each numbered database's store reports to its own {@link Database} (what it
 * changed and where: WATCH's versions are per database, as Redis's {@code db->watched_keys}, and so are
 * the keys clients block on); every change is reported with its database ({@link Change#dbs}), so a
 * stream made of the changes selects it before its commands.
 *
 * <p>Touched only by its shard's thread. With nobody listening a write costs two field reads and
 * compares at the end of its unit, and a change of a key one null check (WATCH) and one compare
 * (blocked clients).
 */
public final class WritePath {

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
        /** {@code db}: the client's database once it ran (Redis's {@code c->db->id}: SELECT 3 shows as of database 3). */
        void ran(String clientAddress, int db, byte[][] argv);
    }

    private final int shardId;
    /** The shard's databases: their shared change count ({@link Databases#dirty()}) tells a unit whether it wrote. */
    private final Databases databases;
    private final ShardReservation reservation;
    /** Redis's trackingInvalidateKey: while nothing is tracked here, one check per change. */
    private final TrackingShard tracking;
    private KeyWaiters waiters;
    /** Keys clients block on here: while 0, a value set pays this one compare for blocking. */
    private int waitedKeys;
    private ChangeListener[] listeners = new ChangeListener[0];
    /** The shards' change clocks: this shard's counts each change its listeners hear (null: nobody compares them). */
    private final ChangeClocks clocks;
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
    /** What the open unit reported, kept only while someone listens, each command with its database. */
    private final List<byte[][]> commands = new ArrayList<>();
    private int[] commandDbs = new int[8];
    /** Whether a command of the open unit runs in a database other than 0 (then its change carries {@link Change#dbs}). */
    private boolean unitLeftDb0;
    private final List<byte[]> keys = new ArrayList<>();

    // the transaction holding the shard: its commands so far, each with its step and database
    private final List<byte[][]> held = new ArrayList<>();
    private int[] heldSteps = new int[8];
    private int[] heldDbs = new int[8];
    private boolean heldLeftDb0;
    private final List<byte[]> heldKeys = new ArrayList<>();

    /** Units that changed the store and reported no effect (a defect of the command). */
    private long unreported;
    /** The open unit (or transaction) added a key while a blocking command's first try was on its way. */
    private boolean addedWhileTrying;
    /** What serving the clients blocked on keys the last outermost unit (or release) added still does, or null. */
    private io.percore.engine.ShardFuture<Void> wakeups;

    WritePath(int shardId, Databases databases, ShardReservation reservation, TrackingShard tracking, ChangeClocks clocks) {
        this.shardId = shardId;
        this.clocks = clocks;
        this.databases = databases;
        this.reservation = reservation;
        this.tracking = tracking;
        databases.onMade(this::attach);
    }

    /** A database's store was made: it reports to its own {@link Database} from now on. */
    private void attach(ValueStore store) {
        store.changes(new Database(store.id(), store));
    }

    /** Database {@code db}'s side of the write path (its store made if it was not): what its store reports to. */
    public Database database(int db) {
        return (Database) databases.get(db).changes();
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

    /** A client in database {@code db} ran {@code argv} on this shard (shown to monitors once it ran, as Redis's call() does). */
    public void commandRan(String clientAddress, int db, byte[][] argv) {
        if (monitor != null) {
            monitor.ran(clientAddress, db, argv);
        }
    }

    // ------------------------------------------------------------------ units

    /** Opens a unit of a command's work on this shard; {@code step} is its step in a transaction (0 outside one). */
    public void begin(int step) {
        if (depth == dirtyAt.length) {
            dirtyAt = Arrays.copyOf(dirtyAt, depth * 2);
            reportsAt = Arrays.copyOf(reportsAt, depth * 2);
        }
        dirtyAt[depth] = databases.dirty();
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
     * effect is {@code command} in database {@code commandDb} (the command's own arguments, run in the
     * database the client selected; {@code null} when there are none to stand for it, which makes such
     * a unit a defect). The outermost unit's end reports the change
     * and serves the clients blocked on keys it added (Redis's handleClientsBlockedOnKeys after a
     * command), before the shard runs anything else.
     */
    public void end(int commandDb, byte[][] command) {
        int d = --depth;
        if (databases.dirty() != dirtyAt[d] && reports == reportsAt[d]) {
            if (command != null) {
                if (cause == null && d == 0 && listeners.length != 0) {
                    cause = causeOf(command[0]);
                }
                propagate(commandDb, command);
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
            databases.settle(); // no command holds a value of this shard's now
        }
    }

    /** Closes a unit whose work reports its own effects (there are no arguments to stand for it): see {@link #end(int, byte[][])}. */
    public void end() {
        end(0, null);
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
     * {@link Databases#dirty()} when it began. A read that changed the store is a defect, as an
     * unreported write is. One compare.
     */
    public void readDone(long dirtyBefore) {
        if (databases.dirty() != dirtyBefore) {
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

    // ------------------------------------------------------------------ one database's reports

    /**
     * One database's side of the write path: what its store and the commands running on it report
     * ({@link KeyspaceChanges}), with the database they happened in, and the keys connections WATCH in it.
     */
    public final class Database implements KeyspaceChanges {

        private final int db;
        private final ValueStore store;
        /** The keys of this database connections WATCH (Redis's {@code db->watched_keys}). */
        private final WatchedKeyVersions watches = new WatchedKeyVersions();

        private Database(int db, ValueStore store) {
            this.db = db;
            this.store = store;
        }

        /** Its index. */
        public int db() {
            return db;
        }

        @Override
        public void modified(byte[] key) {
            watches.modified(key);
            if (tracking.watching()) {
                tracking.modified(key); // Redis's tracking table is by key name, whatever the database
            }
            if (listeners.length != 0) {
                (reservation.held() ? heldKeys : keys).add(key);
            }
        }

        @Override
        public void valueSet(byte[] key, ValueType type) {
            if (waitedKeys != 0) {
                waiters.keyAdded(store, key, type);
            } else if (waiters != null && waiters.triesInFlight()) {
                addedWhileTrying = true; // a blocking command on its way here may be after it: served in its turn
            }
        }

        @Override
        public void keyReady(byte[] key) {
            if (waitedKeys != 0) {
                waiters.keyAdded(store, key, ValueType.STREAM);
            }
        }

        @Override
        public void expired(byte[] key) {
            storeDeleted(this, key, "expired");
            notify(KeyspaceEvents.EXPIRED, "expired", key);
        }

        @Override
        public void evicted(byte[] key) {
            storeDeleted(this, key, "evicted");
            notify(KeyspaceEvents.EVICTED, "evicted", key);
        }

        @Override
        public void notify(int type, String event, byte[] key) {
            if ((notifyClasses & type) != 0) {
                notifications.publish(notifyClasses & (KeyspaceEvents.KEYSPACE | KeyspaceEvents.KEYEVENT), event, key, db);
            }
        }

        @Override
        public void flushing() {
            watches.flushing(store, System.currentTimeMillis());
            if (waitedKeys != 0) {
                waiters.flushing(store); // the streams clients wait on go: their XREADGROUP clients fail
            }
            // tracking clients hear of it once per FLUSHALL or FLUSHDB, whatever it emptied: see flushed()
        }

        @Override
        public void propagate(byte[]... command) {
            WritePath.this.propagate(db, command);
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
            StoredValue stored = store.stored(key, System.currentTimeMillis());
            if (stored == null) {
                propagate(DEL, key);
                return;
            }
            // a string changed in place (GrowableString) is written from its own array, without a copy
            byte[] payload = DumpWriter.dump(stored.type(), stored.value());
            long ttl = stored.expireAt() == ValueStore.NO_EXPIRY ? 0 : stored.expireAt();
            propagate(RESTORE, key, ascii(Long.toString(ttl)), payload, REPLACE, ABSTTL);
        }

        // -------------------------------------------------------------- WATCH

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
    }

    /**
     * A FLUSHALL or FLUSHDB emptied this shard's databases (each store's {@code flush}): every tracking
     * client is told to drop its whole cache, once (Redis's {@code trackingInvalidateKeysOnFlush}).
     */
    public void flushed() {
        tracking.flushed();
    }

    /** The store of database {@code d} deleted {@code key} on its own: reported at once as {@code DEL key}, after what the unit reported before it. */
    private void storeDeleted(Database d, byte[] key, String why) {
        d.watches.modified(key);
        if (tracking.watching()) {
            tracking.removedByStore(key);
        }
        if (listeners.length == 0) {
            return;
        }
        byte[][] del = {DEL, key};
        if (reservation.held()) {
            hold(d.db, del, key);
            return;
        }
        flushUnit();
        emit(new Change(shardId, 0, null, List.<byte[][]>of(del), null, d.db == 0 ? null : new int[] {d.db}, List.of(key), why));
    }

    /** A command's effect in database {@code db} (see {@link KeyspaceChanges#propagate}). */
    private void propagate(int db, byte[][] command) {
        reports++;
        if (listeners.length == 0) {
            return;
        }
        if (reservation.held()) {
            hold(db, command, null);
        } else {
            int n = commands.size();
            if (n == commandDbs.length) {
                commandDbs = Arrays.copyOf(commandDbs, n * 2);
            }
            commandDbs[n] = db;
            unitLeftDb0 |= db != 0;
            commands.add(command);
        }
    }

    /**
     * SWAPDB of {@code a} and {@code b} on this shard, as Redis's {@code dbSwapDatabases}: a watched key of
     * either database that exists in it or in the other changes (Redis's {@code touchAllWatchedKeysInDb}),
     * the stores swap their keys, then the keys clients block on in either database are served where they
     * now have data, and XREADGROUP clients whose stream went fail.
     */
    public void swap(int a, int b) {
        if (a == b) {
            return;
        }
        Database da = database(a);
        Database db = database(b);
        long now = System.currentTimeMillis();
        da.watches.swapping(da.store, db.store, now);
        db.watches.swapping(db.store, da.store, now);
        databases.swap(a, b); // tracking clients are told nothing, as by Redis (its tracking table is by key name)
        if (waitedKeys != 0) {
            waiters.swapped(da.store);
            waiters.swapped(db.store);
        }
    }

    private void hold(int db, byte[][] command, byte[] key) {
        if (held.size() == heldSteps.length) {
            heldSteps = Arrays.copyOf(heldSteps, held.size() * 2);
            heldDbs = Arrays.copyOf(heldDbs, held.size() * 2);
        }
        heldSteps[held.size()] = step;
        heldDbs[held.size()] = db;
        heldLeftDb0 |= db != 0;
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
        int[] dbs = unitLeftDb0 ? Arrays.copyOf(commandDbs, made.size()) : null;
        commands.clear();
        keys.clear();
        unitLeftDb0 = false;
        emit(new Change(shardId, 0, null, made, null, dbs, touched, cause != null ? cause : causeOf(made.get(0)[0])));
    }

    private void emit(Change change) {
        if (clocks != null) {
            clocks.hearing(shardId);
        }
        for (ChangeListener listener : listeners) {
            listener.changed(change);
        }
        if (clocks != null) {
            clocks.heard(shardId);
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
                    heldLeftDb0 ? Arrays.copyOf(heldDbs, held.size()) : null, List.copyOf(heldKeys), "exec"));
        }
        held.clear();
        heldLeftDb0 = false;
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

    /** Keys watched on this shard, in every database. */
    public int watchedKeys() {
        int n = 0;
        for (ValueStore store : databases.made()) {
            n += ((Database) store.changes()).watches.size();
        }
        return n;
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
