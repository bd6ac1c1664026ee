package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoHandle;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A socket whose read cannot get direct memory is closed; the shard's loop goes on. A full heap still stops it. */
class HookedIoUringHandleTest {

    /** A socket's handle whose completion throws what a read re-arm without memory throws. */
    private static final class Throwing implements IoUringIoHandle {
        final AtomicInteger closed = new AtomicInteger();
        final Error error;

        Throwing(Error error) {
            this.error = error;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {
            throw error;
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    @Test
    void noDirectMemoryForAReadClosesThatSocketOnly() {
        AtomicInteger before = new AtomicInteger();
        // the JDK's text when ByteBuffer.allocateDirect finds MaxDirectMemorySize spent (Netty's CleanerJava9 path)
        Throwing socket = new Throwing(new OutOfMemoryError("Cannot reserve 65536 bytes of direct buffer memory (allocated: 67059762, limit: 67108864)"));
        new HookedIoUringHandle(socket, before::incrementAndGet).handle(null, null);
        assertThat(socket.closed).hasValue(1);
        assertThat(before).hasValue(1);

        Throwing older = new Throwing(new OutOfMemoryError("Direct buffer memory"));
        new HookedIoUringHandle(older, () -> { }).handle(null, null);
        assertThat(older.closed).hasValue(1);
    }

    @Test
    void aFullHeapOrAnotherErrorStillStopsTheLoop() {
        Throwing heap = new Throwing(new OutOfMemoryError("Java heap space"));
        assertThatThrownBy(() -> new HookedIoUringHandle(heap, () -> { }).handle(null, null)).hasMessage("Java heap space");
        assertThat(heap.closed).hasValue(0);
        Throwing other = new Throwing(new StackOverflowError());
        assertThatThrownBy(() -> new HookedIoUringHandle(other, () -> { }).handle(null, null)).isInstanceOf(StackOverflowError.class);
        assertThat(other.closed).hasValue(0);
    }
}
