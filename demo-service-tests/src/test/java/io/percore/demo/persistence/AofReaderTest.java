package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The append-only file's reader on the shared command parser: a file cut anywhere reads as its whole
 * commands and then as torn (never as corrupt, whatever the cut and however the reads fall), and
 * bytes that are no command are corrupt.
 */
class AofReaderTest {

    @TempDir
    Path dir;

    private static byte[] command(String... argv) {
        StringBuilder s = new StringBuilder("*").append(argv.length).append("\r\n");
        for (String a : argv) {
            s.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private Path file(byte[] bytes) throws IOException {
        Path f = dir.resolve("appendonly.aof." + System.nanoTime());
        Files.write(f, bytes);
        return f;
    }

    /** Reads {@code f} to its end: the commands read, then null (whole) or the exception that stopped it. */
    private static List<String> readAll(Path f, List<Long> offsets) throws IOException {
        List<String> read = new ArrayList<>();
        try (AofReader reader = new AofReader(f)) {
            byte[][] argv;
            while ((argv = reader.next()) != null) {
                if (argv == AofReader.ANNOTATION) {
                    continue;
                }
                read.add(new String(argv[argv.length - 1], StandardCharsets.ISO_8859_1));
                offsets.add(reader.offset());
            }
        }
        return read;
    }

    /**
     * Annotation lines ({@code #...}, Redis 7's {@code #TS:} and this server's {@code #REPL:}) between commands read as
     * annotations with their text, the offsets after them right; a file cut inside one is torn, not corrupt; a line
     * far longer than a command's first line may be is corrupt. The position's line reads back as written.
     */
    @Test
    void annotationsReadAsSuchAndAFileCutInsideOneIsTorn() throws IOException {
        io.percore.demo.rdb.ReplicationInfo at = new io.percore.demo.rdb.ReplicationInfo("a".repeat(40), 12_345, 3);
        byte[] position = ReplicationAnnotation.line(at);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(command("SET", "k", "v"));
        out.writeBytes("#TS:1796597359\r\n".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(command("INCR", "n"));
        out.writeBytes(position);
        byte[] whole = out.toByteArray();
        List<String> read = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        try (AofReader reader = new AofReader(file(whole))) {
            byte[][] argv;
            while ((argv = reader.next()) != null) {
                read.add(argv == AofReader.ANNOTATION ? reader.annotation() : new String(argv[0], StandardCharsets.ISO_8859_1));
                offsets.add(reader.offset());
            }
        }
        assertThat(read).containsExactly("SET", "#TS:1796597359", "INCR", new String(position, StandardCharsets.US_ASCII).strip());
        assertThat(offsets.get(offsets.size() - 1)).isEqualTo(whole.length);
        assertThat(ReplicationAnnotation.parse(read.get(3))).isEqualTo(at);
        assertThat(ReplicationAnnotation.parse(read.get(1))).as("another annotation").isNull();
        assertThat(ReplicationAnnotation.parse("#REPL:" + "a".repeat(40) + ":-1:0")).as("malformed").isNull();

        byte[] cut = Arrays.copyOf(whole, whole.length - 3);
        assertThatThrownBy(() -> readAll(file(cut), new ArrayList<>())).isInstanceOf(AofReader.Truncated.class);
        byte[] endless = ("#" + "x".repeat(4 * io.percore.demo.resp.CommandStreamParser.MAX_LINE) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> readAll(file(endless), new ArrayList<>())).isInstanceOf(AofReader.Corrupt.class);
    }

    @Test
    void aFileCutAnywhereIsItsWholeCommandsThenTorn() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.writeBytes(command("SET", "k" + i, "v".repeat(i * 7)));
            ends.add((long) out.size());
        }
        byte[] whole = out.toByteArray();
        for (int cut = 0; cut <= whole.length; cut++) {
            Path f = file(Arrays.copyOf(whole, cut));
            int c = cut;
            if (cut == 0 || ends.contains((long) cut)) {
                assertThat(readAll(f, new ArrayList<>())).as("cut at %d, a command's end", cut)
                        .hasSize((int) ends.stream().filter(e -> e <= c).count());
            } else {
                assertThatThrownBy(() -> readAll(f, new ArrayList<>())).as("cut at %d, inside a command", c)
                        .isInstanceOf(AofReader.Truncated.class);
            }
        }
    }

    /** Commands across many of the reader's fills (64 KB each), the last cut at every byte of its tail. */
    @Test
    void aLargeFileReadsAcrossFillsAndIsTornOnlyAtItsEnd() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> ends = new ArrayList<>();
        for (int i = 0; out.size() < 400_000; i++) {
            out.writeBytes(command("SET", "key:" + i, "x".repeat(i % 997)));
            ends.add((long) out.size());
        }
        byte[] whole = out.toByteArray();
        List<Long> offsets = new ArrayList<>();
        assertThat(readAll(file(whole), offsets)).hasSize(ends.size());
        assertThat(offsets).as("each command's end offset").isEqualTo(ends);
        long lastStart = ends.get(ends.size() - 2);
        for (long cut = lastStart + 1; cut < whole.length; cut++) {
            Path f = file(Arrays.copyOf(whole, (int) cut));
            List<String> read = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (AofReader reader = new AofReader(f)) {
                    while (reader.next() != null) {
                        read.add("x");
                    }
                }
            }).isInstanceOf(AofReader.Truncated.class);
            assertThat(read).as("cut at %d", cut).hasSize(ends.size() - 1);
            Files.delete(f);
        }
    }

    @Test
    void bytesThatAreNoCommandAreCorrupt() throws IOException {
        for (String bad : List.of("SET k v\r\n", "\r\n", "*0\r\n", "*-1\r\n", "*1\r\n+OK\r\n", "*1\r\n$3\r\nabcd\r\n", "*1\r\n$-2\r\n",
                "*1\r\n$x\r\n", "*1\r\n$3\rXabc\r\n")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(command("SET", "a", "b"));
            out.writeBytes(bad.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(command("SET", "c", "d"));
            List<String> read = new ArrayList<>();
            Path f = file(out.toByteArray());
            assertThatThrownBy(() -> {
                try (AofReader reader = new AofReader(f)) {
                    byte[][] argv;
                    while ((argv = reader.next()) != null) {
                        read.add(new String(argv[0], StandardCharsets.ISO_8859_1));
                    }
                }
            }).as("%s", bad.replace("\r\n", "\\r\\n")).isInstanceOf(AofReader.Corrupt.class);
            assertThat(read).as("the command before it").containsExactly("SET");
        }
    }

    /** A length past what is left of the file is a torn file, known before the buffer grows for it. */
    @Test
    void aHugeLengthNearTheEndIsTornWithoutAllocatingIt() throws IOException {
        Path f = file("*2\r\n$3\r\nGET\r\n$2000000000\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> readAll(f, new ArrayList<>())).isInstanceOf(AofReader.Truncated.class)
                .hasMessageContaining("left in the file");
    }
}
