package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.crd.PercoreService;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Moving a running Redis in (issue 51): a redis-server 7.0 on the host, which the pods reach at the pods' gateway,
 * holding 100,000 keys of every type, some with a TTL, and a client writing to it throughout. The service of
 * {@code operator/examples/migrate.yaml} follows it, serving reads and refusing writes, then cuts over on request:
 * every acknowledged write is in the service with its last value, the source's writes were paused at most 1 s, and
 * every key compares equal (type, value, TTL), in database 0 and in databases 3 and 15 (one writer selecting databases 0, 3 and 15 in turn). And a source the service cannot take is refused at once, with its reason
 * (issue 68).
 */
@ExtendWith(RealNodeExtension.class)
// beside the other scenarios: it was @Isolated while its writers ran unpaced (beside ClusterIT's slot moves the pod fell
// 16 MB / 20 s behind the source and the cut-over could not finish, CI 2026-11-28 00:57); they write 1,000 a second each
// since (Writer), and a cut-over waits while the service is behind (CutoverWaiting)
@Order(8)
class MigrationIT {

    static final String NAME = "kv";
    static final int KEYS = 100_000;
    /** Besides database 0's keys, keys in these databases of the source (issue 68: a Redis that uses SELECT moves in too). */
    static final int[] OTHER_DATABASES = {3, 15};
    static final int KEYS_PER_OTHER_DATABASE = 2_000;
    /** The issue's bound on the source's write pause during the cut-over. */
    static final Duration PAUSE_AT_MOST = Duration.ofSeconds(1);
    private static final String SOURCE_PASSWORD = "legacy-Redis-pw";

