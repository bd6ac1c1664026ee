package io.percore.demo.pubsub;

import static io.percore.demo.resp.RespReplies.bulk;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.GlobPattern;
import io.percore.demo.kv.KeyspaceEvents;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One shard's pub/sub subscriptions (Redis's {@code pubsub_channels}, {@code pubsub_patterns} and
 * {@code pubsubshard_channels} for the connections of this shard). A publish reaches every shard's
 * table ({@link PubSub#publish}), each delivering to its own subscribers; subscribing touches only
 * the subscriber's shard. Shard-confined.
 */
public final class PubSubShard implements AutoCloseable {

    static final RedisMessage MESSAGE = bulk("message");
    static final RedisMessage PMESSAGE = bulk("pmessage");
    static final RedisMessage SMESSAGE = bulk("smessage");

    private final Map<ByteString, Subscribers> channels = new HashMap<>();
    private final Map<ByteString, Subscribers> shardChannels = new HashMap<>();
    private final Map<ByteString, Pattern> patterns = new HashMap<>();
    /** Channels of {@link #channels} named as keyspace events' channels are. */
    private int keyspaceChannels;
    private final int shardId;
    private final KeyspaceInterest interest;
    /** Where this shard's messages are encoded, once for all their subscribers. */
    private final PushChunks chunks = new PushChunks();

    /** The table of shard {@code shardId}, which tells {@code interest} whether a keyspace event could reach it. */
    PubSubShard(int shardId, KeyspaceInterest interest) {
        this.shardId = shardId;
        this.interest = interest;
    }

    private static final class Pattern {
        final GlobPattern glob;
        final RedisMessage name;
        final Subscribers subscribers = new Subscribers();

        Pattern(byte[] pattern) {
            this.glob = new GlobPattern(pattern);
            this.name = bulk(pattern);
        }
    }

    /** True when {@code subscriber} was not subscribed to {@code channel} (of the plain or the shard kind). */
    public boolean subscribe(Subscriber subscriber, ByteString channel, boolean shard) {
        Map<ByteString, Subscribers> map = shard ? shardChannels : channels;
        Subscribers subscribers = map.get(channel);
        if (subscribers == null) {
            subscribers = new Subscribers();
            map.put(channel, subscribers);
            if (!shard && isKeyspaceChannel(channel.bytes())) {
                keyspaceChannels++;
                interestChanged();
            }
        }
        return subscribers.add(subscriber);
    }

    public boolean unsubscribe(Subscriber subscriber, ByteString channel, boolean shard) {
        Map<ByteString, Subscribers> map = shard ? shardChannels : channels;
        Subscribers subscribers = map.get(channel);
        if (subscribers == null || !subscribers.remove(subscriber)) {
            return false;
        }
        if (subscribers.isEmpty()) {
            map.remove(channel);
            if (!shard && isKeyspaceChannel(channel.bytes())) {
                keyspaceChannels--;
                interestChanged();
            }
        }
        return true;
    }

    public boolean psubscribe(Subscriber subscriber, ByteString pattern) {
        Pattern p = patterns.get(pattern);
        if (p == null) {
            p = new Pattern(pattern.bytes());
            patterns.put(pattern, p);
            interestChanged();
        }
        return p.subscribers.add(subscriber);
    }

    public boolean punsubscribe(Subscriber subscriber, ByteString pattern) {
        Pattern p = patterns.get(pattern);
        if (p == null || !p.subscribers.remove(subscriber)) {
            return false;
        }
        if (p.subscribers.isEmpty()) {
            patterns.remove(pattern);
            interestChanged();
        }
        return true;
    }

    /** Any pattern may match a keyspace event's channel; a plain channel only when named as they are. */
    private void interestChanged() {
        interest.publish(shardId, patterns.size() + keyspaceChannels);
    }

    private static boolean isKeyspaceChannel(byte[] channel) {
        return startsWith(channel, KEYSPACE_PREFIX_ANY_DB) || startsWith(channel, KEYEVENT_PREFIX_ANY_DB);
    }

    private static boolean startsWith(byte[] s, byte[] prefix) {
        return s.length >= prefix.length && java.util.Arrays.equals(s, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static final byte[] KEYSPACE_PREFIX_ANY_DB = "__keyspace@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEYEVENT_PREFIX_ANY_DB = "__keyevent@".getBytes(StandardCharsets.US_ASCII);

    /**
     * Delivers {@code message} on {@code channel} to this shard's subscribers of the channel and of
     * every pattern matching it (plain channels), or of the shard channel; returns how many got it.
     * The subscribers of one channel, or of one pattern, share one encoding of the message
     * ({@link SharedPush}), made once per protocol for all of them. Matching is
     * O(pattern × channel) per pattern ({@link GlobPattern}), so no pattern can stall the shard.
     */
    long deliver(byte[] channel, byte[] message, boolean shard) {
        return deliver(channel, message, shard, null);
    }

    /** {@link #deliver}, adding every subscriber that got the message to {@code delivered} when not null. */
    private long deliver(byte[] channel, byte[] message, boolean shard, Set<Subscriber> delivered) {
        long received = 0;
        ByteString key = new ByteString(channel);
        Subscribers subscribers = (shard ? shardChannels : channels).get(key);
        RedisMessage channelName = null;
        RedisMessage payload = null;
        if (subscribers != null) {
            channelName = bulk(channel);
            payload = bulk(message);
            try (SharedPush push = new SharedPush(List.of(shard ? SMESSAGE : MESSAGE, channelName, payload), chunks)) {
                received += pushToAll(push, subscribers, delivered);
            }
        }
        if (!shard && !patterns.isEmpty()) {
            for (Pattern p : new ArrayList<>(patterns.values())) {
                if (!p.glob.matches(channel)) {
                    continue;
                }
                if (channelName == null) {
                    channelName = bulk(channel);
                    payload = bulk(message);
                }
                try (SharedPush push = new SharedPush(List.of(PMESSAGE, p.name, channelName, payload), chunks)) {
                    received += pushToAll(push, p.subscribers, delivered);
                }
            }
        }
        return received;
    }

    /** Pushes {@code push} to each of {@code subscribers}, adding them to {@code delivered} when not null; returns how many. */
    private static int pushToAll(SharedPush push, Subscribers subscribers, Set<Subscriber> delivered) {
        // an array no change touches: a subscriber that closes itself for being too slow leaves the set while we walk
        Subscriber[] all = subscribers.all();
        for (Subscriber s : all) {
            s.push(push);
            if (delivered != null) {
                delivered.add(s);
            }
        }
        return all.length;
    }

    /**
     * Delivers one keyspace event to this shard's subscribers ({@code notify.c}'s notifyKeyspaceEvent):
     * {@code __keyspace@0__:<key>} carrying the event when {@code kinds} has K, then
     * {@code __keyevent@0__:<event>} carrying the key when it has E; then every subscriber that got
     * one writes it out at once (see {@link Subscriber#flushPushes}). A shard where no subscription
     * could get it pays two checks.
     */
    void deliverKeyspaceEvent(int kinds, byte[] event, byte[] key, int db) {
        if (keyspaceChannels == 0 && patterns.isEmpty()) {
            return;
        }
        if ((kinds & KeyspaceEvents.KEYSPACE) != 0) {
            deliver(concat(prefix(KEYSPACE_PREFIXES, "__keyspace@", db), key), event, false, toFlush);
        }
        if ((kinds & KeyspaceEvents.KEYEVENT) != 0) {
            deliver(concat(prefix(KEYEVENT_PREFIXES, "__keyevent@", db), event), key, false, toFlush);
        }
        if (toFlush.isEmpty()) {
            return;
        }
        Subscriber[] got = toFlush.toArray(new Subscriber[0]);
        toFlush.clear(); // before flushing: a subscriber closed by its flush may lead here again
        for (Subscriber s : got) {
            s.flushPushes();
        }
    }

    /** The channels' prefixes of the first databases, {@code __keyspace@<db>__:} and {@code __keyevent@<db>__:}, made once. */
    private static final byte[][] KEYSPACE_PREFIXES = prefixes("__keyspace@");
    private static final byte[][] KEYEVENT_PREFIXES = prefixes("__keyevent@");

    private static byte[][] prefixes(String start) {
        byte[][] all = new byte[16][];
        for (int db = 0; db < all.length; db++) {
            all[db] = (start + db + "__:").getBytes(StandardCharsets.US_ASCII);
        }
        return all;
    }

    /** Redis's {@code __keyspace@<db>__:} (or keyevent) channel prefix of database {@code db}. */
    private static byte[] prefix(byte[][] made, String start, int db) {
        return db < made.length ? made[db] : (start + db + "__:").getBytes(StandardCharsets.US_ASCII);
    }

    /** Subscribers that got a keyspace event not written out yet (one event's worth). */
    private final Set<Subscriber> toFlush = new LinkedHashSet<>();

    private static byte[] concat(byte[] prefix, byte[] rest) {
        byte[] out = java.util.Arrays.copyOf(prefix, prefix.length + rest.length);
        System.arraycopy(rest, 0, out, prefix.length, rest.length);
        return out;
    }

    /** The channels (or shard channels) with a subscriber here that match {@code pattern} (null: all). */
    public List<byte[]> channels(GlobPattern pattern, boolean shard) {
        List<byte[]> out = new ArrayList<>();
        for (ByteString channel : (shard ? shardChannels : channels).keySet()) {
            if (pattern == null || pattern.matches(channel.bytes())) {
                out.add(channel.bytes());
            }
        }
        return out;
    }

    /** Subscribers here of {@code channel}. */
    public long subscribers(byte[] channel, boolean shard) {
        Subscribers s = (shard ? shardChannels : channels).get(new ByteString(channel));
        return s == null ? 0 : s.size();
    }

    /** Copies of the names with a subscriber here, for INFO's pubsub_channels, pubsub_patterns and pubsubshard_channels. */
    public Names names() {
        return new Names(Set.copyOf(channels.keySet()), Set.copyOf(patterns.keySet()), Set.copyOf(shardChannels.keySet()));
    }

    /** Channel, pattern and shard channel names; {@link #plus} joins two shards' (a name counts once). */
    public record Names(Set<ByteString> channels, Set<ByteString> patterns, Set<ByteString> shardChannels) {

        public static final Names NONE = new Names(Set.of(), Set.of(), Set.of());

        public Names plus(Names other) {
            return new Names(union(channels, other.channels), union(patterns, other.patterns), union(shardChannels, other.shardChannels));
        }

        private static Set<ByteString> union(Set<ByteString> a, Set<ByteString> b) {
            if (b.isEmpty()) {
                return a;
            }
            if (a.isEmpty()) {
                return b;
            }
            Set<ByteString> all = new java.util.HashSet<>(a);
            all.addAll(b);
            return all;
        }
    }

    /** Lets the message chunks go (on the shard, when pub/sub stops). */
    @Override
    public void close() {
        chunks.close();
    }

    /** The patterns with a subscriber here. */
    public List<ByteString> patterns() {
        return new ArrayList<>(patterns.keySet());
    }
}
