package io.percore.demo.scripting;

import java.lang.management.ManagementFactory;

/**
 * The bound on what a running script holds in its shard's Lua state. LuaJ allocates ordinary Java
 * objects, so there is no allocator to count with; instead the watchdog reads what the script's
 * thread has allocated so far (the JVM's per-thread counter, a cheap read) and, each time the
 * script has allocated as much again as it held at the last look ({@link #MIN_WALK_EVERY} at
 * least), walks what the state can reach ({@link LuaHeap}): its globals and the frames of the
 * running script. Past the shard's bound the script gets Lua's memory error. Walking when
 * allocation doubled what was live keeps the walks' cost proportional to the script's allocation,
 * as a garbage collector's heap growth does; what one Java call allocates at once (string.rep,
 * table.concat) is checked before it allocates.
 */
final class LuaMemory {

    /** Allocation between two walks, at the least. */
    static final long MIN_WALK_EVERY = 8L << 20;

    private static final com.sun.management.ThreadMXBean THREADS = threads();

    /**
     * The script running on this thread's Lua state, for the string library (one for every shard) to
     * check with: a slot per thread, looked up once a script and emptied without a lookup (a
     * ThreadLocal's remove costs as much as a short script's own setup).
     */
    private static final ThreadLocal<LuaMemory[]> RUNNING = ThreadLocal.withInitial(() -> new LuaMemory[1]);

    /** The allocation counter was not read yet: it is read at the script's first look ({@link #check()}). */
    private static final long NOT_READ = Long.MIN_VALUE;

    private final LuaRuntime runtime;
    private final long limit;
    private long allocatedAtWalk;
    private long walkAfter;
    private long liveAtWalk;
    private long peak;
    private LuaMemory[] runningSlot;

    /** @param limit the most bytes {@code runtime} may hold while a script runs */
    LuaMemory(LuaRuntime runtime, long limit) {
        this.runtime = runtime;
        this.limit = limit;
        // Read at the first look, not here: reading the JVM's counter costs about a microsecond, as much as the
        // rest of a short script's setup, and most scripts end before their first look. What the script allocated
        // before that look (at most Watchdog.CHECK_EVERY instructions, none of them a large allocation, which is
        // checked when it is made) does not bring the next walk nearer; what it holds is found by that walk as ever.
        this.allocatedAtWalk = NOT_READ;
        this.walkAfter = MIN_WALK_EVERY;
    }

    /** The part of the JVM's maximum heap the Lua states of all shards together may hold while their scripts run. */
    static final int HEAP_FRACTION = 16;

    /**
     * A shard's bound: its part of a sixteenth of the JVM's maximum heap, between 16 MB and 1 GB
     * (Redis bounds its Lua heap by nothing but the machine; here one runaway script must not end
     * the JVM, and what maxmemory and maxmemory-clients leave of the heap holds it).
     */
    static long limitPerShard(int shards) {
        long share = Runtime.getRuntime().maxMemory() / HEAP_FRACTION / Math.max(1, shards);
        return Math.max(16L << 20, Math.min(1L << 30, share));
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()) {
            if (!t.isThreadAllocatedMemoryEnabled()) {
                t.setThreadAllocatedMemoryEnabled(true);
            }
            return t;
        }
        return null;
    }

    private static long allocated() {
        return THREADS == null ? 0 : THREADS.getCurrentThreadAllocatedBytes();
    }

    long limit() {
        return limit;
    }

    /** The most the state held at a walk during this script (0 when it never allocated enough to be walked). */
    long peak() {
        return peak;
    }

    /**
     * Called by the watchdog: walks the state when the script allocated enough since the last walk.
     *
     * @throws LuaMemoryError when the state holds more than the bound
     */
    void check() {
        long now = allocated();
        if (allocatedAtWalk == NOT_READ) {
            allocatedAtWalk = now;
            return;
        }
        if (now - allocatedAtWalk < walkAfter) {
            return;
        }
        walk();
    }

    private void walk() {
        LuaHeap heap = new LuaHeap().add(runtime.globals);
        runtime.watchdog.addFramesTo(heap);
        long live = heap.bytes();
        allocatedAtWalk = allocated(); // the walk's own allocation does not count toward the next
        liveAtWalk = live;
        walkAfter = Math.max(MIN_WALK_EVERY, live);
        peak = Math.max(peak, live);
        if (live > limit) {
            throw new LuaMemoryError();
        }
    }

    /**
     * The script is about to make {@code bytes} at once (a long concatenation, string.rep,
     * table.concat): refused when the state with it would be past the bound, after a walk if what
     * was allocated since the last one might have taken it there.
     */
    void checkAllocation(long bytes) {
        if (bytes < 0 || bytes > limit) {
            throw new LuaMemoryError();
        }
        if (allocatedAtWalk == NOT_READ) {
            allocatedAtWalk = allocated();
        }
        if (liveAtWalk + (allocated() - allocatedAtWalk) + bytes > limit) {
            walk();
            if (liveAtWalk + bytes > limit) {
                throw new LuaMemoryError();
            }
        }
    }

    /** This thread runs a script from now on (until {@link #ended()}). */
    void began() {
        runningSlot = RUNNING.get();
        runningSlot[0] = this;
    }

    void ended() {
        if (runningSlot != null) {
            runningSlot[0] = null;
            runningSlot = null;
        }
    }

    /** Checks an allocation of {@code bytes} for the script running on this thread, if any. */
    static void checkAllocationHere(long bytes) {
        LuaMemory running = RUNNING.get()[0];
        if (running != null) {
            running.checkAllocation(bytes);
        }
    }
}
