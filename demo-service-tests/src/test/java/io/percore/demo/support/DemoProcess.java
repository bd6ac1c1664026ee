package io.percore.demo.support;

import io.percore.demo.DemoSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo in a JVM of its own, for attacks that must not take the test's JVM with them (a small
 * heap, an {@code OutOfMemoryError} that ends the process): {@link #main} starts it with the test
 * settings and prints its RESP port; closing stdin stops it.
 */
public final class DemoProcess implements AutoCloseable {

    private final Process process;
    private final int respPort;
    private ProcessOutput output;

    private DemoProcess(Process process, int respPort) {
        this.process = process;
        this.respPort = respPort;
    }

    /** Starts {@code shards} shards in a JVM with {@code jvmOptions} (such as {@code -Xmx64m}); returns once it listens. */
    public static DemoProcess start(int shards, String... jvmOptions) throws IOException {
        List<String> command = ChildJvm.command();
        command.addAll(List.of(jvmOptions));
        command.add(DemoProcess.class.getName());
        command.add(Integer.toString(shards));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder before = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("RESP ")) {
                DemoProcess demo = new DemoProcess(process, Integer.parseInt(line.substring(5)));
                demo.output = new ProcessOutput(out, before, "demo-process-output");
                return demo;
            }
            before.append(line).append('\n');
        }
        process.destroyForcibly();
        throw new IOException("the demo process ended before it listened:\n" + before);
    }

    public int respPort() {
        return respPort;
    }

    /** Its process id (a test sends it signals: SIGSTOP as a frozen pod, SIGCONT as its thaw). */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Its threads' stacks now (jcmd Thread.print), for a test that found it stuck. */
    public String threadDump() {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return jcmd.waitFor(30, TimeUnit.SECONDS) ? dump : dump + "\n(jcmd still running after 30 s)";
        } catch (IOException | InterruptedException e) {
            return "no thread dump: " + e;
        }
    }

    /** What the process printed so far (its log). */
    public String output() {
        return output.text();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The child's side: a demo with the test settings until stdin closes. */
    public static void main(String[] args) throws IOException {
        try (TestServices demo = TestServices.start(Integer.parseInt(args[0]), DemoSettings.forTests())) {
            System.out.println("RESP " + demo.respPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close stdin
            }
        }
        System.exit(0);
    }
}
