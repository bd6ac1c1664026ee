package io.percore.demo.replication;

import io.percore.demo.resp.CommandStreamParser;
import io.percore.demo.resp.SelectedDatabase;
import io.percore.demo.resp.AsciiCase;
import io.percore.demo.feed.CommandReplay;
import io.percore.demo.persistence.InfoLines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link of a replica to its primary (Redis 7.0's {@code replication.c}, the replica's side),
 * on one daemon thread of its own with a blocking socket (not on a shard):
 *
 * <ol>
 *   <li>connect; {@code PING} ({@code +PONG}, or {@code -NOAUTH}/{@code -NOPERM}/{@code -ERR operation
 *       not permitted}, which only say authentication is needed); {@code AUTH [masteruser] masterauth}
 *       when set; {@code REPLCONF listening-port}; {@code REPLCONF capa eof capa psync2} (errors of
 *       these two are not fatal, as Redis's); {@code PSYNC <replid> <offset+1>} with a cached
 *       primary, else {@code PSYNC ? -1};</li>
 *   <li>{@code +FULLRESYNC <replid> <offset>}: the snapshot, {@code $<len>} and that many bytes, or
 *       {@code $EOF:<40-byte mark>} and bytes up to the same mark (diskless), written to a temporary
 *       file in {@link Host#tempDir()} and loaded by {@link Host#loadFullSync} (blocking); newlines
 *       before it are the primary's keep-alives. {@code +CONTINUE [<replid>]}: the data is kept and
 *       the stream continues at the offset (under the new id, after a failover);</li>
 *   <li>the stream: whole commands only ({@link CommandStreamParser}), each handed to the
 *       {@link Host#applier()} in order and then to {@link Host#streamed} with its exact bytes; the
 *       offset is the end of the last whole command handed; a {@code MULTI ... EXEC} block is
 *       handed whole once its EXEC came, and until then the offset stays before its MULTI (Redis's
 *       {@code CLIENT_MULTI} master client); {@code PING} counts and applies nothing;
 *       {@code REPLCONF GETACK} is answered at once with the offset before it (Redis updates the
 *       offset after a command ran); {@code SELECT} changes the database of the commands after it, kept
 *       across a partial resync (Redis's cached master keeps its {@code db}); {@code SELECT} of a database
 *       this server does not have drops the link;</li>
 *   <li>{@code REPLCONF ACK <offset>} once a second and on GETACK, each after the applier ran
 *       everything handed ({@link CommandReplay#finish()}), so what is acknowledged is applied.</li>
 * </ol>
 *
 * <p>Faults: a failed connect or handshake, nothing heard for {@code repl-timeout} seconds, the
 * link cut in the middle of the snapshot, a corrupt or truncated stream: the socket is closed,
 * nothing of a command not wholly received is applied, and the link is tried again after 1 s,
 * then 2 s, 4 s, 5 s, 5 s ... (reset once a link came up). The primary's id and the offset are kept
 * for a partial resync, except after a {@code +FULLRESYNC} (the next try asks for a full one, as
 * Redis's {@code replicationDiscardCachedMaster}) and after a corrupt stream (as Redis, which does
 * not cache a master closed for a protocol error: the same bytes would come again). Each failed try's reason
 * ({@link LinkFailure}: a primary's snapshot this server cannot load, a refused AUTH or PSYNC, the primary's
 * {@code maxclients}, a timeout ...) and how many failed in a row are INFO replication's {@code master_link_last_error},
 * {@code master_link_last_error_since} and {@code master_link_failed_attempts} until the link is up again
 * ({@link LinkFailures}). {@link #close()} stops it, once the applier ran what it was handed.
 */
public final class PrimaryLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrimaryLink.class);
    /** Largest element of a command in the stream (Redis's proto-max-bulk-len default). */
    static final long MAX_BULK = 512L << 20;
    /** Most elements of a command in the stream (the service's own clients' limit). */
    static final int MAX_ARGS = 1024 * 1024;
    /** How often a blocked read wakes to send the ack, check the timeout and whether it was closed. */
    static final int TICK_MILLIS = 100;
    static final long FIRST_RETRY_MILLIS = 1000;
    static final long MAX_RETRY_MILLIS = 5000;
    /**
     * A link that was up and dropped, or whose first try failed before any full sync, tries again this soon (then as any failed attempt): its
     * primary was promoted (it drops its replicas, which resync partially under its new id, as Redis's) or demoted, and a
     * write waiting in {@code WAIT} there waits for this replica. Redis's replica reconnects at its next cron tick, up to a
     * second later.
     */
    static final long RETRY_AFTER_UP_MILLIS = 50;
    /** A link up this long is steady: its drop is retried at once even right after another quick retry. */
    static final long STEADY_UP_MILLIS = 500;
    private static final long CLOSE_MILLIS = 30_000;

    /**
     * A primary's id, the offset of the last byte of its stream this server holds (PSYNC asks for the next),
     * and the database the stream selected up to there (Redis's cached master's {@code db}).
     */
    public record Cached(String replid, long offset, int db) {

        public Cached(String replid, long offset) {
            this(replid, offset, 0);
        }
    }

    /** What runs where the stream stands still (see {@link #atPoint}). */
    @FunctionalInterface
    public interface AtPoint {
        /** {@code where}: the primary and the offset whose effects, and none after, the keyspace holds; null when none does. */
        void at(Cached where);
    }

    /**
     * What the link needs from the server (the service's {@link Replication}). Called on the
     * link's thread, one call at a time.
     */
    public interface Host {
        /** Where the snapshot of a full sync is written while it is received ({@code temp-<...>.rdb}, deleted after loading). */
        Path tempDir();

        /** Empties the keyspace and loads {@code rdb}, the snapshot of {@code replid} at {@code offset} (blocks until loaded). */
        void loadFullSync(Path rdb, String replid, long offset) throws IOException;

        /**
         * What applies the stream (a new one for each connection that reaches the stream; see
         * {@link io.percore.demo.replay.StreamReplay}), its commands shown as from {@code primaryPeer}: the primary's
         * address as this link's socket has it ({@code ip:port}, Redis's peer id of its master client, in MONITOR).
         */
        CommandReplay applier(String primaryPeer);

        /** The exact bytes of the stream's next whole command, once handed to the applier (keep-alives and GETACKs included). */
        void streamed(byte[] bytes, int off, int len);

        /** The link is up, continuing {@code replid}'s stream after {@code offset} (after a full sync or a partial resync). */
        void linkUp(String replid, long offset);

        /** The link that was up went down (it is being tried again). */
        void linkDown();

        /**
         * Waits, briefly, until what the applier ran (exactly the stream up to {@code at}: the link waits meanwhile) is as
         * safe in this server's files (its append-only file, which says where it stands) as the changes behind a client's
         * reply are when it leaves. @return whether it is: the ack waits otherwise
         */
        default boolean appliedIsLogged(Cached at) {
            return true;
        }

        /** The port this server's clients use (REPLCONF listening-port). */
        int listeningPort();

        /** This server's {@code databases}: a stream selecting another is refused. */
        default int databases() {
            return 1;
        }

        /** masteruser, or null. */
        String masterUser();

        /** masterauth, or null (no AUTH). */
        String masterAuth();

        /**
         * The primary to continue on the first connection, or null ({@code PSYNC ? -1}): the
         * server's own id and offset when it was a primary or a replica before (PSYNC2). Asked
         * once; the link keeps its own from then on.
         */
        Cached cachedPrimary();

        /**
         * In cluster mode, the id of the node the layout names this server's primary when the layout
         * has it at {@code host}:{@code port}, else null: the link then asks that node {@code CLUSTER
         * MYID} before PSYNC and does not sync from another ({@link PrimaryIdentity}). Asked at every
         * connection, so a newer layout counts at the next try.
         */
        default String layoutPrimaryAt(String host, int port) {
            return null;
        }
    }

    private final String host;
    private final int port;
    private final Host server;
    private final long timeoutMillis;
    private final Thread thread;
    private final Object sleeping = new Object();
    /** When the link last came up, and whether its last drop was retried at once (its thread's). */
    private long upSinceNanos;
    private boolean retriedQuickly;
    private boolean triedBefore;
    private boolean fullSyncBegun;
    private volatile boolean closed;
    /** The server stops ({@link #closeSayingWhereItStops}): the stream's last position goes to the files as an ack's would. */
    private volatile boolean sayWhereItStops;
    private volatile Socket socket;

    /** Where the link's phase is kept (the replication's role in the service), written by the link's thread. */
    private final LinkPhases phases;

    // INFO's, written by the link's thread
    /** The connection's socket, while there is one (INFO reads when the primary was last heard). */
    private volatile PrimaryWire wire;
    /** The full sync's snapshot while it is received (INFO's master_sync_* fields). */
    private volatile SnapshotReceiver receiving;
    private volatile long downSinceMillis = -1;
    private volatile long offset;
    private volatile long readOffset;
    private volatile boolean everUp;
    private final AtomicLong fullSyncs = new AtomicLong();
    private final AtomicLong partialSyncs = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    /** What the link says to the primary before PSYNC, and whether the node there is the layout's primary. */
    private final PrimaryHandshake handshake;
    /** The tries that failed since the link was last up, and why the last one did (INFO's master_link_last_error ...). */
    private final LinkFailures failures = new LinkFailures();

    // the link's thread's; changed only while it is applying, or under pointLock
    /** The primary to continue; null: none (a full sync). */
    private Cached cached;
    /** The database the stream handed so far selected (what a partial resync's new applier is told first). */
    private int streamDb;
    private boolean askedHost;

    // snapshots that want to stand at one offset of the stream
    private final Object pointLock = new Object();
    /** Guarded by pointLock: from PSYNC on, the keyspace may be changing (a sync, the stream applied); requests wait for the link. */
    private boolean applying;
    private final List<AtPoint> points = new ArrayList<>();
    private volatile boolean pointWanted;

    /**
     * A link to {@code host}:{@code port} for {@code server}, its phase kept in {@code phases}; {@code timeoutSeconds} is
     * {@code repl-timeout}. Call {@link #start()}.
     */
    public PrimaryLink(String host, int port, Host server, int timeoutSeconds, LinkPhases phases) {
        this.host = host;
        this.phases = phases;
        this.port = port;
        this.server = server;
        this.handshake = new PrimaryHandshake(host, port, server);
        this.timeoutMillis = TimeUnit.SECONDS.toMillis(Math.max(1, timeoutSeconds));
        this.thread = new Thread(this::loop, "percore-replica-link-" + host + ":" + port);
        this.thread.setDaemon(true);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public void start() {
        thread.start();
    }

    /**
     * As {@link #close()}, for a server that stops: once the applier ran what it was handed, the files are told where the
     * stream stood, as before an ack, so a replica stopped while writes flow (a roll, a drain) continues with a partial
     * resync when it comes back (its append-only file's last line says where it stands, as a final snapshot does).
     */
    public void closeSayingWhereItStops() {
        sayWhereItStops = true;
        close();
    }

    /**
     * Stops the link: closes the socket, stops retrying and waits (bounded) for its thread, which
     * first waits for the applier to run what it was handed. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (sleeping) {
            sleeping.notifyAll();
        }
        closeSocket();
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(CLOSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("The link to MASTER {}:{} did not stop within {} ms", host, port, CLOSE_MILLIS);
            }
        }
        phases.set(LinkPhase.CONNECT);
    }

    /** The primary as this link's socket is connected to it: {@code ip:port}. */
    private String peerId() {
        Socket s = socket;
        return s == null || s.getInetAddress() == null ? host + ":" + port : s.getInetAddress().getHostAddress() + ":" + s.getPort();
    }

    private void closeSocket() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    // ------------------------------------------------------------------ what INFO and ROLE read

    /** Whether the link is up (streaming): its phase, as where it is kept says. */
    public boolean up() {
        return phases.get() == LinkPhase.CONNECTED;
    }

    /** The offset of the last byte of the stream handed to the applier (Redis's {@code slave_repl_offset}). */
    public long offset() {
        return offset;
    }

    /** The link's phase, as where it is kept says. */
    LinkPhase phase() {
        return phases.get();
    }

    /** ROLE's state: connect, connecting, handshake, sync, connected. */
    public String roleState() {
        return phases.get().text();
    }

    /**
     * Runs {@code task} at a point where the keyspace holds exactly the stream up to an offset (a
     * snapshot that records where it stands, so a restart continues from there): at once when the
     * link applies nothing (down, retrying, closed; with the primary it holds, or null after a sync
     * that failed), else on the link's thread between two commands, once everything handed is
     * applied. Until {@code task} returns, the link applies nothing more. Off the shard threads.
     */
    public void atPoint(AtPoint task) {
        synchronized (pointLock) {
            if (applying) {
                points.add(task);
                pointWanted = true;
                return;
            }
            task.at(cached == null ? null : new Cached(cached.replid(), offset, streamDb));
        }
    }

    /** The link's thread, between commands: what {@link #atPoint} asked, after the applier ran everything handed. */
    private void servePoints(CommandReplay applier) {
        applier.finish();
        List<AtPoint> now;
        synchronized (pointLock) {
            now = new ArrayList<>(points);
            points.clear();
            pointWanted = false;
        }
        Cached where = cached == null ? null : new Cached(cached.replid(), offset, streamDb);
        for (AtPoint p : now) {
            runPoint(p, where);
        }
    }

    private static void runPoint(AtPoint p, Cached where) {
        try {
            p.at(where);
        } catch (RuntimeException e) {
            LOG.warn("A snapshot's point in the replication stream failed", e);
        }
    }

    /** The link stops applying (its connection ended): what waits runs with the state it leaves. */
    private void stopApplying() {
        synchronized (pointLock) {
            applying = false;
            Cached where = cached == null ? null : new Cached(cached.replid(), offset, streamDb);
            for (AtPoint p : points) {
                runPoint(p, where);
            }
            points.clear();
            pointWanted = false;
        }
    }

    /** How many tries met another node than the layout's primary at the link's address (and did not sync). */
    long refusals() {
        return handshake.refusals();
    }

    /** How many full syncs and partial resyncs this link made, and how many links dropped on a fault. */
    public long[] counters() {
        return new long[] {fullSyncs.get(), partialSyncs.get(), errors.get()};
    }

    /**
     * INFO replication's lines of the link at phase {@code s} (the role's, read once by the caller), from
     * {@code master_link_status} to {@code master_link_down_since_seconds}, as Redis 7.0 writes them (the caller writes
     * {@code master_host}/{@code master_port} before, {@code slave_priority} ... after).
     */
    public void info(InfoLines out, LinkPhase s) {
        long now = System.currentTimeMillis();
        out.line("master_link_status", s == LinkPhase.CONNECTED ? "up" : "down");
        PrimaryWire w = wire;
        out.line("master_last_io_seconds_ago", s == LinkPhase.CONNECTED && w != null ? (now - w.lastIoMillis()) / 1000 : -1);
        out.line("master_sync_in_progress", s == LinkPhase.SYNC ? 1 : 0);
        out.line("slave_read_repl_offset", readOffset);
        out.line("slave_repl_offset", offset);
        SnapshotReceiver r = receiving;
        if (s == LinkPhase.SYNC && r != null) {
            r.info(out, now);
        }
        if (s != LinkPhase.CONNECTED) {
            long since = downSinceMillis;
            out.line("master_link_down_since_seconds", since < 0 ? -1 : (now - since) / 1000);
            handshake.info(out);
            failures.info(out); // not Redis's either: why the tries fail, while they do
        }
    }

    /** The tries that failed in a row since the link was last up, and why the last one did; null while none did. */
    LinkFailures.Run failures() {
        return failures.current();
    }

    // ------------------------------------------------------------------ the link's thread

    private void loop() {
        long retry = FIRST_RETRY_MILLIS;
        while (!closed) {
            boolean wasUp = false;
            try {
                wasUp = connectOnce();
            } catch (PrimaryHandshake.NotTheLayoutsPrimary e) {
                // logged once per node met (checkIdentity); no fault of the link: the control plane resolves it
                LOG.debug("Not syncing: {}", e.getMessage());
            } catch (CommandStreamParser.Corrupt e) {
                errors.incrementAndGet();
                if (!closed) {
                    failures.failed(LinkFailure.reasonOf(e, host, port, phases.get() == LinkPhase.CONNECTED), System.currentTimeMillis());
                    LOG.warn("MASTER {}:{} sent a corrupt replication stream: {}. Dropping the link and discarding the cached"
                            + " primary (a full sync follows)", host, port, e.getMessage());
                }
                synchronized (pointLock) {
                    cached = null;
                }
            } catch (IOException | RuntimeException e) {
                errors.incrementAndGet();
                if (!closed) {
                    failures.failed(LinkFailure.reasonOf(e, host, port, phases.get() == LinkPhase.CONNECTED), System.currentTimeMillis());
                    LOG.warn("Link with MASTER {}:{} lost or failed: {}", host, port, describe(e));
                    if (e instanceof RuntimeException) {
                        LOG.debug("The link's failure", e);
                    }
                }
            } finally {
                closeSocket();
                socket = null;
                wire = null;
                receiving = null;
            }
            wasUp |= phases.get() == LinkPhase.CONNECTED;
            phases.set(LinkPhase.CONNECT);
            if (wasUp) {
                downSinceMillis = System.currentTimeMillis();
                try {
                    server.linkDown();
                } catch (RuntimeException e) {
                    LOG.warn("linkDown failed", e);
                }
            }
            if (wasUp) {
                retry = FIRST_RETRY_MILLIS;
            }
            if (closed) {
                break;
            }
            // a link that keeps dropping soon after it comes up (a primary that drops it after each sync) is no handover:
            // after one quick try it waits as a failed attempt does (a switchover drops a replica it chained moments
            // before: that first drop is retried at once)
            boolean steady = System.nanoTime() - upSinceNanos >= TimeUnit.MILLISECONDS.toNanos(STEADY_UP_MILLIS);
            // the first try of a link cut short as well: a switchover chains a replica to the next primary and promotes
            // that one moments later, which drops the replica mid-handshake; not one cut in a full sync (costly to repeat)
            boolean firstTry = !triedBefore && !fullSyncBegun;
            triedBefore = true;
            boolean handedOver = (wasUp || firstTry) && (steady || !retriedQuickly);
            retriedQuickly = handedOver;
            long wait = handedOver ? RETRY_AFTER_UP_MILLIS : retry;
            LOG.info("Retrying the link to MASTER {}:{} in {} ms", host, port, wait);
            sleep(wait);
            if (!handedOver) {
                retry = Math.min(MAX_RETRY_MILLIS, retry * 2);
            }
        }
        phases.set(LinkPhase.CONNECT);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private void sleep(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (sleeping) {
            while (!closed) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                try {
                    sleeping.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One connection, from connect to its end. @return whether it reached the stream */
    private boolean connectOnce() throws IOException {
        if (!askedHost) {
            synchronized (pointLock) {
                askedHost = true;
                cached = server.cachedPrimary();
                if (cached != null) {
                    offset = cached.offset();
                    readOffset = cached.offset();
                    streamDb = cached.db();
                }
            }
        }
        phases.set(LinkPhase.CONNECTING);
        LOG.info("Connecting to MASTER {}:{}", host, port);
        Socket s = new Socket();
        socket = s;
        if (closed) {
            throw new IOException("closed");
        }
        s.connect(new InetSocketAddress(host, port), (int) Math.min(timeoutMillis, Integer.MAX_VALUE));
        s.setSoTimeout(TICK_MILLIS);
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        PrimaryWire wire = new PrimaryWire(s, timeoutMillis, () -> closed);
        this.wire = wire;
        LOG.info("MASTER <-> REPLICA sync started");
        phases.set(LinkPhase.HANDSHAKE);
        handshake.run(wire);
        synchronized (pointLock) {
            applying = true;
        }
        try {
            return synced(wire);
        } finally {
            stopApplying();
        }
    }

    /** From PSYNC to the end of the connection. @return true (it reached the stream) */
    private boolean synced(PrimaryWire wire) throws IOException {
        String reply = psync(wire);
        CommandReplay applier;
        if (reply.startsWith("+FULLRESYNC")) {
            String[] parts = reply.split(" ");
            if (parts.length != 3 || parts[1].length() != 40) {
                throw new LinkFailure("Master replied with wrong +FULLRESYNC syntax: " + reply, WRONG_FULLRESYNC);
            }
            long at;
            try {
                at = Long.parseLong(parts[2]);
            } catch (NumberFormatException e) {
                throw new LinkFailure("Master replied with wrong +FULLRESYNC syntax: " + reply, WRONG_FULLRESYNC);
            }
            cached = null; // as Redis: from here only a full sync makes the data whole
            fullSyncBegun = true;
            LOG.info("Full resync from master: {}:{}", parts[1], at);
            SnapshotReceiver snapshot = new SnapshotReceiver(wire);
            receiving = snapshot;
            phases.set(LinkPhase.SYNC);
            snapshot.receive(server.tempDir(), rdb -> server.loadFullSync(rdb, parts[1], at));
            receiving = null;
            applier = server.applier(peerId());
            cached = new Cached(parts[1], at);
            streamDb = 0; // the primary selects again before its next command (Redis's slaveseldb -1 at a full sync)
            offset = at;
            readOffset = at + wire.parser.buffered();
            fullSyncs.incrementAndGet();
            wire.touch();
            phases.set(LinkPhase.CONNECTED);
            upSinceNanos = System.nanoTime();
            everUp = true;
            failures.linkUp();
            server.linkUp(parts[1], at);
            sendAck(wire); // a diskless primary puts the replica online on its first ack
            LOG.info("MASTER <-> REPLICA sync: Finished with success");
        } else if (reply.startsWith("+CONTINUE")) {
            String id = reply.length() > "+CONTINUE".length() ? reply.substring("+CONTINUE".length()).trim() : "";
            Cached was = cached;
            if (!id.isEmpty() && id.length() != 40) {
                throw new LinkFailure("Master replied with wrong +CONTINUE syntax: " + reply, "bad protocol from the primary: its +CONTINUE"
                        + " cannot be read");
            }
            String replid = id.isEmpty() ? was.replid() : id;
            if (!id.isEmpty() && !id.equals(was.replid())) {
                LOG.info("Master replication ID changed to {}", id);
            }
            cached = new Cached(replid, offset, streamDb);
            applier = server.applier(peerId());
            if (streamDb != 0) {
                hand(applier, SelectedDatabase.command(streamDb)); // the stream goes on in the database it had selected
            }
            partialSyncs.incrementAndGet();
            wire.touch();
            readOffset = offset + wire.parser.buffered();
            phases.set(LinkPhase.CONNECTED);
            upSinceNanos = System.nanoTime();
            everUp = true;
            failures.linkUp();
            server.linkUp(replid, offset);
            LOG.info("Successful partial resynchronization with master: continuing from offset {}", offset + 1);
        } else {
            throw new IOException("Unexpected reply to PSYNC from master: " + reply);
        }
        try {
            stream(wire, applier);
        } finally {
            applier.finish(); // what was handed runs before anyone is told the link is down (and before close returns)
            Cached at = cached;
            if (closed && sayWhereItStops && at != null) {
                server.appliedIsLogged(new Cached(at.replid(), offset, streamDb)); // bounded as an ack's wait
            }
        }
        return true;
    }

    private static final String WRONG_FULLRESYNC = "bad protocol from the primary: its +FULLRESYNC cannot be read";

    // ------------------------------------------------------------------ PSYNC

    /** Sends PSYNC and reads its reply (newlines before it are keep-alives). */
    private String psync(PrimaryWire wire) throws IOException {
        Cached c = cached;
        if (c != null) {
            LOG.info("Trying a partial resynchronization (request {}:{}).", c.replid(), offset + 1);
            wire.send("PSYNC", c.replid(), Long.toString(offset + 1));
        } else {
            LOG.info("Partial resynchronization not possible (no cached master)");
            wire.send("PSYNC", "?", "-1");
        }
        while (true) {
            String reply = wire.line();
            if (reply.isEmpty()) {
                continue;
            }
            if (reply.startsWith("-NOMASTERLINK") || reply.startsWith("-LOADING")) {
                throw new LinkFailure("Master is currently unable to PSYNC but should be in the future: " + reply,
                        "the primary cannot sync now: " + reply);
            }
            if (reply.startsWith("+FULLRESYNC") || (reply.startsWith("+CONTINUE") && c != null)) {
                return reply;
            }
            // -NOAUTH (no masterauth), -NOPERM (a masteruser without PSYNC), a replica whose own link is down ...
            throw new LinkFailure("Unexpected reply to PSYNC from master: " + reply, reply.startsWith("-")
                    ? "the primary refused PSYNC: " + reply : "bad protocol from the primary: PSYNC answered " + reply);
        }
    }

    // ------------------------------------------------------------------ the stream

    private static final byte[] PING = bytes("ping");
    private static final byte[] REPLCONF = bytes("replconf");
    private static final byte[] GETACK = bytes("getack");
    private static final byte[] MULTI = bytes("multi");
    private static final byte[] EXEC = bytes("exec");

    private void stream(PrimaryWire wire, CommandReplay applier) throws IOException {
        CommandStreamParser p = wire.parser;
        List<byte[][]> block = null;
        java.io.ByteArrayOutputStream blockBytes = null;
        int blockDb = -1; // the last SELECT of the block arriving, once it is handed
        long nextAck = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!closed) {
            CommandStreamParser.Parsed c;
            while ((c = p.next()) != null) {
                byte[] buf = p.buffer();
                byte[][] argv = c.argv();
                if (block != null) {
                    blockBytes.write(buf, c.from(), c.length());
                    if (argv == null) {
                        continue;
                    }
                    if (argv.length == 1 && is(argv[0], MULTI)) {
                        throw new CommandStreamParser.Corrupt("MULTI inside MULTI");
                    }
                    if (argv.length == 1 && is(argv[0], EXEC)) {
                        handBlock(applier, block);
                        if (blockDb >= 0) {
                            streamDb = blockDb;
                            blockDb = -1;
                        }
                        byte[] all = blockBytes.toByteArray();
                        offset += all.length;
                        server.streamed(all, 0, all.length);
                        block = null;
                        blockBytes = null;
                        continue;
                    }
                    int db = StreamDatabase.selected(argv, server.databases());
                    if (db >= 0) {
                        blockDb = db;
                    }
                    block.add(argv);
                    continue;
                }
                if (argv != null && argv.length == 1 && is(argv[0], MULTI)) {
                    block = new ArrayList<>();
                    blockBytes = new java.io.ByteArrayOutputStream(Math.max(32, c.length()));
                    blockBytes.write(buf, c.from(), c.length());
                    continue;
                }
                if (argv != null && argv.length >= 2 && is(argv[0], REPLCONF) && is(argv[1], GETACK)) {
                    // the offset before the GETACK, as Redis's; not yet if this server's files do not hold it (the next turn's)
                    nextAck = sendAck(wire, applier) ? System.nanoTime() + TimeUnit.SECONDS.toNanos(1) : System.nanoTime();
                } else if (argv != null && !(is(argv[0], PING) || is(argv[0], REPLCONF))) {
                    int db = StreamDatabase.selected(argv, server.databases());
                    if (db >= 0) {
                        streamDb = db;
                    }
                    hand(applier, argv);
                }
                offset += c.length();
                server.streamed(buf, c.from(), c.length());
            }
            readOffset = offset + p.buffered() + (blockBytes == null ? 0 : blockBytes.size());
            if (pointWanted) {
                servePoints(applier); // a transaction still arriving is not handed yet: the offset stands before its MULTI
            }
            if (System.nanoTime() - nextAck >= 0) {
                nextAck = sendAck(wire, applier) ? System.nanoTime() + TimeUnit.SECONDS.toNanos(1) : System.nanoTime();
            }
            wire.fill(false);
        }
    }

    private void hand(CommandReplay applier, byte[][] argv) {
        try {
            applier.run(argv);
        } catch (IllegalArgumentException e) {
            logApplyError(e);
        }
    }

    /** A transaction, handed whole: MULTI, its commands, EXEC (the applier runs nothing of it before its EXEC). */
    private void handBlock(CommandReplay applier, List<byte[][]> block) {
        hand(applier, new byte[][] {bytes("MULTI")});
        for (byte[][] argv : block) {
            hand(applier, argv);
        }
        hand(applier, new byte[][] {bytes("EXEC")});
    }

    private final AtomicLong applyErrors = new AtomicLong();

    private void logApplyError(IllegalArgumentException e) {
        if (applyErrors.incrementAndGet() <= 10) {
            LOG.warn("== CRITICAL == A command of the replication stream from MASTER {}:{} cannot run here: {}", host, port, e.getMessage());
        }
    }

    /**
     * Acks what the applier ran, once this server's files hold it as they hold a reply's changes (Redis writes its log
     * before the ack leaves): a write that WAIT counted must survive every process killed at once, in the files of the
     * replica that acknowledged it (the operator's cold start elects among the pods' files). @return whether it was sent
     * (else it is tried again at the link's next turn)
     */
    private boolean sendAck(PrimaryWire wire, CommandReplay applier) throws IOException {
        applier.finish();
        if (!server.appliedIsLogged(cached == null ? null : new Cached(cached.replid(), offset, streamDb))) {
            return false;
        }
        sendAck(wire);
        return true;
    }

    private void sendAck(PrimaryWire wire) throws IOException {
        wire.send("REPLCONF", "ACK", Long.toString(offset));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean is(byte[] a, byte[] lower) {
        return AsciiCase.equalsIgnoreCase(a, lower);
    }
}
