package io.percore.demo.archfixture.shard;

import io.percore.demo.archfixture.kv.StoredThing;

/** Uses the layer below it, as it may. */
public final class Router {
    public static int shardOf(byte[] key) {
        return key.length % 2;
    }

    public StoredThing route() {
        return new StoredThing();
    }
}
