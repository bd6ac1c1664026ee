package io.percore.demo.server;

import io.percore.demo.acl.ChannelGrant;
import io.percore.demo.acl.UserIdentity;
import io.percore.demo.pubsub.Subscriptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RESP clients connected to one shard, by id, in connection order (Redis's
 * {@code server.clients} for this shard). CLIENT LIST and CLIENT KILL ask every shard's registry
 * through the keyspace; each line is built and each kill done on the client's own shard.
 */
public final class ClientRegistry {

    private final Map<Long, Client> byId = new LinkedHashMap<>();

    public void add(Client connection) {
        byId.put(connection.id(), connection);
    }

    public void remove(Client connection) {
        byId.remove(connection.id());
    }

    /** The client with {@code id} on this shard, or null. */
    public Client find(long id) {
        return byId.get(id);
    }

    public int size() {
        return byId.size();
    }

    /** Runs the commands a transaction's or script's hold on the shard made its clients wait with (see {@link Client#resumeAfterHold}). */
    public void resumeHeldCommands() {
        for (Client c : new ArrayList<>(byId.values())) {
            c.resumeAfterHold();
        }
    }

    /** Flushes what was pushed to this shard's clients this turn now (see {@link Client#releasePushFlush}). */
    public void releasePushFlushes() {
        for (Client c : new ArrayList<>(byId.values())) {
            c.releasePushFlush();
        }
    }

    /** This shard's share of {@code maxclients}: every shard takes an equal part, as with maxmemory. */
    public static long shardLimit(ConfigValues config, int shards) {
        return (config.maxClients() + shards - 1) / shards;
    }

    /** The CLIENT LIST lines (each with its id, for merging shards in id order) of the clients {@code filter} selects. */
    public List<Line> list(ClientFilter filter) {
        long now = System.nanoTime();
        List<Line> lines = new ArrayList<>();
        for (Client c : byId.values()) {
            if (filter.matches(c, now)) {
                lines.add(new Line(c.id(), c.info(now)));
            }
        }
        return lines;
    }

    /**
     * CLIENT KILL on this shard: closes the clients {@code filter} selects, except the caller
     * ({@code callerId}) when {@code skipMe}; the caller, when selected, closes after its reply.
     * @return how many were selected
     */
    public int kill(ClientFilter filter, long callerId, boolean skipMe) {
        long now = System.nanoTime();
        int killed = 0;
        for (Client c : new ArrayList<>(byId.values())) {
            if (!filter.matches(c, now)) {
                continue;
            }
            if (c.id() == callerId) {
                if (skipMe) {
                    continue;
                }
                c.killAfterReply();
            } else {
                c.kill();
            }
            killed++;
        }
        return killed;
    }

    /**
     * ACL SETUSER took channels away from {@code user} (Redis's {@code ACLKillPubsubClientsIfNeeded}):
     * closes its subscribers on this shard that subscribe to a channel, shard channel or pattern
     * {@code kept} no longer allows; the caller ({@code callerId}), when it is one, after its reply.
     * @return how many
     */
    public int closeRevokedSubscribers(UserIdentity user, ChannelGrant kept, long callerId) {
        int closed = 0;
        for (Client c : new ArrayList<>(byId.values())) {
            Subscriptions s = c.subscriptions();
            if (c.user() != user || c.replica() || s == null || s.isEmpty()) {
                continue;
            }
            boolean revoked = s.patterns.stream().anyMatch(p -> !kept.allowsPattern(p.bytes()))
                    || s.channels.stream().anyMatch(ch -> !kept.allowsChannel(ch.bytes()))
                    || s.shardChannels.stream().anyMatch(ch -> !kept.allowsChannel(ch.bytes()));
            if (revoked) {
                close(c, callerId);
                closed++;
            }
        }
        return closed;
    }

    /**
     * The users of {@code ended} were deleted (ACL DELUSER) or replaced (ACL LOAD): their clients on this
     * shard close, the caller ({@code callerId}) after its reply, as Redis frees them. @return how many
     */
    public int closeClientsOf(java.util.Collection<UserIdentity> ended, long callerId) {
        int closed = 0;
        for (Client c : new ArrayList<>(byId.values())) {
            if (c.user() != null && ended.contains(c.user())) {
                close(c, callerId);
                closed++;
            }
        }
        return closed;
    }

    /**
     * A primary demoted by REPLICAOF closes its clients on this shard (every one but the replicas' links and the caller,
     * whose reply must arrive), so that a client connected through the primary's Service sees its connection closed and
     * reconnects, to the new primary, at once, instead of meeting -READONLY or a silence. @return how many
     */
    public int closeClientsButReplicas(long callerId) {
        int closed = 0;
        for (Client c : new ArrayList<>(byId.values())) {
            if (!c.replica() && c.id() != callerId) {
                c.kill();
                closed++;
            }
        }
        return closed;
    }

    private static void close(Client c, long callerId) {
        if (c.id() == callerId) {
            c.killAfterReply();
        } else {
            c.kill();
        }
    }

    /** Redis's clientsCronHandleTimeout: closes clients idle for {@code timeoutNanos} or more. @return how many */
    public int closeIdle(long timeoutNanos, long now) {
        int closed = 0;
        for (Client c : new ArrayList<>(byId.values())) {
            if (c.idleTimeoutApplies() && c.idleNanos(now) > timeoutNanos) {
                c.kill();
                closed++;
            }
        }
        return closed;
    }

    /** Checks every client's limits and figures (the shard's cron, once a second: drained output, soft limits). */
    public void checkMemory() {
        for (Client c : new ArrayList<>(byId.values())) {
            c.checkMemory();
        }
    }

    /**
     * Redis 7's client eviction on one shard: while its clients hold more than {@code target} (their
     * last reported figures add up to {@code total}), closes the one holding the most (not those with
     * CLIENT NO-EVICT ON); {@code budget} (maxmemory-clients) and {@code elsewhere} (what the other
     * shards' clients hold) are for the log. @return how many were closed
     */
    public int evictLargest(long total, long target, long budget, long elsewhere) {
        int evicted = 0;
        while (total > target) {
            Client largest = null;
            for (Client c : byId.values()) {
                if (!c.noEvict() && (largest == null || c.reportedMemory() > largest.reportedMemory())) {
                    largest = c;
                }
            }
            if (largest == null || largest.reportedMemory() <= ClientMemory.FIXED_BYTES) {
                return evicted; // nobody holds anything worth closing for
            }
            long holds = largest.reportedMemory();
            // closing takes its figure out of the shard's total at once (the close itself comes later)
            largest.closeForLimits("clients hold more than maxmemory-clients (" + budget + " bytes: " + total + " on this shard, "
                    + elsewhere + " on the others) and this one holds the most on its shard (" + holds + ")");
            total -= holds;
            evicted++;
        }
        return evicted;
    }

    /** One client's line and id. */
    public record Line(long id, String text) {
    }
}
