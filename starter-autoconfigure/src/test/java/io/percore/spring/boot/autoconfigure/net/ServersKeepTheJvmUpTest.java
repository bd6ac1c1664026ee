package io.percore.spring.boot.autoconfigure.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application whose only servers are {@code percore.servers.*} (no web server) stays up while they listen: the
 * shards' threads are daemons, and without the registry's own non-daemon thread such an app (the demo run with
 * {@code spring.main.web-application-type=none}) ended right after "Started".
 */
class ServersKeepTheJvmUpTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class))
            .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned",
                    "percore.servers.api.port=0", "percore.servers.api.bind-address=127.0.0.1");

    @Test
    void aNonDaemonThreadWaitsWhileTheServersListenAndEndsWhenTheyClose() throws Exception {
        Thread[] await = new Thread[1];
        Set<Thread> before = keepAlive();
        runner.withUserConfiguration(OneServer.class).run(context -> {
            assertThat(context).hasNotFailed();
            Set<Thread> now = keepAlive();
            now.removeAll(before);
            assertThat(now).as("the thread that keeps the JVM up while the server listens").hasSize(1);
            await[0] = now.iterator().next();
            assertThat(await[0].isDaemon()).isFalse();
            assertThat(await[0].isAlive()).isTrue();
        });
        await[0].join(10_000);
        assertThat(await[0].isAlive()).as("the thread ends with the servers").isFalse();
    }

    @Test
    void withoutAStartedServerNothingKeepsTheJvmUp() {
        Set<Thread> before = keepAlive();
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(keepAlive()).isEqualTo(before);
        });
    }

    /** The live threads of that name (another test class's application may still be closing in this JVM). */
    private static Set<Thread> keepAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(ShardedServerRegistry.KEEP_ALIVE_THREAD) && t.isAlive())
                .collect(Collectors.toCollection(HashSet::new));
    }

    @ChannelHandler.Sharable
    static final class Idle extends ChannelInboundHandlerAdapter {
    }

    @Configuration(proxyBeanMethods = false)
    static class OneServer {
        @Bean
        ShardedServer api(ShardedServerRegistry servers) {
            return servers.start("api", new Idle());
        }
    }
}
