package io.percore.engine.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import net.openhft.affinity.Affinity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins threads to explicit CPU ids through OpenHFT Affinity's {@code sched_setaffinity}
 * binding. Its lock inventory ({@code AffinityLock}) is deliberately not used: it reads the
 * host's {@code /proc/cpuinfo} and never hands out CPU 0, both wrong inside a container whose
 * cpuset is, say, {@code 0-1}.
 */
public final class CpuPinning {

    private static final Logger log = LoggerFactory.getLogger(CpuPinning.class);
    private static final AtomicBoolean warned = new AtomicBoolean();
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

    private CpuPinning() {
    }

    /**
     * Restricts the calling thread to {@code cpu}. Returns false, logging one WARN per JVM, when
     * the platform cannot pin (not Linux, JNA unavailable, CPU not permitted); the caller then
     * runs unpinned rather than failing.
     */
    public static boolean pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu > CpuSet.MAX_CPU_ID) {
            throw new IllegalArgumentException("CPU id " + cpu + " is outside 0.." + CpuSet.MAX_CPU_ID);
        }
        if (!LINUX) {
            warnOnce("thread pinning is only supported on Linux (os.name=" + System.getProperty("os.name") + ")", null);
            return false;
        }
        BitSet wanted = new BitSet();
        wanted.set(cpu);
        try {
            Affinity.setAffinity(wanted);
        } catch (RuntimeException | LinkageError e) {
            warnOnce("cannot pin thread " + Thread.currentThread().getName() + " to CPU " + cpu, e);
            return false;
        }
        // The null implementation (no JNA) silently ignores the call: check what the kernel says.
        CpuSet now = currentAffinity();
        if (!now.equals(CpuSet.of(cpu))) {
            warnOnce("pinning thread " + Thread.currentThread().getName() + " to CPU " + cpu
                    + " did not take effect (affinity is " + now + ")", null);
            return false;
        }
        return true;
    }

    /**
     * The calling thread's CPU affinity, from {@code sched_getaffinity}, falling back to
     * {@code /proc/thread-self/status} when the native binding is unavailable.
     */
    public static CpuSet currentAffinity() {
        if (LINUX) {
            try {
                BitSet bits = Affinity.getAffinity();
                if (bits != null && !bits.isEmpty()) {
                    return CpuSet.fromBitSet(bits);
                }
            } catch (RuntimeException | LinkageError e) {
                log.debug("sched_getaffinity through OpenHFT Affinity failed: {}", e.toString());
            }
            try {
                for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                    if (line.startsWith("Cpus_allowed_list:")) {
                        return CpuSet.parse(line.substring("Cpus_allowed_list:".length()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.debug("cannot read /proc/thread-self/status: {}", e.toString());
            }
        }
        return CpuSet.empty();
    }

    private static void warnOnce(String message, Throwable cause) {
        if (warned.compareAndSet(false, true)) {
            if (cause == null) {
                log.warn("{}; shards will run unpinned (further pinning failures are not logged)", message);
            } else {
                log.warn("{}; shards will run unpinned (further pinning failures are not logged)", message, cause);
            }
        } else {
            log.debug(message, cause);
        }
    }
}
