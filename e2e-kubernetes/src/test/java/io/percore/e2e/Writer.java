package io.percore.e2e;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client writing through a Service as an application would: key {@code prefix:i} set to {@code i}, one write at a
 * time, each acknowledged or not ({@code WAIT 1}: only once a replica has it too). It remembers every acknowledged
 * key, and the outages it saw: runs of failed writes, with when they began and ended, so a scenario can say how long
 * writes were refused and how many times.
 */
final class Writer implements AutoCloseable {

    /**
     * A run of failed writes between two acknowledged ones.
     *
     * @param acceptedNanos when the service first took a write again (SET answered OK), before a replica acknowledged
     *                      one too ({@code WAIT 1}); the end of the outage without WAIT
     */
    record Outage(long beganNanos, long endedNanos, long acceptedNanos, int failures, String firstError, List<String> laterErrors) {
        Duration length() {
            return Duration.ofNanos(endedNanos - beganNanos);
        }

        @Override
        public String toString() {
            return String.format("%.1f s, writes taken again after %.1f s (%d failed writes, first: %s%s)", (endedNanos - beganNanos) / 1e9,
                    (acceptedNanos - beganNanos) / 1e9, failures, firstError, laterErrors.isEmpty() ? "" : "; then " + laterErrors);
        }
    }

    /** The distinct errors after an outage's first, as few as tell what happened. */
    private static final int MAX_LATER_ERRORS = 3;

    private final RedisClient client;
    private final String prefix;
    private final boolean waitForReplica;
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final List<Outage> outages = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong lastAckNanos = new AtomicLong();
    private final Thread thread;
    /** The databases it writes to in turn, each write after a SELECT (empty: the URI's, without SELECT). */
    private final int[] databases;

    /** @param waitForReplica count a write as acknowledged only when {@code WAIT 1} says a replica has it */
    Writer(RedisURI uri, String prefix, boolean waitForReplica) {
        this(uri, prefix, waitForReplica, new int[0]);
    }

    /**
     * A writer selecting {@code databases} in turn, a SELECT before each write (a Redis that uses SELECT, issue 68): an
     * acknowledged write is recorded as {@code <db>/<key>} (see {@link #inDatabase}).
     */
    Writer(RedisURI uri, String prefix, boolean waitForReplica, int... databases) {
        this.databases = databases.clone();
        this.client = RedisClient.create(uri);
        // a command that cannot be sent fails at once instead of waiting in a queue for the link to come back:
        // what the outage measures is how long the service refused writes, not Lettuce's queue
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(3))).build());
        this.prefix = prefix;
        this.waitForReplica = waitForReplica;
        this.thread = new Thread(this::run, "writer-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        StatefulRedisConnection<String, String> connection = null;
        long i = 0;
        long outageBegan = 0;
        long accepted = 0;
        int failures = 0;
        String firstError = null;
        java.util.Set<String> laterErrors = new java.util.LinkedHashSet<>();
        while (running.get()) {
            String key = prefix + ":" + i;
            String value = Long.toString(i);
            int db = databases.length == 0 ? -1 : databases[(int) (i % databases.length)];
            attempts.incrementAndGet();
            try {
                if (connection == null) {
                    connection = client.connect();
                }
                if (db >= 0) {
                    connection.sync().select(db);
                }
                connection.sync().set(key, value);
                if (failures > 0 && accepted == 0) {
                    accepted = System.nanoTime();
                }
                if (waitForReplica && connection.sync().waitForReplication(1, 2000) < 1) {
                    throw new IllegalStateException("WAIT 1 answered 0: no replica has " + key);
                }
                acknowledged.put(db >= 0 ? db + "/" + key : key, value);
                long now = System.nanoTime();
                lastAckNanos.set(now);
                if (failures > 0) {
                    outages.add(new Outage(outageBegan, now, accepted == 0 ? now : accepted, failures, firstError, List.copyOf(laterErrors)));
                    accepted = 0;
                    failures = 0;
                    firstError = null;
                    laterErrors.clear();
                }
                i++;
            } catch (RuntimeException e) {
                if (failures++ == 0) {
                    outageBegan = System.nanoTime();
                    firstError = e.toString();
                } else if (laterErrors.size() < MAX_LATER_ERRORS && !e.toString().equals(firstError)) {
                    laterErrors.add(e.toString());
                }
                if (connection != null) {
                    // a new connection goes where the Service points now; an old one stays with the pod it reached
                    // (kube-proxy keeps an established flow), which after a failover is a replica answering READONLY
                    connection.closeAsync();
                    connection = null;
                }
                i++;   // never rewrite a key whose write may have been applied: its value says which write it was
                sleep(100);
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    /** The writes of {@code acknowledged} (a writer selecting databases) made in database {@code db}, by key. */
    static Map<String, String> inDatabase(Map<String, String> acknowledged, int db) {
        Map<String, String> out = new java.util.HashMap<>();
        String prefix = db + "/";
        acknowledged.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Waits until {@code n} more writes have been acknowledged since the call. */
    void awaitAcknowledged(int n, Duration atMost) {
        long target = acknowledged.size() + n;
        org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> acknowledged.size() >= target);
    }

    Map<String, String> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    List<Outage> outages() {
        return new ArrayList<>(outages);
    }

    long lastAcknowledgedNanos() {
        return lastAckNanos.get();
    }

    long attempts() {
        return attempts.get();
    }

    /** Stops writing and returns what was acknowledged. */
    Map<String, String> stop() {
        running.set(false);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return acknowledged();
    }

    @Override
    public void close() {
        stop();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
