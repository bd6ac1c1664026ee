package io.percore.net.client;

import io.percore.config.ClientPoolConfig;
import io.percore.config.RetryBudgetConfig;
import io.percore.config.schema.ConfigValidationException;
import io.percore.config.schema.ConfigValidator;
import io.percore.net.ClientSettingRules;
import io.percore.net.health.HealthCheckOptions;
import io.percore.net.health.RetryBudget;
import io.percore.net.health.OutlierOptions;
import io.percore.net.lb.LoadBalancing;
import io.percore.net.pool.PoolOptions;
import java.time.Duration;
import java.util.Objects;

/** Immutable settings of an {@link UpstreamClient}. Every limit is per shard. */
public final class UpstreamOptions {

    private final String name;
    private final PoolOptions pool;
    private final int maxConnections;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final double retryBudgetRatio;
    private final int minRetriesPerSecond;
    private final LoadBalancing loadBalancing;
    private final HealthCheckOptions healthCheck;
    private final OutlierOptions outlierEjection;
    private final Duration discoveryTimeout;

    private UpstreamOptions(Builder b) {
        this.name = b.name;
        this.pool = b.pool;
        this.maxConnections = b.maxConnections;
        this.requestTimeout = b.requestTimeout;
        this.maxRetries = b.maxRetries;
        this.retryBudgetRatio = b.retryBudgetRatio;
        this.minRetriesPerSecond = b.minRetriesPerSecond;
        this.loadBalancing = b.loadBalancing;
        this.healthCheck = b.healthCheck;
        this.outlierEjection = b.outlierEjection;
        this.discoveryTimeout = b.discoveryTimeout;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Options from {@code percore.clients.<name>.*}. {@code max-connections} is the shard's cap for
     * the whole upstream and also each endpoint's cap; {@code connect-timeout} also bounds how long
     * an acquisition waits for a connection.
     *
     * @throws ConfigValidationException with the validator's errors (path, value, rule) for a
     *         configuration a YAML file could not have either
     */
    public static UpstreamOptions from(String name, ClientPoolConfig c) {
        Objects.requireNonNull(c, "config");
        ConfigValidationException.throwIfAny(ConfigValidator.shared().validateClient(name, c));
        return builder(name)
                .pool(PoolOptions.builder()
                        .maxConnections(c.getMaxConnections())
                        .maxPendingAcquisitions(c.getMaxPendingAcquisitions())
                        .connectTimeout(c.getConnectTimeout())
                        .acquireTimeout(c.getConnectTimeout())
                        .idleTimeout(c.getIdleTimeout())
                        .build())
                .maxConnections(c.getMaxConnections())
                .loadBalancing(LoadBalancing.from(c.getLoadBalancer()))
                .healthCheck(HealthCheckOptions.from(c.getHealthCheck()))
                .outlierEjection(OutlierOptions.from(c.getOutlierEjection()))
                .retryBudget(c.getRetryBudget().getRatio(), c.getRetryBudget().getMinRetriesPerSecond())
                .build();
    }

    public String name() {
        return name;
    }

    /** These options with new pool sizes (live configuration): each value meets config-schema's rule for its key. */
    public UpstreamOptions withPoolSizes(int maxConnections, int maxPendingAcquisitions) {
        Builder b = builder(name).pool(pool.toBuilder().maxConnections(maxConnections).maxPendingAcquisitions(maxPendingAcquisitions).build())
                .maxConnections(maxConnections).requestTimeout(requestTimeout).maxRetries(maxRetries)
                .retryBudget(retryBudgetRatio, minRetriesPerSecond).loadBalancing(loadBalancing).healthCheck(healthCheck)
                .outlierEjection(outlierEjection).discoveryTimeout(discoveryTimeout);
        return b.build();
    }

    public PoolOptions pool() {
        return pool;
    }

    /** Connections one shard keeps to the whole upstream (over all endpoints). */
    public int maxConnections() {
        return maxConnections;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Further attempts after a failed one, each on another endpoint and within the retry budget. */
    public int maxRetries() {
        return maxRetries;
    }

    public double retryBudgetRatio() {
        return retryBudgetRatio;
    }

    public int minRetriesPerSecond() {
        return minRetriesPerSecond;
    }

    public LoadBalancing loadBalancing() {
        return loadBalancing;
    }

    public HealthCheckOptions healthCheck() {
        return healthCheck;
    }

    public OutlierOptions outlierEjection() {
        return outlierEjection;
    }

    /** How long {@link UpstreamClient.Builder#build()} waits for discovery's first endpoint set. */
    public Duration discoveryTimeout() {
        return discoveryTimeout;
    }

    public static final class Builder {
        private final String name;
        private PoolOptions pool = PoolOptions.builder().build();
        private int maxConnections = Integer.MAX_VALUE;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int maxRetries = 2;
        private double retryBudgetRatio = new RetryBudgetConfig().getRatio();
        private int minRetriesPerSecond = new RetryBudgetConfig().getMinRetriesPerSecond();
        private LoadBalancing loadBalancing = LoadBalancing.ROUND_ROBIN;
        private HealthCheckOptions healthCheck = HealthCheckOptions.defaults();
        private OutlierOptions outlierEjection = OutlierOptions.defaults();
        private Duration discoveryTimeout = Duration.ofSeconds(10);

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("An upstream needs a name (used in errors and metrics)");
            }
            this.name = name;
        }

        public Builder pool(PoolOptions pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        public Builder maxConnections(int max) {
            ClientSettingRules.require("max-connections", c -> c.setMaxConnections(max));
            this.maxConnections = max;
            return this;
        }

        public Builder requestTimeout(Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("requestTimeout must be a positive duration, got " + d);
            }
            this.requestTimeout = d;
            return this;
        }

        public Builder maxRetries(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, got " + n);
            }
            this.maxRetries = n;
            return this;
        }

        public Builder retryBudget(double ratio, int minRetriesPerSecond) {
            RetryBudget.requireValid(ratio, minRetriesPerSecond);
            this.retryBudgetRatio = ratio;
            this.minRetriesPerSecond = minRetriesPerSecond;
            return this;
        }

        public Builder loadBalancing(LoadBalancing lb) {
            this.loadBalancing = Objects.requireNonNull(lb, "loadBalancing");
            return this;
        }

        public Builder healthCheck(HealthCheckOptions options) {
            this.healthCheck = Objects.requireNonNull(options, "healthCheck");
            return this;
        }

        public Builder outlierEjection(OutlierOptions options) {
            this.outlierEjection = Objects.requireNonNull(options, "outlierEjection");
            return this;
        }

        public Builder discoveryTimeout(Duration d) {
            this.discoveryTimeout = Objects.requireNonNull(d, "discoveryTimeout");
            return this;
        }

        public UpstreamOptions build() {
            return new UpstreamOptions(this);
        }
    }
}
