package io.percore.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.percore.operator.reconcile.PlanMeters;
import io.percore.operator.config.ConfigCheck;
import io.percore.operator.http.OperatorHttpServer;
import io.percore.operator.reconcile.PercoreServiceReconciler;
import io.percore.operator.replication.PodAddresses;
import io.percore.operator.replication.PodReplicationProbe;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running operator: JOSDK {@link Operator} with the {@link PercoreServiceReconciler},
 * optional Lease-based leader election ({@link LeaseElection}), Micrometer metrics and the health/metrics HTTP server.
 */
public final class PercoreOperator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PercoreOperator.class);

    private final Operator operator;
    private final PercoreServiceReconciler reconciler;
    private final OperatorHttpServer http;
    private final PrometheusMeterRegistry registry;
    private final AtomicBoolean leader = new AtomicBoolean();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final LeaseElection election;

    private PercoreOperator(OperatorSettings settings, KubernetesClient client, ConfigCheck configCheck,
                            Runnable onLostLeadership, PodAddresses podAddresses, java.time.Clock clock) throws IOException {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        io.micrometer.core.instrument.Gauge.builder("percore_operator_leader", leader, l -> l.get() ? 1 : 0)
                .description("1 on the operator pod that holds the Lease and reconciles, 0 on a standby").register(registry);

        this.operator = new Operator(o -> o.withKubernetesClient(client)
                .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                .withCloseClientOnStop(false)
                .withUseSSAToPatchPrimaryResource(settings.serverSideApply())
                .withSSABasedCreateUpdateMatchForDependentResources(settings.serverSideApply())
                .withInformerStoppedHandler((informer, ex) -> {
                    // An informer that died cannot be trusted: report not-live so the kubelet restarts us.
                    // (Called with no cause on an orderly stop.)
                    if (ex != null) {
                        failed.set(true);
                        LOG.error("informer stopped: {}", ex.toString());
                    }
                }));
        this.reconciler = new PercoreServiceReconciler(configCheck, settings.serverSideApply(), new PlanMeters(registry),
                new PodReplicationProbe(), podAddresses, settings.operatorImage(), clock);
        operator.register(reconciler, c -> {
            if (settings.watchNamespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(settings.watchNamespaces());
            }
        });
        this.http = new OperatorHttpServer(settings.httpPort(), this::live, this::ready, registry);
        if (settings.leaderElection()) {
            String identity = settings.identity() != null ? settings.identity() : hostName();
            String namespace = settings.leaseNamespace() != null ? settings.leaseNamespace() : client.getNamespace();
            if (namespace == null) {
                throw new IllegalArgumentException("POD_NAMESPACE: required for leader election (no namespace in the client configuration)");
            }
            // Informers start only on the leader; a replica that loses the lease cannot trust its caches
            // or in-flight work, so it leaves (onLostLeadership: exit 1, the Deployment restarts it as a candidate).
            this.election = new LeaseElection(client, namespace, identity, settings.leaseTimings(), () -> {
                LOG.info("{} became leader ({} {})", identity, OperatorSettings.LEASE_NAME, namespace);
                operator.start();
                leader.set(true);
            }, () -> {
                leader.set(false);
                if (!closing.get()) {
                    LOG.error("lost leadership of {}; exiting", OperatorSettings.LEASE_NAME);
                    onLostLeadership.run();
                }
            }, newLeader -> LOG.info("leader is {}", newLeader));
        } else {
            this.election = null;
            operator.start();
            leader.set(true);
        }
        LOG.info("percore-operator started: namespaces={}, leaderElection={}, http port {}",
                settings.watchNamespaces().isEmpty() ? "all" : settings.watchNamespaces(), settings.leaderElection(), http.port());
    }

    /** Starts the operator; a replica that loses leadership exits with status 1. */
    public static PercoreOperator start(OperatorSettings settings, KubernetesClient client, ConfigCheck configCheck) throws IOException {
        return start(settings, client, configCheck, () -> System.exit(1));
    }

    /** @param onLostLeadership what a replica does when it stops leading (tests observe it instead of exiting) */
    public static PercoreOperator start(OperatorSettings settings, KubernetesClient client, ConfigCheck configCheck,
                                        Runnable onLostLeadership) throws IOException {
        return new PercoreOperator(settings, client, configCheck, onLostLeadership, PodAddresses.POD_IP, java.time.Clock.systemUTC());
    }

    /** @param podAddresses where replicated services' pods are reached (tests: local processes instead of pod IPs) */
    public static PercoreOperator start(OperatorSettings settings, KubernetesClient client, ConfigCheck configCheck,
                                        Runnable onLostLeadership, PodAddresses podAddresses) throws IOException {
        return start(settings, client, configCheck, onLostLeadership, podAddresses, java.time.Clock.systemUTC());
    }

    /** @param clock what the backup schedule reads as now (tests move it instead of waiting for the next minute) */
    public static PercoreOperator start(OperatorSettings settings, KubernetesClient client, ConfigCheck configCheck,
                                        Runnable onLostLeadership, PodAddresses podAddresses, java.time.Clock clock) throws IOException {
        return new PercoreOperator(settings, client, configCheck, onLostLeadership, podAddresses, clock);
    }

    /** Live while no informer has died. */
    public boolean live() {
        return !failed.get();
    }

    /**
     * The leader is ready once started with healthy informers. A standby is ready only while
     * another replica holds a live Lease: then it has nothing to do and must not stall a rollout;
     * otherwise nothing reconciles (e.g. this replica may not write the Lease) and the admin must see it.
     */
    public boolean ready() {
        if (failed.get()) {
            return false;
        }
        if (leader.get()) {
            return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
        }
        return election != null && election.anotherReplicaLeads();
    }

    public boolean isLeader() {
        return leader.get();
    }

    public int httpPort() {
        return http.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        http.close();
        if (election != null) {
            election.close();
        }
        operator.stop();
        reconciler.close();
        registry.close();
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        return host != null && !host.isBlank() ? host : "percore-operator-" + ProcessHandle.current().pid();
    }
}
