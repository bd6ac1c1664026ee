package io.percore.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link ClusterLayout#primaryIdAt}: the primary a replica's link may sync from, when the layout has it at the link's address. */
class ClusterLayoutPrimaryTest {

    private static final String P = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String R = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static final String Q = "cccccccccccccccccccccccccccccccccccccccc";

    private static final ClusterLayout LAYOUT = ClusterLayout.parse(3, "node " + P + " 10.0.0.1 6379 primary\n"
            + "node " + R + " 10.0.0.2 6379 replica " + P + "\n"
            + "node " + Q + " 10.0.0.3 6379 primary\n"
            + "slots " + P + " 0-8191\nslots " + Q + " 8192-16383");

    @Test
    void aReplicasPrimaryAtItsLaidOutAddress() {
        assertThat(LAYOUT.primaryIdAt(R, "10.0.0.1", 6379)).isEqualTo(P);
    }

    @Test
    void noneWhereTheLinkFollowsAnotherAddressThanTheLayoutGivesItsPrimary() {
        // a REPLICAOF newer than the layout: the control plane chose that address
        assertThat(LAYOUT.primaryIdAt(R, "10.0.0.3", 6379)).isNull();
        assertThat(LAYOUT.primaryIdAt(R, "10.0.0.1", 6380)).isNull();
    }

    @Test
    void noneForANodeTheLayoutDoesNotMakeAReplica() {
        assertThat(LAYOUT.primaryIdAt(P, "10.0.0.1", 6379)).as("a primary").isNull();
        assertThat(LAYOUT.primaryIdAt(Q, "10.0.0.1", 6379)).isNull();
        assertThat(LAYOUT.primaryIdAt("dddddddddddddddddddddddddddddddddddddddd", "10.0.0.1", 6379)).as("not in it").isNull();
        assertThat(ClusterLayout.EMPTY.primaryIdAt(R, "10.0.0.1", 6379)).as("no layout yet").isNull();
    }
}
