package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** DEBUG LOG's line: bounded as Redis's serverLog bounds it, and one line whatever the client sends. */
class DebugCommandsTest {

    @Test
    void aLoggedMessageIsCutWhereRedisesLogLineEnds() {
        assertThat(DebugCommands.logged("hello".getBytes(StandardCharsets.US_ASCII))).isEqualTo("hello");
        byte[] huge = new byte[8 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        String logged = DebugCommands.logged(huge);
        assertThat(logged).hasSize(1012);
        assertThat(("DEBUG LOG: " + logged).length()).isEqualTo(1023);
    }

    @Test
    void aLoggedMessageStaysOnOneLine() {
        assertThat(DebugCommands.logged("a\r\n2026-11-27 WARN forged\nb".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("a  2026-11-27 WARN forged b");
    }
}
