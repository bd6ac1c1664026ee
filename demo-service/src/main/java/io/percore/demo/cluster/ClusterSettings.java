package io.percore.demo.cluster;

import java.time.Duration;

/**
 * Cluster mode (Redis's {@code cluster-enabled}), from {@code percore.demo.cluster.*}.
 *
 * @param enabled      whether the service speaks the Redis Cluster protocol
 * @param nodeId       this node's id (40 lowercase hex characters), or null: the one kept in {@code nodes.conf},
 *                     or a new random one
 * @param announceIp   the address clients are redirected to for this node, or null: the RESP bind address
 * @param announcePort the port clients are redirected to, or 0: the RESP port
 * @param confirmLayoutAfterPause after the node did not run for this long (frozen, stopped, a pause of every shard), its
 *                     layout is served again only once the control plane confirms it ({@link PauseWatch}); zero: never
 */
public record ClusterSettings(boolean enabled, String nodeId, String announceIp, int announcePort, Duration confirmLayoutAfterPause) {

    public static ClusterSettings disabled() {
        return new ClusterSettings(false, null, null, 0);
    }

    /** Without the pause's check (a control plane that does not watch {@code cluster_state}, tests). */
    public ClusterSettings(boolean enabled, String nodeId, String announceIp, int announcePort) {
        this(enabled, nodeId, announceIp, announcePort, Duration.ZERO);
    }

    public ClusterSettings {
        if (confirmLayoutAfterPause == null || confirmLayoutAfterPause.isNegative()) {
            throw new IllegalArgumentException("percore.demo.cluster.confirm-layout-after-pause must be 0 or more, was "
                    + confirmLayoutAfterPause);
        }
        if (nodeId != null && !nodeId.matches("[0-9a-f]{40}")) {
            throw new IllegalArgumentException("percore.demo.cluster.node-id must be 40 lowercase hex characters, was " + nodeId);
        }
        if (announcePort < 0 || announcePort > 65535) {
            throw new IllegalArgumentException("percore.demo.cluster.announce-port must be 0..65535, was " + announcePort);
        }
    }
}
