package io.percore.demo.kv;

/**
 * When each type leaves its compact form (Redis's {@code *-max-listpack-*}, {@code set-max-intset-entries},
 * {@code stream-node-max-*}, {@code hll-sparse-max-bytes}): one value a shard installs at once when CONFIG SET
 * changes any of them, read by the commands that grow a value.
 *
 * @param zset              when a sorted set is a listpack
 * @param hash              when a hash is a listpack
 * @param set               when a set is an intset
 * @param stream            how large a stream's nodes grow
 * @param hllSparseMaxBytes past it a HyperLogLog's sparse form becomes dense
 */
public record EncodingLimits(ZSetValue.Limits zset, HashValue.Limits hash, SetValue.Limits set, StreamValue.Limits stream,
                             long hllSparseMaxBytes) {

    /** Redis 7's defaults. */
    public static final EncodingLimits DEFAULT = new EncodingLimits(ZSetValue.Limits.DEFAULT, HashValue.Limits.DEFAULT,
            SetValue.Limits.DEFAULT, StreamValue.Limits.DEFAULT, HyperLogLog.DEFAULT_SPARSE_MAX_BYTES);

    public EncodingLimits withHllSparseMaxBytes(long bytes) {
        return new EncodingLimits(zset, hash, set, stream, bytes);
    }
}
