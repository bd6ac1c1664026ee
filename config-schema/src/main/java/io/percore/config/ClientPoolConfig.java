package io.percore.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A pool of connections to one upstream service. Every shard owns its own pool (no locks, no
 * sharing), so the connection limits here are per shard. Bound from
 * {@code percore.clients.<name>.*}.
 */
public class ClientPoolConfig {

    /** host:port with a port of 1..65535; the host is a DNS name, an IPv4 literal or a bracketed IPv6 literal. */
    public static final String ENDPOINT_PATTERN = "^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\]):([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$";

    /** Endpoint selection policy; written {@code round-robin}, {@code least-outstanding}, {@code consistent-hash}, {@code peak-ewma} in YAML. */
    public enum LoadBalancer {
        ROUND_ROBIN,
        LEAST_OUTSTANDING,
        CONSISTENT_HASH,
        PEAK_EWMA
    }

    @PropertyDescription("Upstream endpoints as host:port (IPv6 in brackets: [::1]:6379). Required for static and dns discovery; with dns the host names are re-resolved every dns-refresh-interval.")
    @NotNull
    @Size(max = 1024)
    private List<@Pattern(regexp = ENDPOINT_PATTERN) String> endpoints = new ArrayList<>();

    @PropertyDescription("How the pool learns its endpoints.")
    @Valid
    @NotNull
    private DiscoveryConfig discovery = new DiscoveryConfig();

    @PropertyDescription("Connections each shard keeps at most to the whole upstream service (per shard, not per process).")
    @Min(1)
    @Max(10_000)
    @LiveChange
    private int maxConnections = 8;

    @PropertyDescription("Requests per shard that may wait for a free connection; beyond that an acquisition fails at once. 0 means never wait.")
    @Min(0)
    @Max(1_000_000)
    @LiveChange
    private int maxPendingAcquisitions = 1024;

    @PropertyDescription("How long opening a connection may take before it fails.")
    @NotNull
    @DurationMin("1ms")
    @DurationMax("10m")
    private Duration connectTimeout = Duration.ofSeconds(2);

    @PropertyDescription("An unused pooled connection is closed after this long. 0 keeps idle connections open.")
    @NotNull
    @DurationMax("1d")
    private Duration idleTimeout = Duration.ofSeconds(60);

    @PropertyDescription("How a request picks an endpoint: round-robin, least-outstanding (fewest in-flight requests), consistent-hash (by request key), peak-ewma (lowest latency-weighted load).")
    @NotNull
    private LoadBalancer loadBalancer = LoadBalancer.ROUND_ROBIN;

    @PropertyDescription("Active health checking of each endpoint.")
    @Valid
    @NotNull
    private HealthCheckConfig healthCheck = new HealthCheckConfig();

    @PropertyDescription("Passive health checking: endpoints that keep failing are taken out of rotation for a while.")
    @Valid
    @NotNull
    private OutlierEjectionConfig outlierEjection = new OutlierEjectionConfig();

    @PropertyDescription("Limits retries to a share of the traffic so retries cannot amplify an outage.")
    @Valid
    @NotNull
    private RetryBudgetConfig retryBudget = new RetryBudgetConfig();

    public ClientPoolConfig() {
    }

    public List<@Pattern(regexp = ENDPOINT_PATTERN) String> getEndpoints() {
        return endpoints;
    }

    public void setEndpoints(List<@Pattern(regexp = ENDPOINT_PATTERN) String> endpoints) {
        this.endpoints = endpoints;
    }

    public DiscoveryConfig getDiscovery() {
        return discovery;
    }

    public void setDiscovery(DiscoveryConfig discovery) {
        this.discovery = discovery;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public int getMaxPendingAcquisitions() {
        return maxPendingAcquisitions;
    }

    public void setMaxPendingAcquisitions(int maxPendingAcquisitions) {
        this.maxPendingAcquisitions = maxPendingAcquisitions;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public LoadBalancer getLoadBalancer() {
        return loadBalancer;
    }

    public void setLoadBalancer(LoadBalancer loadBalancer) {
        this.loadBalancer = loadBalancer;
    }

    public HealthCheckConfig getHealthCheck() {
        return healthCheck;
    }

    public void setHealthCheck(HealthCheckConfig healthCheck) {
        this.healthCheck = healthCheck;
    }

    public OutlierEjectionConfig getOutlierEjection() {
        return outlierEjection;
    }

    public void setOutlierEjection(OutlierEjectionConfig outlierEjection) {
        this.outlierEjection = outlierEjection;
    }

    public RetryBudgetConfig getRetryBudget() {
        return retryBudget;
    }

    public void setRetryBudget(RetryBudgetConfig retryBudget) {
        this.retryBudget = retryBudget;
    }
}
