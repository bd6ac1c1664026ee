package io.percore.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's io_uring handler, with the timer that ends a shard's wait armed in the kernel once and left standing, not
 * submitted with every wait.
 *
 * <p>Netty's handler puts a timeout in the ring with each blocking wait while its loop has any deadline, and a shard
 * always has one (its longest sleep, {@link LiveTuning#maxSleepNanos}, and the services' crons): one request at a time,
 * 0.12-0.29 timeouts a request, each a submission, a kernel timer started and stopped and a completion (PEERS.md,
 * measurements 51 and 52). Here a wait whose deadline a timer already standing in the kernel meets waits with no timeout of its
 * own; only a deadline earlier than every standing timer arms one more, which stays until it fires. Under load the
 * longest sleep's deadline moves later with every wait, so one timer a sleep period (25 ms by default) serves them all;
 * an idle shard wakes as before, when its first deadline comes. A timer that fires early for a wait whose deadline moved
 * later only turns the loop once.
 *
 * <p>At most {@link #SLOTS} timers stand at once (each keeps its own {@code timespec}, which the kernel reads when it
 * takes the submission); with all of them in use, or before the shard's ring takes our registration, a wait goes to
 * Netty's own timeout as before, and so does every wait once the kernel refused a timer. The timers are relative,
 * started when the ring takes them, so one never fires before its deadline; Netty runs a scheduled task only once it is
 * due in any case.
 */
final class StandingTimerIoHandler extends ForwardingIoHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StandingTimerIoHandler.class);

    /** Linux's {@code IORING_OP_TIMEOUT} and {@code IORING_OP_TIMEOUT_REMOVE} (io_uring's ABI, since 5.4 and 5.5). */
    private static final byte IORING_OP_TIMEOUT = 11;
    private static final byte IORING_OP_TIMEOUT_REMOVE = 12;
    /** {@code struct __kernel_timespec}: two 64-bit fields. */
    private static final int TIMESPEC_BYTES = 16;
    static final int SLOTS = 4;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    /** Linux's {@code ETIME} and {@code ECANCELED} (asm-generic, as on x86-64 and arm64): a timer that fired or was removed. */
    private static final int ETIME = 62;
    private static final int ECANCELED = 125;

    /** {@code timeout_flags} of each timer: 0 (relative, CLOCK_MONOTONIC); another value only in tests. */
    private final int timeoutFlags;

    private final WaitUntilIo untilIo = new WaitUntilIo();
    private final long[] due = new long[SLOTS];
    private final long[] submitted = new long[SLOTS];
    private final boolean[] standing = new boolean[SLOTS];
    private int standingCount;
    private ByteBuf timespecs;
    private IoRegistration registration;
    private boolean unavailable;
    /** Timers armed since the start, read by tests on the shard's thread or after it stopped. */
    private long armed;

    StandingTimerIoHandler(IoHandler ring) {
        this(ring, 0);
    }

    StandingTimerIoHandler(IoHandler ring, int timeoutFlags) {
        super(ring);
        this.timeoutFlags = timeoutFlags;
    }

    @Override
    public int run(IoHandlerContext context) {
        return delegate.run(coveredByStandingTimer(context) ? untilIo.around(context) : context);
    }

    /** Whether the wait's deadline is met by a timer standing in the kernel, arming one if none is (on the shard's thread). */
    private boolean coveredByStandingTimer(IoHandlerContext context) {
        if (context.deadlineNanos() == -1) {
            return false; // no deadline: Netty waits without a timeout already (and a non-blocking run has none)
        }
        long now = System.nanoTime();
        long delay = context.delayNanos(now);
        if (delay <= 0) {
            return false;
        }
        long deadline = now + delay;
        for (int i = 0; i < SLOTS; i++) {
            if (standing[i] && due[i] - deadline <= 0) {
                return true;
            }
        }
        return arm(deadline, delay);
    }

    private boolean arm(long deadline, long delay) {
        int slot = freeSlot();
        if (slot < 0 || !registered()) {
            return false;
        }
        int at = slot * TIMESPEC_BYTES;
        long seconds = delay / 1_000_000_000L;
        long nanos = delay - seconds * 1_000_000_000L;
        if (LITTLE_ENDIAN) {
            timespecs.setLongLE(at, seconds).setLongLE(at + 8, nanos);
        } else {
            timespecs.setLong(at, seconds).setLong(at + 8, nanos);
        }
        // A pure timer (count 0): it completes when it expires, not with the next completion as Netty's wait timeout does.
        long id = registration.submit(new IoUringIoOps(IORING_OP_TIMEOUT, (byte) 0, (short) 0, -1, 0L,
                timespecs.memoryAddress() + at, 1, timeoutFlags, (short) slot, (short) 0, (short) 0, 0, 0L));
        if (id == 0) { // Netty's invalid id: the registration was cancelled (the ring is closing)
            return false;
        }
        submitted[slot] = id;
        due[slot] = deadline;
        standing[slot] = true;
        standingCount++;
        armed++;
        return true;
    }

    private int freeSlot() {
        if (standingCount == SLOTS) {
            return -1;
        }
        for (int i = 0; i < SLOTS; i++) {
            if (!standing[i]) {
                return i;
            }
        }
        return -1;
    }

    private boolean registered() {
        if (unavailable) {
            return false;
        }
        if (registration != null) {
            return registration.isValid();
        }
        ByteBuf memory = Unpooled.directBuffer(SLOTS * TIMESPEC_BYTES, SLOTS * TIMESPEC_BYTES);
        if (!memory.hasMemoryAddress()) {
            memory.release();
            unavailable = true; // without Unsafe: Netty's own timeouts, as before
            return false;
        }
        try {
            registration = delegate.register(new Timers());
        } catch (Exception e) {
            memory.release();
            unavailable = true;
            LOG.debug("The shard's ring did not take its standing timers; its waits keep Netty's timeouts", e);
            return false;
        }
        timespecs = memory;
        return true;
    }

    /** Timers armed since the shard started (on the shard's thread, or once it stopped). */
    long armed() {
        return armed;
    }

    /** Timers standing in the kernel now (on the shard's thread, or once it stopped). */
    int standing() {
        return standingCount;
    }

    @Override
    public void destroy() {
        delegate.destroy(); // its prepareToDestroy closed our registration (Timers.close) and reaped the removed timers
        if (timespecs != null) {
            timespecs.release(); // after the ring closed: the kernel reads no timespec any more
            timespecs = null;
        }
    }

    /** The standing timers as the ring sees them: a completion frees its slot (fired, or removed at the close). */
    private final class Timers implements IoUringIoHandle {

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            IoUringIoEvent completion = (IoUringIoEvent) event;
            if (completion.opcode() != IORING_OP_TIMEOUT) {
                return; // a removal's own completion
            }
            int slot = completion.data();
            if (slot >= 0 && slot < SLOTS && standing[slot]) {
                standing[slot] = false;
                standingCount--;
            }
            int result = completion.res();
            if (result != -ETIME && result != -ECANCELED && result != 0 && !unavailable) {
                // The kernel refused the timer: its completion came at once, and arming another with each wait would
                // turn the loop without end. Netty's own timeouts from now on.
                unavailable = true;
                LOG.warn("The kernel refused a shard's standing timer (error {}); its waits use Netty's timeouts", -result);
            }
        }

        @Override
        public void close() {
            // The ring is closing: remove what stands, so that its drain reaps every timer as it does Netty's own operations.
            for (int i = 0; i < SLOTS; i++) {
                if (standing[i]) {
                    registration.submit(new IoUringIoOps(IORING_OP_TIMEOUT_REMOVE, (byte) 0, (short) 0, -1, 0L,
                            submitted[i], 0, 0, (short) i, (short) 0, (short) 0, 0, 0L));
                }
            }
            registration.cancel();
        }

        @Override
        public void registered() {
        }

        @Override
        public void unregistered() {
        }

        @Override
        public String toString() {
            return "standing timers of " + delegate;
        }
    }

    /** A wait's context with its deadline left to the standing timers: Netty then submits no timeout with it. */
    private static final class WaitUntilIo implements IoHandlerContext {

        private IoHandlerContext context;

        IoHandlerContext around(IoHandlerContext waiting) {
            context = waiting;
            return this;
        }

        @Override
        public boolean canBlock() {
            return context.canBlock();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return context.delayNanos(currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return -1;
        }

        @Override
        public void reportActiveIoTime(long activeNanos) {
            context.reportActiveIoTime(activeNanos);
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            return context.shouldReportActiveIoTime();
        }
    }
}
