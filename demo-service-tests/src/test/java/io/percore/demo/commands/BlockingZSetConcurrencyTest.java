package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's checker for the blocking sorted-set pops across shards: clients on both shards of a
 * two-shard demo pop members from sorted sets of both shards at once (BZPOPMIN, BZPOPMAX, BZMPOP
 * with a count, short timeouts) and ZADD what they got back onto a random set, while others ZADD
 * new members. At the end every member added is in some sorted set exactly once: none lost, none
 * duplicated.
 *
 * <p>The races are the ones the put-back exists for: a client waiting on sets of both shards is
 * served by both at once, or times out while an owner pops for it; the owner then puts the entries
 * back. The test fails if there were no put-backs (the race was not provoked) or if a member went
 * missing (the put-back is gone).
 */
class BlockingZSetConcurrencyTest {

    private static final int POPPERS = 6;
    private static final int WRITERS = 2;
    private static final int PER_WRITER = 1500;

    @Test
    void everyMemberAddedIsInExactlyOneSortedSetAtTheEnd() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests())) {
            String[] sets = {demo.keyOn(0, "zchurn:a"), demo.keyOn(1, "zchurn:b"), demo.keyOn(0, "zchurn:c"), demo.keyOn(1, "zchurn:d")};
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong popped = new AtomicLong();
            Map<String, Boolean> added = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(POPPERS + WRITERS);
            List<Future<?>> poppers = new ArrayList<>();
            try {
                for (int i = 0; i < POPPERS; i++) {
                    long seed = 100 + i;
                    poppers.add(pool.submit(() -> popAndAddBack(demo.respPort(), sets, seed, stop, popped)));
                }
                List<Future<?>> writers = new ArrayList<>();
                for (int i = 0; i < WRITERS; i++) {
                    int writer = i;
                    writers.add(pool.submit(() -> add(demo.respPort(), sets, writer, added)));
                }
                for (Future<?> w : writers) {
                    w.get(60, TimeUnit.SECONDS);
                }
                Thread.sleep(300); // let the churn go on a little after the last add
                stop.set(true);
                for (Future<?> p : poppers) {
                    p.get(60, TimeUnit.SECONDS);
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            // Put-backs complete shortly after the replies that caused them.
            Map<String, Integer> settled;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            do {
                settled = contents(demo.respPort(), sets);
            } while (settled.values().stream().mapToInt(Integer::intValue).sum() != added.size() && System.nanoTime() < deadline
                    && sleep(20));
            Map<String, Integer> found = settled;
            List<String> duplicated = found.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            List<String> lost = added.keySet().stream().filter(m -> !found.containsKey(m)).sorted().toList();
            List<String> unknown = found.keySet().stream().filter(m -> !added.containsKey(m)).toList();
            long putBacks = demo.service.keyspace().snapshots().stream().mapToLong(KeyspaceShard.Snapshot::putBacks).sum();
            String summary = "added " + added.size() + ", popped and added back " + popped.get() + ", put back by owners " + putBacks;
            assertThat(popped.get()).as(summary).isGreaterThan(1000);
            assertThat(putBacks).as("the race this checks was provoked: " + summary).isPositive();
            assertThat(lost).as("lost: " + summary).isEmpty();
            assertThat(duplicated).as("duplicated: " + summary).isEmpty();
            assertThat(unknown).isEmpty();
            assertThat(demo.service.keyspace().snapshots().stream().mapToLong(KeyspaceShard.Snapshot::waitedKeys).sum()).isZero();
        }
    }

    /**
     * Pops from sorted sets of both shards at once and adds what it got back onto a random set
     * with a new score: while it holds members they are in no set, so it always returns them
     * before it stops.
     */
    private static void popAndAddBack(int port, String[] sets, long seed, AtomicBoolean stop, AtomicLong popped) {
        SplittableRandom random = new SplittableRandom(seed);
        try (RespTestClient c = new RespTestClient(port)) {
            while (!stop.get()) {
                String timeout = random.nextBoolean() ? "0.001" : "0.02";
                Object reply = switch (random.nextInt(3)) {
                    case 0 -> c.cmd("BZPOPMIN", sets[0], sets[1], sets[2], sets[3], timeout);
                    case 1 -> c.cmd("BZPOPMAX", sets[3], sets[2], sets[1], sets[0], timeout);
                    default -> c.cmd("BZMPOP", timeout, "4", sets[1], sets[0], sets[3], sets[2], random.nextBoolean() ? "MIN" : "MAX",
                            "COUNT", "3");
                };
                if (reply == null) {
                    continue;
                }
                List<?> items = (List<?>) reply;
                List<String> members = new ArrayList<>();
                if (items.get(1) instanceof List<?> pairs) {
                    pairs.forEach(p -> members.add((String) ((List<?>) p).get(0)));
                } else {
                    members.add((String) items.get(1));
                }
                for (String m : members) {
                    popped.incrementAndGet();
                    c.cmd("ZADD", sets[random.nextInt(sets.length)], Integer.toString(random.nextInt(1000)), m);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void add(int port, String[] sets, int writer, Map<String, Boolean> added) {
        SplittableRandom random = new SplittableRandom(1000 + writer);
        try (RespTestClient c = new RespTestClient(port)) {
            for (int i = 0; i < PER_WRITER; i++) {
                String m = "w" + writer + "-" + i;
                added.put(m, true);
                c.cmd("ZADD", sets[random.nextInt(sets.length)], Integer.toString(random.nextInt(1000)), m);
                if (i % 50 == 0) {
                    Thread.sleep(1); // spread the adds over the churn
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Integer> contents(int port, String[] sets) throws Exception {
        Map<String, Integer> found = new HashMap<>();
        try (RespTestClient c = new RespTestClient(port)) {
            for (String z : sets) {
                for (Object m : (List<?>) c.cmd("ZRANGE", z, "0", "-1")) {
                    found.merge((String) m, 1, Integer::sum);
                }
            }
        }
        return found;
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
