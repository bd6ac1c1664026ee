package io.percore.operator;

import java.time.Duration;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's own configuration, from environment variables (the Helm chart sets them).
 *
 * @param watchNamespaces  {@code PERCORE_WATCH_NAMESPACES}: comma-separated; empty = all namespaces
 * @param leaderElection   {@code PERCORE_LEADER_ELECTION}: true (default) or false
 * @param leaseNamespace   {@code POD_NAMESPACE}: where the {@value #LEASE_NAME} Lease lives; null = the client's namespace
 * @param identity         {@code POD_NAME}: this replica's leader-election identity; null = host name
 * @param httpPort         {@code PERCORE_HTTP_PORT}: health and metrics port, default 8080 (0 = any free port)
 * @param serverSideApply  {@code PERCORE_SERVER_SIDE_APPLY}: write status, finalizer and children with server-side apply, default true
 * @param leaseTimings     leader-election timings (not configurable from the environment)
 * @param operatorImage    {@code PERCORE_OPERATOR_IMAGE}: the operator's own image, which its backup Jobs and restore init
 *                         containers run (the chart sets it to the image it deploys)
 */
public record OperatorSettings(
        Set<String> watchNamespaces,
        boolean leaderElection,
        String leaseNamespace,
        String identity,
        int httpPort,
        boolean serverSideApply,
        LeaseTimings leaseTimings,
        String operatorImage) {

    /** Lease timings: how long a lease lasts, how long the leader keeps trying to renew, how often candidates retry. */
    public record LeaseTimings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public static final LeaseTimings DEFAULT = new LeaseTimings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    public OperatorSettings(Set<String> watchNamespaces, boolean leaderElection, String leaseNamespace, String identity,
                            int httpPort, boolean serverSideApply) {
        this(watchNamespaces, leaderElection, leaseNamespace, identity, httpPort, serverSideApply, LeaseTimings.DEFAULT);
    }

    public OperatorSettings(Set<String> watchNamespaces, boolean leaderElection, String leaseNamespace, String identity,
                            int httpPort, boolean serverSideApply, LeaseTimings leaseTimings) {
        this(watchNamespaces, leaderElection, leaseNamespace, identity, httpPort, serverSideApply, leaseTimings,
                io.percore.operator.reconcile.WorkloadRenderer.DEFAULT_OPERATOR_IMAGE);
    }

    public static final String LEASE_NAME = "percore-operator-leader";
    public static final int DEFAULT_HTTP_PORT = 8080;

    public OperatorSettings {
        watchNamespaces = Set.copyOf(watchNamespaces);
    }

    /** @throws IllegalArgumentException naming the variable and the bad value */
    public static OperatorSettings fromEnv(Map<String, String> env) {
        Set<String> namespaces = Arrays.stream(env.getOrDefault("PERCORE_WATCH_NAMESPACES", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
        for (String ns : namespaces) {
            if (!ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException("PERCORE_WATCH_NAMESPACES: '" + ns + "' is not a valid namespace name");
            }
        }
        return new OperatorSettings(namespaces,
                bool(env, "PERCORE_LEADER_ELECTION", true),
                blankToNull(env.get("POD_NAMESPACE")),
                blankToNull(env.get("POD_NAME")),
                port(env.get("PERCORE_HTTP_PORT")),
                bool(env, "PERCORE_SERVER_SIDE_APPLY", true),
                LeaseTimings.DEFAULT,
                blankToNull(env.get("PERCORE_OPERATOR_IMAGE")) == null ? io.percore.operator.reconcile.WorkloadRenderer.DEFAULT_OPERATOR_IMAGE
                        : env.get("PERCORE_OPERATOR_IMAGE").trim());
    }

    private static boolean bool(Map<String, String> env, String key, boolean fallback) {
        String value = env.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(key + ": '" + value + "' must be true or false");
        }
    }

    private static int port(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_HTTP_PORT;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("PERCORE_HTTP_PORT: '" + value + "' must be a port number 0-65535");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
