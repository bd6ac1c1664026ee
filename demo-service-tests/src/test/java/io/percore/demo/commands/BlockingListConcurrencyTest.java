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
 * Issue 13's checker for blocking across shards: many clients on both shards of a two-shard demo
 * move elements between lists on different shards (BLMOVE with short timeouts), pop them from
 * several lists at once (BLPOP and BLMPOP over keys of both shards) and push them back, while
 * others push new ones. At the end every element pushed is in some list exactly once: none lost,
 * none duplicated.
 *
 * <p>The races it provokes are the ones the put-back exists for: a client waiting on lists of both
 * shards is served by both at once, or times out while an owner takes for it; the owner then puts
 * the element back. The test counts those put-backs and fails if there were none (the race was not
 * provoked) or if an element went missing (the put-back is gone).
 */
class BlockingListConcurrencyTest {

    private static final int MOVERS = 4;
    private static final int POPPERS = 4;
    private static final int PUSHERS = 2;
    private static final int PER_PUSHER = 1500;

    @Test
    void everyElementPushedIsInExactlyOneListAtTheEnd() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests())) {
            String[] queues = {demo.keyOn(0, "churn:a"), demo.keyOn(1, "churn:b"), demo.keyOn(0, "churn:c"), demo.keyOn(1, "churn:d")};
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong moved = new AtomicLong();
            AtomicLong popped = new AtomicLong();
            Map<String, Boolean> pushed = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(MOVERS + POPPERS + PUSHERS);
            List<Future<?>> workers = new ArrayList<>();
            try {
                for (int i = 0; i < MOVERS; i++) {
                    long seed = i;
                    workers.add(pool.submit(() -> move(demo.respPort(), queues, seed, stop, moved)));
                }
                for (int i = 0; i < POPPERS; i++) {
                    long seed = 100 + i;
                    workers.add(pool.submit(() -> popAndPushBack(demo.respPort(), queues, seed, stop, popped)));
                }
                List<Future<?>> pushers = new ArrayList<>();
                for (int i = 0; i < PUSHERS; i++) {
                    int pusher = i;
                    pushers.add(pool.submit(() -> push(demo.respPort(), queues, pusher, pushed)));
                }
                for (Future<?> p : pushers) {
                    p.get(60, TimeUnit.SECONDS);
                }
                Thread.sleep(300); // let the churn go on a little after the last push
                stop.set(true);
                for (Future<?> w : workers) {
                    w.get(60, TimeUnit.SECONDS);
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            // Put-backs and BLMOVE's pushes complete shortly after the replies that caused them.
            Map<String, Integer> settled;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            do {
                settled = contents(demo.respPort(), queues);
            } while (settled.values().stream().mapToInt(Integer::intValue).sum() != pushed.size() && System.nanoTime() < deadline
                    && sleep(20));
            Map<String, Integer> found = settled;
            List<String> duplicated = found.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            List<String> lost = pushed.keySet().stream().filter(e -> !found.containsKey(e)).sorted().toList();
            List<String> unknown = found.keySet().stream().filter(e -> !pushed.containsKey(e)).toList();
            long putBacks = demo.service.keyspace().snapshots().stream().mapToLong(KeyspaceShard.Snapshot::putBacks).sum();
            String summary = "pushed " + pushed.size() + ", moved " + moved.get() + ", popped and pushed back " + popped.get()
                    + ", put back by owners " + putBacks;
            assertThat(moved.get()).as(summary).isGreaterThan(1000);
            assertThat(popped.get()).as(summary).isGreaterThan(1000);
            assertThat(putBacks).as("the race this checks was provoked: " + summary).isPositive();
            assertThat(lost).as("lost: " + summary).isEmpty();
            assertThat(duplicated).as("duplicated: " + summary).isEmpty();
            assertThat(unknown).isEmpty();
            assertThat(demo.service.keyspace().snapshots().stream().mapToLong(KeyspaceShard.Snapshot::waitedKeys).sum()).isZero();
        }
    }

    /** BLMOVE between lists of different shards, timeouts short enough to race with the serving. */
    private static void move(int port, String[] queues, long seed, AtomicBoolean stop, AtomicLong moved) {
        SplittableRandom random = new SplittableRandom(seed);
        try (RespTestClient c = new RespTestClient(port)) {
            while (!stop.get()) {
                int src = random.nextInt(queues.length);
                int dst = (src + 1 + 2 * random.nextInt(2)) % queues.length; // always the other shard
                Object reply = c.cmd("BLMOVE", queues[src], queues[dst], random.nextBoolean() ? "LEFT" : "RIGHT",
                        random.nextBoolean() ? "LEFT" : "RIGHT", random.nextBoolean() ? "0.002" : "0.01");
                if (reply != null) {
                    moved.incrementAndGet();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Pops from lists of both shards at once (BLPOP, BRPOP, BLMPOP with a count) and pushes what it
     * got back onto a random list: while it holds elements they are in no list, so it always
     * returns them before it stops.
     */
    private static void popAndPushBack(int port, String[] queues, long seed, AtomicBoolean stop, AtomicLong popped) {
        SplittableRandom random = new SplittableRandom(seed);
        try (RespTestClient c = new RespTestClient(port)) {
            while (!stop.get()) {
                String timeout = random.nextBoolean() ? "0.001" : "0.02";
                Object reply = switch (random.nextInt(3)) {
                    case 0 -> c.cmd("BLPOP", queues[0], queues[1], queues[2], queues[3], timeout);
                    case 1 -> c.cmd("BRPOP", queues[3], queues[2], queues[1], queues[0], timeout);
                    default -> c.cmd("BLMPOP", timeout, "4", queues[1], queues[0], queues[3], queues[2], "LEFT", "COUNT", "3");
                };
                if (reply == null) {
                    continue;
                }
                List<?> keyAndValue = (List<?>) reply;
                List<String> elements = new ArrayList<>();
                if (keyAndValue.get(1) instanceof List<?> many) {
                    many.forEach(e -> elements.add((String) e));
                } else {
                    elements.add((String) keyAndValue.get(1));
                }
                for (String e : elements) {
                    popped.incrementAndGet();
                    c.cmd(random.nextBoolean() ? "LPUSH" : "RPUSH", queues[random.nextInt(queues.length)], e);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void push(int port, String[] queues, int pusher, Map<String, Boolean> pushed) {
        SplittableRandom random = new SplittableRandom(1000 + pusher);
        try (RespTestClient c = new RespTestClient(port)) {
            for (int i = 0; i < PER_PUSHER; i++) {
                String e = "p" + pusher + "-" + i;
                pushed.put(e, true);
                c.cmd(random.nextBoolean() ? "LPUSH" : "RPUSH", queues[random.nextInt(queues.length)], e);
                if (i % 50 == 0) {
                    Thread.sleep(1); // spread the pushes over the churn
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Integer> contents(int port, String[] queues) throws Exception {
        Map<String, Integer> found = new HashMap<>();
        try (RespTestClient c = new RespTestClient(port)) {
            for (String q : queues) {
                for (Object e : (List<?>) c.cmd("LRANGE", q, "0", "-1")) {
                    found.merge((String) e, 1, Integer::sum);
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
