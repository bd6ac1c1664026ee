package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client tracking across the shards of the demo (issue 27, part 4), where redis-server has nothing
 * to compare with: connections and keys on both shards, the order a client relies on (an
 * invalidation before the reply to any command sent after the writer had its reply), a client-side
 * cache that is never left stale, the table's limit, disconnected clients forgotten everywhere, the
 * table's memory in the budget, FLUSHALL, BCAST and redirections crossing shards.
 */
class TrackingAcrossShardsTest {

    private static TestServices demo;
    private static final List<String> KEYS = new ArrayList<>();

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
        for (int i = 0; i < 6; i++) {
            KEYS.add(demo.keyOn(i % 2, "cached" + i + ":"));
        }
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @AfterEach
    void clean() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("CONFIG", "SET", "tracking-table-max-keys", "1000000");
            c.cmd("CONFIG", "SET", "maxmemory", "0");
            c.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction");
            c.cmd("FLUSHALL");
        }
    }

    /** A RESP3 connection with tracking on, on {@code shard} (connections land where the kernel puts them). */
    private static RespTestClient trackingOn(int shard, String... options) throws IOException {
        RespTestClient c = on(shard);
        c.cmd("HELLO", "3");
        List<String> args = new ArrayList<>(List.of("CLIENT", "TRACKING", "on"));
        args.addAll(List.of(options));
        assertThat(c.cmd(args.toArray(String[]::new))).isEqualTo("OK");
        return c;
    }

    /** A connection on {@code shard}; the others opened on the way are closed. */
    private static RespTestClient on(int shard) throws IOException {
        List<RespTestClient> others = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                RespTestClient c = new RespTestClient(demo.respPort());
                if (shardOf(c) == shard) {
                    return c;
                }
                others.add(c);
            }
            throw new IllegalStateException("no connection landed on shard " + shard);
        } finally {
            for (RespTestClient o : others) {
                o.close();
            }
        }
    }

    private static int shardOf(RespTestClient c) throws IOException {
        String info = String.valueOf(c.cmd("CLIENT", "INFO"));
        return Integer.parseInt(info.substring(info.indexOf(" shard=") + 7).trim());
    }

    /** Sends PING and reads up to its PONG: the pushes that were waiting before it, in order. */
    private static List<Object> pushesBeforePong(RespTestClient c) throws IOException {
        c.send(RespTestClient.encode("PING"));
        List<Object> pushes = new ArrayList<>();
        for (Object m = c.read(); !"PONG".equals(m); m = c.read()) {
            pushes.add(m);
        }
        return pushes;
    }

    private static Object invalidate(String key) {
        return new RespTestClient.Push3(List.of("invalidate", List.of(key)));
    }

    private static long info(RespTestClient c, String field) throws IOException {
        for (String line : String.valueOf(c.cmd("INFO", "everything")).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError("INFO has no " + field);
    }

    /** Polls {@code field} until it is {@code wanted} (the shards' crons do the work), at most 20 s. */
    private static void eventually(RespTestClient c, String field, long wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long seen;
        while ((seen = info(c, field)) != wanted) {
            assertThat(System.nanoTime()).as(field + " is still " + seen + ", not " + wanted).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aClientThatHasTheWritersReplyMakesTrackingClientsReadTheInvalidationFirst() throws Exception {
        // tracking clients and writers on both shards, keys on both: every route of an invalidation
        List<RespTestClient> trackers = List.of(trackingOn(0), trackingOn(1), trackingOn(0), trackingOn(1));
        List<RespTestClient> writers = List.of(on(0), on(1));
        Random random = new Random(27);
        try {
            for (int round = 0; round < 300; round++) {
                String key = KEYS.get(random.nextInt(KEYS.size()));
                for (RespTestClient t : trackers) {
                    t.cmd("GET", key);
                }
                assertThat(writers.get(random.nextInt(writers.size())).cmd("SET", key, "v" + round)).isEqualTo("OK");
                for (RespTestClient t : trackers) {
                    // the writer has its reply: this PING's reply must come after the invalidation
                    assertThat(pushesBeforePong(t)).as("round %d, key %s", round, key).containsExactly(invalidate(key));
                }
            }
            // every delivery to another shard's client was acknowledged as delivered (none counted lost)
            long lost = demo.engine.submitTo(0, () -> demo.service.keyspace().mapReduce(st -> st.tracking().lostDeliveries(), 0L,
                    Long::sum)).thenCompose(f -> f.toCompletableFuture()).get();
            assertThat(lost).as("invalidation deliveries counted lost").isZero();
        } finally {
            for (RespTestClient c : trackers) {
                c.close();
            }
            for (RespTestClient c : writers) {
                c.close();
            }
        }
    }

    /**
     * The checker: clients on both shards keep a cache of what they read, dropping a key when its
     * invalidation arrives (RESP3 pushes, in order with the replies), while writers on both shards
     * change the keys; once the writers stop and the pushes are drained, no cache may hold a value
     * the server no longer has. A missed invalidation, or one that overtakes the reply of a read it
     * should follow, leaves a stale entry.
     */
    @Test
    void aClientSideCacheIsNeverLeftStale() throws Exception {
        int readers = 6;
        int writers = 3;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong hits = new AtomicLong();
        AtomicLong invalidations = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(readers + writers);
        List<Future<Map<String, String>>> caches = new ArrayList<>();
        List<Future<?>> writes = new ArrayList<>();
        try {
            for (int r = 0; r < readers; r++) {
                int id = r;
                caches.add(pool.submit(() -> cachingReader(id, stop, hits, invalidations)));
            }
            for (int w = 0; w < writers; w++) {
                int id = w;
                writes.add(pool.submit(() -> {
                    Random random = new Random(1000 + id);
                    try (RespTestClient c = on(id % 2)) {
                        for (int i = 0; i < 1500; i++) {
                            String key = KEYS.get(random.nextInt(KEYS.size()));
                            if (random.nextInt(10) == 0) {
                                c.cmd("DEL", key);
                            } else if (random.nextInt(10) == 0) {
                                c.cmd("MSET", KEYS.get(0), "m" + id + ":" + i, KEYS.get(1), "m" + id + ":" + i);
                            } else {
                                c.cmd("SET", key, "w" + id + ":" + i);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : writes) {
                w.get(5, TimeUnit.MINUTES);
            }
            stop.set(true);
            Map<String, String> now = new HashMap<>();
            try (RespTestClient c = new RespTestClient(demo.respPort())) {
                for (String key : KEYS) {
                    now.put(key, (String) c.cmd("GET", key));
                }
            }
            for (Future<Map<String, String>> cache : caches) {
                Map<String, String> cached = cache.get(5, TimeUnit.MINUTES);
                for (Map.Entry<String, String> e : cached.entrySet()) {
                    assertThat(e.getValue()).as("cached %s", e.getKey()).isEqualTo(now.get(e.getKey()));
                }
            }
            assertThat(hits.get()).as("reads served from the caches").isPositive();
            assertThat(invalidations.get()).as("invalidations received").isPositive();
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    /** Reads random keys through a cache until stopped, then drains the pushes; returns what it caches at the end. */
    private static Map<String, String> cachingReader(int id, AtomicBoolean stop, AtomicLong hits, AtomicLong invalidations) throws IOException {
        Map<String, String> cache = new HashMap<>();
        Set<String> missing = new HashSet<>(); // cached as "no such key"
        Random random = new Random(id);
        try (RespTestClient c = trackingOn(id % 2)) {
            while (!stop.get()) {
                String key = KEYS.get(random.nextInt(KEYS.size()));
                if (cache.containsKey(key) || missing.contains(key)) {
                    hits.incrementAndGet();
                    if (random.nextInt(4) != 0) {
                        continue;
                    }
                    // now and then a command on another key: the pushes waiting before its reply are applied
                    key = KEYS.get(random.nextInt(KEYS.size()));
                }
                c.send(RespTestClient.encode("GET", key));
                Object reply;
                while ((reply = c.read()) instanceof RespTestClient.Push3 push) {
                    apply(push, cache, missing, invalidations);
                }
                if (reply instanceof String value) {
                    cache.put(key, value);
                    missing.remove(key);
                } else {
                    cache.remove(key);
                    missing.add(key);
                }
            }
            for (Object push : pushesBeforePong(c)) {
                apply((RespTestClient.Push3) push, cache, missing, invalidations);
            }
            for (String key : missing) {
                cache.put(key, null);
            }
            return cache;
        }
    }

    private static void apply(RespTestClient.Push3 push, Map<String, String> cache, Set<String> missing, AtomicLong invalidations) {
        assertThat(push.items().get(0)).isEqualTo("invalidate");
        Object keys = push.items().get(1);
        invalidations.incrementAndGet();
        if (keys instanceof List<?> list) {
            for (Object k : list) {
                cache.remove(k);
                missing.remove(k);
            }
        } else {
            cache.clear();
            missing.clear();
        }
    }

    /**
     * Commands whose keys lie on both shards run atomically across them (MGET, MSET and DEL as a chain
     * of held shards, SUNION and SMOVE as a transaction of their own): their reads are remembered on
     * each shard, and what their writes invalidate reaches tracking clients on both shards before
     * the writer's reply, the invalidation of the first shard held included.
     */
    @Test
    void commandsAtomicAcrossShardsRememberReadsAndInvalidateBeforeTheirReply() throws Exception {
        String a = KEYS.get(0);
        String b = KEYS.get(1);
        String setA = demo.keyOn(0, "set:");
        String setB = demo.keyOn(1, "set:");
        List<RespTestClient> trackers = List.of(trackingOn(0), trackingOn(1));
        List<RespTestClient> writers = List.of(on(0), on(1));
        try {
            for (int round = 0; round < 40; round++) {
                RespTestClient writer = writers.get(round % 2);
                writer.cmd("SADD", setA, "x" + round);
                writer.cmd("SADD", setB, "y" + round);
                for (RespTestClient t : trackers) {
                    assertThat(pushesBeforePong(t)).as("round %d: nothing read yet", round).isEmpty();
                    t.cmd("MGET", a, b);
                    t.cmd("SUNION", setA, setB);
                }
                // single-key writes of keys the multi-key reads remembered
                assertThat(writer.cmd("SET", a, "v" + round)).isEqualTo("OK");
                assertThat(writer.cmd("SADD", setB, "z" + round)).isEqualTo(1L);
                for (RespTestClient t : trackers) {
                    assertThat(pushesBeforePong(t)).as("round %d, read by MGET and SUNION", round)
                            .containsExactly(invalidate(a), invalidate(setB));
                }
                for (RespTestClient t : trackers) {
                    t.cmd("GET", a);
                    t.cmd("SMEMBERS", setB);
                    t.cmd("GET", b);
                    t.cmd("SMEMBERS", setA);
                }
                // multi-key writes over both shards
                RespTestClient other = writers.get((round + 1) % 2);
                assertThat(writer.cmd("MSET", a, "m" + round, b, "m" + round)).isEqualTo("OK");
                assertThat(other.cmd("SMOVE", setA, setB, "x" + round)).isEqualTo(1L);
                for (RespTestClient t : trackers) {
                    assertThat(pushesBeforePong(t)).as("round %d, MSET and SMOVE", round)
                            .containsExactlyInAnyOrder(invalidate(a), invalidate(b), invalidate(setA), invalidate(setB));
                }
                // nothing read since: nobody told (SMOVE emptied setA, which is gone)
                assertThat(writer.cmd("DEL", a, b, setA, setB)).isEqualTo(3L);
            }
        } finally {
            for (RespTestClient c : trackers) {
                c.close();
            }
            for (RespTestClient c : writers) {
                c.close();
            }
        }
    }

    @Test
    void disconnectedClientsAreForgottenOnEveryShard() throws Exception {
        try (RespTestClient admin = new RespTestClient(demo.respPort())) {
            List<RespTestClient> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                RespTestClient c = new RespTestClient(demo.respPort());
                c.cmd("CLIENT", "TRACKING", "on");
                List<String> mget = new ArrayList<>(List.of("MGET"));
                for (int k = 0; k < 100; k++) {
                    mget.add("forget:" + k);
                }
                c.cmd(mget.toArray(String[]::new));
                clients.add(c);
            }
            assertThat(info(admin, "tracking_total_keys")).isEqualTo(100);
            assertThat(info(admin, "tracking_total_items")).isEqualTo(2000);
            assertThat(info(admin, "tracking_clients")).isEqualTo(20);
            long tableBytes = info(admin, "mem_tracking_table");
            assertThat(tableBytes).as("the table's heap, counted").isGreaterThan(2000 * 8 + 100 * 100);
            for (RespTestClient c : clients) {
                c.close();
            }
            // each shard walks its table in slices and drops what names a client that left
            eventually(admin, "tracking_clients", 0);
            eventually(admin, "tracking_total_items", 0);
            eventually(admin, "tracking_total_keys", 0);
            eventually(admin, "mem_tracking_table", 0);
        }
    }

    @Test
    void theTableKeepsItsLimitByInvalidatingRandomKeys() throws Exception {
        try (RespTestClient admin = new RespTestClient(demo.respPort()); RespTestClient t = trackingOn(0)) {
            admin.cmd("CONFIG", "SET", "tracking-table-max-keys", "10");
            Set<String> read = new HashSet<>();
            List<Object> pushes = new ArrayList<>();
            for (int k = 0; k < 100; k++) {
                t.send(RespTestClient.encode("GET", "limited:" + k));
                Object reply;
                while ((reply = t.read()) instanceof RespTestClient.Push3) {
                    pushes.add(reply); // a key its own read pushed out of this shard's part: after that read's reply
                }
                assertThat(reply).isEqualTo(new RespTestClient.Null3());
                read.add("limited:" + k);
            }
            pushes.addAll(pushesBeforePong(t));
            // every key the table let go was invalidated: the client may not keep caching it
            Set<String> invalidated = new HashSet<>();
            for (Object push : pushes) {
                @SuppressWarnings("unchecked")
                List<Object> keys = (List<Object>) ((RespTestClient.Push3) push).items().get(1);
                keys.forEach(k -> invalidated.add((String) k));
            }
            assertThat(info(admin, "tracking_total_keys")).isEqualTo(10);
            assertThat(invalidated).hasSize(90);
            read.removeAll(invalidated);
            assertThat(read).hasSize(10);
            // lowering the limit: the shards' crons bring the table down
            admin.cmd("CONFIG", "SET", "tracking-table-max-keys", "1");
            eventually(admin, "tracking_total_keys", 1);
            assertThat(pushesBeforePong(t)).hasSize(9);
        }
    }

    @Test
    void flushAllTellsEachTrackingClientOnceWhicheverShardItLivesOn() throws Exception {
        try (RespTestClient a = trackingOn(0); RespTestClient b = trackingOn(1); RespTestClient bcast = trackingOn(1, "BCAST", "PREFIX", "x");
             RespTestClient w = on(0)) {
            a.cmd("GET", KEYS.get(1));
            b.cmd("GET", KEYS.get(0));
            assertThat(w.cmd("FLUSHALL")).isEqualTo("OK");
            Object flushed = new RespTestClient.Push3(List.of("invalidate", new RespTestClient.Null3()));
            assertThat(pushesBeforePong(a)).containsExactly(flushed);
            assertThat(pushesBeforePong(b)).containsExactly(flushed);
            assertThat(pushesBeforePong(bcast)).containsExactly(flushed);
            assertThat(info(w, "tracking_total_keys")).isZero();
        }
    }

    @Test
    void broadcastPrefixesHearEveryShardAndNoloopLeavesOutTheClientsOwn() throws Exception {
        String mine = demo.keyOn(0, "user:");
        String theirs0 = demo.keyOn(0, "user:t");
        String theirs1 = demo.keyOn(1, "user:t");
        try (RespTestClient t = trackingOn(1, "BCAST", "PREFIX", "user:", "NOLOOP"); RespTestClient w = on(0)) {
            t.cmd("SET", mine, "1");
            w.cmd("SET", theirs0, "1");
            w.cmd("SET", theirs1, "1");
            w.cmd("SET", "other", "1");
            Set<Object> keys = new HashSet<>();
            for (Object push : pushesBeforePong(t)) {
                keys.addAll((List<?>) ((RespTestClient.Push3) push).items().get(1));
            }
            assertThat(keys).containsExactlyInAnyOrder(theirs0, theirs1);
            assertThat(info(w, "tracking_total_prefixes")).isEqualTo(1);
            t.cmd("CLIENT", "TRACKING", "off");
            assertThat(info(w, "tracking_total_prefixes")).isZero();
        }
    }

    @Test
    void aRedirectionReachesAClientOnAnotherShardAndReportsItGone() throws Exception {
        RespTestClient target = on(1);
        long targetId = (Long) target.cmd("CLIENT", "ID");
        target.cmd("SUBSCRIBE", "__redis__:invalidate");
        try (RespTestClient t = trackingOn(0, "REDIRECT", Long.toString(targetId)); RespTestClient w = on(1)) {
            t.cmd("MGET", KEYS.get(0), KEYS.get(1));
            w.cmd("SET", KEYS.get(0), "1");
            assertThat(target.read()).isEqualTo(List.of("message", "__redis__:invalidate", List.of(KEYS.get(0))));
            w.cmd("SET", KEYS.get(1), "1");
            assertThat(target.read()).isEqualTo(List.of("message", "__redis__:invalidate", List.of(KEYS.get(1))));
            target.close();
            eventually(w, "connected_clients", 2);
            t.cmd("GET", KEYS.get(0));
            w.cmd("SET", KEYS.get(0), "2");
            assertThat(pushesBeforePong(t)).containsExactly(new RespTestClient.Push3(List.of("tracking-redir-broken", targetId)));
            assertThat(String.valueOf(t.cmd("CLIENT", "INFO"))).contains(" flags=tR ");
        }
    }

    @Test
    void expiredAndEvictedKeysAreInvalidated() throws Exception {
        try (RespTestClient t = trackingOn(1); RespTestClient w = on(0)) {
            w.cmd("SET", KEYS.get(0), "v", "PX", "2000");
            assertThat(t.cmd("GET", KEYS.get(0))).isEqualTo("v");
            List<Object> expired = List.of();
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15); expired.isEmpty() && System.nanoTime() < deadline; ) {
                Thread.sleep(100); // the shard's active expiry deletes it
                expired = pushesBeforePong(t);
            }
            assertThat(expired).containsExactly(invalidate(KEYS.get(0)));
            // eviction: keys of both shards read, then the budget squeezed
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String key = "evictable:" + i;
                w.cmd("SET", key, "x".repeat(100));
                t.cmd("GET", key);
                keys.add(key);
            }
            w.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
            w.cmd("CONFIG", "SET", "maxmemory", "1");
            w.cmd("SET", demo.keyOn(0, "trigger"), "x"); // each shard evicts what it can, then refuses (-OOM)
            w.cmd("SET", demo.keyOn(1, "trigger"), "x");
            List<Object> pushes = pushesBeforePong(t);
            assertThat(pushes).as("keys evicted from both shards were invalidated").isNotEmpty();
            for (Object push : pushes) {
                Object key = ((List<?>) ((RespTestClient.Push3) push).items().get(1)).get(0);
                assertThat(keys).contains((String) key);
                assertThat(w.cmd("EXISTS", (String) key)).isEqualTo(0L);
            }
        }
    }

    @Test
    void broadcastPrefixesAreBoundedByTheMemoryBudget() throws Exception {
        try (RespTestClient t = new RespTestClient(demo.respPort()); RespTestClient w = new RespTestClient(demo.respPort())) {
            long before = info(w, "mem_tracking_table");
            List<String> args = new ArrayList<>(List.of("CLIENT", "TRACKING", "on", "BCAST"));
            for (int i = 0; i < 1000; i++) {
                args.add("PREFIX");
                args.add(String.format("p%04d:", i));
            }
            assertThat(t.cmd(args.toArray(String[]::new))).isEqualTo("OK");
            assertThat(info(w, "tracking_total_prefixes")).isEqualTo(1000);
            assertThat(info(w, "mem_tracking_table") - before).as("every shard's copy counted").isGreaterThan(2 * 1000 * 64);
            w.cmd("CONFIG", "SET", "maxmemory", "1");
            assertThat(t.cmd("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "more:"))
                    .isEqualTo(new RespTestClient.Err("OOM command not allowed when used memory > 'maxmemory'."));
            w.cmd("CONFIG", "SET", "maxmemory", "0");
            t.cmd("CLIENT", "TRACKING", "off");
            eventually(w, "mem_tracking_table", before);
        }
    }
}
