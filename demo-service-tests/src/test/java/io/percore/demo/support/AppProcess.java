package io.percore.demo.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The Spring Boot application ({@code DemoApplication}) in a JVM of its own, started as a user runs
 * it (the test class path stands for the jar, {@link ChildJvm}): for what only a real process shows, SIGTERM and
 * SIGKILL. Listens on free ports; {@code args} add {@code --key=value} properties.
 */
public final class AppProcess implements AutoCloseable {

    private final Process process;
    private final int respPort;
    private final ProcessOutput output;

    private AppProcess(Process process, int respPort) {
        this.process = process;
        this.respPort = respPort;
        this.output = new ProcessOutput(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), "",
                "app-process-output");
    }

    /** The ports a process listens on, kept to start it again in place. */
    public record Ports(int resp, int http, int management) {
        public static Ports free() throws IOException {
            return new Ports(freePort(), freePort(), freePort());
        }
    }

    /** Starts the app and returns once its RESP port accepts connections (at most a minute). */
    public static AppProcess start(int shards, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        return start(Ports.free(), shards, jvmOptions, args);
    }

    /** ... on {@code ports} (a node restarted in place). */
    public static AppProcess start(Ports ports, int shards, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        int resp = ports.resp();
        List<String> command = ChildJvm.command();
        // Started over and over to be killed: C2's compile threads and G1's start-up are a second or two of each start on
        // two cores, and no test of it measures throughput against a fixed figure (ProcessKillTest's loss bound is the
        // rate it measured in the same process). The caller's options come after and win.
        command.addAll(ChildJvm.OPTIONS);
        command.addAll(jvmOptions);
        command.add("io.percore.demo.app.DemoApplication");
        command.add("--percore.servers.resp.port=" + resp);
        command.add("--percore.servers.http.port=" + ports.http());
        command.add("--management.server.port=" + ports.management());
        command.add("--percore.engine.shards=" + shards);
        command.add("--percore.engine.idle-poll=0s");
        if (java.util.Arrays.stream(args).noneMatch(a -> a.startsWith("--percore.demo.replication.repl-diskless-sync-delay="))) {
            // as DemoSettings.forTests(): a replica's full sync starts at once, not after Redis's 5 s wait for others to share
            // it (a test of that wait sets its own; a property given twice would be read as both values, comma-joined)
            command.add("--percore.demo.replication.repl-diskless-sync-delay=0");
        }
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        AppProcess app = new AppProcess(process, resp);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3); // a bound on a hung start: at a load of 50 a start took over a minute
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the app ended before it listened:\n" + app.output());
            }
            try (RespTestClient c = new RespTestClient(resp)) {
                // listening while it loads its snapshot (-LOADING): started once it answers
                if ("PONG".equals(c.cmd("PING"))) {
                    return app;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new IOException("the app did not listen within a minute:\n" + app.output());
    }

    /** One start of the app, to run beside others ({@link #startTogether}). */
    @FunctionalInterface
    public interface Start {
        AppProcess start() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code starts} side by side; their apps in the same order. A start is mostly one thread loading classes and
     * wiring Spring's context, so a second one on the other core costs a test little more than the first: a test that
     * needs two nodes before its subject begins need not wait for them in turn. When one start fails the apps the others
     * started are stopped, and its failure thrown.
     */
    public static List<AppProcess> startTogether(Start... starts) throws IOException, InterruptedException {
        List<CompletableFuture<AppProcess>> started = new ArrayList<>();
        for (Start start : starts) {
            started.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return start.start();
                } catch (IOException | InterruptedException e) {
                    throw new CompletionException(e);
                }
            }, r -> new Thread(r, "app-process-start").start()));
        }
        List<AppProcess> apps = new ArrayList<>();
        Throwable failed = null;
        for (CompletableFuture<AppProcess> f : started) {
            try {
                apps.add(f.join());
            } catch (CompletionException e) {
                failed = failed == null ? e.getCause() : failed;
            }
        }
        if (failed != null) {
            for (AppProcess app : apps) {
                app.close();
            }
            if (failed instanceof IOException io) {
                throw io;
            }
            if (failed instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IllegalStateException(failed);
        }
        return apps;
    }

    private static int freePort() throws IOException {
        return TestPorts.free();
    }

    public int respPort() {
        return respPort;
    }

    public String output() {
        return output.text() + (process.isAlive() ? "" : "[exit " + process.exitValue() + "]\n");
    }

    /**
     * Waits until it has printed {@code text} (a log line: the step of its stop or start a test needs it at); fails when it
     * ends first or after {@code bound}, with what it printed.
     */
    public void awaitOutput(String text, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!output.text().contains(text)) {
            if (!process.isAlive()) {
                output.awaitEnd(10_000);
                if (output.text().contains(text)) {
                    return;
                }
                throw new AssertionError("it ended without printing \"" + text + "\":\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + text + "\" in its output within " + bound + ":\n" + output());
            }
            Thread.sleep(20);
        }
    }

    /** SIGTERM, as Kubernetes stops a pod (through the handle: Process.destroy would also close the output we read). */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL: nothing of the process runs after it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits for the process to end (and its output to be read); false if it is still alive after {@code seconds}. */
    public boolean waitFor(long seconds) throws InterruptedException {
        boolean ended = process.waitFor(seconds, TimeUnit.SECONDS);
        if (ended) {
            output.awaitEnd(10_000);
        }
        return ended;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
