package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.support.AppProcess;
import io.percore.demo.support.KeyspaceContents;
import io.percore.demo.support.RespTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) comes back from its append-only file saying where it stood in the replication stream (the
 * file's last {@code #REPL:} annotation, with no command after it), as one back from a snapshot does: a replica killed
 * once it acknowledged every write continues with a partial resync, and so does a primary killed and started again as a
 * replica of the one promoted in its place. Killed under writes, its file ends in commands after its last annotation and
 * says nothing: it syncs in full, as before. Counters, lists and commands spanning shards written all along show a
 * command applied twice or missed.
 */
class AppendOnlyRestartTest {

    private static final List<String> JVM = List.of("-Xmx512m");

    @TempDir
    Path dir;

    /** Counters, lists and a command spanning shards against {@code port}, until closed. */
    private static RoundsWriter writer(int port) {
        return new RoundsWriter(port, (w, i) -> {
            String n = Long.toString(i);
            w.cmd("INCR", "n:" + i % 20);
            w.cmd("MSET", "a:" + i % 50, n, "b:" + i % 50, n);
            w.cmd("RPUSH", "list:" + i % 3, n);
        });
    }

    /** Every process started, killed at the end whatever happened. */
    private final List<AppProcess> started = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void killEveryProcess() throws InterruptedException {
        for (AppProcess app : started) {
            app.close();
        }
    }

    private AppProcess node(AppProcess.Ports ports, Path data, String... more) throws IOException, InterruptedException {
        String[] args = Stream.concat(Stream.of("--percore.demo.persistence.dir=" + data, "--percore.demo.persistence.mode=aof",
                "--percore.demo.persistence.appendfsync=always"), Stream.of(more)).toArray(String[]::new);
        AppProcess app = AppProcess.start(ports, 2, JVM, args);
        started.add(app);
        return app;
    }

    private static String replicaOf(AppProcess.Ports primary) {
        return "--percore.demo.replication.replicaof=127.0.0.1 " + primary.resp();
    }

    private static void linkUp(int port) throws InterruptedException {
        waitFor(() -> {
            try (RespTestClient c = new RespTestClient(port)) {
                return "up".equals(info(c).get("master_link_status"));
            } catch (IOException e) {
                return false;
            }
        }, "the link of the server on " + port + " is up");
    }

    /** WAIT 1 until the replica acknowledged everything (the writes have stopped), at most 120 s. */
    private static void everyWriteAcknowledged(RespTestClient primary) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Long.valueOf(1).equals(primary.cmd("WAIT", "1", "1000"))) {
            assertThat(System.nanoTime()).as("the replica acknowledges every write").isLessThan(deadline);
        }
    }

    /** The last line of the last incremental file under {@code data}. */
    private static String lastLine(Path data) throws IOException {
        Path aof = data.resolve("appendonlydir");
        try (Stream<Path> files = Files.list(aof)) {
            Path incr = files.filter(f -> f.getFileName().toString().endsWith(".incr.aof")).max(
                    java.util.Comparator.comparingInt(f -> Integer.parseInt(f.getFileName().toString().split("\\.")[2]))).orElseThrow();
            String text = new String(Files.readAllBytes(incr), StandardCharsets.ISO_8859_1).stripTrailing();
            return text.substring(text.lastIndexOf('\n') + 1);
        }
    }

    private static long stat(RespTestClient c, String field) throws IOException {
        return Long.parseLong(info(c).get(field));
    }

    @Test
    void aServerKilledComesBackFromItsFileWhereItStood() throws Exception {
        Path primaryData = Files.createDirectories(dir.resolve("primary"));
        Path replicaData = Files.createDirectories(dir.resolve("replica"));
        AppProcess.Ports primaryPorts = AppProcess.Ports.free();
        AppProcess.Ports replicaPorts = AppProcess.Ports.free();
        AppProcess primary = node(primaryPorts, primaryData);
        AppProcess replica = node(replicaPorts, replicaData, replicaOf(primaryPorts));
        try (RespTestClient p = new RespTestClient(primaryPorts.resp())) {
            p.cmd("CONFIG", "SET", "repl-backlog-size", "64mb");
            linkUp(replicaPorts.resp());
            try (RoundsWriter writer = writer(primaryPorts.resp())) {
                writer.waitForMore(300);
                replica.kill(); // under writes: its file ends in commands applied after its last acknowledgement
                writer.waitForMore(100);
                replica = node(replicaPorts, replicaData, replicaOf(primaryPorts));
                linkUp(replicaPorts.resp());
                writer.waitForMore(300);
            }
            everyWriteAcknowledged(p);
            try (RespTestClient r = new RespTestClient(replicaPorts.resp())) {
                assertThat(KeyspaceContents.of(r)).as("every command applied once").isEqualTo(KeyspaceContents.of(p));
            }

            // killed once it acknowledged everything: the file's last line says where it stands, and it continues from there
            assertThat(lastLine(replicaData)).startsWith("#REPL:" + info(p).get("master_replid") + ":");
            long full = stat(p, "sync_full");
            long partial = stat(p, "sync_partial_ok");
            replica.kill();
            replica = node(replicaPorts, replicaData, replicaOf(primaryPorts));
            linkUp(replicaPorts.resp());
            assertThat(stat(p, "sync_partial_ok")).as("a partial resync").isEqualTo(partial + 1);
            assertThat(stat(p, "sync_full")).as("no full sync").isEqualTo(full);
            p.cmd("RPUSH", "list:0", "after");
            everyWriteAcknowledged(p);
            try (RespTestClient r = new RespTestClient(replicaPorts.resp())) {
                assertThat(KeyspaceContents.of(r)).isEqualTo(KeyspaceContents.of(p));
            }

            // the primary killed quiet, the replica promoted in its place, the old primary back as its replica
            String history = info(p).get("master_replid");
            waitFor(() -> {
                try {
                    return lastLine(primaryData).startsWith("#REPL:" + history + ":");
                } catch (IOException e) {
                    return false;
                }
            }, "the primary's file says where it stands once its stream and its file hold the same");
            primary.kill();
        }
        try (RespTestClient r = new RespTestClient(replicaPorts.resp())) {
            assertThat(r.cmd("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
            r.cmd("INCR", "n:0");
            primary = node(primaryPorts, primaryData, replicaOf(replicaPorts));
            linkUp(primaryPorts.resp());
            everyWriteAcknowledged(r);
            assertThat(info(r)).as("the old primary continued its own history under the new one")
                    .containsEntry("sync_partial_ok", "1").containsEntry("sync_full", "0");
            try (RespTestClient p = new RespTestClient(primaryPorts.resp())) {
                assertThat(KeyspaceContents.of(p)).isEqualTo(KeyspaceContents.of(r));
            }
        }
    }
}
