package io.percore.demo.command;

import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.server.ClientMemory;

/**
 * Who a command runs for (Redis's {@code client}): its session, what it holds, its addresses, its
 * connection and where its pushes go. The same for every command it sends, so a caller that runs a
 * client's commands for it (EXEC) hands on the client's {@code Caller} whole.
 */
public interface Caller {

    /** This caller as the receiver of pub/sub messages. */
    Subscriber subscriber();

    /** What the client holds, as the shards that make its replies see it (and stop when it is over its bounds). */
    ClientMemory memory();

    RespSession session();

    /** The client's address, {@code host:port}. */
    String remoteAddress();

    /** How the slow log names the client's address: {@link #remoteAddress()}, or Redis's {@code ?:0} for a script's client. */
    default String slowlogAddress() {
        return remoteAddress();
    }

    /** This server's address of the connection, {@code host:port}. */
    String localAddress();

    /** The connection's own state, for CLIENT, MONITOR and RESET. */
    ConnectionControl connection();

    /**
     * The server is draining (graceful shutdown): a command that would wait for an event (BLPOP)
     * answers as if its timeout had passed instead of holding the shutdown.
     */
    boolean draining();
}
