package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.ValueType;
import io.percore.demo.rdb.RdbEntries;
import io.percore.demo.rdb.RdbFileWriter;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import io.percore.demo.support.TestPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the snapshot loads at start the RESP server already answers, as Redis does: a command
 * that needs the data gets {@code -LOADING}, INFO (allowed while loading) says {@code loading:1};
 * once the start returns, every key is there.
 */
class LoadingTest {

    private static final int KEYS = 300_000;

    @TempDir
    Path dir;

    @Test
    void commandsGetLoadingUntilTheSnapshotIsIn() throws Exception {
        try (RdbFileWriter file = RdbFileWriter.create(dir.resolve("dump.rdb"), 0, 0, KEYS, 0)) {
            RdbEntries entries = new RdbEntries();
            for (int i = 0; i < KEYS; i++) {
                entries.entry(("key:" + i).getBytes(StandardCharsets.US_ASCII), ValueType.STRING,
                        ("value-" + i).getBytes(StandardCharsets.US_ASCII), -1);
                if (entries.size() > 1 << 16) {
                    byte[] chunk = entries.take();
                    file.write(chunk, 0, chunk.length);
                }
            }
            byte[] chunk = entries.take();
            file.write(chunk, 0, chunk.length);
            file.finish();
        }
        int port = TestPorts.free();
        DemoSettings settings = DemoSettings.forTests().withRespPort(port).withPersistence(PersistenceSettings.in(dir));
        long started = System.nanoTime();
        CompletableFuture<TestServices> starting = CompletableFuture.supplyAsync(() -> TestServices.start(2, settings));
        int loadingReplies = 0;
        boolean sawLoadingInInfo = false;
        RespTestClient c = null;
        try {
            while (!starting.isDone()) {
                if (c == null) {
                    try {
                        c = new RespTestClient(port);
                    } catch (IOException notYet) {
                        Thread.sleep(1);
                        continue;
                    }
                }
                Object reply = c.cmd("GET", "key:7");
                if (reply instanceof Err e) {
                    assertThat(e.text()).isEqualTo(Persistence.LOADING);
                    loadingReplies++;
                    sawLoadingInInfo |= ((String) c.cmd("INFO", "persistence")).contains("loading:1\r\n");
                } else {
                    assertThat(reply).isEqualTo("value-7"); // loaded meanwhile: the key is already there
                }
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            try (TestServices demo = starting.join(); RespTestClient after = new RespTestClient(demo.respPort())) {
                assertThat(after.cmd("DBSIZE")).isEqualTo((long) KEYS);
                assertThat(after.cmd("GET", "key:" + (KEYS - 1))).isEqualTo("value-" + (KEYS - 1));
                assertThat(((String) after.cmd("INFO", "persistence"))).contains("loading:0\r\n");
                assertThat(loadingReplies).as("-LOADING replies during a start of %d ms", millis).isPositive();
                assertThat(sawLoadingInInfo).isTrue();
            }
        } finally {
            if (c != null) {
                c.close();
            }
        }
    }
}
