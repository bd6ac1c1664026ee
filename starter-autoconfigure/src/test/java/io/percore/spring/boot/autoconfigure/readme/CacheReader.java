package io.percore.spring.boot.autoconfigure.readme;

import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

record CacheReader(Engine engine, Sharded<Map<String, String>> caches) {

    int ownerOf(String key) {
        return Math.floorMod(key.hashCode(), engine.shardCount());
    }

    // From a Spring thread: run on the shard that owns the key, get the answer back.
    CompletableFuture<String> get(String key) {
        return caches.fromOutside().invokeOn(ownerOf(key), cache -> cache.get(key));
    }

    CompletableFuture<String> put(String key, String value) {
        return caches.fromOutside().invokeOn(ownerOf(key), cache -> cache.put(key, value));
    }
    // On a shard, caches.invokeOn(...) returns a ShardFuture that completes on the calling shard.
}