    @Test
    void aRunningRedisIsCopiedFollowedAndCutOverWithoutLosingAnAcknowledgedWrite(Cluster cluster) throws Exception {
        Path dir = Files.createTempDirectory("e2e-migrate-source");
        int port = freePort();
        // bound to the gateway for the pods and to loopback for the test's clients
        Process source = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", RealNode.GATEWAY + " 127.0.0.1",
                "--requirepass", SOURCE_PASSWORD, "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisURI sourceUri = RedisURI.builder().withHost("127.0.0.1").withPort(port).withPassword(SOURCE_PASSWORD.toCharArray())
                .withTimeout(Duration.ofSeconds(10)).build();
        try (var ns = cluster.namespace("e2e-migrate"); RedisClient sourceClient = Cluster.redis(sourceUri)) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                try (var c = sourceClient.connect()) {
                    return "PONG".equals(c.sync().ping());
                }
            });
            long loadBegan = System.nanoTime();
            try (var c = sourceClient.connect()) {
                load(c);
                assertThat(c.sync().dbsize()).isEqualTo(KEYS);
                for (int db : OTHER_DATABASES) {
                    c.sync().select(db);
                    loadDatabase(c, db);
                    assertThat(c.sync().dbsize()).isEqualTo(KEYS_PER_OTHER_DATABASE);
                }
                c.sync().select(0);
            }
            Progress.say("migration: %d keys of six types loaded into redis-server on %s:%d in %d ms", KEYS, RealNode.GATEWAY, port,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadBegan));

            cluster.client().secrets().inNamespace(ns.name()).resource(new SecretBuilder().withNewMetadata().withName("legacy-redis-auth")
                    .endMetadata().addToData("password", Base64.getEncoder().encodeToString(SOURCE_PASSWORD.getBytes(StandardCharsets.UTF_8)))
                    .build()).create();
            // database 0's writer, and one selecting databases 0, 3 and 15 in turn (a SELECT before each of its writes)
            try (Writer writer = new Writer(sourceUri, "mig", false); Writer selecting = new Writer(sourceUri, "migdb", false, 0, 3, 15)) {
                writer.awaitAcknowledged(100, Duration.ofSeconds(30));
                PercoreService s = Cluster.example("migrate.yaml");
                MigrateFrom from = s.getSpec().getMigrateFrom();
                from.setHost(RealNode.GATEWAY);
                from.setPort(port);
                long created = System.nanoTime();
                cluster.create(ns.name(), s);

                PercoreService replicating = cluster.awaitStatus(ns.name(), NAME, PlanToPodsIT.READY_WITHIN, p -> p.getStatus() != null
                        && p.getStatus().getMigration() != null && MigrationStatusView.replicating(p.getStatus().getMigration(), KEYS));
                long synced = System.nanoTime() - created;
                MigrationStatus m = replicating.getStatus().getMigration();
                assertThat(m.getSourceVersion()).startsWith("7.0");
                assertThat(m.getFullSyncs()).isEqualTo(1);
                assertThat(cluster.events(ns.name(), NAME)).extracting(e -> e.getReason()).contains("MigrationStarted", "MigrationSynced");
                // the status follows the pod, the Service's endpoints and kube-proxy follow its readiness
                cluster.awaitReachable(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
                String password = cluster.password(ns.name(), NAME + "-auth");
                RedisURI serviceUri = cluster.serviceUri(ns.name(), NAME, "redis", password);
                try (RedisClient service = Cluster.redis(serviceUri); var c = service.connect()) {
                    assertThat(c.sync().info("replication")).contains("role:slave", "master_link_status:up");
                    assertThat(c.sync().get("s:6")).as("reads are served while it follows").isEqualTo("string-6");
                    assertThatThrownBy(() -> c.sync().set("mine", "1")).hasMessageContaining("READONLY");
                }
                writer.awaitAcknowledged(200, Duration.ofSeconds(30));
                assertThat(writer.outages()).as("nothing held the source's writes before the cut-over").isEmpty();
                PercoreService lagging = cluster.get(ns.name(), NAME);
                Progress.say("migration: Replicating %d s after the PercoreService was created (%s keys, lag %s bytes / %s s)",
                        TimeUnit.NANOSECONDS.toSeconds(synced), m.getKeysLoaded(), lagging.getStatus().getMigration().getLagBytes(),
                        lagging.getStatus().getMigration().getLagSeconds());

                // the how-to page's cut-over block as written (kubectl patch, kubectl wait for Migrated, the pause read back)
                String printed = PageCommands.run(cluster.node(), PageCommands.block("how-to/moving-from-redis.md", 1), ns.name());
                assertThat(printed).contains("percoreservice.percore.io/kv patched").contains("condition met");
                // the cut-over waits while the pod is more than cutoverTimeout behind (CutoverWaiting), then holds the writes
                PercoreService done = cluster.awaitStatus(ns.name(), NAME, Duration.ofMinutes(3), p -> p.getStatus().getMigration() != null
                        && "Completed".equals(p.getStatus().getMigration().getPhase()));
                Map<String, String> acknowledged = writer.stop();
                Map<String, String> acknowledgedSelecting = selecting.stop();
                long paused = done.getStatus().getMigration().getWritesPausedMillis();
                Progress.say("migration: cut over, the source's writes paused %d ms (bound %d ms); %d writes acknowledged by the source, outages %s",
                        paused, PAUSE_AT_MOST.toMillis(), acknowledged.size(), writer.outages());
                assertThat(Duration.ofMillis(paused)).as("the source's writes paused").isLessThanOrEqualTo(PAUSE_AT_MOST);
                assertThat(Cluster.is(done, "Migrated", "True")).isTrue();
                assertThat(cluster.events(ns.name(), NAME)).extracting(e -> e.getReason()).contains("MigrationCutOver");

                try (RedisClient service = Cluster.redis(serviceUri); var c = service.connect()) {
                    assertThat(c.sync().info("replication")).contains("role:master");
                    List<String> lost = new ArrayList<>();
                    acknowledged.forEach((k, v) -> {
                        if (!v.equals(c.sync().get(k))) {
                            lost.add(k);
                        }
                    });
                    assertThat(lost).as("acknowledged by the source, missing or changed in the service").isEmpty();
                    try (var sourceConnection = sourceClient.connect()) {
                        long compared = compareEveryKey(sourceConnection, c, KEYS);
                        int elsewhere = 0;
                        for (int db : new int[] {0, 3, 15}) {
                            sourceConnection.sync().select(db);
                            c.sync().select(db);
                            Map<String, String> acked = Writer.inDatabase(acknowledgedSelecting, db);
                            assertThat(acked).as("the selecting writer's writes to database %d", db).isNotEmpty();
                            acked.forEach((k, v) -> {
                                if (!v.equals(c.sync().get(k))) {
                                    lost.add(db + ":" + k);
                                }
                            });
                            if (db != 0) {
                                compared += compareEveryKey(sourceConnection, c, KEYS_PER_OTHER_DATABASE);
                            }
                            elsewhere += acked.size();
                        }
                        c.sync().select(0);
                        assertThat(lost).as("acknowledged by the source in databases 0, 3 and 15, missing or changed in the service").isEmpty();
                        Progress.say("migration: %d keys compared in databases 0, 3 and 15 (type, value, TTL), %d writes and %d of a writer"
                                + " selecting databases acknowledged, all there in their databases", compared, acknowledged.size(), elsewhere);
                    }
                    assertThat(c.sync().set("mine", "1")).as("the service takes writes").isEqualTo("OK");
                }
                try (var c = sourceClient.connect()) {
                    assertThat(c.sync().info("replication")).as("the source is left a primary").contains("role:master");
                }
            }
        } finally {
            source.destroyForcibly();
            source.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** How soon a source the service cannot take is refused, with its reason in the status and an event (issue 68). */
    static final Duration REFUSED_WITHIN = Duration.ofSeconds(30);

    /**
     * Issue 68: a source the service cannot take (here keys in database 20 of a redis-server with 32 databases: beyond the
     * service's, 16 by default) is refused before any copy, the reason in {@code status.migration} and the {@code Migrated}
     * condition and a Warning event within 30 s of the create; the pod is never linked and the source never asked for a
     * copy. Before, the pod's full sync failed every 5 s for as long as one watched, the status saying "Syncing".
     */
    @Test
    void aSourceTheServiceCannotTakeIsRefusedWithTheReasonInTheStatusAndAnEvent(Cluster cluster) throws Exception {
        Path dir = Files.createTempDirectory("e2e-migrate-refused");
        int port = freePort();
        Process source = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", RealNode.GATEWAY + " 127.0.0.1",
                "--requirepass", SOURCE_PASSWORD, "--save", "", "--appendonly", "no", "--databases", "32", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisURI sourceUri = RedisURI.builder().withHost("127.0.0.1").withPort(port).withPassword(SOURCE_PASSWORD.toCharArray())
                .withTimeout(Duration.ofSeconds(10)).build();
        try (var ns = cluster.namespace("e2e-migrate-refused"); RedisClient sourceClient = Cluster.redis(sourceUri)) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                try (var c = sourceClient.connect()) {
                    return "PONG".equals(c.sync().ping());
                }
            });
            try (var c = sourceClient.connect()) {
                for (int i = 0; i < 100; i++) {
                    c.sync().set("zero:" + i, "v" + i);
                }
                c.sync().select(20);
                for (int i = 0; i < 200; i++) {
                    c.sync().set("twenty:" + i, "v" + i);
                }
            }
            cluster.client().secrets().inNamespace(ns.name()).resource(new SecretBuilder().withNewMetadata().withName("legacy-redis-auth")
                    .endMetadata().addToData("password", Base64.getEncoder().encodeToString(SOURCE_PASSWORD.getBytes(StandardCharsets.UTF_8)))
                    .build()).create();
            PercoreService s = Cluster.example("migrate.yaml");
            s.getSpec().getMigrateFrom().setHost(RealNode.GATEWAY);
            s.getSpec().getMigrateFrom().setPort(port);
            long created = System.nanoTime();
            cluster.create(ns.name(), s);

            PercoreService refused = cluster.awaitStatus(ns.name(), NAME, REFUSED_WITHIN, p -> p.getStatus() != null
                    && p.getStatus().getMigration() != null && "Refused".equals(p.getStatus().getMigration().getPhase())
                    && cluster.events(ns.name(), NAME).stream().anyMatch(e -> "MigrationRefused".equals(e.getReason())));
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - created);
            MigrationStatus m = refused.getStatus().getMigration();
            assertThat(m.getMessage()).contains("keys in database 20 (200 keys)");
            assertThat(Cluster.is(refused, "Migrated", "False")).isTrue();
            assertThat(Cluster.condition(refused, "Migrated").getReason()).isEqualTo("MigrationRefused");
            assertThat(Cluster.condition(refused, "Migrated").getMessage()).contains("database 20");
            // one per refusal text: a second once the pod answers CONFIG GET databases, if its count is not the configured one
            assertThat(cluster.events(ns.name(), NAME)).filteredOn(e -> "MigrationRefused".equals(e.getReason())).isNotEmpty()
                    .allSatisfy(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getMessage()).contains("database 20");
                    });
            Progress.say("migration: a source with keys in database 20 refused %d ms after the PercoreService was created: %s", after,
                    m.getMessage());

            // the pod comes up and is left alone: a master holding nothing, and the source was never asked for a copy
            cluster.awaitReady(ns.name(), NAME, PlanToPodsIT.READY_WITHIN);
            String password = cluster.password(ns.name(), NAME + "-auth");
            try (RedisClient service = Cluster.redis(cluster.serviceUri(ns.name(), NAME, "redis", password)); var c = service.connect()) {
                assertThat(c.sync().info("replication")).contains("role:master");
                assertThat(c.sync().dbsize()).isZero();
            }
            assertThat(cluster.get(ns.name(), NAME).getStatus().getMigration().getPhase()).as("still refused once the pod is up")
                    .isEqualTo("Refused");
            try (var c = sourceClient.connect()) {
                assertThat(c.sync().info("stats")).as("no copy asked of the source").contains("sync_full:0");
            }
        } finally {
            source.destroyForcibly();
            source.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The status shows a copy of every key, the link up, and the lag. */
    private static final class MigrationStatusView {
        static boolean replicating(MigrationStatus m, long keys) {
            return "Replicating".equals(m.getPhase()) && "up".equals(m.getLinkStatus()) && m.getKeysLoaded() != null && m.getKeysLoaded() >= keys
                    && m.getLagBytes() != null;
        }
    }

    /**
     * 100,000 keys, a sixth each of strings, lists, hashes, sets, sorted sets and streams, every tenth with a TTL of an
     * hour or more: pipelined, a thousand commands a flush.
     */
    private static void load(StatefulRedisConnection<String, String> connection) {
        RedisAsyncCommands<String, String> a = connection.async();
        connection.setAutoFlushCommands(false);
        try {
            List<RedisFuture<?>> batch = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                switch (i % 6) {
                    case 0 -> batch.add(a.set("s:" + i, "string-" + i));
                    case 1 -> batch.add(a.rpush("l:" + i, "a" + i, "b", "c" + (i % 7)));
                    case 2 -> batch.add(a.hset("h:" + i, Map.of("f1", "v" + i, "f2", Integer.toString(i * 3))));
                    case 3 -> batch.add(a.sadd("t:" + i, "m" + i, "n", "o" + (i % 11)));
                    case 4 -> batch.add(a.zadd("z:" + i, ScoredValue.just(i, "x"), ScoredValue.just(-1.5, "y" + i)));
                    default -> batch.add(a.xadd("x:" + i, Map.of("field", "e" + i)));
                }
                if (i % 10 == 0) {
                    batch.add(a.pexpire(key(i), 3_600_000L + i));
                }
                if (batch.size() >= 1000) {
                    flush(connection, batch);
                }
            }
            flush(connection, batch);
        } finally {
            connection.setAutoFlushCommands(true);
        }
    }

    /** Strings and hashes in database {@code db} (selected on {@code connection}), every fifth with a TTL. */
    private static void loadDatabase(StatefulRedisConnection<String, String> connection, int db) {
        RedisAsyncCommands<String, String> a = connection.async();
        connection.setAutoFlushCommands(false);
        try {
            List<RedisFuture<?>> batch = new ArrayList<>();
            for (int i = 0; i < KEYS_PER_OTHER_DATABASE; i++) {
                String key = (i % 2 == 0 ? "s:" : "h:") + i;
                batch.add(i % 2 == 0 ? a.set(key, "db" + db + "-" + i) : a.hset(key, Map.of("db", Integer.toString(db), "i", Integer.toString(i))));
                if (i % 5 == 0) {
                    batch.add(a.pexpire(key, 3_600_000L + i));
                }
            }
            flush(connection, batch);
        } finally {
            connection.setAutoFlushCommands(true);
        }
    }

    private static String key(int i) {
        return switch (i % 6) {
            case 0 -> "s:" + i;
            case 1 -> "l:" + i;
            case 2 -> "h:" + i;
            case 3 -> "t:" + i;
            case 4 -> "z:" + i;
            default -> "x:" + i;
        };
    }

    private static void flush(StatefulRedisConnection<String, String> connection, List<RedisFuture<?>> batch) {
        connection.flushCommands();
        for (RedisFuture<?> f : batch) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("loading the source: " + e, e);
            }
        }
        batch.clear();
    }

    /**
     * Every key of the source (SCAN) read on both sides as its type reads it, with its TTL: equal types and values,
     * a TTL on both or neither, within a minute of each other (they were read seconds apart). Returns how many.
     */
    private static long compareEveryKey(StatefulRedisConnection<String, String> source, StatefulRedisConnection<String, String> target,
                                        int atLeast) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            var page = source.sync().scan(cursor, ScanArgs.Builder.limit(5000));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        assertThat(keys).hasSizeGreaterThanOrEqualTo(atLeast);
        List<String> differences = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += 1000) {
            List<String> part = keys.subList(from, Math.min(keys.size(), from + 1000));
            List<Map<String, Object>> expected = read(source, part);
            List<Map<String, Object>> actual = read(target, part);
            for (int i = 0; i < part.size() && differences.size() < 20; i++) {
                Map<String, Object> e = expected.get(i);
                Map<String, Object> got = actual.get(i);
                long ttlE = (Long) e.remove("pttl");
                long ttlA = (Long) got.remove("pttl");
                boolean ttlAgrees = ttlE < 0 ? ttlA == ttlE : ttlA > 0 && Math.abs(ttlA - ttlE) < 60_000;
                if (!e.equals(got) || !ttlAgrees) {
                    differences.add(part.get(i) + ": source " + e + " pttl " + ttlE + ", service " + got + " pttl " + ttlA);
                }
            }
        }
        assertThat(differences).as("keys that differ (the first 20)").isEmpty();
        return keys.size();
    }

    /** Each key's type, value as its type reads it and PTTL, pipelined. */
    private static List<Map<String, Object>> read(StatefulRedisConnection<String, String> connection, List<String> keys) {
        RedisAsyncCommands<String, String> a = connection.async();
        List<RedisFuture<String>> types = new ArrayList<>();
        connection.setAutoFlushCommands(false);
        try {
            for (String k : keys) {
                types.add(a.type(k));
            }
            connection.flushCommands();
            List<RedisFuture<?>> values = new ArrayList<>();
            List<RedisFuture<Long>> ttls = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                String type = get(types.get(i));
                values.add(switch (type) {
                    case "string" -> a.get(k);
                    case "list" -> a.lrange(k, 0, -1);
                    case "hash" -> a.hgetall(k);
                    case "set" -> a.smembers(k);
                    case "zset" -> a.zrangeWithScores(k, 0, -1);
                    case "stream" -> a.xrange(k, Range.create("-", "+"));
                    default -> a.exists(k);
                });
                ttls.add(a.pttl(k));
            }
            connection.flushCommands();
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("type", get(types.get(i)));
                Object value = get(values.get(i));
                if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof StreamMessage) {
                    value = list.stream().map(o -> ((StreamMessage<?, ?>) o).getId() + "=" + ((StreamMessage<?, ?>) o).getBody()).toList();
                } else if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof ScoredValue) {
                    value = list.stream().map(o -> ((ScoredValue<?>) o).getValue() + "@" + ((ScoredValue<?>) o).getScore()).toList();
                }
                one.put("value", value);
                one.put("pttl", get(ttls.get(i)));
                out.add(one);
            }
            return out;
        } finally {
            connection.setAutoFlushCommands(true);
        }
    }

    private static <T> T get(RedisFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
