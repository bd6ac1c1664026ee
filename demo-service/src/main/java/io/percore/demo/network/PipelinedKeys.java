package io.percore.demo.network;

import io.netty.buffer.ByteBuf;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.net.resp.RespKeyLookahead;

/**
 * A shard's pipelined batches: of the keys a batch's commands start with, those this shard owns are
 * brought into the cache together ({@link ValueStore#prefetch}) before the first command runs. With
 * 100,000 keys a GET or SET otherwise waits for about three cache misses of its own (bucket, entry,
 * key) one after the other: measured in benchmarks/results/resp-cpu.md ("A pipelined batch's keys, looked up
 * together"). One per shard, shared by its connections: used only on the shard's thread, within one call.
 */
final class PipelinedKeys implements RespKeyLookahead {

    /** Longer keys are left to their command (hashing a copy would cost more than the miss it saves). */
    static final int MAX_KEY_LENGTH = 128;

    private final Keyspace keyspace;
    private final KeyspaceShard local;
    private final ServerShard server;
    private final int[] hashes = new int[16];
    /** A key's bytes, copied out of the buffer to be hashed. */
    private final byte[] key = new byte[MAX_KEY_LENGTH];

    PipelinedKeys(Keyspace keyspace, KeyspaceShard local, ServerShard server) {
        this.keyspace = keyspace;
        this.local = local;
        this.server = server;
    }

    @Override
    public void keysAhead(ByteBuf in, int[] keyAt, int[] keyLength, int count) {
        int own = local.shardId();
        int n = 0;
        for (int i = 0; i < count && n < hashes.length; i++) {
            int length = keyLength[i];
            if (length > MAX_KEY_LENGTH) {
                continue;
            }
            in.getBytes(keyAt[i], key, 0, length);
            if (keyspace.shardOf(key, length) == own) {
                hashes[n++] = ValueStore.keyHash(key, length);
            }
        }
        if (n > 1) {
            local.store().prefetch(hashes, n);
            server.keysLookedAhead += n;
        }
    }
}
