package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuiescenceSignalTest {

    @Test
    void readsWhatTheShardPublishedWhileItStaysQuiet() {
        QuiescenceSignal signal = new QuiescenceSignal();
        QuiescenceSignal.Snapshot look = new QuiescenceSignal.Snapshot(1);
        assertThat(signal.readInto(look, 0)).as("busy until it says otherwise").isFalse();

        signal.publishQuiet(7, 3, 2, 5);
        assertThat(signal.readInto(look, 0)).isTrue();
        assertThat(look.turn[0]).isEqualTo(7);
        assertThat(look.sent[0]).isEqualTo(3);
        assertThat(look.received[0]).isEqualTo(2);
        assertThat(look.foreignTaken[0]).isEqualTo(5);

        signal.publishBusy();
        assertThat(signal.readInto(look, 0)).isFalse();
    }

    @Test
    void snapshotsTellMessagesInFlightAndTurnsRun() {
        QuiescenceSignal a = new QuiescenceSignal();
        QuiescenceSignal b = new QuiescenceSignal();
        QuiescenceSignal.Snapshot first = new QuiescenceSignal.Snapshot(2);
        QuiescenceSignal.Snapshot second = new QuiescenceSignal.Snapshot(2);

        a.publishQuiet(10, 1, 0, 0); // a sent one message...
        b.publishQuiet(4, 0, 0, 0);  // ...that b has not taken yet
        assertThat(a.readInto(first, 0) && b.readInto(first, 1)).isTrue();
        assertThat(first.meshEmpty()).isFalse();

        b.publishBusy();
        b.publishQuiet(5, 0, 1, 0);
        assertThat(a.readInto(second, 0) && b.readInto(second, 1)).isTrue();
        assertThat(second.meshEmpty()).isTrue();
        assertThat(second.sameTurns(first)).as("b ran a turn in between").isFalse();
        assertThat(second.sameTurns(second)).isTrue();
    }
}
