package io.percore.net.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 12, row 4: a listener whose accept fails in a loop (a full fd table) must pause and back
 * off, count the failures, and log one line per interval instead of one stack trace per failure.
 * The failures are injected into a listener pipeline as the transports fire them.
 */
class AcceptFailureBackoffTest {

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(AcceptFailureBackoff.class);
    private final List<Throwable> passedOn = new ArrayList<>();

    @BeforeEach
    void captureLog() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(log);
    }

    private EmbeddedChannel listener(ShardServerMetrics metrics) {
        return new EmbeddedChannel(new AcceptFailureBackoff(metrics), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                passedOn.add(cause);
            }
        });
    }

    @Test
    void aFloodOfAcceptFailuresPausesAcceptingAndLogsOnce() {
        ShardServerMetrics metrics = new ShardServerMetrics(0, null);
        EmbeddedChannel ch = listener(metrics);
        for (int i = 0; i < 10_000; i++) {
            ch.pipeline().fireExceptionCaught(new IOException("accept(..) failed: Too many open files"));
        }
        assertThat(ch.config().isAutoRead()).as("accepting paused").isFalse();
        assertThat(metrics.acceptFailures()).isEqualTo(10_000);
        assertThat(passedOn).as("no failure reaches the pipeline's tail (one WARN and stack trace each)").isEmpty();
        assertThat(log.list).hasSize(1);
        assertThat(log.list.get(0).getFormattedMessage()).contains("accept failed 1 time(s)").contains("Too many open files");

        // The pause ends after the back-off; a failure right after doubles it, a success resets it.
        ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.config().isAutoRead()).as("second pause is 200 ms").isFalse();
        ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(log.list).as("still within the 10 s log interval").hasSize(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void otherFailuresAreNotSwallowed() {
        EmbeddedChannel ch = listener(new ShardServerMetrics(0, null));
        IllegalStateException bug = new IllegalStateException("a handler bug");
        ch.pipeline().fireExceptionCaught(bug);
        assertThat(passedOn).containsExactly(bug);
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void theFileDescriptorBudgetKeepsAReserve() {
        FileDescriptorBudget budget = new FileDescriptorBudget(1024);
        assertThat(budget.connectionLimit()).as("1024 - max(256, 102)").isEqualTo(768);
        assertThat(new FileDescriptorBudget(100_000).connectionLimit()).isEqualTo(90_000);
        for (int i = 0; i < 768; i++) {
            assertThat(budget.tryAcquire()).isTrue();
        }
        assertThat(budget.tryAcquire()).isFalse();
        budget.release();
        assertThat(budget.tryAcquire()).isTrue();
        assertThat(FileDescriptorBudget.openFileLimit()).as("this JVM knows its limit").isPositive();
    }
}
