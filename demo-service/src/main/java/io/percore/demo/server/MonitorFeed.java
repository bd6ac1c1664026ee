package io.percore.demo.server;

import io.percore.engine.Shard;
import io.percore.engine.Sharded;
import io.percore.engine.ShardFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One shard's part of MONITOR (Redis's {@code replicationFeedMonitors}): the MONITOR clients
 * connected to this shard, which shards have any (this shard's copy, kept by messages from each
 * shard when its first monitor arrives or its last leaves), and the lines this shard's commands
 * produce for the others, each sent as it is made, so that it travels ahead of the command's reply
 * (messages between two shards keep their order) and every command the client sends after that
 * reply is seen after it. Lines held to the end of the loop's turn went out behind the reply: a
 * client's next command, run on the monitor's shard, showed before the last one (DatabasesParityTest
 * in a loaded build). With no monitor anywhere, {@link #active()} is false and a command pays that
 * one field read; with one, a message per command per other shard with monitors, as MONITOR's cost.
 *
 * <p>The monitor's shard writes what arrives in one turn in the order the commands ran, not in the
 * order it read its rings (one per sending shard, read in the shards' order): a client's SET run on
 * one shard and its next command's lines from another, both waiting while this shard was busy,
 * showed the second before the first (17 of 400 loops of DatabasesParityTest's commands under
 * {@code stress -c 3}). Lines are sorted by when they ran ({@link System#nanoTime}, one clock for every
 * thread) and written by a task queued behind the turn's messages. What stays possible: a sending shard
 * descheduled between giving a command's reply to the client's shard and its line to this one, for
 * longer than the client takes to send and run its next command: that line then arrives a turn late.
 *
 * <p>A monitor that does not read cannot make the server hold its lines without bound: past
 * {@link #OUTPUT_LIMIT_BYTES} of unwritten output it is disconnected (Redis puts monitors in the
 * normal class, whose default output limit is none).
 */
public final class MonitorFeed {

    /** Unwritten output at which a monitor is disconnected (Redis's pubsub class hard limit). */
    public static final long OUTPUT_LIMIT_BYTES = 32L * 1024 * 1024;

    private final int shardId;
    /** Runs when {@link #active()} may have changed (the shard's command hooks follow it). */
    private final Runnable onChange;
    private final List<Client> monitors = new ArrayList<>();
    /** Lines that arrived this turn, written in the order their commands ran by {@link #writePending}. */
    private final List<Line> pending = new ArrayList<>();
    private final Runnable writePending = this::writePending;
    private final boolean[] shardsWithMonitors;
    private int shardsWithMonitorsCount;
    /** The last announcement that this shard has monitors: a MONITOR reply waits for it. */
    private ShardFuture<Void> announced = ShardFuture.completed(null);
    /** The server's per-shard service, through which lines and announcements reach the other shards. */
    private Sharded<ServerShard> servers;

    public MonitorFeed(int shardId, int shards, Runnable onChange) {
        this.shardId = shardId;
        this.onChange = onChange;
        this.shardsWithMonitors = new boolean[shards];
    }

    /** Whether some shard has a MONITOR client: the one check a command makes. */
    public boolean active() {
        return shardsWithMonitorsCount > 0;
    }

    /** Monitors connected to this shard. */
    int localMonitors() {
        return monitors.size();
    }

    /**
     * Adds a monitor of this shard. @return done once every shard knows this shard has monitors, so
     * the MONITOR reply comes only when commands on any shard reach it
     */
    public ShardFuture<Void> add(Client monitor) {
        monitors.add(monitor);
        if (monitors.size() == 1) {
            announced = announce(true);
        }
        return announced;
    }

    public void remove(Client monitor) {
        if (monitors.remove(monitor) && monitors.isEmpty()) {
            announce(false);
        }
    }

    /** Set once, when the server's service exists on every shard. */
    void servers(Sharded<ServerShard> servers) {
        this.servers = servers;
    }

    /** Tells every shard (this one inline) whether this shard has monitors; per pair of shards messages stay in order. */
    private ShardFuture<Void> announce(boolean present) {
        int from = shardId;
        return servers.mapReduce(state -> {
            state.monitors().shardHasMonitors(from, present);
            return null;
        }, null, (a, b) -> null);
    }

    void shardHasMonitors(int shard, boolean present) {
        if (shardsWithMonitors[shard] != present) {
            shardsWithMonitors[shard] = present;
            shardsWithMonitorsCount += present ? 1 : -1;
            onChange.run();
        }
    }

    /**
     * Feeds one executed command to every monitor: this shard's at once, the others' by a message
     * sent now, ahead of the command's reply. {@code argv} is already redacted where Redis redacts.
     */
    public void feed(String clientAddress, int db, byte[][] argv) {
        Line line = new Line(line(clientAddress, db, argv), System.nanoTime());
        List<Line> one = List.of(line);
        for (int s = 0; s < shardsWithMonitors.length; s++) {
            if (!shardsWithMonitors[s]) {
                continue;
            }
            if (s == shardId) {
                deliver(one);
                continue;
            }
            servers.invokeOn(s, state -> {
                state.monitors().deliver(one);
                return null;
            });
        }
    }

    /**
     * A line and when its command ran: a monitor gets only commands that ran after it became one
     * (a line still travelling from another shard may reach a newer monitor).
     */
    public record Line(String text, long ranAtNanos) {
    }

    /**
     * Takes {@code lines} for this shard's monitors: the first of a turn queues their writing behind the messages this
     * turn has taken in, whose lines join them.
     */
    void deliver(List<Line> lines) {
        if (pending.isEmpty()) {
            Shard.current().execute(writePending);
        }
        pending.addAll(lines);
    }

    private void writePending() {
        List<Line> lines = new ArrayList<>(pending);
        pending.clear();
        lines.sort(BY_TIME_RUN); // stable: lines of the same instant keep the order they arrived in
        for (Client monitor : new ArrayList<>(monitors)) {
            monitor.monitorLines(lines);
        }
    }

    private static final Comparator<Line> BY_TIME_RUN = (a, b) -> Long.compare(a.ranAtNanos() - b.ranAtNanos(), 0);

    /** Redis's monitor line without the leading {@code +} and the CRLF: {@code 1339518083.107412 [0 127.0.0.1:60866] "keys" "*"}. */
    static String line(String clientAddress, int db, byte[][] argv) {
        java.time.Instant now = java.time.Instant.now();
        StringBuilder out = new StringBuilder(32 + 16 * argv.length);
        out.append(now.getEpochSecond()).append('.');
        String micros = Integer.toString(now.getNano() / 1000);
        out.append("000000", 0, 6 - micros.length()).append(micros);
        out.append(" [").append(db).append(' ').append(clientAddress).append("] ");
        for (int j = 0; j < argv.length; j++) {
            repr(argv[j], out);
            if (j != argv.length - 1) {
                out.append(' ');
            }
        }
        return out.toString();
    }

    /** Redis's {@code sdscatrepr}: quoted, with C escapes and {@code \xHH} for bytes that are not printable. */
    static void repr(byte[] bytes, StringBuilder out) {
        out.append('"');
        for (byte b : bytes) {
            int c = b & 0xFF;
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 7 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        out.append((char) c);
                    } else {
                        out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    }
                }
            }
        }
        out.append('"');
    }

    static String repr(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 2);
        repr(bytes, out);
        return out.toString();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
