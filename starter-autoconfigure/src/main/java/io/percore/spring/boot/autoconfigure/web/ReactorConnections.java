package io.percore.spring.boot.autoconfigure.web;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;

/**
 * Ends a Reactor Netty WebSocket session's connection at once. Spring's {@code close()} sends a
 * close frame and closes once it is written, which never happens when the peer does not read: the
 * one case a server must end by itself. The connection is the session's delegate, which Spring keeps
 * for its subclasses ({@code AbstractWebSocketSession.getDelegate()}, protected since Spring 5.0);
 * it is reached once by a method handle. Where that is refused (a module path that does not open
 * Spring), the session is left to its close frame and the failure is logged once.
 */
final class ReactorConnections {

    private static final Logger LOG = LoggerFactory.getLogger(ReactorConnections.class);
    private static final MethodHandle DELEGATE = delegate();

    private ReactorConnections() {
    }

    private static MethodHandle delegate() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(AbstractWebSocketSession.class, MethodHandles.lookup());
            return lookup.findVirtual(AbstractWebSocketSession.class, "getDelegate", MethodType.methodType(Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("A WebSocket session that does not read cannot be ended before its close frame is read ({}): it keeps its"
                    + " connection until then", e.toString());
            return null;
        }
    }

    /** Disposes the session's connection when it is a Reactor Netty session (else nothing). */
    static void dispose(WebSocketSession session) {
        if (DELEGATE == null || !(session instanceof ReactorNettyWebSocketSession nettySession)) {
            return;
        }
        try {
            Object connection = DELEGATE.invoke((AbstractWebSocketSession<?>) nettySession);
            ((ReactorNettyWebSocketSession.WebSocketConnection) connection).getInbound().withConnection(reactor.netty.Connection::dispose);
        } catch (Throwable e) {
            LOG.debug("Cannot end the connection of WebSocket session {}", session.getId(), e);
        }
    }
}
