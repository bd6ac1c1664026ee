package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.CpuClock;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client that knows the hash function can send fields or members that all collide: 32,768
 * strings of fifteen "Aa"/"BB" pairs share one {@code Arrays.hashCode}. With that as the maps' hash
 * every insert scanned all the others (about 5 * 10^8 comparisons for one hash); with the seeded
 * hash and comparable keys each stays cheap.
 */
class HashFloodTest {

    private static List<String> colliding(int pairs) {
        List<String> out = new ArrayList<>(1 << pairs);
        for (int bits = 0; bits < 1 << pairs; bits++) {
            StringBuilder s = new StringBuilder(2 * pairs);
            for (int i = 0; i < pairs; i++) {
                s.append((bits >>> i & 1) == 0 ? "Aa" : "BB");
            }
            out.add(s.toString());
        }
        return out;
    }

    @Test
    void collidingFieldsAndMembersDoNotMakeAShardScan() throws Exception {
        List<String> fields = colliding(15);
        assertThat(fields.stream().map(String::hashCode).distinct().count()).isEqualTo(1);
        try (TestServices demo = TestServices.start(1, DemoSettings.forTests());
             RespTestClient c = new RespTestClient(demo.respPort())) {
            long cpuBefore = CpuClock.shardMillis(c);
            for (int from = 0; from < fields.size(); from += 1024) {
                List<String> hset = new ArrayList<>(List.of("HSET", "flood:h"));
                List<String> sadd = new ArrayList<>(List.of("SADD", "flood:s"));
                for (String f : fields.subList(from, Math.min(fields.size(), from + 1024))) {
                    hset.add(f);
                    hset.add("v");
                    sadd.add(f);
                }
                c.cmd(hset.toArray(new String[0]));
                c.cmd(sadd.toArray(new String[0]));
            }
            assertThat(c.cmd("HLEN", "flood:h")).isEqualTo((long) fields.size());
            assertThat(c.cmd("SCARD", "flood:s")).isEqualTo((long) fields.size());
            assertThat(c.cmd("HGET", "flood:h", fields.get(12345))).isEqualTo("v");
            // The shard thread's own CPU time, not the wall clock: a loaded machine stretches the
            // latter, not the former. With Arrays.hashCode this took ~15 s of the shard; here ~1 s.
            long millis = CpuClock.shardMillis(c) - cpuBefore;
            assertThat(millis).as("32,768 colliding fields and members took %d ms of the shard's CPU", millis).isLessThan(5_000);
        }
    }

}
