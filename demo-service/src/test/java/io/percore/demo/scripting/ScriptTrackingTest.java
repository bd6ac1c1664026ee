package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A script's write of a key that tracking clients on other shards read: the invalidations go to
 * those shards, and the script's {@code redis.call} is still answered at once (Redis's tracking
 * unit, "Invalid keys should not be tracked for scripts in NOLOOP mode", failed here with "needs
 * other shards" while the write itself was applied).
 */
class ScriptTrackingTest {

    @Test
    void aScriptWritesKeysOthersTrackOnEveryShard() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient writer = new RespTestClient(demo.respPort())) {
            writer.cmd("HELLO", "3");
            writer.cmd("CLIENT", "TRACKING", "on", "NOLOOP");
            for (int i = 0; i < 12; i++) {
                String key = demo.keyOn(i % 2, "scripted:" + i + ":");
                try (RespTestClient reader = new RespTestClient(demo.respPort())) {
                    reader.cmd("HELLO", "3");
                    reader.cmd("CLIENT", "TRACKING", "on");
                    writer.cmd("SET", key, "1");
                    assertThat(reader.cmd("GET", key)).isEqualTo("1");
                    assertThat(writer.cmd("GET", key)).isEqualTo("1");
                    assertThat(writer.cmd("EVAL", "return redis.call('set', KEYS[1], '2')", "1", key)).as(key).isEqualTo("OK");
                    assertThat(writer.cmd("GET", key)).isEqualTo("2");
                    // the reader that read it is told, as by any write
                    assertThat(reader.read()).isEqualTo(new RespTestClient.Push3(List.of("invalidate", List.of(key))));
                }
            }
        }
    }
}
