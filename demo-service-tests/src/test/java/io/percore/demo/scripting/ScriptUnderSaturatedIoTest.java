package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.percore.config.EngineConfig;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A shard whose sockets never run dry (six clients that pipeline 100 PINGs again as soon as they have the
 * replies) stays in one io_uring poll for many rounds and runs its tasks there, between two completions, where it cannot poll its
 * sockets again. A busy script must not run there: it could not answer its shard's clients
 * {@code -BUSY}, nor read the SCRIPT KILL that ends it, and an endless one would hold the shard for
 * good. Its task hands it on to a timer, which runs outside the poll.
 */
class ScriptUnderSaturatedIoTest {

    private static final int FLOODS = 6;
    private static final int PIPELINE = 100;

    @Test
    void aBusyScriptOnASaturatedShardIsAnsweredBusyAndKilledFromItsOwnShard() throws Exception {
        assumeTrue(io.percore.engine.ShardTransport.ioUringAvailable(), "io_uring is not available here");
        try (TestServices demo = TestServices.start(1, DemoSettings.forTests(), EngineConfig.Transport.IO_URING)) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Socket> floods = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            try (RespTestClient runner = new RespTestClient(demo.respPort());
                 RespTestClient killer = new RespTestClient(demo.respPort())) {
                for (int i = 0; i < FLOODS; i++) {
                    Socket flood = new Socket("127.0.0.1", demo.respPort());
                    flood.setSoTimeout(RespTestClient.READ_TIMEOUT_MILLIS);
                    floods.add(flood);
                    threads.add(start("flood-" + i, () -> pingUntil(stop, flood)));
                }
                long began = System.nanoTime();
                assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "50")).isEqualTo("OK");
                runner.send(RespTestClient.encode("EVAL", "while true do end", "0"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                Object reply;
                while (!((reply = killer.cmd("PING")) instanceof Err)) {
                    assertThat(System.nanoTime() - deadline).as("the script never went busy").isNegative();
                    Thread.sleep(10);
                }
                assertThat(reply).isEqualTo(new Err("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."));
                assertThat(killer.cmd("SCRIPT", "KILL")).isEqualTo("OK");
                assertThat(runner.read()).isEqualTo(new Err("ERR Script killed by user with SCRIPT KILL... script: "
                        + Scripting.sha1hex("while true do end".getBytes()) + ", on @user_script:1."));
                System.out.printf("turns inside the shard's polls: %d, %d ms%n", demo.engine.shard(0).stats().turnsInsidePoll(), (System.nanoTime() - began) / 1_000_000);
            } finally {
                stop.set(true);
                for (Socket flood : floods) {
                    flood.close();
                }
                for (Thread t : threads) {
                    t.join(10_000);
                }
            }
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Pipelines 100 PINGs and reads their 100 replies, again and again, until told to stop or the socket closes. */
    private static void pingUntil(AtomicBoolean stop, Socket flood) {
        byte[] pings = "PING\r\n".repeat(PIPELINE).getBytes(StandardCharsets.US_ASCII);
        try {
            OutputStream out = flood.getOutputStream();
            InputStream in = new BufferedInputStream(flood.getInputStream());
            while (!stop.get()) {
                out.write(pings);
                for (int lines = 0; lines < PIPELINE; ) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    if (b == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException closed) {
            // the test closed the socket
        }
    }
}
