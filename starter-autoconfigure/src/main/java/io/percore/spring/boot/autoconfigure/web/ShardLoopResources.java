package io.percore.spring.boot.autoconfigure.web;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.percore.engine.ShardTransport;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty's loops for one web server on the shards: it accepts on {@code acceptor} and runs
 * its connections on {@code connections} (the same shard with SO_REUSEPORT, every shard behind a
 * single acceptor otherwise), with the channel classes of the engine's transport. Reactor Netty
 * would otherwise pick channels by inspecting the group, which it cannot do for a shard's
 * {@code ManualIoEventLoop}. The engine owns the loops: disposing these resources does nothing.
 */
final class ShardLoopResources implements LoopResources {

    private final EventLoopGroup acceptor;
    private final EventLoopGroup connections;
    private final ShardTransport transport;

    ShardLoopResources(EventLoopGroup acceptor, EventLoopGroup connections, ShardTransport transport) {
        this.acceptor = acceptor;
        this.connections = connections;
        this.transport = transport;
    }

    @Override
    public EventLoopGroup onServer(boolean useNative) {
        return connections;
    }

    @Override
    public EventLoopGroup onServerSelect(boolean useNative) {
        return acceptor;
    }

    @Override
    public EventLoopGroup onClient(boolean useNative) {
        return connections;
    }

    @Override
    public <CHANNEL extends Channel> CHANNEL onChannel(Class<CHANNEL> channelType, EventLoopGroup group) {
        Class<? extends CHANNEL> type = onChannelClass(channelType, group);
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot create a " + type.getName() + " for the shards' " + transport.name() + " transport", e);
        }
    }

    @Override
    public <CHANNEL extends Channel> Class<? extends CHANNEL> onChannelClass(Class<CHANNEL> channelType, EventLoopGroup group) {
        if (channelType == ServerSocketChannel.class) {
            return transport.serverChannelClass().asSubclass(channelType);
        }
        if (channelType == SocketChannel.class) {
            return transport.socketChannelClass().asSubclass(channelType);
        }
        throw new UnsupportedOperationException("The web server on the shards serves TCP only, not " + channelType.getSimpleName());
    }

    @Override
    public boolean daemon() {
        return true;
    }

    @Override
    public Mono<Void> disposeLater(java.time.Duration quietPeriod, java.time.Duration timeout) {
        return Mono.empty();
    }
}
