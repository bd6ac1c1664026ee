package io.percore.spring.boot.autoconfigure;

import io.percore.engine.Sharded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Stops every {@link Sharded} bean of the context before the engine stops: sharded services
 * declared as {@code @Bean Sharded<MyService>} (see {@link PercoreSharded}) are collected as
 * they are created and stopped in reverse creation order at {@link PercoreShutdownOrder#SERVICES},
 * after the servers have drained and the upstream clients closed, so their instances close on
 * their own shards while the engine still runs. On a failed startup they are stopped when the
 * context is destroyed.
 */
public final class ShardedServiceRegistry extends ManagedRegistry<Sharded<?>> implements BeanPostProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedServiceRegistry.class);

    private final Duration stopTimeout;

    public ShardedServiceRegistry(Duration stopTimeout) {
        super("sharded services", PercoreShutdownOrder.SERVICES);
        this.stopTimeout = stopTimeout;
    }

    /**
     * @throws IllegalStateException for a sharded service created after the registry closed
     *                               (the application is stopping): nothing would stop it
     */
    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof Sharded<?> sharded) {
            register(beanName, services -> services.put(beanName, sharded));
        }
        return bean;
    }

    /** Names of the sharded services this registry will stop, in creation order. */
    public List<String> serviceNames() {
        return read(services -> List.copyOf(services.keySet()));
    }

    @Override
    protected void close(List<Map.Entry<String, Sharded<?>>> taken) {
        List<Map.Entry<String, Sharded<?>>> toStop = new ArrayList<>(taken);
        Collections.reverse(toStop);
        long deadline = System.nanoTime() + stopTimeout.toNanos();
        for (Map.Entry<String, Sharded<?>> entry : toStop) {
            CompletableFuture<Void> stopped;
            try {
                stopped = entry.getValue().stop();
            } catch (RuntimeException e) {
                LOG.warn("Sharded service '{}' could not be stopped: {}", entry.getKey(), e.toString());
                continue;
            }
            try {
                stopped.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                LOG.warn("Sharded service '{}' failed while stopping", entry.getKey(), e.getCause());
            } catch (TimeoutException e) {
                LOG.warn("Sharded service '{}' did not stop within {}", entry.getKey(), stopTimeout);
            }
        }
    }
}
