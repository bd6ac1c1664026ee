package io.percore.demo.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a reader (the append-only file's writer, the replication stream) is handed, and what it counts as handed. */
class FeedOrderTest {

    private final List<String> out = new ArrayList<>();
    private final FeedOrder.Output recorder = new FeedOrder.Output() {
        @Override
        public void encoded(byte[] commands, int firstDb, int lastDb) {
            out.add("encoded " + new String(commands, StandardCharsets.US_ASCII));
        }

        @Override
        public void block(Block commands) {
            List<String> text = new ArrayList<>();
            commands.commands().forEach(argv -> text.add(new String(argv[0], StandardCharsets.US_ASCII)));
            out.add("block " + text);
        }

        @Override
        public void mark(long group) {
            out.add("mark " + group);
        }
    };

    @Test
    void aShardsChangesCountAsHandedOnlyOnceTheirGroupIsWhole() {
        FeedOrder feed = new FeedOrder(2);
        feed.created(0, 2);
        feed.created(1, 1);
        assertThat(feed.createdNow()).containsExactly(2, 1);

        feed.add(new FeedRecord.Encoded(0, 1, ascii("SET"), 0, 0), recorder);
        feed.add(new FeedRecord.Part(2, part(0, 9, "INCR")), recorder);
        assertThat(out).containsExactly("encoded SET");
        assertThat(feed.released(new long[] {1, 0})).isTrue();
        assertThat(feed.released(new long[] {2, 0})).as("shard 0's part waits for shard 1's").isFalse();

        feed.add(new FeedRecord.Part(1, part(1, 9, "DECR")), recorder);
        assertThat(out).containsExactly("encoded SET", "block [INCR, DECR]");
        assertThat(feed.released(feed.createdNow())).isTrue();
        long[] handed = new long[2];
        feed.releasedInto(handed);
        assertThat(handed).containsExactly(2, 1);
    }

    @Test
    void everyShardsMarkIsOneMarkAfterWhatCameBeforeIt() {
        FeedOrder feed = new FeedOrder(2);
        feed.add(new FeedRecord.Mark(1, 1, 4, both()), recorder);
        feed.add(new FeedRecord.Encoded(0, 1, ascii("SET"), 0, 0), recorder);
        assertThat(out).containsExactly("encoded SET");
        feed.add(new FeedRecord.Mark(0, 2, 4, both()), recorder);
        assertThat(out).containsExactly("encoded SET", "mark 4");
        assertThat(feed.released(new long[] {2, 1})).isTrue();
    }

    @Test
    void aGroupThatChangedNothingIsHandedAsNothingButCounts() {
        FeedOrder feed = new FeedOrder(2);
        feed.add(new FeedRecord.Part(1, new Change(0, 3, both(), List.of(), new int[0], null, List.of(), "exec")), recorder);
        feed.add(new FeedRecord.Part(1, new Change(1, 3, both(), List.of(), new int[0], null, List.of(), "exec")), recorder);
        assertThat(out).isEmpty();
        assertThat(feed.released(new long[] {1, 1})).isTrue();
    }

    private static Change part(int shard, long group, String command) {
        return new Change(shard, group, both(), List.<byte[][]>of(new byte[][] {ascii(command), ascii("k" + shard)}),
                new int[] {shard + 1}, null, List.of(), command.toLowerCase());
    }

    private static BitSet both() {
        BitSet b = new BitSet();
        b.set(0, 2);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
