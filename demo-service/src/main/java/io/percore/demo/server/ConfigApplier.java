package io.percore.demo.server;

/**
 * What a shard does when it takes new CONFIG values: the CONFIG table's rows' apply functions (Redis's
 * {@code standardConfig} apply callbacks, {@code admin.ConfigParameters}), given to the shards at start so that this
 * package needs nothing above it.
 */
@FunctionalInterface
public interface ConfigApplier {

    /**
     * On {@code shard}'s thread, once it holds {@code next}: what the parameters that differ from {@code previous} do
     * there; {@code previous} is null when the shard takes its first values.
     */
    void apply(ServerShard shard, ConfigValues previous, ConfigValues next);
}
