package io.percore.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a pod's RESP port answers over time, from the test's side (the pod's own address, not a Service): every 50 ms a
 * new connection sends {@code AUTH} and {@code INFO replication}, and what came back is named ("master 1a2b3c" with the
 * first characters of its replication id, which tell the old primary from the new one behind a relay; "slave",
 * "refused", "timeout", "closed", an error's first word). Runs of one answer are kept as intervals: for a scenario to
 * print what a stopping primary's port did while clients were routed to it (demoted, relayed to the new primary,
 * refusing).
 */
final class PortWatch implements AutoCloseable {

    private static final Duration EVERY = Duration.ofMillis(50);
    private static final int TIMEOUT_MILLIS = 300;

    private record Run(String answer, Instant from, Instant to) {
    }

    private final String host;
    private final int port;
    private final byte[] request;
    private final List<Run> runs = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    PortWatch(String host, int port, String password) {
        this.host = host;
        this.port = port;
        this.request = ("*2\r\n$4\r\nAUTH\r\n$" + password.getBytes(StandardCharsets.UTF_8).length + "\r\n" + password + "\r\n"
                + "*2\r\n$4\r\nINFO\r\n$11\r\nreplication\r\n").getBytes(StandardCharsets.UTF_8);
        this.thread = new Thread(this::run, "port-watch-" + host);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            String answer = ask();
            Instant now = Instant.now();
            synchronized (runs) {
                Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                if (last != null && last.answer().equals(answer)) {
                    runs.set(runs.size() - 1, new Run(answer, last.from(), now));
                } else {
                    runs.add(new Run(answer, now, now));
                }
            }
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String ask() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            byte[] buffer = new byte[1024];
            InputStream in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            int n;
            while (!answered(got) && got.length() < 8192 && (n = in.read(buffer)) > 0) {
                got.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            String text = got.toString();
            if (text.startsWith("-") || text.contains("\n-")) {
                return text.substring(text.indexOf('-') + 1).split("[ \r]")[0];
            }
            if (text.contains("role:slave")) {
                return "slave";
            }
            int id = text.indexOf("master_replid:");
            return text.contains("role:master") && id >= 0 ? "master " + text.substring(id + 14, Math.min(text.length(), id + 20)) : "closed";
        } catch (ConnectException e) {
            return "refused";
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return "closed";
        }
    }

    /** AUTH's reply, then INFO's up to its replication id, or an error. */
    private static boolean answered(StringBuilder got) {
        int id = got.indexOf("master_replid:");
        return got.indexOf("role:slave") >= 0 || (id >= 0 && got.length() >= id + 20) || got.indexOf("-") == 0 || got.indexOf("\n-") >= 0;
    }

    /** The answers' runs between {@code from} and {@code to}, as "answer +a..+b s" relative to {@code origin}. */
    List<String> between(Instant origin, Instant from, Instant to) {
        List<String> out = new ArrayList<>();
        synchronized (runs) {
            for (Run r : runs) {
                if (!r.to().isBefore(from) && !r.from().isAfter(to)) {
                    out.add(String.format("%s %+.2f..%+.2f s", r.answer(), Duration.between(origin, r.from()).toMillis() / 1000.0,
                            Duration.between(origin, r.to()).toMillis() / 1000.0));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
