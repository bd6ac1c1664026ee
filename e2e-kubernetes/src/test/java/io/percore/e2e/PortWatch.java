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
 * What a pod's RESP port answers over time, from the test's side (the pod's own address, not a Service): every
 * {@value #EVERY_MILLIS} ms a new connection sends {@code AUTH} and {@code INFO replication}, and what came back is named
 * ("master 1a2b3c" with the first characters of its replication id, which tell the old primary from the new one behind a
 * relay; "slave", "refused", "timeout", "closed", an error's first word). Runs of one answer are kept as intervals: for a
 * scenario to print what a stopping primary's port did while clients were routed to it (demoted, relayed to the new
 * primary, refusing).
 *
 * <p>Once another primary has answered through the port for a second (the stopping primary's relay), it asks only every
 * {@link #AFTER_RELAY}: longer than the relay's quiet period ({@code DemoService.HANDOVER_RELAY}, 2 s), so that the
 * watcher is not the client that keeps the relay open. At 50 ms it was: every relay it watched lasted its 15 s maximum.
 */
final class PortWatch implements AutoCloseable {

    private static final long EVERY_MILLIS = 250;
    private static final Duration EVERY = Duration.ofMillis(EVERY_MILLIS);
    /** Between two looks once the relay was seen: more than its quiet period. */
    static final Duration AFTER_RELAY = Duration.ofMillis(2500);
    /** How long the relay's answer is watched at the first pace before the watcher steps back. */
    private static final Duration RELAY_SEEN = Duration.ofSeconds(1);
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
        String first = null;
        Instant relaySeen = null;
        while (running) {
            String answer = ask();
            Instant now = Instant.now();
            if (first == null && answer.startsWith("master ")) {
                first = answer;
            } else if (first != null && relaySeen == null && answer.startsWith("master ") && !answer.equals(first)) {
                relaySeen = now;
            }
            synchronized (runs) {
                Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                if (last != null && last.answer().equals(answer)) {
                    runs.set(runs.size() - 1, new Run(answer, last.from(), now));
                } else {
                    runs.add(new Run(answer, now, now));
                }
            }
            boolean stepBack = relaySeen != null && Duration.between(relaySeen, now).compareTo(RELAY_SEEN) >= 0;
            try {
                Thread.sleep((stepBack ? AFTER_RELAY : EVERY).toMillis());
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
