package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.KeyspaceContents;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica of a replica (Redis's chained replication): the middle one passes its primary's stream
 * on byte for byte (same id, same offsets), gives a full sync from a snapshot taken where its link
 * stands still, continues a broken sub-link from its backlog, and once promoted lets its replicas
 * continue under its new id.
 */
class ChainedReplicaTest {

    @TempDir
    Path dir;

    private TestServices service(String name, int primaryPort) throws Exception {
        return service(name, primaryPort, false);
    }

    private TestServices service(String name, int primaryPort, boolean aof) throws Exception {
        PersistenceSettings persistence = PersistenceSettings.in(Files.createDirectories(dir.resolve(name)));
        if (aof) {
            persistence = persistence.withAof(io.percore.demo.persistence.AofSettings.OFF.withEnabled(true));
        }
        DemoSettings settings = DemoSettings.forTests().withPersistence(persistence);
        if (primaryPort > 0) {
            settings = settings.withReplication(settings.replication().withReplicaof("127.0.0.1", primaryPort));
        }
        return TestServices.start(2, settings);
    }

    @Test
    void aReplicaPassesItsPrimarysStreamOnToReplicasOfItsOwn() throws Exception {
        try (TestServices primary = service("primary", 0); RespTestClient p = new RespTestClient(primary.respPort())) {
            for (int i = 0; i < 1000; i++) {
                p.cmd("SET", "before:" + i, "v" + i);
            }
            try (TestServices middle = service("middle", primary.respPort()); RespTestClient m = new RespTestClient(middle.respPort())) {
                waitFor(() -> "up".equals(info(m).get("master_link_status")), "the middle replica's link comes up");
                try (RealRedis leaf = RealRedis.start("--dir", Files.createDirectories(dir.resolve("leaf")).toString(),
                        "--replicaof", "127.0.0.1", Integer.toString(middle.respPort()));
                     RespTestClient l = new RespTestClient(leaf.port());
                     TestServices leaf2 = service("leaf2", middle.respPort()); RespTestClient l2 = new RespTestClient(leaf2.respPort())) {
                    waitFor(() -> "up".equals(info(l).get("master_link_status")), "the redis leaf's link comes up");
                    waitFor(() -> "up".equals(info(l2).get("master_link_status")), "the service leaf's link comes up");
                    for (int i = 0; i < 1000; i++) {
                        p.cmd("INCR", primary.keyOn(i % 2, "n"));
                        p.cmd("MSET", primary.keyOn(0, "a"), "x" + i, primary.keyOn(1, "b"), "y" + i);
                    }
                    Object expected = KeyspaceContents.of(p);
                    long end = Long.parseLong(info(p).get("master_repl_offset"));
                    // the same offset all down the chain, at or past the writes': the primary's PING (every
                    // repl-ping-replica-period) may move it on before a loaded chain has passed the writes down
                    waitFor(() -> {
                        String leafOffset = info(l).get("master_repl_offset");
                        return Long.parseLong(leafOffset) >= end && leafOffset.equals(info(l2).get("master_repl_offset"))
                                && leafOffset.equals(info(m).get("master_repl_offset")) && leafOffset.equals(info(p).get("master_repl_offset"));
                    }, "the leaves reach the primary's offset (the same offsets all down the chain)");
                    assertThat(KeyspaceContents.of(m)).isEqualTo(expected);
                    assertThat(KeyspaceContents.of(l)).isEqualTo(expected);
                    assertThat(KeyspaceContents.of(l2)).isEqualTo(expected);
                    assertThat(info(l).get("master_replid")).isEqualTo(info(p).get("master_replid"));

                    l.cmd("CLIENT", "KILL", "TYPE", "master"); // the leaf asks the middle to continue
                    p.cmd("SET", "while", "broken");
                    waitFor(() -> "broken".equals(ReplicationPrimaryTest.cmd(l, "GET", "while")), "the leaf continues");
                    assertThat(info(m)).containsEntry("sync_partial_ok", "1").containsEntry("sync_full", "2");

                    // the service leaf, dropped by its promoted primary, tries again at once, not a retry period later
                    ch.qos.logback.classic.Logger linkLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(PrimaryLink.class);
                    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> retries =
                            new ch.qos.logback.core.read.ListAppender<>();
                    retries.start();
                    ch.qos.logback.classic.Level level = linkLog.getLevel();
                    linkLog.setLevel(ch.qos.logback.classic.Level.INFO);
                    linkLog.addAppender(retries);
                    try {
                        long promoted = System.nanoTime();
                        m.cmd("REPLICAOF", "NO", "ONE"); // the middle is promoted: its replicas continue under its new id
                        String newId = info(m).get("master_replid");
                        waitFor(() -> newId.equals(info(l2).get("master_replid")), "the service leaf takes the new id");
                        System.out.printf("the service leaf continued under the promoted primary's id %d ms after REPLICAOF NO ONE%n",
                                (System.nanoTime() - promoted) / 1_000_000);
                        waitFor(() -> newId.equals(info(l).get("master_replid")), "the redis leaf takes the new id");
                        assertThat(logged(retries))
                                .anyMatch(text -> text.startsWith("Retrying the link to MASTER 127.0.0.1:" + middle.respPort() + " in "
                                        + PrimaryLink.RETRY_AFTER_UP_MILLIS + " ms"));
                    } finally {
                        linkLog.detachAppender(retries);
                        linkLog.setLevel(level);
                    }
                    m.cmd("SET", "after", "promotion");
                    assertThat(m.cmd("WAIT", "2", "10000")).isEqualTo(2L);
                    assertThat(KeyspaceContents.of(l)).isEqualTo(KeyspaceContents.of(m));
                    assertThat(KeyspaceContents.of(l2)).isEqualTo(KeyspaceContents.of(m));
                    assertThat(info(m)).as("no full sync after the promotion").containsEntry("sync_full", "2");
                }
            }
        }
    }

    /**
     * A link whose first try fails (a switchover chains a replica to the next primary and promotes it moments later, which
     * drops the replica mid-handshake) tries again at once, then at the usual pace.
     */
    @Test
    void aLinksFirstFailedTryIsRetriedAtOnceThenAtTheUsualPace() throws Exception {
        int nothing;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            nothing = free.getLocalPort();
        }
        ch.qos.logback.classic.Logger linkLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(PrimaryLink.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> retries = new ch.qos.logback.core.read.ListAppender<>();
        retries.start();
        ch.qos.logback.classic.Level level = linkLog.getLevel();
        linkLog.setLevel(ch.qos.logback.classic.Level.INFO);
        linkLog.addAppender(retries);
        try (TestServices replica = service("replica", nothing)) {
            java.util.function.Supplier<List<String>> said = () -> logged(retries).stream()
                    .filter(text -> text.startsWith("Retrying the link to MASTER 127.0.0.1:" + nothing)).toList();
            waitFor(() -> said.get().size() >= 2, "two retries");
            assertThat(said.get().subList(0, 2)).containsExactly(
                    "Retrying the link to MASTER 127.0.0.1:" + nothing + " in " + PrimaryLink.RETRY_AFTER_UP_MILLIS + " ms",
                    "Retrying the link to MASTER 127.0.0.1:" + nothing + " in " + PrimaryLink.FIRST_RETRY_MILLIS + " ms");
        } finally {
            linkLog.detachAppender(retries);
            linkLog.setLevel(level);
        }
    }

    /**
     * A migration's shape: the service's primary follows a redis-server (the source), and the service's own replica
     * follows that primary. The replica links and streams while its primary is still a replica itself (Redis's
     * sub-replicas do), not only after the cut-over.
     */
    @Test
    void aReplicaOfAReplicaOfARedisServerLinksAndStreamsBeforeTheCutOver() throws Exception {
        try (RealRedis source = RealRedis.start("--dir", Files.createDirectories(dir.resolve("source")).toString());
             RespTestClient s = new RespTestClient(source.port())) {
            for (int i = 0; i < 1000; i++) {
                s.cmd("SET", "before:" + i, "v" + i);
            }
            s.cmd("SELECT", "3");
            s.cmd("SET", "in3", "three");
            s.cmd("SELECT", "0");
            // as the operator sets a migration up: the service's primary with its replica linked, then told to follow the source
            try (TestServices middle = service("middle", 0, true); RespTestClient m = new RespTestClient(middle.respPort());
                 TestServices leaf = service("leaf", middle.respPort(), true); RespTestClient l = new RespTestClient(leaf.respPort())) {
                waitFor(() -> "up".equals(info(l).get("master_link_status")), "the service's replica links to its primary");
                m.cmd("REPLICAOF", "127.0.0.1", Integer.toString(source.port()));
                waitFor(() -> "up".equals(info(m).get("master_link_status")), "the service's primary follows the source");
                waitFor(() -> "up".equals(info(l).get("master_link_status")) && "1000".equals(String.valueOf(ReplicationPrimaryTest.cmd(l, "DBSIZE"))),
                        "the service's replica links to its primary again, and has the source's keys");
                {
                    for (int i = 0; i < 500; i++) {
                        s.cmd("INCR", "n");
                        s.cmd("SET", "during:" + i, "v" + i);
                    }
                    String end = info(s).get("master_repl_offset");
                    waitFor(() -> end.equals(info(m).get("master_repl_offset")) && end.equals(info(l).get("master_repl_offset")),
                            "the stream reaches the sub-replica (the same offsets all down the chain)");
                    assertThat(KeyspaceContents.of(l)).isEqualTo(KeyspaceContents.of(s));
                    assertThat(l.cmd("GET", "n")).isEqualTo("500");
                    l.cmd("SELECT", "3");
                    assertThat(l.cmd("GET", "in3")).isEqualTo("three");
                    l.cmd("SELECT", "0");
                    assertThat(info(l).get("master_replid")).isEqualTo(info(s).get("master_replid"));

                    m.cmd("REPLICAOF", "NO", "ONE"); // the cut-over: the sub-replica continues under its primary's new id
                    String newId = info(m).get("master_replid");
                    waitFor(() -> newId.equals(info(l).get("master_replid")), "the sub-replica takes the new id");
                    m.cmd("SET", "after", "cut-over");
                    assertThat(m.cmd("WAIT", "1", "30000")).isEqualTo(1L);
                    assertThat(l.cmd("GET", "after")).isEqualTo("cut-over");
                }
            }
        }
    }

    /**
     * The same under load, as the migration that showed the bug: a source of 100,000 keys written to while the
     * service's primary syncs from it; the service's replica must end up with the source's keys, not only those written
     * after its own link came up.
     */
    @Test
    void aSubReplicaHasEveryKeyOfALargeSourceWrittenToDuringTheSync() throws Exception {
        try (RealRedis source = RealRedis.start("--dir", Files.createDirectories(dir.resolve("source")).toString());
             RespTestClient s = new RespTestClient(source.port())) {
            s.cmd("DEBUG", "POPULATE", "100000", "key", "20");
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (RespTestClient w = new RespTestClient(source.port())) {
                    for (long i = 0; !stop.get(); i++) {
                        w.cmd("SET", "w:" + i % 5000, "value-" + i);
                    }
                } catch (Exception e) {
                    failed.set(e);
                }
            }, "chained-writer");
            try (TestServices middle = service("middle", 0, true); RespTestClient m = new RespTestClient(middle.respPort());
                 TestServices leaf = service("leaf", middle.respPort(), true); RespTestClient l = new RespTestClient(leaf.respPort())) {
                waitFor(() -> "up".equals(info(l).get("master_link_status")), "the service's replica links to its primary");
                writer.start();
                m.cmd("REPLICAOF", "127.0.0.1", Integer.toString(source.port()));
                waitFor(() -> "up".equals(info(m).get("master_link_status")), "the service's primary follows the source");
                waitFor(() -> "up".equals(info(l).get("master_link_status")), "the service's replica links again");
                stop.set(true);
                writer.join();
                assertThat(failed.get()).isNull();
                String end = info(s).get("master_repl_offset");
                waitFor(() -> end.equals(info(m).get("master_repl_offset")) && end.equals(info(l).get("master_repl_offset")),
                        "the stream reaches the sub-replica");
                Object dbsize = s.cmd("DBSIZE");
                assertThat(m.cmd("DBSIZE")).isEqualTo(dbsize);
                assertThat(l.cmd("DBSIZE")).isEqualTo(dbsize);
                assertThat(KeyspaceContents.of(l)).isEqualTo(KeyspaceContents.of(s));
            } finally {
                stop.set(true);
                if (writer.isAlive()) {
                    writer.join();
                }
            }
        }
    }

    /**
     * The appender's messages so far: a copy taken under the appender's lock, which its {@code doAppend} holds while the
     * link's thread adds to the list (iterating the list itself races that: a ConcurrentModificationException in CI).
     */
    private static List<String> logged(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender) {
        synchronized (appender) {
            return appender.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
