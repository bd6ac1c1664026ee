package io.percore.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election with Fabric8's {@link LeaderElector} (verbs on the Lease: get,
 * create, patch — what the chart's Role grants). Run here rather than through JOSDK so the
 * operator starts its informers only once it leads, and so no {@code SelfSubjectRulesReview} (and
 * no unused {@code update} grant that JOSDK's start-up check demands) is needed.
 */
final class LeaseElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseElection.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String identity;
    private final CompletableFuture<?> running;

    LeaseElection(KubernetesClient client, String namespace, String identity, OperatorSettings.LeaseTimings timings,
                  Runnable onStartLeading, Runnable onStopLeading, Consumer<String> onNewLeader) {
        this.client = client;
        this.namespace = namespace;
        this.identity = identity;
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(OperatorSettings.LEASE_NAME)
                .withLock(new LeaseLock(namespace, OperatorSettings.LEASE_NAME, identity))
                .withLeaseDuration(timings.leaseDuration())
                .withRenewDeadline(timings.renewDeadline())
                .withRetryPeriod(timings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(onStartLeading, onStopLeading, onNewLeader::accept))
                .build()).build();
        this.running = elector.start();
        LOG.info("{} competes for Lease {}/{}", identity, namespace, OperatorSettings.LEASE_NAME);
    }

    /**
     * Whether another replica holds the Lease and renewed it within its duration. A standby is only
     * useful while that is so; a standby that sees no live leader (e.g. it may not write the Lease)
     * must say so instead of reporting healthy while nothing reconciles.
     */
    boolean anotherReplicaLeads() {
        Lease lease;
        try {
            lease = client.leases().inNamespace(namespace).withName(OperatorSettings.LEASE_NAME).get();
        } catch (KubernetesClientException e) {
            return false;
        }
        if (lease == null || lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null
                || lease.getSpec().getHolderIdentity().isEmpty() || identity.equals(lease.getSpec().getHolderIdentity())) {
            return false;
        }
        ZonedDateTime renewed = lease.getSpec().getRenewTime();
        Integer seconds = lease.getSpec().getLeaseDurationSeconds();
        return renewed != null && seconds != null
                && renewed.plus(Duration.ofSeconds(seconds)).isAfter(ZonedDateTime.now(renewed.getZone()));
    }

    /**
     * How long closing waits for the Lease to be released. A reachable API server answers the release in
     * milliseconds; one that does not answer would hold the shutdown until the client's retries give up (21 s
     * measured with nothing listening, 2026-11-27), and the Lease then simply expires for the next leader.
     */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(3);

    /**
     * Stops competing and releases the Lease if this replica holds it, waiting at most {@link #RELEASE_WAIT}.
     * Fabric8 releases in the thread that cancels, under the elector's lock, which a request in flight holds
     * through all its retries: so the cancel runs in a thread of its own, and closing the client afterwards ends
     * whatever it still waits for.
     */
    @Override
    public void close() {
        Thread release = new Thread(() -> running.cancel(true), "percore-lease-release");
        release.setDaemon(true);
        release.start();
        try {
            release.join(RELEASE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (release.isAlive()) {
            LOG.warn("{} stopped competing for Lease {}/{} without releasing it: the API server did not answer within {} s;"
                    + " the Lease expires after its duration", identity, namespace, OperatorSettings.LEASE_NAME, RELEASE_WAIT.toSeconds());
        }
    }
}
