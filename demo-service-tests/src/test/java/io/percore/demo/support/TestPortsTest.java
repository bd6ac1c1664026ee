package io.percore.demo.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPortsTest {

    @Test
    void eachTestJvmTakesItsOwnSliceOfTheRangeBelowTheSystemsOwnPorts() {
        TestPorts.Slice first = TestPorts.Slice.of("", "1", "3");
        TestPorts.Slice second = TestPorts.Slice.of("", "2", "3");
        TestPorts.Slice third = TestPorts.Slice.of("", "3", "3");
        assertThat(first.from()).isEqualTo(20000);
        assertThat(second.from()).isEqualTo(first.from() + first.size());
        assertThat(third.from()).isEqualTo(second.from() + second.size());
        assertThat(third.from() + third.size() - 1)
                .as("below Linux's ephemeral ports (32768-60999) and Kubernetes' NodePorts (30000-32767)").isLessThan(30000);
        assertThat(TestPorts.Slice.of("", "${surefire.forkNumber}", "")).as("outside surefire: the whole range")
                .isEqualTo(new TestPorts.Slice(20000, 10000));
    }

    @Test
    void aGivenRangeIsSlicedTheSameWay() {
        assertThat(TestPorts.Slice.of("7650-7699", "2", "2")).isEqualTo(new TestPorts.Slice(7675, 25));
        assertThatThrownBy(() -> TestPorts.Slice.of("7650-7651", "1", "3")).hasMessageContaining("fewer ports");
    }

    @Test
    void aPortHandedOutIsFreeAndInThisJvmsSlice() throws IOException {
        int port = TestPorts.free();
        assertThat(port).isBetween(TestPorts.SLICE.from(), TestPorts.SLICE.from() + TestPorts.SLICE.size() - 1);
        try (ServerSocket bound = new ServerSocket(port)) {
            assertThat(bound.getLocalPort()).isEqualTo(port);
        }
        assertThat(TestPorts.free()).as("not the same port twice in a row").isNotEqualTo(port);
    }

    /**
     * Two test JVMs numbered into one slice (surefire numbers forks across the modules a parallel reactor runs) never
     * hand out the same port: a port another JVM has taken is not taken here until that JVM is gone.
     */
    @Test
    void aPortAnotherJvmTookIsNotTakenHereUntilItExits(@TempDir Path dir) throws Exception {
        Path holder = dir.resolve("Holder.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        if (c.tryLock() == null) throw new IllegalStateException("not locked");
                        System.out.println("held");
                        System.in.read(); // until the test closes our input
                    }
                }
                """);
        Path locks = dir.resolve("locks");
        Files.createDirectories(locks);
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", holder.toString(), locks.resolve("20007.lock").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("held");
            assertThat(TestPorts.take(locks, 20007)).as("taken by the other JVM").isFalse();
            assertThat(TestPorts.take(locks, 20008)).as("a port no one took").isTrue();
            assertThat(TestPorts.take(locks, 20008)).as("handed out here already").isFalse();
        } finally {
            other.getOutputStream().close();
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(TestPorts.take(locks, 20007)).as("free again once the other JVM has exited").isTrue();
    }
}
