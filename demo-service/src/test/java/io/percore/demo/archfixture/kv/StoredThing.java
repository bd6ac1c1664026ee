package io.percore.demo.archfixture.kv;

import io.percore.demo.archfixture.shard.Router;

/** A value that reaches up to the shard layer: what {@code ArchitectureTest} must refuse. */
public final class StoredThing {
    public int owner(byte[] key) {
        return Router.shardOf(key);
    }
}
