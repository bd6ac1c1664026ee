package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The role's transitions: REPLICAOF demotes a primary, moves a replica keeping its demotion, REPLICAOF NO ONE ends both; a
 * link's phase counts for the role that made it only.
 */
class ReplicationRoleTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void aPrimaryMadeAReplicaIsDemotedThenAndAReplicaMovedKeepsWhenItWas() {
        ReplicationRole demoted = ReplicationRole.PRIMARY.replicaOf("10.0.0.2", 6379, 1_000);
        assertThat(demoted.replica()).isTrue();
        assertThat(demoted.follows("10.0.0.2", 6379)).isTrue();
        assertThat(demoted.follows("10.0.0.2", 6380)).isFalse();
        assertThat(demoted.demotedWithin(SECOND, 1_000 + SECOND.toNanos() - 1)).isTrue();
        assertThat(demoted.demotedWithin(SECOND, 1_000 + SECOND.toNanos())).isFalse();
        assertThat(demoted.replicaofText()).isEqualTo("10.0.0.2 6379");

        ReplicationRole moved = demoted.replicaOf("10.0.0.3", 6379, 5_000);
        assertThat(moved.follows("10.0.0.3", 6379)).isTrue();
        assertThat(moved.demotedAtNanos()).as("a replica following another primary was demoted when it was").isEqualTo(1_000);
    }

    @Test
    void aServerStartedAsAReplicaWasNeverDemotedAndAPrimaryFollowsNothing() {
        ReplicationRole started = ReplicationRole.atStart("primary", 6379);
        assertThat(started.replica()).isTrue();
        assertThat(started.demotedWithin(Duration.ofDays(1), System.nanoTime())).isFalse();
        assertThat(started.replicaOf("other", 6379, System.nanoTime()).demotedWithin(Duration.ofDays(1), System.nanoTime())).isFalse();
        assertThat(ReplicationRole.atStart(null, 0)).isEqualTo(ReplicationRole.PRIMARY);
        assertThat(ReplicationRole.PRIMARY.replica()).isFalse();
        assertThat(ReplicationRole.PRIMARY.follows("primary", 6379)).isFalse();
        assertThat(ReplicationRole.PRIMARY.replicaofText()).isEmpty();
        assertThat(ReplicationRole.PRIMARY.demotedWithin(Duration.ofDays(1), System.nanoTime())).isFalse();
    }

    @Test
    void noRoleNamesAPrimaryWithoutItsPortOrDemotesAPrimaryOrGivesAPrimaryALinkOrAReplicaNone() {
        long never = ReplicationRole.NOT_DEMOTED;
        assertThatThrownBy(() -> new ReplicationRole("h", 0, never, 1, LinkPhase.CONNECT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReplicationRole(null, 0, 5, 1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReplicationRole(null, 6379, never, 1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReplicationRole(null, 0, never, 1, LinkPhase.CONNECTED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReplicationRole("h", 6379, never, 1, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLinksPhaseCountsOnlyForTheRoleThatMadeItAndANewRoleStartsNotConnected() {
        ReplicationRole replica = ReplicationRole.PRIMARY.replicaOf("10.0.0.2", 6379, 1_000);
        long first = replica.generation();
        assertThat(replica.link()).isEqualTo(LinkPhase.CONNECT);
        assertThat(replica.streaming()).isFalse();

        ReplicationRole syncing = replica.linked(first, LinkPhase.SYNC);
        assertThat(syncing.syncing()).isTrue();
        assertThat(syncing.streaming()).isFalse();
        ReplicationRole up = syncing.linked(first, LinkPhase.CONNECTED);
        assertThat(up.streaming()).isTrue();
        assertThat(up.link().text()).isEqualTo("connected");

        // REPLICAOF another primary: a new link, not connected; the old link's last word (its close) changes nothing
        ReplicationRole moved = up.replicaOf("10.0.0.3", 6379, 2_000);
        assertThat(moved.generation()).isGreaterThan(first);
        assertThat(moved.link()).isEqualTo(LinkPhase.CONNECT);
        assertThat(moved.linked(first, LinkPhase.CONNECTED)).isSameAs(moved);
        assertThat(moved.linked(moved.generation(), LinkPhase.HANDSHAKE).link()).isEqualTo(LinkPhase.HANDSHAKE);

        // REPLICAOF NO ONE: a primary, which no link's phase makes a replica again
        ReplicationRole promoted = up.promoted();
        assertThat(promoted.replica()).isFalse();
        assertThat(promoted.link()).isNull();
        assertThat(promoted.linked(first, LinkPhase.CONNECTED)).isSameAs(promoted);
        assertThat(promoted.linked(promoted.generation(), LinkPhase.CONNECTED)).isSameAs(promoted);
        assertThat(promoted.replicaOf("10.0.0.2", 6379, 3_000).generation()).as("each REPLICAOF a new link's key")
                .isGreaterThan(promoted.generation());
    }
}
