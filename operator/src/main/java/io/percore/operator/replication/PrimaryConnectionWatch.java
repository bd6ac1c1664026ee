package io.percore.operator.replication;

import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One idle, authenticated connection from the operator to each replicated service's primary (to each group's primary
 * in a cluster with replicas), so that a primary's process exiting is known in milliseconds: its kernel closes the
 * connection at once (a SIGKILL, an OOM kill, a crash, the end of a SIGTERM), where the kubelet notices the container's
 * exit at its next relist (up to a second) and the API server then tells the operator. A closed connection only asks
 * for a look ({@code onClosed} with the service's key: the reconciler's event); what is lost is still decided there,
 * from what the pods answer ({@code ConnectException}: nothing listens on the primary's port any more) and what
 * Kubernetes says.
 *
 * <p>A thread per watched primary (a daemon, named after the service and pod), blocked on a read that only the peer's
 * close, a reset, or the watch's end ({@link #watchOnly} without it, {@link #forget}) ends. After a close it connects
 * again after a pause: {@link #FIRST_PAUSE} when the connection had lived {@link #QUIET}, else twice the last pause up
 * to {@link #MAX_PAUSE} (a primary that closes every connection asks for a reconcile at most that often); a connection
 * that cannot be made ends the watch, which the next reconcile that finds the primary answering starts again (a first
 * connection that fails asks for no reconcile: nothing loops). The operator's own demotion of a primary closes its
 * connection too: one more look, which finds nothing to do.
 */
public final class PrimaryConnectionWatch implements AutoCloseable {

    /** A connection that lived this long was no loop of closes: the next pause is the first again. */
    static final Duration QUIET = Duration.ofSeconds(5);
    static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    static final Duration MAX_PAUSE = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(PrimaryConnectionWatch.class);

    private final PodReplicationProbe probe;
    private final Consumer<String> onClosed;
    private final Map<String, Watcher> watched = new ConcurrentHashMap<>();

    /**
     * @param probe    how a connection is made and authenticated (its timeouts)
     * @param onClosed called with the service's key ({@code namespace/name}) when a connection to one of its primaries closed
     */
    public PrimaryConnectionWatch(PodReplicationProbe probe, Consumer<String> onClosed) {
        this.probe = probe;
        this.onClosed = onClosed;
    }

    /**
     * Watches exactly these primaries of {@code service} (a replicated service's one, a cluster's one per group), each
     * by pod name: one already watched at that address stays as it is, one at another address or no longer named ends.
     */
    public void watchOnly(String service, Map<String, HostPort> primaries, PodAuth auth) {
        String prefix = service + "/";
        for (String key : watched.keySet()) {
            if (key.startsWith(prefix) && !primaries.containsKey(key.substring(prefix.length()))) {
                end(key);
            }
        }
        primaries.forEach((pod, primary) -> {
            String key = prefix + pod;
            Watcher now = watched.get(key);
            if (now != null && now.primary.equals(primary) && Objects.equals(now.auth, auth) && now.isAlive()) {
                return;
            }
            Watcher started = new Watcher(key, service, primary, auth);
            Watcher before = watched.put(key, started);
            if (before != null) {
                before.end();
            }
            started.start();
        });
    }

    /** Ends the watches of {@code service}'s primaries (the service is gone, or replicates no more). */
    public void forget(String service) {
        watchOnly(service, Map.of(), null);
    }

    /** The address watched for {@code service}'s pod {@code pod}, or null. */
    public HostPort watching(String service, String pod) {
        Watcher w = watched.get(service + "/" + pod);
        return w == null || !w.isAlive() ? null : w.primary;
    }

    private void end(String key) {
        Watcher w = watched.remove(key);
        if (w != null) {
            w.end();
        }
    }

    @Override
    public void close() {
        watched.keySet().forEach(this::end);
    }

    private final class Watcher extends Thread {
        private final String key;
        private final String service;
        private final HostPort primary;
        private final PodAuth auth;
        private volatile boolean ended;
        private volatile Socket socket;

        Watcher(String key, String service, HostPort primary, PodAuth auth) {
            super("primary-watch " + key);
            setDaemon(true);
            this.key = key;
            this.service = service;
            this.primary = primary;
            this.auth = auth;
        }

        @Override
        public void run() {
            Duration pause = FIRST_PAUSE;
            try {
                while (!ended) {
                    Socket s;
                    try {
                        s = probe.open(primary, auth);
                    } catch (IOException e) {
                        // nothing to watch until a reconcile finds a primary answering (the close before this, if any,
                        // asked for that reconcile already; a first connection that fails asks for none: no loop)
                        LOG.debug("{}: watching primary {} ended: {}", key, primary, e.toString());
                        return;
                    }
                    long opened = System.nanoTime();
                    socket = s;
                    try (s) {
                        if (ended) {
                            return;
                        }
                        s.setSoTimeout(0);
                        s.setKeepAlive(true);
                        InputStream in = s.getInputStream();
                        // the pod sends nothing unasked: a byte read is ignored, a close or a reset ends the wait
                        while (in.read() >= 0) {
                            // nothing
                        }
                    } catch (IOException e) {
                        // a reset: closed as well
                    } finally {
                        socket = null;
                    }
                    if (ended) {
                        return;
                    }
                    LOG.debug("{}: the connection to primary {} closed", key, primary);
                    onClosed.accept(service);
                    boolean quiet = System.nanoTime() - opened >= QUIET.toNanos();
                    pause = quiet ? FIRST_PAUSE : min(pause.multipliedBy(2), MAX_PAUSE);
                    Thread.sleep(pause.toMillis());
                }
            } catch (InterruptedException e) {
                // ended
            } finally {
                watched.remove(key, this);
            }
        }

        void end() {
            ended = true;
            Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            interrupt();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
