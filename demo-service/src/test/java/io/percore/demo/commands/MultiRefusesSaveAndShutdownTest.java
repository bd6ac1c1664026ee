package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, part 5: Redis's {@code unit/multi} "MULTI with SAVE" and "MULTI with SHUTDOWN": a
 * {@code no_multi} command is refused while queuing with Redis's text, the transaction then aborts
 * at EXEC and nothing of it applies; compared with redis-server in RESP2 and RESP3.
 */
class MultiRefusesSaveAndShutdownTest {

    private static RealRedis redis;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    @Test
    void saveAndShutdownAreRefusedInsideMulti() throws Exception {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String[] refused : new String[][] {{"SAVE"}, {"SHUTDOWN"}, {"SHUTDOWN", "NOSAVE"}, {"SHUTDOWN", "ABORT"}}) {
                for (String[] command : new String[][] {{"DEL", "foo"}, {"MULTI"}, {"SET", "foo", "bar"}, refused, {"EXEC"}, {"GET", "foo"}}) {
                    assertThat(d.cmd(command)).as("RESP%s %s in MULTI: %s", proto, String.join(" ", refused), String.join(" ", command))
                            .isEqualTo(r.cmd(command));
                }
            }
        });
    }
}
