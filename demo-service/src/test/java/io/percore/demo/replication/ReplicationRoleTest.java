package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The role's transitions: REPLICAOF demotes a primary, moves a replica keeping its demotion, REPLICAOF NO ONE ends both. */
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
    void noRoleNamesAPrimaryWithoutItsPortOrDemotesAPrimary() {
        assertThatThrownBy(() -> new ReplicationRole("h", 0, ReplicationRole.NOT_DEMOTED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReplicationRole(null, 0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReplicationRole(null, 6379, ReplicationRole.NOT_DEMOTED)).isInstanceOf(IllegalArgumentException.class);
    }
}
