package io.percore.engine.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class CpuPinningTest {

    record Observed(boolean pinned, CpuSet viaAffinity, CpuSet viaProc, CpuSet before) {
    }

    @Test
    void pinsAFreshThreadToAnAllowedCpu() throws Exception {
        HostTopology topo = HostTopology.detect();
        // A new thread inherits its creator's affinity, which other tests may have narrowed.
        CpuSet inherited = CpuPinning.currentAffinity();
        CpuSet candidates = topo.allowedCpus().intersect(inherited);
        assertThat(candidates.isEmpty()).as("allowed %s, this thread %s", topo.allowedCpus(), inherited).isFalse();
        // The last candidate: not CPU 0 on a multi-CPU host (which the OpenHFT lock inventory
        // would never hand out), so this proves the explicit id is used.
        int target = candidates.toArray()[candidates.size() - 1];
        CompletableFuture<Observed> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                CpuSet before = CpuPinning.currentAffinity();
                boolean pinned = CpuPinning.pinCurrentThread(target);
                result.complete(new Observed(pinned, CpuPinning.currentAffinity(), procThreadAffinity(), before));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "pin-test");
        thread.start();
        Observed observed = result.get(30, TimeUnit.SECONDS);
        thread.join();

        assertThat(observed.before()).isEqualTo(inherited);
        assertThat(observed.pinned()).isTrue();
        assertThat(observed.viaAffinity()).isEqualTo(CpuSet.of(target));
        assertThat(observed.viaProc()).isEqualTo(CpuSet.of(target));
        // Only that thread was pinned.
        assertThat(CpuPinning.currentAffinity()).isEqualTo(inherited);
    }

    @Test
    void pinningToADisallowedCpuFailsWithoutThrowing() throws Exception {
        HostTopology topo = HostTopology.detect();
        int outside = topo.onlineCpus().toArray()[topo.onlineCpus().size() - 1] + 1000;
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> result.complete(CpuPinning.pinCurrentThread(outside)), "pin-fail-test");
        thread.start();

        assertThat(result.get(30, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void rejectsImpossibleCpuIds() {
        assertThatThrownBy(() -> CpuPinning.pinCurrentThread(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static CpuSet procThreadAffinity() throws Exception {
        return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> CpuSet.parse(l.substring("Cpus_allowed_list:".length())))
                .findFirst().orElseThrow();
    }
}
