package io.percore.net.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** What the drain's report says of one connection. */
class ServerChannelContextTest {

    /**
     * A connection asked to close that is still open is held by its transport (io_uring defers a close until the
     * socket's operations in flight end): the report says so, and since when, instead of only what it still owed.
     */
    @Test
    void aConnectionStillOpenAfterItsCloseIsNamedAsClosing() throws Exception {
        ServerChannelContext context = new ServerChannelContext(null, new EmbeddedChannel(), false);
        context.onWriteStarted();
        assertThat(context.busyReason()).isEqualTo("1 write(s) not taken by the socket; ");
        context.onCloseRequested();
        Thread.sleep(20);
        assertThat(context.busyReason()).matches("closing for \\d+ ms; 1 write\\(s\\) not taken by the socket; ")
                .doesNotContain("closing for 0 ms");
    }
}
