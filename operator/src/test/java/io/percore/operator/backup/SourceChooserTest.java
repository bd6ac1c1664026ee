package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SourceChooserTest {

    static SourceState primary(int port, long offset) {
        return new SourceState(new SourceAddress("10.0.0.1", port), null, null, "master", false, false, offset, "7.0.15");
    }

    static SourceState replica(int port, boolean linkUp, boolean syncing, long offset) {
        return new SourceState(new SourceAddress("10.0.0.1", port), null, null, "slave", linkUp, syncing, offset, "7.0.15");
    }

    static SourceState down(int port, Failure failure) {
        return SourceState.unreachable(new SourceAddress("10.0.0.1", port), failure, "connection refused");
    }

    @Test
    void aReplicaInSyncWithTheHighestOffsetIsChosenOverThePrimary() throws BackupException {
        SourceChooser.Choice c = SourceChooser.choose(List.of(primary(1, 900), replica(2, true, false, 800), replica(3, true, false, 850),
                replica(4, true, true, 900), replica(5, false, false, 899)));
        assertThat(c.source().address().port()).isEqualTo(3);
        assertThat(c.why()).isEqualTo("a replica in sync with the highest offset");
        assertThat(SourceChooser.choose(List.of(replica(2, true, false, 5), replica(3, true, false, 5))).source().address().port())
                .as("a tie: the first listed").isEqualTo(2);
    }

    @Test
    void withoutAReplicaInSyncThePrimary() throws BackupException {
        SourceChooser.Choice c = SourceChooser.choose(List.of(replica(2, false, false, 10), down(3, Failure.SOURCE_UNREACHABLE), primary(1, 5)));
        assertThat(c.source().address().port()).isEqualTo(1);
        assertThat(c.why()).isEqualTo("no replica in sync: the primary");
        assertThat(SourceChooser.choose(List.of(primary(1, 5))).why()).isEqualTo("the only source, a primary");
    }

    @Test
    void refusalsSayWhy() {
        assertThatThrownBy(() -> SourceChooser.choose(List.of(primary(1, 5), primary(2, 6))))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.failure()).isEqualTo(Failure.NO_SOURCE_IN_SYNC);
                    assertThat(e.getMessage()).contains("several primaries").contains("10.0.0.1:1 (primary, offset 5)");
                });
        assertThatThrownBy(() -> SourceChooser.choose(List.of(replica(2, false, false, 10), replica(3, true, true, 10))))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.failure()).isEqualTo(Failure.NO_SOURCE_IN_SYNC);
                    assertThat(e.getMessage()).contains("10.0.0.1:2 (replica, link down)", "10.0.0.1:3 (replica, loading a full sync)");
                });
        assertThatThrownBy(() -> SourceChooser.choose(List.of(down(1, Failure.SOURCE_UNREACHABLE), down(2, Failure.SOURCE_REFUSED))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.failure()).isEqualTo(Failure.SOURCE_UNREACHABLE));
        assertThatThrownBy(() -> SourceChooser.choose(List.of(down(1, Failure.SOURCE_REFUSED))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.failure()).as("every source refused our password")
                        .isEqualTo(Failure.SOURCE_REFUSED));
    }

    @Test
    void infoIsRead() {
        SourceState s = SourceState.fromInfo(new SourceAddress("h", 1), "# Server\r\nredis_version:7.0.15\r\n# Replication\r\nrole:slave\r\n"
                + "master_link_status:up\r\nmaster_sync_in_progress:0\r\nslave_repl_offset:4711\r\nmaster_repl_offset:4711\r\n");
        assertThat(s.replicaInSync()).isTrue();
        assertThat(s.offset()).isEqualTo(4711);
        assertThat(s.version()).isEqualTo("7.0.15");
    }
}
