package io.percore.demo.replication;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A diskless full sync's snapshot on its way to the replicas that share it (Redis's
 * {@code rdbSaveToSlavesSockets} and the parent's pipe to the sockets): the save's writer thread
 * writes the RDB here and each chunk goes to every replica still there, one array wrapped for each
 * (never a copy per replica), between {@code $EOF:<mark>} and the mark ({@link ReplicaLink}).
 *
 * <p>The slowest replica sets the pace, as in Redis: the writer thread waits while any replica has
 * more than {@link #MAX_AHEAD} bytes not yet taken by its socket, which in turn pauses the shards'
 * slices of the snapshot, so neither the heap nor the shards pay for a slow replica. One that takes
 * nothing for {@code repl-timeout} is cut off and the others go on; with none left the save is
 * abandoned ({@link IOException}), so no shard keeps encoding for nobody.
 *
 * <p>Written by one thread (the save's writer); the links report progress from their shards.
 */
final class DisklessTransfer extends OutputStream {

    private static final Logger LOG = LoggerFactory.getLogger(DisklessTransfer.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Bytes handed to one replica and not yet written to its socket, past which the writer waits. */
    static final long MAX_AHEAD = 2L << 20;
    static final int CHUNK = 64 << 10;

    private final List<ReplicaLink> links;
    private final long timeoutNanos;
    private final byte[] mark;
    private final Object progress = new Object();
    private byte[] chunk = new byte[CHUNK];
    private int length;
    private long sent;

    DisklessTransfer(List<ReplicaLink> links, long timeoutMillis) {
        this.links = List.copyOf(links);
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        byte[] random = new byte[20];
        RANDOM.nextBytes(random);
        this.mark = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII); // 40 bytes, as Redis's
        for (ReplicaLink l : this.links) {
            l.disklessTransfer(this);
        }
    }

    /** The 40 bytes that end the snapshot (and follow {@code $EOF:} before it). */
    byte[] mark() {
        return mark;
    }

    List<ReplicaLink> links() {
        return links;
    }

    /** Bytes of the snapshot handed to the replicas so far. */
    long sent() {
        return sent;
    }

    @Override
    public void write(int b) throws IOException {
        if (length == chunk.length) {
            ship();
        }
        chunk[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (length == chunk.length) {
                ship();
            }
            int n = Math.min(len, chunk.length - length);
            System.arraycopy(b, off, chunk, length, n);
            length += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void flush() throws IOException {
        ship();
    }

    /** The snapshot is whole (its writer closes it): what is left, then the mark to every replica still there. */
    @Override
    public void close() throws IOException {
        ship();
        for (ReplicaLink l : links) {
            l.disklessEnd(mark);
        }
    }

    /** A replica's socket took some of what it was handed (its shard). */
    void progressed() {
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private void ship() throws IOException {
        if (length == 0) {
            return;
        }
        byte[] out = length == chunk.length ? chunk : Arrays.copyOf(chunk, length);
        chunk = new byte[CHUNK]; // the links keep the array until their sockets wrote it
        length = 0;
        int live = 0;
        for (ReplicaLink l : links) {
            if (!l.isClosed()) {
                l.disklessChunk(out);
                live++;
            }
        }
        if (live == 0) {
            throw new IOException("every replica of the diskless sync is gone");
        }
        sent += out.length;
        waitForRoom();
    }

    /** Waits while a replica is too far behind; cuts off one that took nothing for repl-timeout. */
    private void waitForRoom() throws IOException {
        long[] lastAhead = new long[links.size()];
        long[] since = new long[links.size()];
        boolean[] cut = new boolean[links.size()];
        Arrays.fill(lastAhead, -1);
        while (true) {
            boolean waiting = false;
            long now = System.nanoTime();
            for (int i = 0; i < links.size(); i++) {
                ReplicaLink l = links.get(i);
                long ahead = l.disklessAhead();
                if (cut[i] || l.isClosed() || ahead <= MAX_AHEAD) {
                    continue;
                }
                if (ahead != lastAhead[i]) {
                    lastAhead[i] = ahead;
                    since[i] = now;
                } else if (now - since[i] > timeoutNanos) {
                    LOG.warn("Replica {}:{} took nothing of the diskless sync for {} s (repl-timeout): cut off", l.ip(),
                            l.listeningPort(), TimeUnit.NANOSECONDS.toSeconds(timeoutNanos));
                    l.closeFromAnyThread("it took nothing of the diskless sync for repl-timeout");
                    cut[i] = true;
                    continue;
                }
                waiting = true;
            }
            if (!waiting) {
                return;
            }
            synchronized (progress) {
                try {
                    progress.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the replicas took the snapshot", e);
                }
            }
        }
    }
}
