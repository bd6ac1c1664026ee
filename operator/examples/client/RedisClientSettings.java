package com.example.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SocketOptions.KeepAliveOptions;
import io.lettuce.core.SocketOptions.TcpUserTimeoutOptions;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What a Spring Boot application (4.1, Lettuce 7.5) needs to follow a replicated PercoreService's primary and never
 * hang on it, beside the properties of {@code application.yaml} (timeout 2 s, connect-timeout 1 s): the socket,
 * reconnect and disconnect options no property sets. Copy both files into the application (this class into one of its
 * packages). Checked against the demo by demo-service's {@code ClientExampleTest}.
 *
 * <p>What each failure looks like to the application with these settings:
 * <ul>
 * <li>a switchover or failover: the old primary closes its connections when it is demoted (the operator's
 * {@code REPLICAOF}) or stopped; Lettuce reconnects through {@code <name>-primary}, which selects the new primary;
 * writes made meanwhile fail at once;</li>
 * <li>a server that stops answering (a stalled node, a partition): each command fails after {@code timeout} (2 s);</li>
 * <li>a node that vanished (a lost node: nothing closes the connection): the kernel drops the connection within
 * about 8 s (keepalive when it is idle; TCP_USER_TIMEOUT when a command is in flight, on epoll or io_uring), then
 * Lettuce reconnects, and the Service by then selects the new primary.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class RedisClientSettings {

    /**
     * Keepalive: an idle connection to a node that vanished is dropped after IDLE + COUNT x INTERVAL = 8 s, in place of
     * the kernel's 2 h 11 min (Lettuce 7.5's own defaults: 13 s + 3 x 13 s).
     */
    static final Duration KEEPALIVE_IDLE = Duration.ofSeconds(5);
    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(1);
    static final int KEEPALIVE_COUNT = 3;
    /**
     * TCP_USER_TIMEOUT: a connection whose sent bytes are unacknowledged this long is dropped. Without it a command
     * in flight to a vanished node stops the keepalive (Linux probes idle connections only) and the kernel gives up
     * after its retransmissions, about 15 minutes, every command on the connection timing out until then.
     */
    static final Duration TCP_USER_TIMEOUT = KEEPALIVE_IDLE.plus(KEEPALIVE_INTERVAL.multipliedBy(KEEPALIVE_COUNT));
    /** The longest wait between reconnect attempts (Lettuce's default grows to 30 s). */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

    /**
     * The client options. A {@code LettuceClientOptionsBuilderCustomizer}, not a
     * {@code LettuceClientConfigurationBuilderCustomizer} calling {@code clientOptions(...)}: that one replaces the
     * options Spring Boot built, so connect-timeout, the SSL bundle's options and the command timeouts (below) would be
     * lost without a word. Here they stay: the socket options start from Spring Boot's (its connect-timeout).
     *
     * <p>Command timeouts: Spring Boot already sets {@code TimeoutOptions.enabled()}, which expires every command
     * (synchronous, asynchronous and reactive) after {@code spring.data.redis.timeout}; a {@code fixedTimeout} here
     * would be a second place for the same 2 s.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer failoverClientOptions() {
        return options -> {
            SocketOptions.Builder socket = options.build().getSocketOptions().mutate()
                    // idle, interval and count reach the socket on epoll and io_uring, and on NIO through
                    // jdk.net.ExtendedSocketOptions (Lettuce refuses to connect where it cannot set them: on macOS
                    // with the kqueue jar on the class path). Lettuce 7.5 and 7.6 with both the epoll and
                    // the io_uring jar on the class path apply neither these nor TCP_USER_TIMEOUT (it builds an
                    // epoll channel and gives it io_uring's options: lettuce#3816, fixed in 7.7): start the JVM with
                    // -Dio.lettuce.core.iouring=false, or keep one of the two jars.
                    .keepAlive(KeepAliveOptions.builder().enable().idle(KEEPALIVE_IDLE).interval(KEEPALIVE_INTERVAL)
                            .count(KEEPALIVE_COUNT).build());
            // Only the native transports can set TCP_USER_TIMEOUT: Lettuce refuses to connect with it on NIO. For it,
            // add io.netty:netty-transport-native-epoll with the classifier of the pods' platform (linux-x86_64,
            // linux-aarch_64).
            if (EpollProvider.isAvailable() || IOUringProvider.isAvailable()) {
                socket.tcpUserTimeout(TcpUserTimeoutOptions.builder().enable().tcpUserTimeout(TCP_USER_TIMEOUT).build());
            }
            options.socketOptions(socket.build())
                    .autoReconnect(true)
                    // Fail fast while disconnected, rather than Lettuce's default (ACCEPT_COMMANDS: queue the
                    // commands and send them after the reconnect). During a failover the application's threads then
                    // get an error at once instead of each waiting up to the timeout, and a command in flight when
                    // the old primary closed the connection fails ("Connection disconnected") instead of being sent
                    // again to the new primary: the old one may have applied it, and an INCR or LPUSH sent twice is
                    // applied twice. Retry in the application, where it is known whether a write may repeat.
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        };
    }

    /**
     * Reconnect attempts 1 ms, 2 ms, 4 ms ... apart, then once a second. With Lettuce's default (doubling up to 30 s)
     * a client whose attempts had failed for 10 s (a primary lost, {@code failoverAfter} 10 s) waits up to 8 s more
     * once the new primary is there; with this, at most a second.
     */
    @Bean
    ClientResourcesBuilderCustomizer failoverReconnectDelay() {
        return resources -> resources.reconnectDelay(Delay.exponential(Duration.ZERO, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS));
    }
}
