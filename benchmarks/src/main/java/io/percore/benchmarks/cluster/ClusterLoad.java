package io.percore.benchmarks.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The cluster client of {@code benchmarks/run-cluster.sh}'s migration run. {@code fill} writes N keys
 * whose slots lie in a range straight to the node that owns them (pipelined); {@code load} sends GET
 * and SET of those keys through Jedis's {@link JedisCluster}, which follows {@code -MOVED} and
 * {@code -ASK} as cluster clients do, at a fixed rate until a file appears, and counts every
 * operation that still fails (an exception out of Jedis after its redirects and retries) and every
 * GET that reads another value than the key's (a SET writes the same value, so any other is a loss).
 *
 * <pre>
 * fill HOST:PORT N SIZE FIRST_SLOT LAST_SLOT
 * load HOST:PORT N SIZE FIRST_SLOT LAST_SLOT RATE THREADS STOP_FILE
 * </pre>
 * The keys are {@code k:<i>} for the first N values of i whose slot is in [FIRST_SLOT, LAST_SLOT],
 * so both commands name the same keys.
 */
public final class ClusterLoad {

    private static final int FILL_BATCH = 1000;
    private static final int FAILURES_SHOWN = 5;

    private ClusterLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: fill HOST:PORT N SIZE FIRST_SLOT LAST_SLOT | load HOST:PORT N SIZE FIRST_SLOT LAST_SLOT RATE THREADS STOP_FILE");
            System.exit(2);
        }
        HostAndPort node = HostAndPort.from(args[1]);
        List<String> keys = keys(Integer.parseInt(args[2]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        int size = Integer.parseInt(args[3]);
        switch (args[0]) {
            case "fill" -> fill(node, keys, size);
            case "load" -> load(node, keys, size, Integer.parseInt(args[6]), Integer.parseInt(args[7]), Path.of(args[8]));
            default -> throw new IllegalArgumentException("fill or load, not " + args[0]);
        }
    }

    static List<String> keys(int n, int firstSlot, int lastSlot) {
        List<String> keys = new ArrayList<>(n);
        for (long i = 0; keys.size() < n; i++) {
            String key = "k:" + i;
            int slot = JedisClusterCRC16.getSlot(key);
            if (slot >= firstSlot && slot <= lastSlot) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** The key's value, {@code size} bytes: what fill and every SET write, what every GET must read. */
    static String value(String key, int size) {
        StringBuilder b = new StringBuilder(size);
        while (b.length() < size) {
            b.append(key).append('/');
        }
        return b.substring(0, size);
    }

    private static void fill(HostAndPort node, List<String> keys, int size) {
        try (Jedis jedis = new Jedis(node, DefaultJedisClientConfig.builder().socketTimeoutMillis(60_000).build())) {
            for (int from = 0; from < keys.size(); from += FILL_BATCH) {
                Pipeline p = jedis.pipelined();
                for (String key : keys.subList(from, Math.min(keys.size(), from + FILL_BATCH))) {
                    p.set(key, value(key, size));
                }
                p.sync();
            }
        }
        System.out.println("filled " + keys.size() + " keys of " + size + " bytes, " + keys.stream().mapToLong(String::length).sum() + " bytes of keys");
    }

    private static void load(HostAndPort node, List<String> keys, int size, int rate, int threads, Path stop) throws Exception {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(threads * 2);
        AtomicLong ops = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        List<String> shown = java.util.Collections.synchronizedList(new ArrayList<>());
        try (JedisCluster cluster = new JedisCluster(Set.of(node), DefaultJedisClientConfig.builder().socketTimeoutMillis(10_000).build(),
                10, Duration.ofSeconds(30), pool)) {
            long intervalNanos = 1_000_000_000L * threads / rate;
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    long next = System.nanoTime();
                    while (!Files.exists(stop)) {
                        String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
                        String expected = value(key, size);
                        try {
                            if (ThreadLocalRandom.current().nextBoolean()) {
                                cluster.set(key, expected);
                            } else if (!expected.equals(cluster.get(key))) {
                                wrong.incrementAndGet();
                                note(shown, "GET " + key + ": another value or none");
                            }
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                            // Jedis's "No more cluster attempts left" carries each attempt's failure as suppressed
                            Throwable[] attempts = e.getSuppressed();
                            note(shown, key + ": " + e + (attempts.length == 0 ? "" : " (" + attempts.length + " attempts, the last: "
                                    + attempts[attempts.length - 1] + ")"));
                        }
                        ops.incrementAndGet();
                        next += intervalNanos;
                        LockSupport.parkNanos(next - System.nanoTime());
                    }
                }, "load-" + t);
                w.start();
                workers.add(w);
            }
            for (Thread w : workers) {
                w.join();
            }
        }
        System.out.println("ops " + ops.get() + " failed " + failed.get() + " wrong " + wrong.get());
        shown.forEach(s -> System.out.println("  " + s));
    }

    private static void note(List<String> shown, String what) {
        if (shown.size() < FAILURES_SHOWN) {
            shown.add(what.length() > 300 ? what.substring(0, 300) : what);
        }
    }
}
