package io.percore.demo.pubsub;

import io.percore.demo.kv.ByteString;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The channels, patterns and shard channels one connection subscribes to (Redis's
 * {@code c->pubsub_channels}, {@code c->pubsub_patterns}, {@code c->pubsub_shard_channels}), in
 * subscription order. Kept in the connection's session; the subscriber's shard's
 * {@link PubSubShard} holds the other side. Shard-confined.
 */
public final class Subscriptions {
    public final Set<ByteString> channels = new LinkedHashSet<>();
    public final Set<ByteString> patterns = new LinkedHashSet<>();
    public final Set<ByteString> shardChannels = new LinkedHashSet<>();

    /** Redis's clientSubscriptionsCount: channels and patterns (shard channels count apart). */
    public int count() {
        return channels.size() + patterns.size();
    }

    public boolean isEmpty() {
        return channels.isEmpty() && patterns.isEmpty() && shardChannels.isEmpty();
    }
}
