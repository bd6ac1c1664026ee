package io.percore.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.KeyHashing;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLUSTER HELDSLOTS (Percore's own): the slots a node holds keys of, whatever its layout says, as one
 * bulk string of layout ranges; what the operator asks a pod restored from a cluster backup before it
 * lays the cluster out.
 */
class ClusterHeldSlotsTest {

    private static final int SHARDS = 3;

    @TempDir
    Path dir;

    private static DemoSettings clusterMode(Path dir) {
        return DemoSettings.forTests().withCluster(new ClusterSettings(true, null, null, 0)).withPersistence(PersistenceSettings.in(dir));
    }

    /** A key {@code "{tag}name"} whose tag hashes to {@code slot}: found here, checked against the server's CLUSTER KEYSLOT. */
    private static String keyIn(RespTestClient c, int slot, String name) throws IOException {
        for (int i = 0; ; i++) {
            String tag = "t" + i;
            if (KeyHashing.slot(tag.getBytes(StandardCharsets.UTF_8)) == slot) {
                String key = "{" + tag + "}" + name;
                assertThat(c.cmd("CLUSTER", "KEYSLOT", key)).as(key).isEqualTo((long) slot);
                return key;
            }
        }
    }

    /** Makes the node the owner of every slot, so it takes writes. */
    private static void ownEverySlot(RespTestClient c, TestServices node, long epoch, String slots) throws IOException {
        String id = (String) c.cmd("CLUSTER", "MYID");
        assertThat(c.cmd("CLUSTER", "SETLAYOUT", Long.toString(epoch),
                "node " + id + " 127.0.0.1 " + node.respPort() + " primary\nslots " + id + " " + slots + "\n")).isEqualTo("OK");
    }

    private static String held(RespTestClient c) throws IOException {
        return (String) c.cmd("CLUSTER", "HELDSLOTS");
    }

    @Test
    void theSlotsWithKeysOnEveryShardAsRangesWhetherTheNodeServesThemOrNot() throws IOException {
        try (TestServices node = TestServices.start(SHARDS, clusterMode(dir)); RespTestClient c = new RespTestClient(node.respPort())) {
            assertThat(held(c)).as("no key yet").isEmpty();
            c.send(RespTestClient.encode("CLUSTER", "HELDSLOTS"));
            assertThat(c.readRawReply()).as("an empty bulk string, not a null").isEqualTo("$0\r\n\r\n");
            ownEverySlot(c, node, 1, "0-16383");

            String zeroA = keyIn(c, 0, "a");
            String zeroB = keyIn(c, 0, "b");
            assertThat(c.cmd("SET", zeroA, "v")).isEqualTo("OK");
            assertThat(c.cmd("SET", zeroB, "v")).isEqualTo("OK");
            assertThat(c.cmd("HSET", keyIn(c, 1, "h"), "f", "v")).isEqualTo(1L);
            assertThat(c.cmd("RPUSH", keyIn(c, 2, "l"), "x")).isEqualTo(1L);
            assertThat(c.cmd("SADD", keyIn(c, 100, "s"), "m")).isEqualTo(1L);
            assertThat(c.cmd("ZADD", keyIn(c, 5000, "z"), "1", "m")).isEqualTo(1L);
            String edge = keyIn(c, 16383, "e");
            assertThat(c.cmd("SET", edge, "v")).isEqualTo("OK");
            Set<Integer> shards = new HashSet<>();
            for (int slot : new int[] {0, 1, 2, 100, 5000, 16383}) {
                shards.add(slot % SHARDS);
            }
            assertThat(shards).as("the slots lie on every shard").hasSize(SHARDS);

            assertThat(held(c)).isEqualTo("0-2,100,5000,16383");
            c.send(RespTestClient.encode("CLUSTER", "HELDSLOTS"));
            assertThat(c.readRawReply()).as("one bulk string").isEqualTo("$18\r\n0-2,100,5000,16383\r\n");

            // a slot stays while one of its keys does
            assertThat(c.cmd("DEL", zeroA)).isEqualTo(1L);
            assertThat(held(c)).isEqualTo("0-2,100,5000,16383");
            assertThat(c.cmd("DEL", zeroB)).isEqualTo(1L);
            assertThat(held(c)).isEqualTo("1-2,100,5000,16383");
            assertThat(c.cmd("DEL", edge)).isEqualTo(1L);
            assertThat(held(c)).isEqualTo("1-2,100,5000");

            // the layout no longer gives the node those slots (and no move): it still holds their keys
            ownEverySlot(c, node, 2, "0");
            assertThat(c.cmd("CLUSTER", "COUNTKEYSINSLOT", "5000")).isEqualTo(1L);
            assertThat(held(c)).isEqualTo("1-2,100,5000");

            assertThat(c.cmd("FLUSHALL")).isEqualTo("OK");
            assertThat(held(c)).isEmpty();
        }
    }

    /**
     * From the per-slot counts, as COUNTKEYSINSLOT and DBSIZE: a key past its expiry counts until it is
     * deleted, by an access (lazily) or by the expiry cycle. A write pause holds expired keys in place (Redis 7).
     */
    @Test
    void anExpiredKeyCountsUntilItIsDeletedByAnAccessOrTheExpiryCycle() throws Exception {
        try (TestServices node = TestServices.start(SHARDS, clusterMode(dir)); RespTestClient c = new RespTestClient(node.respPort())) {
            ownEverySlot(c, node, 1, "0-16383");
            String accessed = keyIn(c, 7000, "accessed");
            String untouched = keyIn(c, 8001, "untouched");
            assertThat(c.cmd("SET", keyIn(c, 9000, "kept"), "v")).isEqualTo("OK");
            try {
                // the pause must begin before they expire: a longer TTL when a loaded machine was slower than the last one
                long ttl = 0;
                for (long tryTtl : new long[] {500, 5_000, 30_000}) {
                    assertThat(c.cmd("SET", accessed, "v", "PX", Long.toString(tryTtl))).isEqualTo("OK");
                    assertThat(c.cmd("SET", untouched, "v", "PX", Long.toString(tryTtl))).isEqualTo("OK");
                    assertThat(c.cmd("CLIENT", "PAUSE", "120000", "WRITE")).isEqualTo("OK");
                    if (c.cmd("CLUSTER", "COUNTKEYSINSLOT", "7000").equals(1L) && c.cmd("CLUSTER", "COUNTKEYSINSLOT", "8001").equals(1L)) {
                        ttl = tryTtl;
                        break;
                    }
                    assertThat(c.cmd("CLIENT", "UNPAUSE")).isEqualTo("OK");
                }
                assertThat(ttl).as("both written and the pause begun before they expired").isPositive();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttl) + TimeUnit.SECONDS.toNanos(30);
                while ((Long) c.cmd("EXISTS", accessed, untouched) > 0) {
                    assertThat(System.nanoTime()).as("both expire").isLessThan(deadline);
                    Thread.sleep(20);
                }
                assertThat(c.cmd("CLUSTER", "COUNTKEYSINSLOT", "7000")).as("expired, still held").isEqualTo(1L);
                assertThat(held(c)).isEqualTo("7000,8001,9000");
            } finally {
                c.cmd("CLIENT", "UNPAUSE");
            }
            assertThat(c.cmd("GET", accessed)).isNull();
            assertThat(held(c)).as("deleted by the access (or the cycle before it)").doesNotContain("7000").endsWith("9000");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!held(c).equals("9000")) {
                assertThat(System.nanoTime()).as("the expiry cycle deletes the untouched key").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(c.cmd("DBSIZE")).isEqualTo(1L);
        }
    }

    /**
     * The operator's case: a pod restored from a cluster backup starts in cluster mode with the backup's
     * dump.rdb in an empty data directory (no nodes.conf, so no layout: epoch 0) and is asked which slots it holds.
     */
    @Test
    void aNodeThatLoadedASnapshotWithoutAnyLayoutAnswersTheLoadedKeysSlots() throws IOException {
        Path backedUp = dir.resolve("backed-up");
        Path restored = dir.resolve("restored");
        Files.createDirectories(backedUp);
        Files.createDirectories(restored);
        try (TestServices node = TestServices.start(2, clusterMode(backedUp)); RespTestClient c = new RespTestClient(node.respPort())) {
            ownEverySlot(c, node, 1, "0-16383");
            for (int slot : new int[] {10, 11, 12, 13, 777, 16000}) {
                assertThat(c.cmd("SET", keyIn(c, slot, "k"), "v")).isEqualTo("OK");
            }
            assertThat(c.cmd("SET", keyIn(c, 778, "ttl"), "v", "EX", "3600")).isEqualTo("OK");
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
        }
        Files.copy(backedUp.resolve("dump.rdb"), restored.resolve("dump.rdb"));
        try (TestServices node = TestServices.start(SHARDS, clusterMode(restored)); RespTestClient c = new RespTestClient(node.respPort())) {
            assertThat(c.cmd("CLUSTER", "GETLAYOUT")).isEqualTo(List.of(0L, ""));
            assertThat(c.cmd("DBSIZE")).isEqualTo(7L);
            assertThat(held(c)).isEqualTo("10-13,777-778,16000");
        }
    }

    @Test
    void refusedOutsideClusterModeAsTheOtherSubcommandsAndArityAsRedisWordsIt() throws Exception {
        try (TestServices plain = TestServices.start(2, DemoSettings.forTests());
             TestServices clustered = TestServices.start(2, clusterMode(dir));
             RealRedis redis = RealRedis.start();
             RespTestClient p = new RespTestClient(plain.respPort());
             RespTestClient k = new RespTestClient(clustered.respPort());
             RespTestClient r = new RespTestClient(redis.port())) {
            assertThat(p.cmd("SET", "a", "1")).isEqualTo("OK");
            Err disabled = new Err("ERR This instance has cluster support disabled");
            assertThat(p.cmd("CLUSTER", "GETLAYOUT")).isEqualTo(disabled);
            assertThat(p.cmd("CLUSTER", "HELDSLOTS")).isEqualTo(disabled);
            assertThat(p.cmd("cluster", "heldslots")).isEqualTo(disabled);
            // redis-server words a subcommand's arity error (checked before the command runs, in any mode) so
            String theirs = ((Err) r.cmd("CLUSTER", "MYID", "x")).text();
            assertThat(theirs).isEqualTo("ERR wrong number of arguments for 'cluster|myid' command");
            Err arity = new Err(theirs.replace("myid", "heldslots"));
            assertThat(p.cmd("CLUSTER", "HELDSLOTS", "x")).isEqualTo(arity);
            assertThat(k.cmd("CLUSTER", "HELDSLOTS", "x")).isEqualTo(arity);
            assertThat(k.cmd("CLUSTER", "HELDSLOTS", "x", "y")).isEqualTo(arity);
            assertThat(k.cmd("CLUSTER", "HELDSLOTS")).isEqualTo("");
            List<Object> help = new ArrayList<>((List<?>) k.cmd("CLUSTER", "HELP"));
            assertThat(help).containsSequence("HELDSLOTS",
                    "    Return the slots this node holds keys of, as ranges (whether it serves them or not).");
            // the table's row, in Redis's shapes for a command it does not have
            List<?> info = (List<?>) ((List<?>) p.cmd("COMMAND", "INFO", "cluster|heldslots")).get(0);
            assertThat(info.subList(0, 6)).isEqualTo(List.of("cluster|heldslots", 2L, List.of("admin", "noscript", "stale"), 0L, 0L, 0L));
            assertThat(p.cmd("COMMAND", "DOCS", "cluster|heldslots")).isEqualTo(List.of("cluster|heldslots", List.of(
                    "summary", "Returns the hash slots this node holds keys of, as ranges, whether it serves them or not (Percore's own).",
                    "since", "1.0.0", "group", "cluster")));
        }
    }

    /** The worst reply: every other slot held, 8,192 ranges in 43,596 bytes, which the layout's parser reads back. */
    @Test
    void everyOtherSlotIsTheLongestText() {
        BitSet alternate = new BitSet();
        for (int s = 0; s < KeyHashing.SLOTS; s += 2) {
            alternate.set(s);
        }
        String text = ClusterLayout.rangesText(alternate);
        assertThat(text).startsWith("0,2,4,").endsWith(",16380,16382").hasSize(43_596);
        List<int[]> ranges = ClusterLayout.parseRanges(text);
        assertThat(ranges).hasSize(8192).allSatisfy(r -> assertThat(r[0]).isEqualTo(r[1]));
        BitSet all = new BitSet();
        all.set(0, KeyHashing.SLOTS);
        assertThat(ClusterLayout.rangesText(all)).isEqualTo("0-16383");
        assertThat(ClusterLayout.rangesText(new BitSet())).isEmpty();
        BitSet edges = new BitSet();
        edges.set(0);
        edges.set(16382, 16384);
        assertThat(ClusterLayout.rangesText(edges)).isEqualTo("0,16382-16383");
    }
}
