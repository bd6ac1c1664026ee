package io.percore.net.pool;

import static io.percore.net.TestSupport.eventually;
import static io.percore.net.TestSupport.onShard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.percore.engine.Engine;
import io.percore.engine.ShardFuture;
import io.percore.net.TestSupport;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.ShardedServer;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConnectionPoolTest {

    private static Engine engine;
    private static ShardedServer server;

    @BeforeAll
    static void start() {
        engine = TestSupport.engine(2);
        server = ShardedServer.start(engine, ServerOptions.builder().build(), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
            }
        });
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    private static ConnectionPool pool(int shard, PoolOptions options, int port) throws Exception {
        Endpoint e = Endpoint.parse("127.0.0.1:" + port);
        return TestSupport.await(engine.submitTo(shard, () -> new ConnectionPool(engine.shard(shard), e, options, ch -> {
        }, ConnectionBudget.unlimited())));
    }

    @Test
    void limitsConnectionsQueuesWaitersAndFailsFastBeyondThePendingLimit() throws Exception {
        PoolOptions options = PoolOptions.builder().maxConnections(2).maxPendingAcquisitions(1)
                .acquireTimeout(Duration.ofSeconds(10)).build();
        ConnectionPool pool = pool(1, options, server.port());
        PooledConnection a = onShard(engine, 1, pool::acquire);
        PooledConnection b = onShard(engine, 1, pool::acquire);
        assertThat(a.channel()).isNotSameAs(b.channel());
        assertThat(a.channel().eventLoop()).isSameAs(engine.shard(1).ioEventLoop());
        List<ShardFuture<PooledConnection>> waiting = new ArrayList<>();
        TestSupport.await(engine.submitTo(1, () -> waiting.add(pool.acquire())));
        assertThat(pool.metrics().pendingAcquisitions()).isEqualTo(1);
        assertThatThrownBy(() -> onShard(engine, 1, pool::acquire))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("max-pending-acquisitions 1");
        assertThat(pool.metrics().acquireRejected()).isEqualTo(1);

        TestSupport.await(engine.submitTo(1, () -> {
            a.release();
            return null;
        }));
        PooledConnection c = TestSupport.await(waiting.get(0).toCompletableFuture());
        assertThat(c.channel()).as("the released connection goes to the waiter").isSameAs(a.channel());
        assertThat(pool.metrics().activeConnections()).isEqualTo(2);
        assertThat(pool.metrics().connectionsCreated()).isEqualTo(2);
        assertThat(pool.metrics().acquireCount()).isEqualTo(3);
        assertThat(pool.metrics().acquireTimeTotalNanos()).isPositive();
        TestSupport.await(engine.submitTo(1, () -> {
            b.release();
            c.release();
            pool.close();
            return null;
        }));
    }

    /** Live configuration: a raised limit serves the waiting acquisition at once; a lowered one closes what comes back above it. */
    @Test
    void resizedLimitsServeWaitersNowAndShrinkAsConnectionsComeBack() throws Exception {
        PoolOptions options = PoolOptions.builder().maxConnections(1).maxPendingAcquisitions(4).acquireTimeout(Duration.ofSeconds(20)).build();
        ConnectionPool pool = pool(0, options, server.port());
        PooledConnection a = onShard(engine, 0, pool::acquire);
        List<ShardFuture<PooledConnection>> waiting = new ArrayList<>();
        TestSupport.await(engine.submitTo(0, () -> waiting.add(pool.acquire())));
        assertThat(pool.metrics().pendingAcquisitions()).isEqualTo(1);

        TestSupport.await(engine.submitTo(0, () -> {
            pool.resize(3, 4);
            return null;
        }));
        PooledConnection b = TestSupport.await(waiting.get(0).toCompletableFuture());
        assertThat(b.channel()).as("a new connection, not the lent one").isNotSameAs(a.channel());
        PooledConnection c = onShard(engine, 0, pool::acquire);
        assertThat(pool.openConnections()).isEqualTo(3);
        assertThat(pool.options().maxConnections()).isEqualTo(3);

        TestSupport.await(engine.submitTo(0, () -> {
            pool.resize(1, 4);
            a.release();
            b.release();
            c.release();
            return null;
        }));
        eventually("connections above the lowered limit closed as they came back", Duration.ofSeconds(10),
                () -> pool.openConnections() == 1);
        TestSupport.await(engine.submitTo(0, () -> {
            pool.close();
            return null;
        }));
    }

    @Test
    void waitersTimeOut() throws Exception {
        ConnectionPool pool = pool(0, PoolOptions.builder().maxConnections(1).acquireTimeout(Duration.ofMillis(200)).build(), server.port());
        PooledConnection a = onShard(engine, 0, pool::acquire);
        assertThatThrownBy(() -> onShard(engine, 0, pool::acquire)).cause()
                .isInstanceOf(PoolExhaustedException.class).hasMessageContaining("Timed out");
        assertThat(pool.metrics().acquireTimeouts()).isEqualTo(1);
        TestSupport.await(engine.submitTo(0, () -> {
            a.release();
            pool.close();
            return null;
        }));
    }

    @Test
    void reusesIdleConnectionsAndReplacesOnesThePeerClosed() throws Exception {
        ConnectionPool pool = pool(0, PoolOptions.builder().maxConnections(1).build(), server.port());
        PooledConnection a = onShard(engine, 0, pool::acquire);
        TestSupport.await(engine.submitTo(0, () -> {
            a.release();
            return null;
        }));
        PooledConnection again = onShard(engine, 0, pool::acquire);
        assertThat(again.channel()).isSameAs(a.channel());
        TestSupport.await(engine.submitTo(0, () -> {
            again.release();
            return null;
        }));
        // The peer goes away while the connection is idle: the next acquire must not get it.
        again.channel().close().sync();
        eventually("close noticed", Duration.ofSeconds(30), () -> pool.metrics().connectionsClosed() == 1);
        PooledConnection fresh = onShard(engine, 0, pool::acquire);
        assertThat(fresh.channel()).isNotSameAs(a.channel());
        assertThat(fresh.isUsable()).isTrue();
        TestSupport.await(engine.submitTo(0, () -> {
            fresh.discard();
            pool.close();
            return null;
        }));
        eventually("discarded connection closed", Duration.ofSeconds(30), () -> !fresh.channel().isOpen());
    }

    @Test
    void evictsIdleConnections() throws Exception {
        ConnectionPool pool = pool(1, PoolOptions.builder().idleTimeout(Duration.ofMillis(200)).build(), server.port());
        PooledConnection a = onShard(engine, 1, pool::acquire);
        TestSupport.await(engine.submitTo(1, () -> {
            a.release();
            return null;
        }));
        assertThat(pool.metrics().idleConnections()).isEqualTo(1);
        eventually("idle connection evicted", Duration.ofSeconds(30), () -> pool.metrics().idleConnections() == 0
                && !a.channel().isOpen());
        TestSupport.await(engine.submitTo(1, () -> {
            pool.close();
            return null;
        }));
    }

    @Test
    void connectFailureIsAClearError() throws Exception {
        int closedPort = TestSupport.freePort();
        ConnectionPool pool = pool(0, PoolOptions.builder().connectTimeout(Duration.ofSeconds(1)).build(), closedPort);
        assertThatThrownBy(() -> onShard(engine, 0, pool::acquire)).cause()
                .isInstanceOf(ConnectException.class).hasMessageContaining("127.0.0.1:" + closedPort);
        assertThat(pool.metrics().connectFailures()).isEqualTo(1);
        TestSupport.await(engine.submitTo(0, () -> {
            pool.close();
            return null;
        }));
    }

    @Test
    void theShardBudgetCapsConnectionsOverAllPools() throws Exception {
        ConnectionBudget budget = new ConnectionBudget(1);
        Endpoint e = Endpoint.parse("127.0.0.1:" + server.port());
        PoolOptions o = PoolOptions.builder().maxConnections(4).build();
        List<ConnectionPool> pools = TestSupport.await(engine.submitTo(0, () -> List.of(
                new ConnectionPool(engine.shard(0), e, o, ch -> { }, budget),
                new ConnectionPool(engine.shard(0), e, o, ch -> { }, budget))));
        PooledConnection a = onShard(engine, 0, pools.get(0)::acquire);
        assertThatThrownBy(() -> onShard(engine, 0, pools.get(1)::acquire)).cause()
                .isInstanceOf(PoolExhaustedException.class).hasMessageContaining("budget");
        TestSupport.await(engine.submitTo(0, () -> {
            a.discard();
            return null;
        }));
        eventually("budget freed", Duration.ofSeconds(30), () -> pools.get(0).metrics().connectionsClosed() == 1);
        PooledConnection b = onShard(engine, 0, pools.get(1)::acquire);
        TestSupport.await(engine.submitTo(0, () -> {
            b.release();
            pools.forEach(ConnectionPool::close);
            return null;
        }));
    }

    @Test
    void refusesUseFromAnotherThread() throws Exception {
        ConnectionPool pool = pool(0, PoolOptions.builder().build(), server.port());
        assertThatThrownBy(pool::acquire).isInstanceOf(IllegalStateException.class).hasMessageContaining("belongs to shard 0");
    }

    @Test
    void parsesEndpoints() {
        assertThat(HostAndPort.parse("[::1]:6379")).isEqualTo(new HostAndPort("::1", 6379));
        assertThat(Endpoint.parse("127.0.0.1:80").id()).isEqualTo("127.0.0.1:80");
        assertThat(Endpoint.parse("[::1]:80").id()).isEqualTo("[0:0:0:0:0:0:0:1]:80");
        assertThatThrownBy(() -> HostAndPort.parse("redis")).hasMessageContaining("'redis'").hasMessageContaining("host:port");
        assertThatThrownBy(() -> HostAndPort.parse("redis:99999")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> HostAndPort.parse("redis:abc")).hasMessageContaining("'abc'");
        assertThatThrownBy(() -> Endpoint.parse("no-such-host.invalid:1")).hasMessageContaining("cannot be resolved");
    }
}
