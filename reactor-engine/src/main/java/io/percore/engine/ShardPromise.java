package io.percore.engine;

/**
 * The writable side of a {@link ShardFuture}. Complete it from any thread: on the owner shard
 * the completion is immediate (no CAS, no lock); from elsewhere it is forwarded to the owner.
 */
public class ShardPromise<T> extends ShardFuture<T> {

    /** A promise owned by the current shard. @throws IllegalStateException off a shard thread */
    public ShardPromise() {
        this(Shard.current(), false);
    }

    /** A promise owned by {@code owner}; its continuations run on that shard. */
    public ShardPromise(Shard owner) {
        this(owner, false);
    }

    /**
     * @param ownerMayBeNull whether a null {@code owner} is allowed: the engine's own futures made
     *                       off-shard have no owner, a user's promise always has one
     */
    ShardPromise(Shard owner, boolean ownerMayBeNull) {
        super(ownerMayBeNull ? owner : java.util.Objects.requireNonNull(owner, "owner"));
    }

    /**
     * Completes successfully. Returns {@code false} if already complete. Off the owner thread
     * the completion is forwarded and {@code true} means "accepted".
     */
    public final boolean complete(T value) {
        return setSuccess0(value);
    }

    /** Completes with a failure. Same return convention as {@link #complete}. */
    public final boolean fail(Throwable cause) {
        return setFailure0(cause);
    }

    /** Completes with the outcome of {@code source} when it completes. */
    public final ShardPromise<T> completeWith(ShardFuture<? extends T> source) {
        source.addListener(this::completeFrom);
        return this;
    }
}
