package io.percore.demo.replication;

import io.percore.demo.resp.AsciiCase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.percore.engine.Shard;
import io.percore.net.server.ImmediateClose;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica as its primary sees it (Redis's replica client): the connection that sent PSYNC,
 * on its shard. It is sent the full sync's snapshot (when it needs one) and then the stream from
 * its position, as fast as its socket takes it: a slice of the shared {@link ReplicationBuffer}
 * per write, never a copy per replica, and nothing more while the socket is full. Its acks
 * ({@code REPLCONF ACK}) say how far it applied the stream (WAIT, {@code min-replicas-to-write},
 * INFO's {@code lag}). A replica that stays behind past its output limit
 * ({@code client-output-buffer-limit replica}) or says nothing for {@code repl-timeout} is cut
 * off, as Redis does; it comes back with a partial resync if the backlog still holds its offset.
 *
 * <p>State changes on its shard's thread; the position and acks are read from any thread.
 */
public final class ReplicaLink implements ReplicaEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLink.class);
    private static final byte[] REPLCONF = "replconf".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACK = "ack".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK = 64 << 10;
    private static final ByteBuf NEWLINE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'\n'}).asReadOnly());

    /** Redis's replica states ({@code INFO replication}'s {@code state=}). */
    enum State {
        WAIT_BGSAVE("wait_bgsave"), SEND_BULK("send_bulk"), ONLINE("online");

        final String text;

        State(String text) {
            this.text = text;
        }
    }

    private final Replication replication;
    private final ReplicationBuffer buffer;
    private Channel channel;
    private final Shard shard;
    private final long clientId;
    private final String ip;
    private final int listeningPort;
    /** It said REPLCONF capa eof: it can take a diskless full sync. */
    private final boolean capaEof;
    /** It asked with SYNC: no +FULLRESYNC line, no acks expected (Redis's CLIENT_PRE_PSYNC). */
    private final boolean preSync;
    /** REPLCONF rdb-only 1: disconnected once its snapshot is sent (Redis's CLIENT_REPL_RDBONLY). */
    private final boolean rdbOnly;
    private volatile long waitingSinceMillis;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final Runnable sendTask = this::send;

    private volatile State state;
    /** The next stream position to write to the socket. */
    private volatile long position;
    private volatile long ackOffset = -1;
    private volatile long ackMillis = System.currentTimeMillis();
    private volatile boolean closed;
    private long overSoftSinceMillis = -1;

    // the snapshot being sent: +FULLRESYNC first, then the file, whichever is ready first
    private boolean pointSent;
    private ReplicaSnapshots.SharedFile readyFile;
    private ReplicaSnapshots.SharedFile file;
    private long fileAt;
    private long fileLeft;
    private final ByteBuffer fileChunk = ByteBuffer.allocate(CHUNK);

    // a diskless full sync: the snapshot's chunks as the save writes them, framed by EOF marks
    private volatile DisklessTransfer transfer;
    private final java.util.concurrent.atomic.AtomicLong disklessAhead = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.ArrayDeque<byte[]> disklessEarly = new java.util.ArrayDeque<>();
    /** The snapshot's end was sent: the stream follows once the replica acks (it loaded the snapshot), as Redis's. */
    private boolean disklessAwaitingAck;
    /** The snapshot's end mark, when the snapshot was whole before the stream reached its point (sent after it). */
    private byte[] disklessEndEarly;

    ReplicaLink(Replication replication, ReplicationBuffer buffer, SyncRequest asked) {
        this.capaEof = asked.capaEof();
        this.preSync = asked.preSync();
        this.rdbOnly = asked.rdbOnly();
        this.replication = replication;
        this.buffer = buffer;
        this.shard = Shard.current();
        this.clientId = asked.clientId();
        this.ip = asked.ip();
        this.listeningPort = asked.listeningPort();
    }

    /** The connection it took over (set once, on its shard, before anything is sent). */
    void channel(Channel taken) {
        this.channel = taken;
    }

    // ------------------------------------------------------------------ what others read

    State state() {
        return state;
    }

    long clientId() {
        return clientId;
    }

    String ip() {
        return ip;
    }

    int listeningPort() {
        return listeningPort;
    }

    /** The position this replica still needs from the buffer. */
    long needed() {
        return position;
    }

    /** What it acknowledged last (Redis's {@code repl_ack_off}), -1 before its first ack. */
    long ackOffset() {
        return ackOffset;
    }

    long ackMillis() {
        return ackMillis;
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ the sync

    /** A partial resync from {@code from}: {@code +CONTINUE}, then the stream. Shard thread. */
    void continueFrom(long from, String replid) {
        position = from;
        state = State.ONLINE;
        channel.write(ascii("+CONTINUE " + replid + "\r\n"));
        send();
    }

    /** A full sync: waits for a snapshot, its position being where the snapshot's point will be. Shard thread. */
    void awaitSnapshot(long holdFrom) {
        position = holdFrom;
        waitingSinceMillis = System.currentTimeMillis();
        state = State.WAIT_BGSAVE;
    }

    boolean capaEof() {
        return capaEof;
    }

    /** When it began to wait for a full sync (a diskless one waits repl-diskless-sync-delay from the first). */
    long waitingSinceMillis() {
        return waitingSinceMillis;
    }

    /** The snapshot's point is at {@code offset}: {@code +FULLRESYNC}, and the snapshot if it is ready already (any thread). */
    void snapshotPoint(String replid, long offset) {
        shard.execute(() -> {
            if (closed) {
                return;
            }
            position = offset;
            pointSent = true;
            if (!preSync) {
                // as Redis: a SYNC's reply is the snapshot alone (redis-cli --rdb would read this line as its length)
                channel.writeAndFlush(ascii("+FULLRESYNC " + replid + " " + offset + "\r\n"));
            }
            DisklessTransfer t = transfer;
            if (t != null) {
                state = State.SEND_BULK;
                channel.write(ascii("$EOF:" + new String(t.mark(), StandardCharsets.US_ASCII) + "\r\n"));
                for (byte[] early = disklessEarly.poll(); early != null; early = disklessEarly.poll()) {
                    writeDiskless(early);
                }
                channel.flush();
                if (disklessEndEarly != null) {
                    endDiskless(disklessEndEarly);
                    disklessEndEarly = null;
                }
                return;
            }
            if (readyFile != null) {
                ReplicaSnapshots.SharedFile f = readyFile;
                readyFile = null;
                startBulk(f);
            }
        });
    }

    /**
     * The snapshot is in {@code opened} (released here once sent): sent as a bulk, then the stream
     * (any thread). A small snapshot can be saved before the stream reached its point: it waits for
     * {@link #snapshotPoint}, which always goes first on the wire.
     */
    void snapshotReady(ReplicaSnapshots.SharedFile opened) {
        shard.execute(() -> {
            if (closed) {
                opened.release();
                return;
            }
            if (!pointSent) {
                readyFile = opened;
                return;
            }
            startBulk(opened);
        });
    }

    private void startBulk(ReplicaSnapshots.SharedFile opened) {
        try {
            file = opened;
            fileAt = 0;
            fileLeft = opened.channel.size();
            channel.write(ascii("$" + fileLeft + "\r\n"));
            state = State.SEND_BULK;
            send();
        } catch (IOException e) {
            close("could not read the snapshot: " + e);
        }
    }

    /** This replica shares {@code t}, a diskless full sync (the save's writer thread, before any chunk). */
    void disklessTransfer(DisklessTransfer t) {
        this.transfer = t;
    }

    /** Bytes of the diskless snapshot handed to this link and not yet written to its socket (any thread). */
    long disklessAhead() {
        return disklessAhead.get();
    }

    /** The next chunk of the diskless snapshot (the save's writer thread): sent after +FULLRESYNC and the EOF mark. */
    void disklessChunk(byte[] chunk) {
        disklessAhead.addAndGet(chunk.length);
        shard.execute(() -> {
            if (closed) {
                disklessAhead.addAndGet(-chunk.length);
                return;
            }
            if (!pointSent) {
                disklessEarly.add(chunk); // the stream reaches the snapshot's point a little after the save began
                return;
            }
            writeDiskless(chunk);
            channel.flush();
        });
    }

    private void writeDiskless(byte[] chunk) {
        channel.write(Unpooled.wrappedBuffer(chunk)).addListener(f -> {
            disklessAhead.addAndGet(-chunk.length);
            DisklessTransfer t = transfer;
            if (t != null) {
                t.progressed();
            }
        });
    }

    /** The diskless snapshot is whole (the save's writer thread): the mark; the stream follows the replica's first ack. */
    void disklessEnd(byte[] mark) {
        shard.execute(() -> {
            if (closed) {
                return;
            }
            if (!pointSent) {
                disklessEndEarly = mark; // a small snapshot can be whole before the stream reached its point
                return;
            }
            endDiskless(mark);
        });
    }

    private void endDiskless(byte[] mark) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(mark));
        if (rdbOnly) {
            snapshotSentAlone();
            return;
        }
        disklessAwaitingAck = true;
        LOG.info("Streamed RDB transfer with replica {}:{} succeeded: waiting for REPLCONF ACK from replica to enable streaming",
                ip, listeningPort);
    }

    /** The snapshot failed: the replica is cut off and will ask again. */
    void snapshotFailed(Throwable failure) {
        shard.execute(() -> close("the snapshot for its full sync failed: " + failure));
    }

    // ------------------------------------------------------------------ sending

    /** The stream grew (stream thread): sends if this link is waiting for it. */
    void appended() {
        if (armed.compareAndSet(true, false)) {
            shard.execute(sendTask);
        }
    }

    private void send() {
        if (closed) {
            return;
        }
        if (state == State.SEND_BULK && (transfer != null || !sendFile())) {
            return;
        }
        if (state != State.ONLINE) {
            return;
        }
        boolean wrote = false;
        try {
            while (channel.isWritable()) {
                ReplicationBuffer.Slice s = buffer.read(position, CHUNK);
                if (s == null) {
                    break;
                }
                channel.write(Unpooled.wrappedBuffer(s.bytes(), s.offset(), s.length()), channel.voidPromise());
                position += s.length();
                wrote = true;
            }
        } catch (IllegalStateException e) {
            close("it fell out of the replication buffer (" + e.getMessage() + ")");
            return;
        }
        if (wrote) {
            channel.flush();
        }
        if (checkLimits()) {
            return;
        }
        if (channel.isWritable()) {
            armed.set(true);
            if (buffer.end() > position && armed.compareAndSet(true, false)) {
                shard.execute(sendTask); // appended between the last read and arming
            }
        }
    }

    /** Writes the snapshot while the socket takes it. @return whether it is all written (the stream follows) */
    private boolean sendFile() {
        try {
            while (fileLeft > 0 && channel.isWritable()) {
                fileChunk.clear();
                int n = file.channel.read(fileChunk, fileAt);
                if (n < 0) {
                    throw new IOException("the snapshot ended " + fileLeft + " bytes early");
                }
                fileChunk.flip();
                channel.write(Unpooled.copiedBuffer(fileChunk), channel.voidPromise());
                fileLeft -= n;
                fileAt += n;
            }
        } catch (IOException e) {
            close("could not read the snapshot: " + e);
            return false;
        }
        channel.flush();
        if (fileLeft > 0) {
            return false; // writable again later
        }
        file.release();
        file = null;
        if (rdbOnly) {
            snapshotSentAlone();
            return false;
        }
        state = State.ONLINE;
        LOG.info("Replica {}:{} has its snapshot; the stream follows from {}", ip, listeningPort, position);
        return true;
    }

    /**
     * An rdb-only replica has its snapshot: disconnected once the socket took every byte of it (Redis's "RDB transfer
     * completed, rdb only replica should be disconnected asap"); nothing of the stream follows.
     */
    private void snapshotSentAlone() {
        LOG.info("Snapshot sent to the rdb-only replica {}:{} (client id {}): disconnecting it", ip, listeningPort, clientId);
        closed();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    /** Redis's output limit for replicas, on what it has not been sent yet. @return whether it was cut off */
    private boolean checkLimits() {
        if (state != State.ONLINE) {
            return false;
        }
        ChannelOutboundBuffer unsent = channel.unsafe().outboundBuffer();
        if (unsent == null) {
            return true; // the channel closed; closed() follows on this thread and ends the link
        }
        long behind = buffer.end() - position + unsent.totalPendingWriteBytes();
        Replication.OutputLimit limit = replication.outputLimit();
        if (limit.hardBytes() > 0 && behind > limit.hardBytes()) {
            close("it is " + behind + " bytes behind, over the replica class's hard limit (client-output-buffer-limit replica)");
            return true;
        }
        if (limit.softBytes() > 0 && behind > limit.softBytes()) {
            long now = System.currentTimeMillis();
            if (overSoftSinceMillis < 0) {
                overSoftSinceMillis = now;
            } else if (now - overSoftSinceMillis >= limit.softSeconds() * 1000) {
                close("it stayed " + behind + " bytes behind, over the replica class's soft limit for "
                        + limit.softSeconds() + " s (client-output-buffer-limit replica)");
                return true;
            }
        } else {
            overSoftSinceMillis = -1;
        }
        return false;
    }

    /** Once a second, on its shard: keep-alives while the snapshot is made, the limits, the timeout. */
    void tick(long timeoutMillis) {
        if (closed) {
            return;
        }
        if (state == State.WAIT_BGSAVE) {
            channel.writeAndFlush(NEWLINE.duplicate()); // as Redis's primary: the replica's timeout does not fire while it waits
            return;
        }
        // as Redis: a replica that asked with SYNC sends no acks, so only its socket's limits cut it off
        if (state == State.ONLINE && !preSync && System.currentTimeMillis() - ackMillis > timeoutMillis) {
            close("no REPLCONF ACK for " + timeoutMillis / 1000 + " s (repl-timeout)");
            return;
        }
        if (!checkLimits() && state == State.ONLINE && buffer.end() > position) {
            send();
        }
    }

    // ------------------------------------------------------------------ ReplicaEvents: from its connection

    @Override
    public void received(byte[][] argv) {
        // a replica sends REPLCONF ACK <offset> [FACK <offset>]; anything else is not answered (Redis ignores it too)
        if (argv.length >= 3 && AsciiCase.equalsIgnoreCase(argv[0], REPLCONF) && AsciiCase.equalsIgnoreCase(argv[1], ACK)) {
            try {
                long offset = Long.parseLong(new String(argv[2], StandardCharsets.US_ASCII));
                if (offset > ackOffset) {
                    ackOffset = offset;
                }
                ackMillis = System.currentTimeMillis();
                if (disklessAwaitingAck) {
                    disklessAwaitingAck = false;
                    transfer = null;
                    state = State.ONLINE;
                    LOG.info("Synchronization with replica {}:{} succeeded", ip, listeningPort);
                    send();
                }
                replication.acked();
            } catch (NumberFormatException ignored) {
                // as Redis: a bad offset is ignored
            }
        }
    }

    @Override
    public void writable() {
        if (channel.isWritable()) {
            send();
        }
    }

    /**
     * Closed as Redis's replicas are when it exits: what a stopping primary owes its replica is the stream up to the
     * stop, which {@code shutdown-timeout} gave it time to take (the writes held meanwhile). Left open, its unread output
     * held the servers' drain: every pod deleted at once, the replica stopping too read nothing, and the old primary's
     * stop ran a minute (repl-timeout) past its SIGTERM on the real node (FaultCampaignIT's thread dump).
     */
    @Override
    public void serverStopping() {
        close("the server is shutting down");
    }

    @Override
    public void closed() {
        if (closed) {
            return;
        }
        closed = true;
        disklessEarly.clear();
        DisklessTransfer t = transfer;
        if (t != null) {
            t.progressed(); // its writer stops waiting for this one
        }
        if (file != null) {
            file.release();
            file = null;
        }
        if (readyFile != null) {
            readyFile.release();
            readyFile = null;
        }
        replication.removed(this);
    }

    void close(String why) {
        if (closed) {
            return;
        }
        LOG.warn("Closing replica {}:{} (client id {}): {}", ip, listeningPort, clientId, why);
        closed();
        // what it had not taken yet is given up, as Redis frees a replica's client: its peer may read nothing more
        ImmediateClose.of(channel);
    }

    /** {@link #close} from any thread. */
    void closeFromAnyThread(String why) {
        shard.execute(() -> close(why));
    }

    /** {@link #close} from any thread; completes once closed, so nothing more is sent to it. */
    CompletableFuture<Void> closeAndWait(String why) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        shard.execute(() -> {
            close(why);
            done.complete(null);
        });
        return done;
    }

    /** {@link #tick} from any thread. */
    void tickFromAnyThread(long timeoutMillis) {
        shard.execute(() -> tick(timeoutMillis));
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.US_ASCII));
    }
}
