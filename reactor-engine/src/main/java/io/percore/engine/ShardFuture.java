package io.percore.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The result of work on a shard. A future belongs to one shard (its <em>owner</em>): it is
 * completed on that shard and its continuations run there, so completing it and chaining on it
 * take no CAS and no lock. Calls from another thread are forwarded to the owner.
 *
 * <p>Futures made off-shard by {@link #completed} / {@link #failed} have no owner; their
 * continuations run on the thread that registers them.
 */
public abstract class ShardFuture<T> {

    static final int PENDING = 0;
    static final int SUCCESS = 1;
    static final int FAILURE = 2;

    /** Deeper synchronous continuation chains are continued as tasks, to bound the stack. */
    private static final int MAX_NOTIFY_DEPTH = 16;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ShardFuture.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Shard owner;
    /** Written with release semantics after {@link #value}, so other threads may read it. */
    private volatile int state;
    private Object value;
    /** Owner-thread only: null, one FutureListener, or FutureListener[]. */
    private Object listeners;
    private int listenerCount;

    ShardFuture(Shard owner) {
        this.owner = owner;
    }

    /** The shard whose thread completes this future and runs its continuations (null if none). */
    public final Shard owner() {
        return owner;
    }

    public final boolean isDone() {
        return state != PENDING;
    }

    public final boolean isSuccess() {
        return state == SUCCESS;
    }

    public final boolean isFailed() {
        return state == FAILURE;
    }

    /** The value if completed successfully, otherwise {@code null}. */
    @SuppressWarnings("unchecked")
    public final T getNow() {
        return state == SUCCESS ? (T) value : null;
    }

    /** The failure if completed exceptionally, otherwise {@code null}. */
    public final Throwable cause() {
        return state == FAILURE ? (Throwable) value : null;
    }

    // ---------------------------------------------------------------- chaining

    /** A future of {@code fn} applied to this one's value; failures pass through untouched. */
    public final <R> ShardFuture<R> map(Function<? super T, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        MapStage<T, R> stage = new MapStage<>(stageOwner(), fn);
        addListener(stage);
        return stage;
    }

    /** A future of the future returned by {@code fn}; failures pass through untouched. */
    public final <R> ShardFuture<R> flatMap(Function<? super T, ? extends ShardFuture<R>> fn) {
        Objects.requireNonNull(fn, "fn");
        FlatMapStage<T, R> stage = new FlatMapStage<>(stageOwner(), fn);
        addListener(stage);
        return stage;
    }

    /**
     * Runs {@code action} when this completes; the returned future has this one's outcome (or
     * the action's exception if this succeeded and the action threw).
     */
    public final ShardFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action");
        WhenCompleteStage<T> stage = new WhenCompleteStage<>(stageOwner(), action);
        addListener(stage);
        return stage;
    }

    /**
     * Registers {@code listener} to run on the owner shard once this completes (at once if it
     * has). Unlike {@link #whenComplete} it makes no new future.
     */
    public final void onComplete(FutureListener<? super T> listener) {
        addListener(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Maps either outcome to a value: {@code fn(value, null)} or {@code fn(null, cause)}. */
    public final <R> ShardFuture<R> handle(BiFunction<? super T, Throwable, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        HandleStage<T, R> stage = new HandleStage<>(stageOwner(), fn);
        addListener(stage);
        return stage;
    }

    /** Replaces a failure by {@code fn(cause)}; a success passes through. */
    public final ShardFuture<T> recover(Function<Throwable, ? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        return handle((v, e) -> e == null ? v : fn.apply(e));
    }

    /**
     * A CompletableFuture completed (on the owner shard) with this future's outcome. Safe to call
     * from any thread.
     */
    public final CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> cf = new CompletableFuture<>();
        addListener(f -> {
            if (f.isSuccess()) {
                cf.complete(f.getNow());
            } else {
                cf.completeExceptionally(f.cause());
            }
        });
        return cf;
    }

    /**
     * Waits for the outcome from a thread that is NOT a shard (tests, bootstrap code).
     *
     * @throws IllegalStateException on a shard thread, where blocking would stall the loop
     */
    public final T join() throws ExecutionException, InterruptedException {
        if (Shard.currentOrNull() != null) {
            throw new IllegalStateException("ShardFuture.join() would block shard "
                    + Shard.currentOrNull().id() + "; chain with map/flatMap/whenComplete instead");
        }
        return toCompletableFuture().get();
    }

    // ---------------------------------------------------------------- factories

    /** A successful future, owned by the current shard (or by no shard off-shard). */
    public static <T> ShardFuture<T> completed(T value) {
        ShardPromise<T> p = new ShardPromise<>(Shard.currentOrNull(), true);
        p.setSuccess0(value);
        return p;
    }

    /** A failed future, owned by the current shard (or by no shard off-shard). */
    public static <T> ShardFuture<T> failed(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        ShardPromise<T> p = new ShardPromise<>(Shard.currentOrNull(), true);
        p.setFailure0(cause);
        return p;
    }

    /**
     * A future completed from {@code stage}; the completion is delivered on the current shard
     * whatever thread completes the stage. {@link CompletionException} wrappers are unwrapped.
     *
     * @throws IllegalStateException off a shard thread
     */
    public static <T> ShardFuture<T> fromStage(CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "stage");
        ShardPromise<T> p = new ShardPromise<>(Shard.current(), true);
        stage.whenComplete((v, e) -> {
            if (e == null) {
                p.complete(v);
            } else {
                p.fail(unwrap(e));
            }
        });
        return p;
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    // ---------------------------------------------------------------- internals

    private Shard stageOwner() {
        return owner != null ? owner : Shard.currentOrNull();
    }

    final boolean onOwnerThread() {
        return owner == null || owner.inShardThread();
    }

    /** Registers a continuation; it runs on the owner shard once this completes. */
    @SuppressWarnings("unchecked")
    final void addListener(FutureListener<? super T> listener) {
        if (!onOwnerThread()) {
            owner.executeInternal(() -> addListener(listener));
            return;
        }
        if (state != PENDING) {
            notifyOne((FutureListener<T>) listener);
            return;
        }
        Object current = listeners;
        if (current == null) {
            listeners = listener;
            listenerCount = 1;
        } else if (current instanceof FutureListener) {
            FutureListener<?>[] array = new FutureListener<?>[4];
            array[0] = (FutureListener<?>) current;
            array[1] = listener;
            listeners = array;
            listenerCount = 2;
        } else {
            FutureListener<?>[] array = (FutureListener<?>[]) current;
            if (listenerCount == array.length) {
                array = java.util.Arrays.copyOf(array, array.length * 2);
                listeners = array;
            }
            array[listenerCount++] = listener;
        }
    }

    /** Completes from any thread: on the owner's thread directly, otherwise forwarded to it. */
    final boolean trySet(int newState, Object newValue) {
        if (!onOwnerThread()) {
            owner.executeInternal(() -> trySet(newState, newValue));
            return true;
        }
        if (state != PENDING) {
            return false;
        }
        value = newValue;
        STATE.setRelease(this, newState);
        notifyListeners();
        return true;
    }

    final boolean setSuccess0(Object v) {
        return trySet(SUCCESS, v);
    }

    final boolean setFailure0(Throwable cause) {
        return trySet(FAILURE, Objects.requireNonNull(cause, "cause"));
    }

    /** Copies {@code source}'s outcome into this future. */
    final void completeFrom(ShardFuture<?> source) {
        if (source.isSuccess()) {
            trySet(SUCCESS, source.value);
        } else {
            trySet(FAILURE, source.value);
        }
    }

    @SuppressWarnings("unchecked")
    private void notifyListeners() {
        Object current = listeners;
        if (current == null) {
            return;
        }
        listeners = null;
        int count = listenerCount;
        listenerCount = 0;
        if (current instanceof FutureListener) {
            notifyOne((FutureListener<T>) current);
        } else {
            FutureListener<?>[] array = (FutureListener<?>[]) current;
            for (int i = 0; i < count; i++) {
                notifyOne((FutureListener<T>) array[i]);
            }
        }
    }

    private void notifyOne(FutureListener<T> listener) {
        Shard shard = owner;
        if (shard == null) {
            invoke(listener);
            return;
        }
        if (shard.notifyDepth >= MAX_NOTIFY_DEPTH) {
            shard.executeLocal(() -> invoke(listener));
            return;
        }
        shard.notifyDepth++;
        try {
            invoke(listener);
        } finally {
            shard.notifyDepth--;
        }
    }

    private void invoke(FutureListener<T> listener) {
        try {
            listener.onComplete(this);
        } catch (Throwable t) {
            FatalErrorHandler.rethrowIfFatal(t);
            Shard.LOG.warn("A ShardFuture continuation threw on shard {}", owner == null ? "-" : owner.id(), t);
        }
    }

    @Override
    public String toString() {
        int s = state;
        return getClass().getSimpleName() + (s == PENDING ? "[pending]" : s == SUCCESS ? "[success: " + value + "]" : "[failed: " + value + "]");
    }

    // ---------------------------------------------------------------- stages

    private static final class MapStage<T, R> extends ShardPromise<R> implements FutureListener<T> {
        private final Function<? super T, ? extends R> fn;

        MapStage(Shard owner, Function<? super T, ? extends R> fn) {
            super(owner, true);
            this.fn = fn;
        }

        @Override
        public void onComplete(ShardFuture<T> source) {
            if (!source.isSuccess()) {
                setFailure0(source.cause());
                return;
            }
            R result;
            try {
                result = fn.apply(source.getNow());
            } catch (Throwable t) {
                FatalErrorHandler.rethrowIfFatal(t);
                setFailure0(t);
                return;
            }
            setSuccess0(result);
        }
    }

    private static final class FlatMapStage<T, R> extends ShardPromise<R> implements FutureListener<T> {
        private final Function<? super T, ? extends ShardFuture<R>> fn;

        FlatMapStage(Shard owner, Function<? super T, ? extends ShardFuture<R>> fn) {
            super(owner, true);
            this.fn = fn;
        }

        @Override
        public void onComplete(ShardFuture<T> source) {
            if (!source.isSuccess()) {
                setFailure0(source.cause());
                return;
            }
            ShardFuture<R> next;
            try {
                next = fn.apply(source.getNow());
            } catch (Throwable t) {
                FatalErrorHandler.rethrowIfFatal(t);
                setFailure0(t);
                return;
            }
            if (next == null) {
                setFailure0(new NullPointerException("flatMap function returned null"));
                return;
            }
            next.addListener(this::completeFrom);
        }
    }

    private static final class WhenCompleteStage<T> extends ShardPromise<T> implements FutureListener<T> {
        private final BiConsumer<? super T, ? super Throwable> action;

        WhenCompleteStage(Shard owner, BiConsumer<? super T, ? super Throwable> action) {
            super(owner, true);
            this.action = action;
        }

        @Override
        public void onComplete(ShardFuture<T> source) {
            try {
                action.accept(source.getNow(), source.cause());
            } catch (Throwable t) {
                FatalErrorHandler.rethrowIfFatal(t);
                if (source.isSuccess()) {
                    setFailure0(t);
                    return;
                }
                source.cause().addSuppressed(t);
            }
            completeFrom(source);
        }
    }

    private static final class HandleStage<T, R> extends ShardPromise<R> implements FutureListener<T> {
        private final BiFunction<? super T, Throwable, ? extends R> fn;

        HandleStage(Shard owner, BiFunction<? super T, Throwable, ? extends R> fn) {
            super(owner, true);
            this.fn = fn;
        }

        @Override
        public void onComplete(ShardFuture<T> source) {
            R result;
            try {
                result = fn.apply(source.getNow(), source.cause());
            } catch (Throwable t) {
                FatalErrorHandler.rethrowIfFatal(t);
                setFailure0(t);
                return;
            }
            setSuccess0(result);
        }
    }
}
