package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.percore.config.EngineConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class StallDetectorTest {

    @Test
    void aLongTaskIsLoggedWithTheShardStackAndCountedOnce() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(StallDetector.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        EngineConfig c = TestEngines.config();
        c.setStallThreshold(Duration.ofMillis(50));
        try (Engine engine = TestEngines.start(c, 2)) {
            await(engine.submitTo(1, () -> {
                Thread.sleep(400);
                return null;
            }));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.shard(1).stats().stalls() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(engine.shard(1).stats().stalls()).isEqualTo(1);
            assertThat(engine.shard(0).stats().stalls()).isZero();
            List<ILoggingEvent> logged;
            synchronized (appender) { // doAppend holds it while the detector's thread adds a line ("stall ended")
                logged = List.copyOf(appender.list);
            }
            assertThat(logged).anySatisfy(e -> {
                assertThat(e.getFormattedMessage()).matches("(?s)Reactor stalled on shard 1 for \\d+ ms so far.*")
                        .contains("Thread.sleep").contains("StallDetectorTest");
            });
            // Idle shards (asleep in the poll) are not stalls: three looks of the watchdog find none.
            long looked = engine.stallDetector().looks();
            CrossShardMeshTest.awaitStat(engine.stallDetector()::looks, looked + 3);
            assertThat(engine.shard(0).stats().stalls()).isZero();
            assertThat(engine.shard(1).stats().stalls()).isEqualTo(1);
        } finally {
            logger.detachAppender(appender);
        }
    }

    /**
     * The watchdog sleeps until a report could first be due rather than looking on a fixed beat
     * of a fifth of the threshold: each look takes the CPU from the shards when they share it
     * (3-4 % of a pinned shard's CPU at 25 ms, measured with async-profiler). Healthy shards, idle
     * and busy with short tasks: about one look per threshold (the fixed beat took 5). A loaded
     * machine can only delay looks, never add any.
     */
    @Test
    void healthyShardsAreLookedAtAboutOncePerThreshold() throws Exception {
        EngineConfig c = TestEngines.config();
        c.setStallThreshold(Duration.ofMillis(100));
        try (Engine engine = TestEngines.start(c, 2)) {
            StallDetector detector = engine.stallDetector();
            long before = detector.looks();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_000);
            while (System.nanoTime() < end) {
                await(engine.submitTo(1, () -> null)); // short turns, one after another
                Thread.sleep(1);
            }
            long looks = detector.looks() - before;
            assertThat(looks).as("looks in 1 s at a 100 ms threshold").isBetween(1L, 20L);
            assertThat(engine.shard(0).stats().stalls() + engine.shard(1).stats().stalls()).isZero();
        }
    }
}
