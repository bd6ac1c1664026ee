package io.percore.demo.pubsub;

import io.percore.demo.shard.Keyspace;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * Pub/sub across shards: a {@link Sharded} service with one {@link PubSubShard} per shard.
 * Subscribing changes only the subscriber's shard; publishing hands the message to every shard
 * (each delivers to its own subscribers) and sums the receivers. Calls from one shard to another
 * are FIFO, so one publisher's messages reach every subscriber in publish order.
 */
public final class PubSub implements AutoCloseable {

    private final Sharded<PubSubShard> tables;
    private final KeyspaceInterest interest;

    private PubSub(Sharded<PubSubShard> tables, KeyspaceInterest interest) {
        this.tables = tables;
        this.interest = interest;
    }

    /** Creates a table on every shard of {@code engine} (blocks; call off-shard). */
    public static PubSub start(Engine engine) {
        KeyspaceInterest interest = new KeyspaceInterest(engine.shardCount());
        return new PubSub(Sharded.start(engine, id -> new PubSubShard(id, interest)), interest);
    }

    /**
     * {@link #start(Engine)}, and each shard's keyspace events of {@code keyspace} published here
     * ({@link KeyspaceNotifications}) from now on, as {@code notify-keyspace-events} selects them.
     */
    public static PubSub start(Engine engine, Keyspace keyspace) {
        PubSub pubsub = start(engine);
        pubsub.tables.fromOutside().invokeOnAll(table -> keyspace.local().writes().notifications(
                new KeyspaceNotifications(Shard.current().id(), pubsub.tables, table, pubsub.interest))).join();
        return pubsub;
    }

    /** This shard's table. */
    public PubSubShard local() {
        return tables.local();
    }

    /** PUBLISH / SPUBLISH: delivers on every shard; completes with the number of receivers. */
    public ShardFuture<Long> publish(byte[] channel, byte[] message, boolean shard) {
        return tables.mapReduce(t -> t.deliver(channel, message, shard), 0L, Long::sum);
    }

    /**
     * PUBLISH from a script, which cannot wait for other shards: this shard's subscribers get the
     * message now, the other shards' as soon as those shards run the message sent them (in order with
     * whatever this shard published to them before). The count is this shard's subscribers', as a
     * Redis Cluster node counts only its own clients.
     */
    public long publishHere(byte[] channel, byte[] message, boolean shard) {
        int here = io.percore.engine.Shard.current().id();
        for (int s = 0; s < tables.shardCount(); s++) {
            if (s != here) {
                tables.invokeOn(s, t -> t.deliver(channel, message, shard));
            }
        }
        return tables.local().deliver(channel, message, shard);
    }

    /** Maps every shard's table and folds the results on the calling shard (PUBSUB CHANNELS, NUMSUB, NUMPAT). */
    public <R> ShardFuture<R> mapReduce(Function<PubSubShard, R> mapper, R identity, BinaryOperator<R> reducer) {
        return tables.mapReduce(mapper, identity, reducer);
    }

    @Override
    public void close() {
        try {
            tables.stop().orTimeout(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (java.util.concurrent.CompletionException e) {
            org.slf4j.LoggerFactory.getLogger(PubSub.class).warn("Pub/sub did not close on every shard in time; going on", e.getCause());
        }
    }
}
