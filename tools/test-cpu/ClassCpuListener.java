package io.percore.tools.testcpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * tools/test-cpu.sh's listener, loaded by the test JVM through the service loader: per top-level test class, the CPU the
 * JVM spent while it ran (its own threads, and the children it started and reaped: redis-server, child JVMs, python), and
 * its wall time. With one fork the classes run one after another, so each delta is that class's alone.
 */
public final class ClassCpuListener implements TestExecutionListener {

    private long[] startTicks;
    private long startNanos;

    @Override
    public void executionStarted(TestIdentifier id) {
        if (isTopClass(id)) {
            startTicks = ticks();
            startNanos = System.nanoTime();
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (isTopClass(id) && startTicks != null) {
            long[] end = ticks();
            String row = String.format("%d %d %d %s%n", end[0] - startTicks[0], end[1] - startTicks[1],
                    (System.nanoTime() - startNanos) / 10_000_000, ((ClassSource) id.getSource().orElseThrow()).getClassName());
            try {
                Files.writeString(Path.of(System.getProperty("test.cpu.out")), row, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("ClassCpuListener: " + e);
            }
        }
    }

    private static boolean isTopClass(TestIdentifier id) {
        // the engine's id has no segment after it; a nested class's parent is its outer class, whose row counts it
        return id.getSource().orElse(null) instanceof ClassSource && id.getParentId().map(p -> !p.contains("/")).orElse(false);
    }

    /** Clock ticks of this process's own threads and of its reaped children, from /proc/self/stat. */
    private static long[] ticks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
        } catch (IOException e) {
            return new long[] {0, 0};
        }
    }
}
