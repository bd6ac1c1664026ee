package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pipelined scripts, whose replies leave together at the end of their shard's turn rather than one
 * flush each: every reply comes, in order, and the commands pipelined between the scripts see their
 * writes; a reply given before a script that runs past busy-reply-threshold leaves when that script
 * goes busy, as Redis writes its clients' replies while a busy script lets it serve them.
 */
class ScriptPipelineTest {

    private static final String SCRIPT = "redis.call('set', KEYS[1], ARGV[1]) redis.call('incr', KEYS[1] .. ':n') "
            + "return redis.call('get', KEYS[1])";
    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(1, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @Test
    void pipelinedScriptsAnswerInOrderAndTheCommandsBetweenThemSeeTheirWrites() throws Exception {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            String sha = (String) c.cmd("SCRIPT", "LOAD", SCRIPT);
            int calls = 500;
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int i = 1; i <= calls; i++) {
                pipeline.write(RespTestClient.encode("EVALSHA", sha, "1", "pipe", "v" + i));
                pipeline.write(RespTestClient.encode("GET", "pipe:n"));
                if (i % 100 == 0) {
                    pipeline.write(RespTestClient.encode("EVALSHA", sha, "1")); // an error between them
                }
            }
            c.send(pipeline.toByteArray());
            for (int i = 1; i <= calls; i++) {
                assertThat(c.read()).as("script " + i).isEqualTo("v" + i);
                assertThat(c.read()).as("GET after script " + i).isEqualTo(Integer.toString(i));
                if (i % 100 == 0) {
                    assertThat(c.read()).isInstanceOf(Err.class);
                }
            }
            assertThat(c.cmd("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void aReplyBeforeABusyScriptLeavesWhenTheScriptGoesBusy() throws Exception {
        try (RespTestClient runner = new RespTestClient(demo.respPort());
             RespTestClient other = new RespTestClient(demo.respPort())) {
            assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "50")).isEqualTo("OK");
            try {
                ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                pipeline.write(RespTestClient.encode("EVAL", "return 'first'", "0"));
                pipeline.write(RespTestClient.encode("EVAL", "while true do end", "0"));
                runner.send(pipeline.toByteArray());
                // the script still runs (nothing kills it before this read): the first reply must not wait for its end
                assertThat(runner.read()).isEqualTo("first");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                Object killed;
                while (!"OK".equals(killed = other.cmd("SCRIPT", "KILL"))) {
                    assertThat(System.nanoTime() - deadline).as("SCRIPT KILL answered " + killed).isNegative();
                    Thread.sleep(10);
                }
                assertThat(runner.read()).isEqualTo(new Err("ERR Script killed by user with SCRIPT KILL... script: "
                        + Scripting.sha1hex("while true do end".getBytes()) + ", on @user_script:1."));
                assertThat(runner.cmd("PING")).isEqualTo("PONG");
            } finally {
                other.cmd("CONFIG", "SET", "lua-time-limit", "5000");
            }
        }
    }

    @Test
    void scriptsOfManyPipelinesEachAnswerTheirOwn() throws Exception {
        int clients = 8;
        int calls = 200;
        List<RespTestClient> all = new java.util.ArrayList<>();
        try {
            for (int n = 0; n < clients; n++) {
                all.add(new RespTestClient(demo.respPort()));
            }
            String sha = (String) all.get(0).cmd("SCRIPT", "LOAD", SCRIPT);
            for (int n = 0; n < clients; n++) {
                ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                for (int i = 1; i <= calls; i++) {
                    pipeline.write(RespTestClient.encode("EVALSHA", sha, "1", "many:" + n, n + ":" + i));
                }
                all.get(n).send(pipeline.toByteArray());
            }
            for (int n = 0; n < clients; n++) {
                for (int i = 1; i <= calls; i++) {
                    assertThat(all.get(n).read()).isEqualTo(n + ":" + i);
                }
                assertThat(all.get(n).cmd("GET", "many:" + n + ":n")).isEqualTo(Integer.toString(calls));
            }
        } finally {
            for (RespTestClient c : all) {
                c.close();
            }
        }
    }
}
