package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The checker of XREADGROUP BLOCK across shards: consumers on both shards read two streams (one on
 * each shard) with short, racing timeouts and CLIENT UNBLOCKs, while producers append; every
 * entry a consumer gets it acknowledges. An entry taken for a consumer whose client had stopped
 * waiting (messages crossing) is taken back when the group did not move on meanwhile, or stays
 * pending for that consumer, as a reply Redis sent and the client lost would. So at the end every
 * entry was received exactly once or is pending: none is lost, none is given twice.
 */
class StreamGroupConcurrencyTest {

    private static final int CONSUMERS = 6;
    private static final int PRODUCERS = 2;
    private static final int ENTRIES_PER_PRODUCER = 1500;

    @Test
    void everyEntryIsReceivedOnceOrPending() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests())) {
            String[] streams = {demo.keyOn(0, "cc:s0-"), demo.keyOn(1, "cc:s1-")};
            try (RespTestClient admin = new RespTestClient(demo.respPort())) {
                for (String s : streams) {
                    admin.cmd("XGROUP", "CREATE", s, "g", "$", "MKSTREAM");
                }
            }
            Map<String, String> receivedBy = new ConcurrentHashMap<>();
            Set<String> duplicates = ConcurrentHashMap.newKeySet();
            AtomicBoolean producing = new AtomicBoolean(true);
            List<Long> consumerIds = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(CONSUMERS + PRODUCERS + 1);
            try {
                List<Future<?>> consumers = new ArrayList<>();
                for (int i = 0; i < CONSUMERS; i++) {
                    String name = "c" + i;
                    long seed = System.nanoTime() + i;
                    consumers.add(pool.submit(() -> {
                        consume(demo, streams, name, new Random(seed), producing, receivedBy, duplicates, consumerIds);
                        return null;
                    }));
                }
                List<Future<?>> producers = new ArrayList<>();
                for (int p = 0; p < PRODUCERS; p++) {
                    int producer = p;
                    producers.add(pool.submit(() -> {
                        produce(demo, streams, producer);
                        return null;
                    }));
                }
                Future<?> unblocker = pool.submit(() -> {
                    unblock(demo, consumerIds, producing);
                    return null;
                });
                for (Future<?> f : producers) {
                    f.get(120, TimeUnit.SECONDS);
                }
                Thread.sleep(300); // the consumers read what is left
                producing.set(false);
                for (Future<?> f : consumers) {
                    f.get(60, TimeUnit.SECONDS);
                }
                unblocker.get(10, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(duplicates).as("entries received twice").isEmpty();
            Set<String> pending = new HashSet<>();
            Set<String> produced = new HashSet<>();
            try (RespTestClient admin = new RespTestClient(demo.respPort())) {
                for (String s : streams) {
                    Map<String, String> valueOf = new HashMap<>();
                    for (Object e : (List<?>) admin.cmd("XRANGE", s, "-", "+")) {
                        List<?> entry = (List<?>) e;
                        String value = (String) ((List<?>) entry.get(1)).get(1);
                        valueOf.put((String) entry.get(0), value);
                        produced.add(value);
                    }
                    for (Object p : (List<?>) admin.cmd("XPENDING", s, "g", "-", "+", "1000000")) {
                        pending.add(valueOf.get((String) ((List<?>) p).get(0)));
                    }
                    // whatever is past the group's last ID was never delivered: read it now
                    Object rest = admin.cmd("XREADGROUP", "GROUP", "g", "late", "STREAMS", s, ">");
                    if (rest instanceof List<?> keyed) {
                        for (Object e : (List<?>) ((List<?>) keyed.get(0)).get(1)) {
                            receivedBy.put((String) ((List<?>) ((List<?>) e).get(1)).get(1), "late");
                        }
                    }
                }
            }
            assertThat(produced).hasSize(PRODUCERS * ENTRIES_PER_PRODUCER);
            Set<String> accounted = new HashSet<>(receivedBy.keySet());
            accounted.addAll(pending);
            assertThat(accounted).as("every entry received or pending").isEqualTo(produced);
            Set<String> both = new HashSet<>(pending);
            both.retainAll(receivedBy.keySet());
            assertThat(both).as("entries received and still pending (each was acknowledged)").isEmpty();
            long putBacks = demo.service.keyspace().snapshots().stream().mapToLong(snapshot -> snapshot.putBacks()).sum();
            System.out.printf("%d received, %d pending, %d deliveries taken back or left pending%n", receivedBy.size(), pending.size(), putBacks);
        }
    }

    private static void consume(TestServices demo, String[] streams, String name, Random r, AtomicBoolean producing,
                                Map<String, String> receivedBy, Set<String> duplicates, List<Long> ids) throws Exception {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            ids.add((Long) c.cmd("CLIENT", "ID"));
            int idle = 0;
            while (producing.get() || idle < 3) {
                Object reply = c.cmd("XREADGROUP", "GROUP", "g", name, "COUNT", Integer.toString(1 + r.nextInt(3)), "BLOCK",
                        Integer.toString(1 + r.nextInt(15)), "STREAMS", streams[0], streams[1], ">", ">");
                if (!(reply instanceof List<?> keyed)) {
                    idle = producing.get() ? 0 : idle + 1;
                    continue;
                }
                idle = 0;
                for (Object k : keyed) {
                    List<?> pair = (List<?>) k;
                    String stream = (String) pair.get(0);
                    List<String> acks = new ArrayList<>(List.of("XACK", stream, "g"));
                    for (Object e : (List<?>) pair.get(1)) {
                        List<?> entry = (List<?>) e;
                        String value = (String) ((List<?>) entry.get(1)).get(1);
                        if (receivedBy.putIfAbsent(value, name) != null) {
                            duplicates.add(value);
                        }
                        acks.add((String) entry.get(0));
                    }
                    c.cmd(acks.toArray(String[]::new));
                }
            }
        }
    }

    private static void produce(TestServices demo, String[] streams, int producer) throws Exception {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            Random r = new Random(producer);
            for (int i = 0; i < ENTRIES_PER_PRODUCER; i++) {
                c.cmd("XADD", streams[r.nextInt(2)], "*", "v", "p" + producer + "-" + i);
            }
        }
    }

    /** Unblocks consumers now and then: another way for a client to stop waiting while an entry travels to it. */
    private static void unblock(TestServices demo, List<Long> ids, AtomicBoolean producing) throws Exception {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            Random r = new Random(7);
            while (producing.get()) {
                List<Long> snapshot;
                synchronized (ids) {
                    snapshot = new ArrayList<>(ids);
                }
                if (!snapshot.isEmpty()) {
                    c.cmd("CLIENT", "UNBLOCK", Long.toString(snapshot.get(r.nextInt(snapshot.size()))));
                }
                Thread.sleep(1);
            }
        }
    }
}
