package io.percore.demo.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time instead of the wall clock, for tests that bound how much work something takes: a loaded
 * machine stretches wall-clock time (the thread waits for a core), not the CPU time the work uses.
 */
public final class CpuClock {

    private CpuClock() {
    }

    /** The calling thread's CPU time so far, in milliseconds (for work done in the test's own thread). */
    public static long threadMillis() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.getCurrentThreadCpuTime() / 1_000_000;
    }

    /** The shard threads' CPU time so far, in milliseconds: INFO cpu's used_cpu_*_main_thread (their sum). */
    public static long shardMillis(RespTestClient client) throws IOException {
        double seconds = 0;
        for (String line : String.valueOf(client.cmd("INFO", "cpu")).split("\r\n")) {
            if (line.startsWith("used_cpu_user_main_thread:") || line.startsWith("used_cpu_sys_main_thread:")) {
                seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1));
            }
        }
        return Math.round(seconds * 1000);
    }
}
