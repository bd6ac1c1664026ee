package io.percore.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.percore.operator.config.ConfigCheck;
import io.percore.operator.http.OperatorHttpServer;
import io.percore.operator.reconcile.PercoreServiceReconciler;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running operator: JOSDK {@link Operator} with the {@link PercoreServiceReconciler},
 * optional Lease-based leader election, Micrometer metrics and the health/metrics HTTP server.
 */
public final class PercoreOperator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PercoreOperator.class);

    private final Operator operator;
    private final OperatorHttpServer http;
    private final PrometheusMeterRegistry registry;
    private final AtomicBoolean leader = new AtomicBoolean();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final boolean leaderElection;

    private PercoreOperator(OperatorSettings settings, KubernetesClient client, ConfigCheck configCheck) throws IOException {
        this.leaderElection = settings.leaderElection();
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        registry.gauge("percore_operator_leader", leader, l -> l.get() ? 1 : 0);

        this.operator = new Operator(o -> {
            o.withKubernetesClient(client)
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
                    });
            if (settings.leaderElection()) {
                String identity = settings.identity() != null ? settings.identity() : hostName();
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(OperatorSettings.LEASE_NAME,
                        settings.leaseNamespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        identity,
                        new LeaderCallbacks(() -> {
                            leader.set(true);
                            LOG.info("{} became leader ({} {})", identity, OperatorSettings.LEASE_NAME, settings.leaseNamespace());
                        }, () -> {
                            leader.set(false);
                            // Informers and in-flight work of a former leader cannot be trusted: restart clean.
                            // Not on our own orderly close, which also ends the leadership.
                            if (!closing.get()) {
                                LOG.error("lost leadership of {}; exiting", OperatorSettings.LEASE_NAME);
                                System.exit(1);
                            }
                        }, newLeader -> LOG.info("leader is {}", newLeader)),
                        false));
            }
        });
        operator.register(new PercoreServiceReconciler(configCheck), c -> {
            if (settings.watchNamespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(settings.watchNamespaces());
            }
        });
        operator.start();
        if (!settings.leaderElection()) {
            leader.set(true);
        }
        this.http = new OperatorHttpServer(settings.httpPort(), this::live, this::ready, registry);
        LOG.info("percore-operator started: namespaces={}, leaderElection={}, http port {}",
                settings.watchNamespaces().isEmpty() ? "all" : settings.watchNamespaces(), settings.leaderElection(), http.port());
    }

    public static PercoreOperator start(OperatorSettings settings, KubernetesClient client, ConfigCheck configCheck) throws IOException {
        return new PercoreOperator(settings, client, configCheck);
    }

    /** Live while no informer has died. */
    public boolean live() {
        return !failed.get();
    }

    /**
     * Ready when started and, if this replica leads, its informers are healthy. A standby
     * replica is ready too: it has nothing to serve, and an unready standby would stall rollouts.
     */
    public boolean ready() {
        if (!operator.getRuntimeInfo().isStarted() || failed.get()) {
            return false;
        }
        return (leaderElection && !leader.get()) || operator.getRuntimeInfo().allEventSourcesAreHealthy();
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
        closing.set(true);
        http.close();
        operator.stop();
        registry.close();
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        return host != null && !host.isBlank() ? host : "percore-operator-" + ProcessHandle.current().pid();
    }
}
