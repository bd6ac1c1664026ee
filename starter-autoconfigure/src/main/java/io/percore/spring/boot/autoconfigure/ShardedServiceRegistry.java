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
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;

/**
 * Stops every {@link Sharded} bean of the context before the engine stops: sharded services
 * declared as {@code @Bean Sharded<MyService>} (see {@link PercoreSharded}) are collected as
 * they are created and stopped in reverse creation order, in phase
 * {@link PercoreEngineLifecycle#SHARDED_SERVICES_PHASE}, so their instances close on their own
 * shards while the engine still runs. On a failed startup they are stopped when the context is
 * destroyed.
 */
public final class ShardedServiceRegistry implements BeanPostProcessor, SmartLifecycle, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedServiceRegistry.class);

    private final Duration stopTimeout;
    private final Map<String, Sharded<?>> services = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    private volatile boolean running;

    public ShardedServiceRegistry(Duration stopTimeout) {
        this.stopTimeout = stopTimeout;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof Sharded<?> sharded) {
            services.put(beanName, sharded);
        }
        return bean;
    }

    /** Names of the sharded services this registry will stop, in creation order. */
    public List<String> serviceNames() {
        synchronized (services) {
            return List.copyOf(services.keySet());
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        stopAll();
    }

    @Override
    public void destroy() {
        stopAll();
    }

    private void stopAll() {
        List<Map.Entry<String, Sharded<?>>> toStop;
        synchronized (services) {
            toStop = new ArrayList<>(services.entrySet());
            services.clear();
        }
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

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PercoreEngineLifecycle.SHARDED_SERVICES_PHASE;
    }
}
