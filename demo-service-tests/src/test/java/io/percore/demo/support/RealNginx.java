package io.percore.demo.support;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's package, which the build installs) on a free loopback port, one process
 * answering every request with {@code Hello, World!} as the demo's {@code GET /} does: the peer
 * the HTTP server's parity tests compare with (the benchmarks' {@code peers/nginx.conf}, for tests).
 */
public final class RealNginx implements AutoCloseable {

    private final Process process;
    private final int port;

    private RealNginx(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts nginx and waits (at most 20 s) until its port takes connections. */
    public static RealNginx start() throws Exception {
        int port = TestPorts.free();
        Path prefix = Files.createTempDirectory("nginx-" + port + "-");
        prefix.toFile().deleteOnExit();
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, String.join("\n",
                "daemon off;",
                "master_process off;",
                "worker_processes 1;",
                "pid " + prefix + "/nginx.pid;",
                "error_log " + prefix + "/error.log warn;",
                "events { worker_connections 1024; }",
                "http {",
                "    access_log off;",
                "    default_type text/plain;",
                "    keepalive_requests 1000000;",
                "    client_body_temp_path " + prefix + "/client_body;",
                "    proxy_temp_path " + prefix + "/proxy;",
                "    fastcgi_temp_path " + prefix + "/fastcgi;",
                "    uwsgi_temp_path " + prefix + "/uwsgi;",
                "    scgi_temp_path " + prefix + "/scgi;",
                "    server {",
                "        listen 127.0.0.1:" + port + ";",
                "        location / { return 200 \"Hello, World!\"; }",
                "    }",
                "}", ""));
        String nginx = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        Process process = new ProcessBuilder(List.of(nginx, "-p", prefix.toString(), "-c", conf.toString()))
                .redirectErrorStream(true).redirectOutput(prefix.resolve("output.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new RealNginx(process, port);
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    process.destroy();
                    throw new IllegalStateException("nginx did not start: " + Files.readString(prefix.resolve("output.log")), e);
                }
                Thread.sleep(20);
            }
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
