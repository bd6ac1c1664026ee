package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.server.JvmMemory;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, rows 1 and 11, over a real connection: 100 KB writes against a small budget meet
 * {@code -OOM} (redis-server 7.0.15's text, checked against it by hand with CONFIG SET maxmemory 1)
 * instead of OutOfMemoryError; CONFIG GET/SET and INFO memory as Redis answers them.
 */
class MemoryBudgetRespTest {

    private static final Err OOM = new Err("OOM command not allowed when used memory > 'maxmemory'.");
    private TestServices services;

    @BeforeEach
    void start() {
        services = TestServices.start(2, DemoSettings.forTests().withMemory(new MemorySettings(4 << 20, MaxmemoryPolicy.NOEVICTION, 5)));
    }

    @AfterEach
    void stop() {
        services.close();
    }

    @Test
    void bigWritesFromManyClientsGetOkOrOomAndTheServerStaysResponsive() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            String big = "x".repeat(100_000);
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int client = t;
                results.add(pool.submit(() -> {
                    int[] okAndOom = new int[2];
                    try (RespTestClient c = new RespTestClient(services.respPort())) {
                        for (int i = 0; i < 50; i++) {
                            Object reply = c.cmd("SET", "big:" + client + ":" + i, big);
                            if ("OK".equals(reply)) {
                                okAndOom[0]++;
                            } else {
                                assertThat(reply).isEqualTo(OOM);
                                okAndOom[1]++;
                            }
                        }
                    }
                    return okAndOom;
                }));
            }
            int ok = 0;
            int oom = 0;
            for (Future<int[]> r : results) {
                int[] counts = r.get(60, TimeUnit.SECONDS);
                ok += counts[0];
                oom += counts[1];
            }
            // 4 MB over 2 shards: about 40 values of ~100 KB fit (each shard may end one write over).
            assertThat(ok).isBetween(30, 50);
            assertThat(oom).isEqualTo(200 - ok);
        } finally {
            pool.shutdownNow();
        }
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            assertThat(c.cmd("PING")).isEqualTo("PONG");
            assertThat(c.cmd("SET", "small", "v")).as("over budget: even a small write").isEqualTo(OOM);
            assertThat(c.cmd("GET", "big:0:0")).as("reads still work").isEqualTo("x".repeat(100_000));
            String info = (String) c.cmd("INFO", "memory");
            assertThat(info).contains("# Memory\r\n").contains("maxmemory:4194304\r\n").contains("maxmemory_human:4.00M\r\n")
                    .contains("maxmemory_policy:noeviction\r\n").containsPattern("used_memory:4[0-9]{6}\r\n");
            // Deleting makes room again (DEL is not denyoom).
            for (int t = 0; t < 4; t++) {
                for (int i = 0; i < 50; i++) {
                    c.cmd("DEL", "big:" + t + ":" + i);
                }
            }
            assertThat(c.cmd("SET", "small", "v")).isEqualTo("OK");
        }
    }

    @Test
    void configSetChangesTheBudgetLiveAndEvictionKicksIn() throws Exception {
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            // Redis 7.0's maxmemory-clients too: here in bytes, an eighth of the heap by default
            assertThat(c.cmd("CONFIG", "GET", "maxmemory*")).isEqualTo(List.of("maxmemory", "4194304", "maxmemory-policy",
                    "noeviction", "maxmemory-samples", "5", "maxmemory-clients", Long.toString(JvmMemory.defaultMaxmemoryClients())));
            assertThat(c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "maxmemory", "1mb")).isEqualTo("OK");
            assertThat(c.cmd("CONFIG", "GET", "maxmemory")).isEqualTo(List.of("maxmemory", "1048576"));
            String big = "y".repeat(100_000);
            for (int i = 0; i < 100; i++) {
                assertThat(c.cmd("SET", "lru:" + i, big)).isEqualTo("OK");
            }
            String info = (String) c.cmd("INFO");
            assertThat(info).contains("maxmemory_policy:allkeys-lru\r\n").containsPattern("evicted_keys:[1-9][0-9]*\r\n");
            assertThat((Long) c.cmd("DBSIZE")).isLessThan(15L);

            // Redis 7.0.15's texts for what cannot be set.
            assertThat(c.cmd("CONFIG", "SET", "foo", "bar"))
                    .isEqualTo(new Err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
            assertThat(c.cmd("CONFIG", "SET", "maxmemory-policy", "bad")).isEqualTo(new Err("ERR CONFIG SET failed (possibly related "
                    + "to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                    + "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"));
            assertThat(c.cmd("CONFIG", "SET", "maxmemory", "abc"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"));
            assertThat(c.cmd("CONFIG", "SET", "databases", "3"))
                    .isEqualTo(new Err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"));
            assertThat(c.cmd("CONFIG", "SET", "maxmemory")).isEqualTo(new Err("ERR wrong number of arguments for 'config|set' command"));
        }
    }

    @Test
    void aSetrangeLargerThanTheShardBudgetIsRefusedBeforeItIsAllocated() throws Exception {
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            assertThat(c.cmd("SETRANGE", "huge", "536870911", "x")).isEqualTo(OOM);
            assertThat(c.cmd("SET", "s", "abc")).isEqualTo("OK");
            assertThat(c.cmd("APPEND", "s", "d")).isEqualTo(4L);
            assertThat(c.cmd("SETRANGE", "s", "100000000", "x")).isEqualTo(OOM);
            assertThat(c.cmd("GET", "s")).isEqualTo("abcd");
        }
    }
    /**
     * LMOVE, RPOPLPUSH, BLMOVE and BRPOPLPUSH are Redis's denyoom commands: they are refused when the
     * shard of their destination (where the element would go) is over budget and cannot evict, before
     * their arguments are read and whether or not the source has data, from a connection on either
     * shard (the check is inline on the destination's own shard, a hop from the other); a destination on
     * a shard with room is served. With an evicting policy the full shard makes room instead.
     */
    @Test
    void listMovesAreRefusedWhenTheDestinationsShardIsFull() throws Exception {
        String full = services.keyOn(1, "move:full-dst");
        String roomy = services.keyOn(0, "move:roomy-dst");
        String src = services.keyOn(0, "move:src");
        String big = "z".repeat(100_000);
        try (RespTestClient filler = new RespTestClient(services.respPort())) {
            for (int i = 0; ; i++) {
                if (OOM.equals(filler.cmd("SET", services.keyOn(1, "move:fill" + i + "-"), big))) {
                    break;
                }
            }
            assertThat(filler.cmd("SET", services.keyOn(0, "move:room"), "v")).as("shard 0 has room").isEqualTo("OK");
        }
        for (int shard = 0; shard < 2; shard++) {
            try (RespTestClient c = connectionOn(shard)) {
                c.cmd("DEL", src, roomy);
                c.cmd("RPUSH", src, "a", "b", "c", "d");
                String on = "from a connection on shard " + shard;
                assertThat(c.cmd("LMOVE", src, full, "LEFT", "RIGHT")).as(on).isEqualTo(OOM);
                assertThat(c.cmd("RPOPLPUSH", src, full)).as(on).isEqualTo(OOM);
                assertThat(c.cmd("BLMOVE", src, full, "LEFT", "RIGHT", "0")).as(on).isEqualTo(OOM);
                assertThat(c.cmd("BRPOPLPUSH", src, full, "0")).as(on).isEqualTo(OOM);
                assertThat(c.cmd("LMOVE", "move:none", full, "UP", "DOWN")).as("before the arguments are read").isEqualTo(OOM);
                assertThat(c.cmd("BLMOVE", "move:none", full, "UP", "DOWN", "x")).as("before the arguments are read").isEqualTo(OOM);
                assertThat(c.cmd("BRPOPLPUSH", "move:none", full, "-1")).as("before the timeout is read").isEqualTo(OOM);
                assertThat(c.cmd("LRANGE", src, "0", "-1")).as("nothing moved").isEqualTo(List.of("a", "b", "c", "d"));
                assertThat(c.cmd("LMOVE", src, roomy, "LEFT", "RIGHT")).as(on).isEqualTo("a");
                assertThat(c.cmd("RPOPLPUSH", src, roomy)).as(on).isEqualTo("d");
                assertThat(c.cmd("BLMOVE", src, roomy, "LEFT", "RIGHT", "0")).as(on).isEqualTo("b");
                assertThat(c.cmd("BRPOPLPUSH", src, roomy, "0")).as(on).isEqualTo("c");
                assertThat(c.cmd("LRANGE", roomy, "0", "-1")).isEqualTo(List.of("c", "d", "a", "b"));
                assertThat(c.cmd("BLMOVE", src, full, "SIDEWAYS", "LEFT", "0")).as("no data, full: OOM still first").isEqualTo(OOM);
                assertThat(c.cmd("BLMOVE", src, roomy, "SIDEWAYS", "LEFT", "0")).isEqualTo(new Err("ERR syntax error"));
                assertThat(c.cmd("BLMOVE", src, roomy, "LEFT", "LEFT", "0.01")).as("room: it blocks, then times out").isNull();
            }
        }
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            assertThat(c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")).isEqualTo("OK");
            c.cmd("RPUSH", src, "e");
            assertThat(c.cmd("LMOVE", src, full, "LEFT", "RIGHT")).as("the full shard evicts to make room").isEqualTo("e");
            assertThat(c.cmd("LRANGE", full, "0", "-1")).isEqualTo(List.of("e"));
        }
    }

    /**
     * The waiters of blocked clients count in their keys' shard's memory (Redis's used_memory counts its
     * blocking structures): a BLPOP on 20,000 keys of shard 1 (about 180 bytes each) takes its 2 MB, so
     * a write there gets -OOM while shard 0 still has room; once the client is gone, the memory is back.
     */
    @Test
    void waitersCountInTheirShardsMemory() throws Exception {
        int n = 20_000;
        String[] argv = new String[n + 2];
        argv[0] = "BLPOP";
        for (int i = 0; i < n; i++) {
            argv[i + 1] = services.keyOn(1, "wait:" + i + "-");
        }
        argv[n + 1] = "0";
        long before = usedMemory(1);
        try (RespTestClient writer = new RespTestClient(services.respPort())) {
            assertThat(writer.cmd("SET", services.keyOn(1, "wait:probe"), "v")).isEqualTo("OK");
            try (RespTestClient blocked = new RespTestClient(services.respPort())) {
                blocked.send(RespTestClient.encode(argv));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (waitedKeys() < n && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(waitedKeys()).isEqualTo(n);
                long perKey = (usedMemory(1) - before) / n;
                assertThat(perKey).as("bytes per waited key").isBetween(150L, 250L);
                assertThat(writer.cmd("SET", services.keyOn(1, "wait:probe"), "w")).isEqualTo(OOM);
                assertThat(writer.cmd("SET", services.keyOn(0, "wait:probe"), "w")).isEqualTo("OK");
                assertThat((String) writer.cmd("INFO", "memory")).contains("used_memory_dataset:" + (usedMemory(0) + usedMemory(1)) + "\r\n");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waitedKeys() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(writer.cmd("SET", services.keyOn(1, "wait:probe"), "x")).isEqualTo("OK");
            assertThat(usedMemory(1)).as("the waiters' memory is given back").isBetween(before - 1024, before + 1024);
        }
    }

    private long usedMemory(int shard) {
        return services.service.keyspace().snapshots().get(shard).usedMemory();
    }

    private long waitedKeys() {
        return services.service.keyspace().snapshots().stream().mapToLong(s -> s.waitedKeys()).sum();
    }

    /** A connection that landed on {@code shard} (the kernel spreads them: others are closed). */
    private RespTestClient connectionOn(int shard) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            RespTestClient c = new RespTestClient(services.respPort());
            if (((String) c.cmd("CLIENT", "INFO")).matches("(?s).* shard=" + shard + "\\s.*")) {
                return c;
            }
            c.close();
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }
}
