package io.percore.demo.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.feed.Change;
import io.percore.demo.kv.ValueStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The write path's rules on one shard, without a server: units, effects, the store's own deletions, transactions. */
class WritePathTest {

    private final io.percore.demo.kv.Databases databases = new io.percore.demo.kv.Databases(16);
    private final ShardReservation reservation = new ShardReservation();
    private final WritePath writes = new WritePath(3, databases, reservation, new io.percore.demo.tracking.TrackingShard(3, 4, databases.memory()), null);
    private final ValueStore store = databases.get(0);
    private final List<Change> changes = new ArrayList<>();

    WritePathTest() {
        reservation.onRelease(writes::released);
        writes.listen(changes::add);
    }

    @Test
    void aUnitThatWroteReportsItsCommandOnceAtItsEnd() {
        writes.begin(0);
        store.setString(b("k"), b("v"), ValueStore.NO_EXPIRY);
        assertThat(changes).as("nothing before the unit ends").isEmpty();
        writes.end(0, argv("SET k v"));
        assertThat(changes).hasSize(1);
        Change c = changes.get(0);
        assertThat(c.shard()).isEqualTo(3);
        assertThat(c.grouped()).isFalse();
        assertThat(text(c)).containsExactly("SET k v");
        assertThat(c.keys()).extracting(k -> new String(k, StandardCharsets.US_ASCII)).containsExactly("k");
        assertThat(c.cause()).isEqualTo("set");
    }

    @Test
    void anEffectTheCommandReportsReplacesItsArguments() {
        writes.begin(0);
        store.setString(b("k"), b("v"), 123_456_789L);
        writes.database(0).propagate(argv("SET k v PXAT 123456789"));
        writes.end(0, argv("SETEX k 10 v"));
        assertThat(changes).hasSize(1);
        assertThat(text(changes.get(0))).containsExactly("SET k v PXAT 123456789");
    }

    @Test
    void aUnitThatChangedNothingReportsNothing() {
        writes.begin(0);
        store.exists(b("missing"), System.currentTimeMillis());
        writes.end(0, argv("GET missing"));
        assertThat(changes).isEmpty();
    }

    @Test
    void nestedUnitsReportOnceWhenTheOutermostEnds() {
        writes.begin(0);
        writes.begin(0);
        store.setString(b("a"), b("1"), ValueStore.NO_EXPIRY);
        writes.end(0, argv("SET a 1"));
        assertThat(changes).isEmpty();
        store.setString(b("b"), b("2"), ValueStore.NO_EXPIRY);
        writes.database(0).propagate(argv("SET b 2"));
        writes.end();
        assertThat(changes).hasSize(1);
        assertThat(text(changes.get(0))).containsExactly("SET a 1", "SET b 2");
    }

    @Test
    void aWriteThatReportsNothingIsADefect() {
        assertThat(WritePath.STRICT).as("the build runs the tests strict").isTrue();
        writes.begin(0);
        store.setString(b("k"), b("v"), ValueStore.NO_EXPIRY);
        assertThatThrownBy(() -> writes.end()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reported no effect");
        assertThat(writes.unreportedWrites()).isEqualTo(1);
    }

    @Test
    void aKeyThatExpiredIsReportedAsItsDeletionInOrder() {
        long now = System.currentTimeMillis();
        writes.begin(0);
        store.setString(b("old"), b("v"), now + 5);
        writes.end(0, argv("SET old v PXAT " + (now + 5)));
        writes.begin(0);
        store.setString(b("other"), b("1"), ValueStore.NO_EXPIRY);
        store.exists(b("old"), now + 10); // found expired: deleted by the store
        writes.end(0, argv("SET other 1"));
        // before the command's own effect: the command saw the key gone (GET old, then SET old, replays right)
        assertThat(changes).extracting(WritePathTest::text).containsExactly(
                List.of("SET old v PXAT " + (now + 5)), List.of("DEL old"), List.of("SET other 1"));
        assertThat(changes.get(1).cause()).isEqualTo("expired");
    }

    @Test
    void aTransactionsChangesAreReportedWhenItReleasesTheShardWithTheirSteps() {
        long tx = 42;
        reservation.reserve(tx);
        writes.begin(1);
        store.setString(b("a"), b("1"), ValueStore.NO_EXPIRY);
        writes.end(0, argv("SET a 1"));
        writes.begin(3);
        store.setString(b("a"), b("2"), ValueStore.NO_EXPIRY);
        writes.end(0, argv("SET a 2"));
        assertThat(changes).as("held until the release").isEmpty();
        BitSet participants = new BitSet();
        participants.set(3);
        participants.set(5);
        reservation.release(tx, participants);
        assertThat(changes).hasSize(1);
        Change part = changes.get(0);
        assertThat(part.group()).isEqualTo(tx);
        assertThat(part.participants()).isEqualTo(participants);
        assertThat(part.steps()).containsExactly(1, 3);
        assertThat(text(part)).containsExactly("SET a 1", "SET a 2");
    }

    @Test
    void aTransactionSpanningShardsReportsAnEmptyPartWhereItChangedNothing() {
        reservation.reserve(7);
        BitSet participants = new BitSet();
        participants.set(0, 2);
        reservation.release(7, participants);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).commands()).isEmpty();
        assertThat(changes.get(0).group()).isEqualTo(7);

        reservation.reserve(8);
        BitSet alone = new BitSet();
        alone.set(3);
        reservation.release(8, alone);
        assertThat(changes).as("a transaction of one shard that changed nothing reports nothing").hasSize(1);
    }

    @Test
    void watchedKeysSeeEveryChangeTheStoreReports() {
        long now = System.currentTimeMillis();
        long version = writes.database(0).watch(b("w"), now);
        assertThat(writes.database(0).watchedKeyChanged(b("w"), version, now)).isFalse();
        writes.begin(0);
        store.setString(b("w"), b("v"), ValueStore.NO_EXPIRY);
        writes.end(0, argv("SET w v"));
        assertThat(writes.database(0).watchedKeyChanged(b("w"), version, now)).isTrue();
        writes.database(0).unwatch(b("w"));
        assertThat(writes.watchedKeys()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] argv(String command) {
        String[] words = command.split(" ");
        byte[][] argv = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            argv[i] = b(words[i]);
        }
        return argv;
    }

    private static List<String> text(Change c) {
        List<String> out = new ArrayList<>();
        for (byte[][] argv : c.commands()) {
            List<String> words = new ArrayList<>();
            for (byte[] a : argv) {
                words.add(new String(a, StandardCharsets.US_ASCII));
            }
            out.add(String.join(" ", words));
        }
        return out;
    }
}
