package io.percore.net.server;

/**
 * The user event ({@code userEventTriggered}) every server connection's pipeline receives when
 * its server begins a graceful drain, after a connection with an {@link OrderedResponder} has
 * stopped reading. A request that waits for an event rather than for work in progress (a blocking
 * pop, a long poll, a subscription) has no reason to keep the drain waiting until the
 * graceful-shutdown timeout: its handler answers it now, as the protocol answers a request that
 * ran out of time, and the connection closes once that answer has left.
 */
public final class DrainStarted {

    public static final DrainStarted INSTANCE = new DrainStarted();

    private DrainStarted() {
    }

    @Override
    public String toString() {
        return "DrainStarted";
    }
}
