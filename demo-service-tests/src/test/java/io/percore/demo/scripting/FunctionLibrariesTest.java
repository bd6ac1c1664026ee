package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.resp.RespError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A shard's function libraries under hostile input: the count and the code a peer can make a
 * shard keep are bounded with a clear error (refused before a library too large is compiled), by
 * FUNCTION LOAD and RESTORE alike, and a refused change keeps what was there.
 */
class FunctionLibrariesTest {

    private static byte[] library(int i) {
        return ("#!lua name=l" + i + "\nredis.register_function('f" + i + "', function() return " + i + " end)")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theLibrariesAShardKeepsAreBoundedByCountAndCode() {
        FunctionLibraries libraries = new FunctionLibraries(64L << 20);
        for (int i = 0; i < FunctionLibraries.MAX_LIBRARIES; i++) {
            libraries.load(library(i), false, FunctionLibraries.LOAD_TIMEOUT_MILLIS);
        }
        assertThatThrownBy(() -> libraries.load(library(100_001), false, FunctionLibraries.LOAD_TIMEOUT_MILLIS))
                .isInstanceOf(RespError.class).hasMessageContaining("too many function libraries");
        // replacing one keeps the count
        assertThat(libraries.load(library(7), true, FunctionLibraries.LOAD_TIMEOUT_MILLIS)).isEqualTo("l7");
        List<byte[]> more = new ArrayList<>(List.of(library(100_002)));
        assertThatThrownBy(() -> libraries.restore(more, FunctionLibraries.RestorePolicy.APPEND))
                .isInstanceOf(RespError.class).hasMessageContaining("too many function libraries");
        assertThat(libraries.libraryCount()).isEqualTo(FunctionLibraries.MAX_LIBRARIES);
        libraries.restore(more, FunctionLibraries.RestorePolicy.FLUSH);
        assertThat(libraries.libraryCount()).isEqualTo(1);

        byte[] huge = Arrays.copyOf("#!lua name=huge\n--".getBytes(StandardCharsets.ISO_8859_1), (int) FunctionLibraries.MAX_CODE_BYTES + 1);
        Arrays.fill(huge, 18, huge.length, (byte) 'x');
        assertThatThrownBy(() -> libraries.load(huge, false, FunctionLibraries.LOAD_TIMEOUT_MILLIS))
                .isInstanceOf(RespError.class).hasMessageContaining("64 MB of code per shard");
        assertThatThrownBy(() -> libraries.restore(List.of(huge), FunctionLibraries.RestorePolicy.FLUSH))
                .isInstanceOf(RespError.class).hasMessageContaining("64 MB of code per shard");
        assertThat(libraries.libraryCount()).isEqualTo(1);
        assertThat(libraries.function("F100002")).isNotNull();
    }
}
