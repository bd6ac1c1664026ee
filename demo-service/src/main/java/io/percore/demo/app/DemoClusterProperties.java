package io.percore.demo.app;

import java.time.Duration;

/**
 * Cluster mode (Redis's {@code cluster-enabled}): the service speaks the Redis Cluster protocol
 * and serves the slots a control plane (the operator, or {@code CLUSTER SETLAYOUT}) gives it.
 */
public class DemoClusterProperties {
    /** Whether cluster mode is on. */
    private boolean enabled;
    /** This node's id, 40 lowercase hex characters; unset: the one in nodes.conf, or a new random one. */
    private String nodeId;
    /** The address clients are redirected to for this node; unset: the RESP bind address. */
    private String announceIp;
    /** The port clients are redirected to; 0: the RESP port. */
    private int announcePort;
    /**
     * After the node did not run for this long (frozen, stopped), its layout is served again only once the control plane
     * confirms it (-CLUSTERDOWN meanwhile); 0: never. The operator sets half its failoverAfter.
     */
    private Duration confirmLayoutAfterPause = Duration.ZERO;

    io.percore.demo.cluster.ClusterSettings toSettings() {
        return new io.percore.demo.cluster.ClusterSettings(enabled, DemoReplicationProperties.blankToNull(nodeId), DemoReplicationProperties.blankToNull(announceIp),
                announcePort, confirmLayoutAfterPause);
    }

    public Duration getConfirmLayoutAfterPause() {
        return confirmLayoutAfterPause;
    }

    public void setConfirmLayoutAfterPause(Duration confirmLayoutAfterPause) {
        this.confirmLayoutAfterPause = confirmLayoutAfterPause;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getNodeId() {
        return nodeId;
    }

    public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
    }

    public String getAnnounceIp() {
        return announceIp;
    }

    public void setAnnounceIp(String announceIp) {
        this.announceIp = announceIp;
    }

    public int getAnnouncePort() {
        return announcePort;
    }

    public void setAnnouncePort(int announcePort) {
        this.announcePort = announcePort;
    }
}
