package io.percore.demo.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A real redis-server (the Debian package the build installs) on a free loopback port, without
 * persistence: the counterpart the parity tests compare the demo's replies with.
 */
public final class RealRedis implements AutoCloseable {

    private final Process process;
    private final int port;

    private RealRedis(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts redis-server and waits (at most 20 s) until it answers PING. */
    public static RealRedis start() throws Exception {
        return start(new String[0]);
    }

    /** ... with more configuration, e.g. {@code "--databases", "1"} for a single-database server like the demo. */
    public static RealRedis start(String... options) throws Exception {
        int port = TestPorts.free();
        // a replica's full sync starts at once, not after the 5 s Redis waits for other replicas to share it (as
        // DemoSettings.forTests()); options given after it win, as in a redis.conf
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0"));
        if (!List.of(options).contains("--dir")) {
            // its own directory: a replica's or a disk-based sync's dump.rdb never lands in the build's working directory,
            // where the next redis-server would load it
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("redis-" + port + "-");
            dir.toFile().deleteOnExit();
            command.addAll(List.of("--dir", dir.toString()));
        }
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (RespTestClient c = new RespTestClient(port)) {
                Object pong = c.cmd("PING");
                if ("PONG".equals(pong) || String.valueOf(pong).contains("NOAUTH")) { // answering: up (with --requirepass, NOAUTH)
                    return new RealRedis(process, port);
                }
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    process.destroy();
                    throw new IllegalStateException("redis-server did not start: PING answered " + pong);
                }
                Thread.sleep(50);
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    process.destroy();
                    throw new IllegalStateException("redis-server did not start", e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** The process (a test stops and resumes it to play a slow or dead peer). */
    public Process process() {
        return process;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** A check run on one connection to redis-server and one to the demo, both in protocol {@code proto}. */
    @FunctionalInterface
    public interface ParityCheck {
        void run(RespTestClient redis, RespTestClient ours, String proto) throws IOException;
    }

    /** Runs {@code check} on a fresh connection to each server, both switched to RESP2, then again in RESP3. */
    public void inBothProtocols(int demoPort, ParityCheck check) throws IOException {
        inBothProtocols(demoPort, false, check);
    }

    /** ... with both clients {@link RespTestClient#binary()} when {@code binary}: bulk strings compared byte for byte. */
    public void inBothProtocols(int demoPort, boolean binary, ParityCheck check) throws IOException {
        for (String proto : new String[] {"2", "3"}) {
            try (RespTestClient r = new RespTestClient(port); RespTestClient d = new RespTestClient(demoPort)) {
                if (binary) {
                    r.binary();
                    d.binary();
                }
                r.cmd("HELLO", proto);
                d.cmd("HELLO", proto);
                check.run(r, d, proto);
            }
        }
    }

    /** Sends each command to redis-server and to the demo; the replies, after {@code normalize}, must be equal. */
    public static void sameReplies(RespTestClient redis, RespTestClient ours, String proto, String[][] commands,
                                   UnaryOperator<Object> normalize) throws IOException {
        for (String[] command : commands) {
            assertThat(normalize.apply(ours.cmd(command))).as("RESP" + proto + ": " + String.join(" ", command))
                    .isEqualTo(normalize.apply(redis.cmd(command)));
        }
    }

    /**
     * A reply with its lists of lists or maps sorted (FUNCTION LIST's libraries and a library's
     * functions: Redis lists them in its dicts' order, which a random hash seed makes differ from
     * run to run); anything else as it is.
     */
    @SuppressWarnings("unchecked")
    public static Object listsUnordered(Object reply) {
        if (reply instanceof List<?> list) {
            List<Object> inner = new ArrayList<>(list.stream().map(RealRedis::listsUnordered).toList());
            if (!inner.isEmpty() && inner.stream().allMatch(x -> x instanceof List<?> || x instanceof RespTestClient.Map3)) {
                inner.sort(Comparator.comparing(String::valueOf));
            }
            return inner;
        }
        if (reply instanceof RespTestClient.Map3 map) {
            return new RespTestClient.Map3((List<Object>) listsUnordered(map.keysAndValues()));
        }
        return reply;
    }

    /** A reply with its member lists sorted (sets have no order); anything else as it is. */
    public static Object sorted(Object reply) {
        if (reply instanceof RespTestClient.Set3 set) {
            return new RespTestClient.Set3(sortedList(set.members()));
        }
        if (reply instanceof List<?> list) {
            List<Object> inner = list.stream().map(RealRedis::sorted).collect(Collectors.toList());
            return inner.stream().allMatch(x -> x instanceof String) ? sortedList(inner) : inner;
        }
        return reply;
    }

    private static List<Object> sortedList(List<?> items) {
        List<Object> copy = new ArrayList<>(items);
        copy.sort(Comparator.comparing(String::valueOf));
        return copy;
    }
}
