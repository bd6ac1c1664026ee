package io.percore.operator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Health and metrics over the JDK's HTTP server (no framework needed for three endpoints):
 * {@code /healthz/live}, {@code /healthz/ready} (200 or 503) and {@code /metrics} (Prometheus text).
 */
public final class OperatorHttpServer implements AutoCloseable {

    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    public OperatorHttpServer(int port, BooleanSupplier live, BooleanSupplier ready, PrometheusMeterRegistry registry) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 16);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "percore-operator-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/healthz/live", ex -> health(ex, live));
        server.createContext("/healthz/ready", ex -> health(ex, ready));
        server.createContext("/metrics", ex -> {
            if (!"GET".equals(ex.getRequestMethod())) {
                respond(ex, 405, "text/plain", "method not allowed\n");
                return;
            }
            respond(ex, 200, PROMETHEUS_CONTENT_TYPE, registry.scrape());
        });
        server.createContext("/", ex -> respond(ex, 404, "text/plain", "not found\n"));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange exchange, BooleanSupplier check) throws IOException {
        boolean ok;
        try {
            ok = check.getAsBoolean();
        } catch (RuntimeException e) {
            ok = false;
        }
        respond(exchange, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "unavailable\n");
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
