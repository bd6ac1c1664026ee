package io.percore.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test servers' start: a port taken between its check and the server's bind is not a failed test; a missing jar is. */
class ServiceProcessTest {

    @TempDir
    Path dir;

    @Test
    void aServerWhosePortWasTakenIsStartedAgainOnAnother() throws Exception {
        List<Integer> ports = new ArrayList<>();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServiceProcess server = ServiceProcess.started(port -> {
                 ports.add(port);
                 // the first try binds a port someone holds, as one taken after the check would be
                 return redis(ports.size() == 1 ? taken.getLocalPort() : port);
             }, dir, null, null, Duration.ofSeconds(20));
             TestResp c = new TestResp(server.port, null, null)) {
            assertThat(c.call("PING")).isEqualTo("PONG");
            assertThat(ports).hasSize(2).doesNotHaveDuplicates();
            assertThat(server.port).isEqualTo(ports.get(1));
        }
    }

    @Test
    void aServerThatFailsForAnotherReasonIsNotTriedAgain() {
        List<Integer> ports = new ArrayList<>();
        assertThatThrownBy(() -> ServiceProcess.started(port -> {
            ports.add(port);
            List<String> command = redis(port);
            command.add("--no-such-option");
            return command;
        }, dir, null, null, Duration.ofSeconds(20))).isInstanceOf(IOException.class).hasMessageContaining("did not start");
        assertThat(ports).hasSize(1);
    }

    @Test
    void aServiceJarTheBuildNamesButLacksFailsInsteadOfFallingBackToRedisServer() throws IOException {
        assertThat(ServiceProcess.service("")).as("no jar named (an IDE's run): redis-server").isFalse();
        String missing = dir.resolve("percore-demo-service-exec.jar").toString();
        assertThatThrownBy(() -> ServiceProcess.service(missing)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(missing).hasMessageContaining("-am");
        assertThat(ServiceProcess.service(java.nio.file.Files.createFile(Path.of(missing)).toString())).isTrue();
    }

    private List<String> redis(int port) {
        return new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString()));
    }
}
