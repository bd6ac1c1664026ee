package io.percore.spring.boot.autoconfigure.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One message to many WebSocket sessions, the shards' way. A session {@link #join joins} on the
 * shard that owns its connection (every WebFlux handler runs there) and stays that shard's: each
 * shard keeps its own sessions, with no lock. {@link #publish} sends one message to each shard,
 * which encodes nothing again (one buffer per shard, a reference per session) and hands it to its
 * sessions on its own thread: the write goes out on the connection's loop with no hop, where a
 * broadcast through one shared sink costs a task on the connection's loop per session.
 *
 * <p>A slow consumer is bounded: each session queues at most {@code maxQueuedMessages} messages
 * beyond what its socket takes (the messages are references to the shard's buffer, not copies);
 * one more and the session is closed with 1008 (policy violation, "slow consumer") and, if its peer
 * does not read the close either, its connection a second later, and counted
 * ({@link #slowConsumersClosed()}). The other sessions never wait for it.
 *
 * <p>Sessions served off the shards (Spring Boot's own server, {@code percore.web.enabled=false})
 * join a set of their own and are sent to from the publishing thread, as a Reactor application
 * would; the same bound holds.
 */
public final class WebSocketBroadcast {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketBroadcast.class);
    private static final CloseStatus SLOW = CloseStatus.POLICY_VIOLATION.withReason("slow consumer");
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    private final Engine engine;
    private final int maxQueuedMessages;
    /** By shard id; each list is only touched by its shard's thread. */
    private final List<List<Member>> byShard = new ArrayList<>();
    private final Set<Member> offShard = ConcurrentHashMap.newKeySet();
    private final AtomicLong slowClosed = new AtomicLong();

    /** @param maxQueuedMessages messages a session may have waiting beyond its socket before it is closed as a slow consumer */
    public WebSocketBroadcast(Engine engine, int maxQueuedMessages) {
        if (maxQueuedMessages < 1) {
            throw new IllegalArgumentException("maxQueuedMessages must be at least 1, got " + maxQueuedMessages);
        }
        this.engine = Objects.requireNonNull(engine, "engine");
        this.maxQueuedMessages = maxQueuedMessages;
        for (int i = 0; i < engine.shardCount(); i++) {
            byShard.add(new ArrayList<>());
        }
    }

    /**
     * For a {@code WebSocketHandler}: {@code session} gets every message published from now until
     * it closes. Return (or merge) the result as the handler's result.
     */
    public Mono<Void> join(WebSocketSession session) {
        Shard shard = Shard.currentOrNull();
        boolean local = shard != null && shard.id() < byShard.size() && engine.shard(shard.id()) == shard;
        Member member = new Member(session, maxQueuedMessages, local ? shard : null);
        if (local) {
            byShard.get(shard.id()).add(member);
        } else {
            offShard.add(member);
        }
        return session.send(member.messages()).doFinally(signal -> member.leave());
    }

    /** Sends {@code text} to every session (as a text frame). Any thread; returns at once. */
    public void publish(String text) {
        publish(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the UTF-8 text {@code payload} to every session. The array must not change afterwards. */
    public void publish(byte[] payload) {
        for (Shard shard : engine.shards()) {
            shard.execute(() -> deliver(byShard.get(shard.id()), payload));
        }
        if (!offShard.isEmpty()) {
            deliver(offShard, payload);
        }
    }

    /** Sessions joined now (on every shard and off them); any thread, approximate while they come and go. */
    public int sessions() {
        int n = offShard.size();
        for (List<Member> members : byShard) {
            n += members.size();
        }
        return n;
    }

    /** Sessions closed since start because they fell more than {@code maxQueuedMessages} behind. */
    public long slowConsumersClosed() {
        return slowClosed.get();
    }

    private void deliver(Iterable<Member> members, byte[] payload) {
        ByteBuf shared = Unpooled.wrappedBuffer(payload);
        try {
            for (Member m : members) {
                m.offer(shared);
            }
        } finally {
            shared.release();
        }
    }

    /** One session: its bounded queue of messages, emitted by one thread at a time. */
    private final class Member {
        private final WebSocketSession session;
        private final Sinks.Many<WebSocketMessage> sink;
        private final Shard shard;
        private final NettyDataBufferFactory buffers;
        private boolean closing;

        Member(WebSocketSession session, int maxQueued, Shard shard) {
            this.session = session;
            this.shard = shard;
            this.buffers = session.bufferFactory() instanceof NettyDataBufferFactory f ? f : new NettyDataBufferFactory(io.netty.buffer.ByteBufAllocator.DEFAULT);
            Queue<WebSocketMessage> queue = Queues.<WebSocketMessage>get(maxQueued).get();
            this.sink = Sinks.many().unicast().onBackpressureBuffer(queue);
        }

        reactor.core.publisher.Flux<WebSocketMessage> messages() {
            // what the sink still holds when the session goes is released, never leaked
            return sink.asFlux().doOnDiscard(WebSocketMessage.class, m -> DataBufferUtils.release(m.getPayload()));
        }

        void offer(ByteBuf shared) {
            if (shard == null) {
                synchronized (this) {
                    emit(shared);
                }
            } else {
                emit(shared);
            }
        }

        private void emit(ByteBuf shared) {
            if (closing) {
                return;
            }
            WebSocketMessage message = new WebSocketMessage(WebSocketMessage.Type.TEXT, buffers.wrap(shared.retainedDuplicate()));
            Sinks.EmitResult result = sink.tryEmitNext(message);
            if (result.isSuccess()) {
                return;
            }
            DataBufferUtils.release(message.getPayload());
            if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
                closing = true;
                slowClosed.incrementAndGet();
                LOG.debug("Closing WebSocket session {}: more than {} messages behind (slow consumer)", session.getId(), maxQueuedMessages);
                session.close(SLOW).subscribe(null, e -> { });
                forceCloseLater();
            }
        }

        /** The close frame waits behind what the peer does not read: end the connection itself if it is still there then. */
        private void forceCloseLater() {
            Runnable force = () -> {
                if (session.isOpen()) {
                    ReactorConnections.dispose(session);
                }
            };
            if (shard != null) {
                shard.schedule(CLOSE_GRACE, force);
            } else {
                reactor.core.scheduler.Schedulers.parallel().schedule(force, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        /** Removed by a task of its own shard: never from inside a delivery that is walking the list. */
        void leave() {
            if (shard == null) {
                offShard.remove(this);
            } else {
                shard.execute(() -> byShard.get(shard.id()).remove(this));
            }
        }
    }
}
