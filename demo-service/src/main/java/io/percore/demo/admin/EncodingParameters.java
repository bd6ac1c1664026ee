package io.percore.demo.admin;

import java.util.List;

/**
 * The CONFIG table's encoding thresholds (Redis's {@code *-max-listpack-*} and friends) and client
 * tracking's table size. Sorted sets, hashes, sets of integers, streams and HyperLogLogs follow
 * theirs on every shard; the lists' two are read and kept, changing nothing (one list representation here).
 */
final class EncodingParameters {

    private EncodingParameters() {
    }

    static List<ConfigParameter<?>> rows() {
        return List.of(
                threshold("hash-max-listpack-entries", false).alias("hash-max-ziplist-entries"),
                threshold("hash-max-listpack-value", true).alias("hash-max-ziplist-value"),
                threshold("set-max-intset-entries", false),
                threshold("zset-max-listpack-entries", false).alias("zset-max-ziplist-entries"),
                threshold("zset-max-listpack-value", true).alias("zset-max-ziplist-value"),
                threshold("stream-node-max-entries", false),
                threshold("stream-node-max-bytes", true),
                threshold("hll-sparse-max-bytes", true),
                kept("list-max-listpack-size", ConfigType.signed(Integer.MIN_VALUE, Integer.MAX_VALUE)).alias("list-max-ziplist-size"),
                kept("list-compress-depth", ConfigType.signed(0, Integer.MAX_VALUE)),
                // client tracking's table: each shard keeps its part of the keys (see TrackingShard#maxKeys)
                threshold("tracking-table-max-keys", false));
    }

    private static ConfigParameter<Long> threshold(String name, boolean memory) {
        return kept(name, memory ? ConfigType.memory(0, Long.MAX_VALUE) : ConfigType.unsigned(0, Long.MAX_VALUE));
    }

    private static ConfigParameter<Long> kept(String name, ConfigType<Long> type) {
        return ConfigParameter.live(name, type, v -> Long.toString(v.thresholds().get(name)), (n, value) -> n.thresholds.put(name, value))
                .appliedBy(name.equals("tracking-table-max-keys") ? ConfigApply.TRACKING_TABLE : ConfigApply.ENCODINGS);
    }
}
