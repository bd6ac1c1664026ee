package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MEMORY DOCTOR's report on each case it tells apart (the empty one is compared with redis-server's in
 * {@code DebugMemoryParityTest}): Redis's texts, in Redis's order, and Redis's thresholds, taken on this
 * server's figures; the allocator's fragmentation, which a JVM's resident set would always trip, never reported.
 */
class MemoryDoctorTest {

    private static final long MB = 1024 * 1024;

    /** Figures of a server using {@code used} bytes, its peak {@code peak}, with its clients, replicas and scripts. */
    private static MemoryOverhead figures(long used, long peak, long clientsBytes, long clients, long replicas, long replicaBuffers,
                                          int scripts) {
        // a resident set ten times the memory used and a committed heap twice the heap in use: Redis would call it fragmented
        return new MemoryOverhead(used, peak, 1024, replicaBuffers, clientsBytes, 0, 0, used - clientsBytes,
                List.<long[]>of(new long[] {0, 10, 0}), clients + replicas, replicas, scripts, used, 2 * used, 10 * used);
    }

    @Test
    void underFiveMegabytesTheInstanceIsEmpty() {
        assertThat(MemoryDoctor.report(figures(5 * MB - 1, 50 * MB, 4 * MB, 1, 0, 0, 5000))).isEqualTo(MemoryDoctor.EMPTY)
                .startsWith("Hi Sam, this instance is empty or is using very little memory");
    }

    @Test
    void withoutAnIssueItSaysSo() {
        String report = MemoryDoctor.report(figures(5 * MB, (long) (7.5 * MB), 200 * 1024, 1, 1, 10 * MB, 1000));
        assertThat(report).isEqualTo(MemoryDoctor.NO_ISSUE)
                .isEqualTo("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
    }

    @Test
    void eachIssueInRedisesOrderBetweenTheGreetingAndTheClosing() {
        String report = MemoryDoctor.report(figures(10 * MB, 16 * MB, 3 * 200 * 1024 + 3, 3, 2, 10 * MB + 1, 1001));
        assertThat(report).startsWith("Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory:")
                .endsWith("most of your memory.\n\nI'm here to keep you safe, Sam. I want to help you.\n")
                .doesNotContain("High total RSS", "High allocator fragmentation", "High allocator RSS overhead", "High process RSS overhead");
        assertThat(List.of(report.indexOf(" * Peak memory:"), report.indexOf(" * Big replica buffers:"),
                report.indexOf(" * Big client buffers:"), report.indexOf(" * Many scripts:"))).isSorted().doesNotContain(-1);
    }

    @Test
    void oneIssueAlone() {
        assertThat(MemoryDoctor.report(figures(10 * MB, 10 * MB, 6 * MB, 2, 0, 0, 0)))
                .contains(" * Big client buffers: The clients output buffers in this instance are greater than 200K per client")
                .doesNotContain("Peak memory", "replica buffers", "Many scripts");
        assertThat(MemoryDoctor.report(figures(10 * MB, 10 * MB, 0, 1, 0, 0, 1001)))
                .contains(" * Many scripts:").doesNotContain("Peak memory", "client buffers");
        // replicas' buffers count only with replicas
        assertThat(MemoryDoctor.report(figures(20 * MB, 20 * MB, 0, 1, 0, 11 * MB, 0))).isEqualTo(MemoryDoctor.NO_ISSUE);
    }

    @Test
    void statsAddUpAsRedisesDo() {
        MemoryOverhead mh = figures(10 * MB, 20 * MB, 2 * MB, 2, 1, 3 * MB, 0);
        assertThat(mh.overheadTotal() + mh.dataset()).isEqualTo(mh.totalAllocated());
        assertThat(mh.peakPercentage()).isEqualTo(50f);
        assertThat(mh.totalKeys()).isEqualTo(10);
        assertThat(mh.bytesPerKey()).isEqualTo(MB);
        assertThat(mh.fragmentation()).isEqualTo(10f);
        assertThat(mh.allocatorFragmentation()).isEqualTo(2f);
    }
}
