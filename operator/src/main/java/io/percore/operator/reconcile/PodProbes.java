package io.percore.operator.reconcile;

import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every pod of a service asked {@code INFO replication} at once: a reconcile waits for the slowest answer, not for their sum.
 * Asked one after another, a pod just restarted (a JVM warming up on a loaded node) or one that does not answer (each ask
 * bounded by twice the probe's timeout) delayed the look at the others by seconds: a roll's primary, deleted and waiting
 * for its switchover (its {@code shutdown-handover}), gave up before the operator's next look reached it, and was failed
 * over instead (ReplicationIT's roll in CI, 2026-11-30).
 */
final class PodProbes {

    private static final Logger LOG = LoggerFactory.getLogger(PodProbes.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Threads made as asks need them and kept a minute (the asks are short; a few pods a service). */
    private static final ExecutorService ASKING = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "percore-pod-probe-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** What a pod answered: its replication state, or null with whether its port refused the connection (its process gone). */
    record Answer(Observed observed, boolean refused) {
    }

    private PodProbes() {
    }

    /** Asks each pod of {@code addresses} (name to address) at once; the answers in the same order. */
    static Map<String, Answer> ask(PodReplicationProbe probe, Map<String, HostPort> addresses, PodAuth auth, String namespace) {
        Map<String, CompletableFuture<Answer>> asked = new LinkedHashMap<>();
        addresses.forEach((pod, address) -> asked.put(pod, CompletableFuture.supplyAsync(() -> ask(probe, pod, address, auth, namespace), ASKING)));
        Map<String, Answer> answers = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<Answer>> a : asked.entrySet()) {
            try {
                answers.put(a.getKey(), a.getValue().join()); // each ask is bounded by the probe's own timeouts
            } catch (java.util.concurrent.CompletionException e) {
                // not a pod's silence (those are answers): the reconcile fails as it did when asked on its own thread
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        return answers;
    }

    private static Answer ask(PodReplicationProbe probe, String pod, HostPort address, PodAuth auth, String namespace) {
        try {
            return new Answer(probe.info(address, auth), false);
        } catch (java.net.ConnectException e) {
            return new Answer(null, true);
        } catch (IOException e) {
            LOG.debug("{}/{}: INFO at {} failed: {}", namespace, pod, address, e.toString());
            return new Answer(null, false);
        }
    }
}
