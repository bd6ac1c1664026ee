package io.percore.demo.cluster;

import io.percore.demo.kv.KeyHashing;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Engine;
import io.percore.engine.ShardFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node in a cluster (Redis's {@code cluster.c}, without the gossip): its id, the layout a
 * control plane gave it ({@link ClusterLayout}, kept in {@code <dir>/nodes.conf} so a restart knows
 * it before the control plane calls), where each command's keys are served ({@link #route}:
 * {@code -MOVED}, {@code -ASK}, {@code -CROSSSLOT}), the replies of the CLUSTER commands, and the
 * slots it moves to other nodes ({@link SlotMigrator}).
 *
 * <p>The layout changes only by {@link #apply}, with an epoch: an older one never replaces a newer
 * one. Read by every shard (a volatile reference); applied on whatever thread the command ran on.
 *
 * <p>A layout read back from {@code nodes.conf} at a start is not served until the control plane
 * confirms it (sends it again, or a newer one): keyed commands get {@code -CLUSTERDOWN} and CLUSTER
 * INFO says {@code cluster_state:fail} meanwhile. A primary restarted while its replica was promoted
 * in its place would otherwise take writes for slots it no longer owns, beside their new owner, until
 * the control plane reached it (6-10 s on the real node, issue 74's cluster-mode campaign). Redis
 * holds a restarted master out for {@code CLUSTER_WRITABLE_DELAY} (2 s) for the same reason, time for
 * its gossip to bring the news; here the news comes only from the control plane, so it waits for it.
 * So does, with {@code percore.demo.cluster.confirm-layout-after-pause}, a node that did not run for
 * that long ({@link PauseWatch}): frozen and thawed, it may have been failed over meanwhile.
 */
public final class Cluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterSettings settings;
    private final String myId;
    private final String announceIp;
    private volatile int announcePort;
    private final Path configFile;
    private final Object applying = new Object();
    private volatile ClusterLayout layout = ClusterLayout.EMPTY;
    /** False while the layout is the one {@code nodes.conf} gave at the start and no control plane has confirmed it. */
    private volatile boolean confirmed = true;
    private final SlotMigrator migrator;
    private final PauseWatch pauses;
    /**
     * {@code System.nanoTime()} since which the layout gives this node no slot ({@link #NEVER} while it owns some), and of
     * its last {@code -MOVED} to a client: CLUSTER INFO's {@code cluster_slotless_ms} and {@code cluster_moved_ago_ms}. The
     * control plane keeps a node that is leaving listed until clients stop coming to it: a client whose refreshed view no
     * longer lists a node closes its connection to it, failing the commands in flight there (Lettuce's stale connections).
     */
    private volatile long slotlessSince = System.nanoTime();
    private volatile long lastMovedAt = NEVER;
    private static final long NEVER = Long.MIN_VALUE;

    private Cluster(ClusterSettings settings, String myId, String announceIp, int announcePort, Path configFile,
                    Keyspace keyspace, Engine engine, Supplier<String> auth) {
        this.settings = settings;
        this.myId = myId;
        this.announceIp = announceIp;
        this.announcePort = announcePort;
        this.configFile = configFile;
        this.migrator = settings.enabled() ? new SlotMigrator(this, keyspace, engine, auth) : null;
        this.pauses = new PauseWatch(settings.confirmLayoutAfterPause());
    }

    /**
     * This node's cluster state: with cluster mode on, its id (the configured one, the one in
     * {@code <dir>/nodes.conf}, or a new random one, kept there), the layout kept there, and every
     * shard counting its keys per slot. {@code auth}: the password to authenticate with at the
     * nodes it moves slots to (masterauth), or null.
     */
    public static Cluster start(ClusterSettings settings, Path dir, String bindAddress, int respPort, Keyspace keyspace, Engine engine,
                                Supplier<String> auth) {
        if (!settings.enabled()) {
            return new Cluster(settings, null, null, 0, null, keyspace, engine, auth);
        }
        Path file = dir.resolve("nodes.conf");
        String id = settings.nodeId();
        ClusterLayout kept = ClusterLayout.EMPTY;
        if (Files.exists(file)) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                String keptId = null;
                long epoch = 0;
                StringBuilder text = new StringBuilder();
                for (String line : lines) {
                    if (line.startsWith("myid ")) {
                        keptId = line.substring(5).trim();
                    } else if (line.startsWith("epoch ")) {
                        epoch = Long.parseLong(line.substring(6).trim());
                    } else if (!line.isBlank()) {
                        text.append(line).append('\n');
                    }
                }
                if (id == null) {
                    id = keptId;
                }
                if (id != null && id.equals(keptId) && epoch > 0) {
                    kept = ClusterLayout.parse(epoch, text.toString());
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("Cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
            }
        }
        if (id == null) {
            byte[] b = new byte[20];
            RANDOM.nextBytes(b);
            id = HexFormat.of().formatHex(b);
        }
        String ip = settings.announceIp() != null ? settings.announceIp()
                : bindAddress == null || bindAddress.isEmpty() || bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress;
        int port = settings.announcePort() > 0 ? settings.announcePort() : respPort;
        Cluster c = new Cluster(settings, id, ip, port, file, keyspace, engine, auth);
        c.layout = kept;
        c.noteSlots(kept);
        c.confirmed = kept.epoch() == 0;
        c.save();
        keyspace.forEachShardBeforeServing(state -> state.store().countKeysPerSlot());
        LOG.info("Cluster mode: node {} at {}:{}, layout epoch {}{}{}", id, ip, port == 0 ? "(its RESP port)" : port, kept.epoch(),
                c.confirmed ? "" : " (from nodes.conf: its slots are served once the control plane confirms it)",
                settings.confirmLayoutAfterPause().isZero() ? ""
                        : "; after a pause of " + settings.confirmLayoutAfterPause().toMillis() + " ms the layout waits for the control plane again");
        return c;
    }

    /**
     * Once the keyspace is loaded and the RESP server bound at {@code respPort}: the port announced
     * when none was set, and the moving of slots the layout migrates away.
     */
    public void startMigrations(int respPort) {
        if (!enabled()) {
            return;
        }
        if (announcePort == 0) {
            announcePort = respPort;
        }
        migrator.start();
    }

    /** Outside cluster mode: routes nothing, answers CLUSTER with Redis's "cluster support disabled". */
    public static Cluster disabled() {
        return new Cluster(ClusterSettings.disabled(), null, null, 0, null, null, null, null);
    }

    public boolean enabled() {
        return settings.enabled();
    }

    public String myId() {
        return myId;
    }

    public ClusterLayout layout() {
        return layout;
    }

    /** Whether the layout is served: not one read back from {@code nodes.conf} that no control plane has confirmed yet. */
    public boolean confirmed() {
        return confirmed;
    }

    /** A shard's cron ({@code serverCron}): the process runs; a pause since the last beat puts the layout in doubt. */
    public void beat() {
        if (pauses.on()) {
            long now = System.nanoTime();
            doubtAfterPause(now); // before the beat: a command on another shard must not see the beat and not the doubt
            pauses.beat(now);
        }
    }

    /** Whether the process paused past the bound: then the layout waits for the control plane again. */
    private boolean doubtAfterPause(long now) {
        long paused = pauses.pausedFor(now);
        if (paused == 0) {
            return false;
        }
        synchronized (applying) {
            if (confirmed && layout.epoch() > 0) {
                confirmed = false;
                LOG.warn("This node did not run for {} ms (frozen, stopped or every shard stuck): the control plane may have given "
                        + "its slots to another node meanwhile; layout epoch {} is served again once it confirms it", paused / 1_000_000,
                        layout.epoch());
                migrator.layoutChanged();
            }
        }
        return true;
    }

    /**
     * The id of the node the layout names this node's primary, when the layout has it at {@code host}:{@code port};
     * null outside cluster mode or when it does not (see {@link ClusterLayout#primaryIdAt}).
     */
    public String layoutPrimaryAt(String host, int port) {
        return enabled() ? layout.primaryIdAt(myId, host, port) : null;
    }

    /** The address and port this node announces. */
    public String announceIp() {
        return announceIp;
    }

    public int announcePort() {
        return announcePort;
    }

    // ------------------------------------------------------------------ the control plane

    /**
     * CLUSTER SETLAYOUT: applies {@code text} at {@code epoch} unless this node holds a newer
     * layout. @return null when applied (or already held), else the error's text
     */
    public String apply(long epoch, String text) {
        if (epoch <= 0) {
            return "ERR layout epoch must be a positive integer";
        }
        ClusterLayout next;
        try {
            next = ClusterLayout.parse(epoch, text);
        } catch (ClusterLayout.BadLayout e) {
            return "ERR bad layout: " + e.getMessage();
        }
        if (next.node(myId) == null) {
            return "ERR bad layout: this node (" + myId + ") is not in it";
        }
        synchronized (applying) {
            ClusterLayout now = layout;
            if (epoch < now.epoch()) {
                return "ERR stale layout epoch " + epoch + ": this node is at " + now.epoch();
            }
            if (epoch == now.epoch()) {
                if (!next.text().equals(now.text())) {
                    return "ERR layout epoch " + epoch + " already holds another layout";
                }
                if (!confirmed) {
                    confirmed = true;
                    LOG.info("Cluster layout epoch {} confirmed by the control plane: its slots are served", epoch);
                    migrator.layoutChanged();
                }
                return null;
            }
            layout = next;
            noteSlots(next);
            confirmed = true;
            save();
        }
        LOG.info("Cluster layout epoch {} applied: {} nodes, {} slots assigned", epoch, next.nodes().size(), next.assignedSlots());
        migrator.layoutChanged();
        return null;
    }

    private void noteSlots(ClusterLayout l) {
        if (!l.rangesOf(myId).isEmpty()) {
            slotlessSince = NEVER;
        } else if (slotlessSince == NEVER) {
            slotlessSince = System.nanoTime();
        }
    }

    private static long msSince(long nanos) {
        return nanos == NEVER ? -1 : java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private void save() {
        ClusterLayout l = layout;
        String content = "myid " + myId + "\nepoch " + l.epoch() + "\n" + l.text() + "\n";
        try {
            Files.createDirectories(configFile.toAbsolutePath().getParent());
            Path temp = configFile.resolveSibling(configFile.getFileName() + ".tmp");
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // as Redis with an unwritable nodes.conf: the layout holds in memory, the control plane sends it again after a restart
            LOG.error("Could not save the cluster layout to {}", configFile.toAbsolutePath(), e);
        }
    }

    // ------------------------------------------------------------------ routing a command's keys

    /** Where a command goes when not here: an error to answer, or a check of its keys in slots migrating from here. */
    public record Route(String error, int[] migratingKeys, int slot, ClusterLayout.Node target) {
    }

    private static final Route DOWN = new Route("CLUSTERDOWN The cluster is down", null, -1, null);
    private static final Route CROSSSLOT = new Route("CROSSSLOT Keys in request don't hash to the same slot", null, -1, null);

    /**
     * Where a command naming the keys at {@code keys} in {@code argv} is served: null when here (the
     * common case: no allocation); else its redirection ({@code -MOVED}, {@code -CROSSSLOT},
     * {@code -CLUSTERDOWN}), or the keys whose slots migrate from here, whose presence decides
     * between running it and {@code -ASK}/{@code -TRYAGAIN} ({@link #afterPresence}). Keys of several
     * slots served here are allowed (wider than Redis, which wants one slot); a slot importing here is
     * served with ASKING; a replica serves its primary's slots to a READONLY connection's reads.
     */
    public Route route(byte[][] argv, int[] keys, boolean asking, boolean readonlyConnection, boolean readCommand) {
        ClusterLayout l = layout;
        ClusterLayout.Node elsewhere = null;
        int elsewhereSlot = -1;
        boolean here = false;
        int firstSlot = -1;
        boolean severalSlots = false;
        int migrating = 0;
        for (int k : keys) {
            int slot = KeyHashing.slot(argv[k]);
            if (firstSlot < 0) {
                firstSlot = slot;
            } else if (slot != firstSlot) {
                severalSlots = true;
            }
            ClusterLayout.Node owner = l.owner(slot);
            if (owner == null) {
                return new Route("CLUSTERDOWN Hash slot not served", null, slot, null);
            }
            if (owner.id().equals(myId)) {
                here = true;
                if (l.migratingTo(slot) != null) {
                    migrating++;
                }
                continue;
            }
            ClusterLayout.Node importingTo = l.migratingTo(slot);
            if (asking && importingTo != null && importingTo.id().equals(myId)) {
                here = true; // a slot moving here: served with ASKING
                continue;
            }
            if (readonlyConnection && readCommand && isReplicaOf(l, owner.id())) {
                here = true;
                continue;
            }
            if (elsewhere != null && !elsewhere.id().equals(owner.id())) {
                return CROSSSLOT;
            }
            elsewhere = owner;
            if (elsewhereSlot < 0) {
                elsewhereSlot = slot;
            }
        }
        if (l.assignedSlots() < KeyHashing.SLOTS || !confirmed || (pauses.on() && doubtAfterPause(System.nanoTime()))) {
            // Redis's cluster-require-full-coverage yes: keys are served only while every slot is; and a layout kept
            // from before a restart only once confirmed (see the class comment)
            return DOWN;
        }
        if (elsewhere != null) {
            if (here || severalSlots) {
                return CROSSSLOT;
            }
            lastMovedAt = System.nanoTime();
            return new Route("MOVED " + elsewhereSlot + " " + elsewhere.address(), null, elsewhereSlot, elsewhere);
        }
        if (migrating == 0) {
            return null;
        }
        int[] moving = new int[migrating];
        int i = 0;
        for (int k : keys) {
            int slot = KeyHashing.slot(argv[k]);
            ClusterLayout.Node owner = l.owner(slot);
            if (owner.id().equals(myId) && l.migratingTo(slot) != null) {
                moving[i++] = k;
            }
        }
        return new Route(null, moving, firstSlot, l.migratingTo(KeyHashing.slot(argv[moving[0]])));
    }

    /**
     * A command whose keys are in slots migrating from here, once it is known how many of those keys
     * are still here ({@code present} of {@code route.migratingKeys()}): null to run it (all are), else
     * {@code -ASK} (none is: they were moved, or are new and created on the target) or
     * {@code -TRYAGAIN} (some are: Redis's answer while a multi-key command's keys are split).
     */
    public static String afterPresence(Route route, byte[][] argv, int present) {
        int n = route.migratingKeys().length;
        if (present == n) {
            return null;
        }
        if (present == 0) {
            int slot = KeyHashing.slot(argv[route.migratingKeys()[0]]);
            boolean oneSlot = true;
            for (int k : route.migratingKeys()) {
                oneSlot &= KeyHashing.slot(argv[k]) == slot;
            }
            if (oneSlot) {
                return "ASK " + slot + " " + route.target().address();
            }
        }
        return "TRYAGAIN Multiple keys request during rehashing of slot";
    }

    /**
     * Run with the shards of the command's keys held (so no batch of {@link SlotMigrator} moves them
     * meanwhile): counts which of its keys in migrating slots are still here, and answers as
     * {@link #afterPresence}: null to run the command here, else the {@code -ASK}/{@code -TRYAGAIN} text.
     */
    public static ShardFuture<String> refusalWhileMigrating(Keyspace bound, Route route, byte[][] argv) {
        ShardFuture<Integer> present = ShardFuture.completed(0);
        for (int k : route.migratingKeys()) {
            byte[] key = argv[k];
            present = present.flatMap(n -> bound.invokeOn(bound.shardOf(key),
                    state -> state.store().exists(key, System.currentTimeMillis()) ? n + 1 : n));
        }
        return present.map(n -> afterPresence(route, argv, n));
    }

    private boolean isReplicaOf(ClusterLayout l, String primaryId) {
        ClusterLayout.Node me = l.node(myId);
        return me != null && primaryId.equals(me.primary());
    }

    // ------------------------------------------------------------------ what CLUSTER answers

    /** CLUSTER NODES: Redis 7.0's lines. */
    public String nodesText() {
        ClusterLayout l = layout;
        StringBuilder sb = new StringBuilder();
        long now = System.currentTimeMillis();
        for (ClusterLayout.Node n : l.nodes()) {
            boolean me = n.id().equals(myId);
            sb.append(n.id()).append(' ').append(n.ip()).append(':').append(n.port()).append('@').append(busPort(n.port())).append(' ');
            sb.append(me ? "myself," : "").append(n.isPrimary() ? "master" : "slave").append(' ');
            sb.append(n.isPrimary() ? "-" : n.primary()).append(' ');
            sb.append("0 ").append(me ? 0 : now).append(' ').append(l.epoch()).append(" connected");
            if (n.isPrimary()) {
                for (int[] r : l.rangesOf(n.id())) {
                    sb.append(' ').append(r[0]);
                    if (r[1] != r[0]) {
                        sb.append('-').append(r[1]);
                    }
                }
            }
            if (me) {
                for (int s = 0; s < KeyHashing.SLOTS; s++) {
                    ClusterLayout.Node to = l.migratingTo(s);
                    if (to == null) {
                        continue;
                    }
                    ClusterLayout.Node from = l.owner(s);
                    if (from.id().equals(myId)) {
                        sb.append(" [").append(s).append("->-").append(to.id()).append(']');
                    } else if (to.id().equals(myId)) {
                        sb.append(" [").append(s).append("-<-").append(from.id()).append(']');
                    }
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static int busPort(int port) {
        return port + 10000 <= 65535 ? port + 10000 : 0;
    }

    /** CLUSTER SLOTS: per run of slots with one owner, [start, end, [ip, port, id, {}] of the owner, then of its replicas]. */
    public List<Object> slots() {
        ClusterLayout l = layout;
        List<Object> out = new ArrayList<>();
        int start = 0;
        ClusterLayout.Node run = l.owner(0);
        for (int s = 1; s <= KeyHashing.SLOTS; s++) {
            ClusterLayout.Node o = s < KeyHashing.SLOTS ? l.owner(s) : null;
            if (s == KeyHashing.SLOTS || o != run) {
                if (run != null) {
                    List<Object> entry = new ArrayList<>();
                    entry.add((long) start);
                    entry.add((long) s - 1);
                    entry.add(nodeEntry(run));
                    for (ClusterLayout.Node r : l.replicasOf(run.id())) {
                        entry.add(nodeEntry(r));
                    }
                    out.add(entry);
                }
                start = s;
                run = o;
            }
        }
        return out;
    }

    private static List<Object> nodeEntry(ClusterLayout.Node n) {
        return List.of(n.ip(), (long) n.port(), n.id(), new LinkedHashMap<String, Object>());
    }

    /** CLUSTER SHARDS: per primary, {slots: [start, end, ...], nodes: [{id, port, ip, endpoint, role, replication-offset, health}]}. */
    public List<Object> shards(long myReplicationOffset) {
        ClusterLayout l = layout;
        List<Object> out = new ArrayList<>();
        for (ClusterLayout.Node p : l.nodes()) {
            if (!p.isPrimary()) {
                continue;
            }
            List<Object> slots = new ArrayList<>();
            for (int[] r : l.rangesOf(p.id())) {
                slots.add((long) r[0]);
                slots.add((long) r[1]);
            }
            List<Object> nodes = new ArrayList<>();
            nodes.add(shardNode(p, myReplicationOffset));
            for (ClusterLayout.Node r : l.replicasOf(p.id())) {
                nodes.add(shardNode(r, myReplicationOffset));
            }
            Map<String, Object> shard = new LinkedHashMap<>();
            shard.put("slots", slots);
            shard.put("nodes", nodes);
            out.add(shard);
        }
        return out;
    }

    private Map<String, Object> shardNode(ClusterLayout.Node n, long myOffset) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("port", (long) n.port());
        m.put("ip", n.ip());
        m.put("endpoint", n.ip());
        m.put("role", n.isPrimary() ? "master" : "replica");
        m.put("replication-offset", n.id().equals(myId) ? myOffset : 0L);
        m.put("health", "online");
        return m;
    }

    /** CLUSTER INFO's lines. */
    public String infoText() {
        if (pauses.on()) {
            doubtAfterPause(System.nanoTime()); // the operator asks this first after a thaw: it must not read "ok" then
        }
        ClusterLayout l = layout;
        int assigned = l.assignedSlots();
        int size = 0;
        for (ClusterLayout.Node n : l.nodes()) {
            if (n.isPrimary() && !l.rangesOf(n.id()).isEmpty()) {
                size++;
            }
        }
        return "cluster_state:" + (assigned == KeyHashing.SLOTS && confirmed ? "ok" : "fail") + "\r\n"
                + "cluster_slots_assigned:" + assigned + "\r\n"
                + "cluster_slots_ok:" + assigned + "\r\n"
                + "cluster_slots_pfail:0\r\n"
                + "cluster_slots_fail:0\r\n"
                + "cluster_known_nodes:" + Math.max(1, l.nodes().size()) + "\r\n"
                + "cluster_size:" + size + "\r\n"
                + "cluster_current_epoch:" + l.epoch() + "\r\n"
                + "cluster_my_epoch:" + l.epoch() + "\r\n"
                + "cluster_stats_messages_sent:0\r\n"
                + "cluster_stats_messages_received:0\r\n"
                + "total_cluster_links_buffer_limit_exceeded:0\r\n"
                + "cluster_slotless_ms:" + msSince(slotlessSince) + "\r\n"
                + "cluster_moved_ago_ms:" + msSince(lastMovedAt) + "\r\n";
    }

    /** CLUSTER MIGRATIONS: what this node moves away now (see {@link SlotMigrator#status}). */
    public List<Object> migrations() {
        return migrator == null ? List.of() : migrator.status();
    }

    @Override
    public void close() {
        if (migrator != null) {
            migrator.close();
        }
    }
}
