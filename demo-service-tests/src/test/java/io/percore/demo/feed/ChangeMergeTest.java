package io.percore.demo.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeMergeTest {

    @Test
    void changesOutsideGroupsPassAtOnceInEachShardsOrder() {
        ChangeMerge merge = new ChangeMerge(2);
        assertThat(text(merge.add(alone(0, "SET a 1")))).containsExactly("SET a 1");
        assertThat(text(merge.add(alone(1, "SET b 1")))).containsExactly("SET b 1");
        assertThat(text(merge.add(alone(0, "DEL a")))).containsExactly("DEL a");
        assertThat(merge.waiting()).isZero();
    }

    @Test
    void aGroupWaitsForEveryPartAndHoldsBackWhatCameAfterItOnItsShards() {
        ChangeMerge merge = new ChangeMerge(3);
        // shard 0 reports its part of transaction 7 (steps 1 and 3), then a later write of its own
        assertThat(merge.add(part(0, 7, shards(0, 1), new int[] {1, 3}, "SET a 1", "INCR a"))).isEmpty();
        assertThat(merge.add(alone(0, "SET a 9"))).isEmpty();
        // shard 2 is not in the group: its writes go on
        assertThat(text(merge.add(alone(2, "SET c 1")))).containsExactly("SET c 1");
        // shard 1 reports a write from before the transaction held it, then its part (step 2)
        assertThat(text(merge.add(alone(1, "SET b 0")))).containsExactly("SET b 0");
        List<Block> released = merge.add(part(1, 7, shards(0, 1), new int[] {2}, "SET b 1"));
        assertThat(released).hasSize(2);
        assertThat(text(released.get(0))).as("one block, in the transaction's order").containsExactly("SET a 1", "SET b 1", "INCR a");
        assertThat(text(released.get(1))).containsExactly("SET a 9");
        assertThat(merge.waiting()).isZero();
    }

    @Test
    void anEmptyPartCompletesItsGroup() {
        ChangeMerge merge = new ChangeMerge(2);
        assertThat(merge.add(part(0, 5, shards(0, 1), new int[] {1}, "SET a 1"))).isEmpty();
        assertThat(text(merge.add(part(1, 5, shards(0, 1), new int[0])).get(0))).containsExactly("SET a 1");
    }

    @Test
    void everyParticipantsFlushallIsOneFlushall() {
        ChangeMerge merge = new ChangeMerge(2);
        merge.add(part(0, 3, shards(0, 1), new int[] {1, 2, 3}, "SET a 1", "FLUSHALL", "SET a 2"));
        List<Block> released = merge.add(part(1, 3, shards(0, 1), new int[] {2, 3}, "FLUSHALL", "SET b 2"));
        assertThat(text(released.get(0))).containsExactly("SET a 1", "FLUSHALL", "SET a 2", "SET b 2");
    }

    @Test
    void groupsSharingShardsComeOutInTheOrderEveryShardSawThem() {
        ChangeMerge merge = new ChangeMerge(2);
        merge.add(part(1, 1, shards(0, 1), new int[] {1}, "SET b first"));
        merge.add(part(1, 2, shards(0, 1), new int[] {1}, "SET b second"));
        assertThat(merge.add(part(0, 1, shards(0, 1), new int[] {1}, "SET a first"))).hasSize(1);
        List<Block> last = merge.add(part(0, 2, shards(0, 1), new int[] {1}, "SET a second"));
        assertThat(text(last.get(0))).containsExactly("SET a second", "SET b second");
    }

    @Test
    void aGroupsCommandsKeepTheirDatabasesAndOneSwapdbStandsForEveryParticipants() {
        ChangeMerge merge = new ChangeMerge(2);
        merge.add(new Change(0, 4, shards(0, 1), List.of(argv("SET a 1"), argv("SWAPDB 0 3"), argv("SET a 2")), new int[] {1, 2, 3},
                new int[] {3, 0, 0}, List.of(), "exec"));
        List<Block> released = merge.add(new Change(1, 4, shards(0, 1), List.of(argv("SWAPDB 0 3"), argv("SET b 2")), new int[] {2, 3},
                new int[] {0, 15}, List.of(), "exec"));
        assertThat(text(released.get(0))).containsExactly("SET a 1", "SWAPDB 0 3", "SET a 2", "SET b 2");
        assertThat(released.get(0).dbs()).containsExactly(3, 0, 0, 15);
    }

    @Test
    void aChangeOfDatabase0AloneCarriesNoDatabases() {
        ChangeMerge merge = new ChangeMerge(1);
        assertThat(merge.add(alone(0, "SET a 1")).get(0).dbs()).isNull();
        assertThat(merge.add(new Change(0, 0, null, List.<byte[][]>of(argv("SET a 1")), null, new int[] {7}, List.of(), "set"))
                .get(0).db(0)).isEqualTo(7);
    }

    // ------------------------------------------------------------------ helpers

    private static Change alone(int shard, String command) {
        return new Change(shard, 0, null, List.<byte[][]>of(argv(command)), null, null, List.of(), "test");
    }

    private static Change part(int shard, long group, BitSet participants, int[] steps, String... commands) {
        List<byte[][]> argvs = new ArrayList<>();
        for (String c : commands) {
            argvs.add(argv(c));
        }
        return new Change(shard, group, participants, argvs, steps, null, List.of(), "exec");
    }

    private static BitSet shards(int... ids) {
        BitSet b = new BitSet();
        for (int id : ids) {
            b.set(id);
        }
        return b;
    }

    private static byte[][] argv(String command) {
        String[] words = command.split(" ");
        byte[][] argv = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            argv[i] = words[i].getBytes(StandardCharsets.US_ASCII);
        }
        return argv;
    }

    private static List<String> text(Block block) {
        return text(block.commands());
    }

    private static List<String> text(List<?> blocks) {
        List<String> out = new ArrayList<>();
        for (Object item : blocks) {
            if (item instanceof Block block) {
                out.addAll(text(block.commands()));
            } else if (item instanceof byte[][] argv) {
                List<String> words = new ArrayList<>();
                for (byte[] a : argv) {
                    words.add(new String(a, StandardCharsets.US_ASCII));
                }
                out.add(String.join(" ", words));
            } else {
                out.addAll(text((List<?>) item));
            }
        }
        return out;
    }
}
