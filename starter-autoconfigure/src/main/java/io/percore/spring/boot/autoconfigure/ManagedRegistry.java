package io.percore.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.beans.factory.DisposableBean;

/**
 * A registry of named resources that live on the engine (servers, upstream clients, sharded
 * services) and must be closed at their step of the {@link PercoreShutdownOrder}: when the
 * context stops, or when it is destroyed after a failed start. Closing is final: once closed, the
 * registry refuses new resources, since they would outlive the shards they run on.
 *
 * <p>Subclasses say how a resource is added ({@link #register}) and how a batch of them closes
 * ({@link #close(List)}); the lock, the closed state and the lifecycle are here.
 *
 * @param <R> what the registry keeps per name
 */
public abstract class ManagedRegistry<R> extends ShutdownStep implements DisposableBean {

    private final String kind;
    /** Guarded by itself; in registration order. */
    private final Map<String, R> resources = new LinkedHashMap<>();
    /** Guarded by {@link #resources}. */
    private boolean closed;

    /**
     * @param kind names the resources in errors, plural ("servers", "upstream clients")
     * @param step when the resources close
     */
    protected ManagedRegistry(String kind, PercoreShutdownOrder step) {
        super(step);
        this.kind = kind;
    }

    /**
     * Runs {@code action} on the registered resources under the registry's lock, so a name is
     * built once and listeners see each resource once. {@code action} may read and add entries.
     *
     * @throws IllegalStateException if the registry has closed (the application is stopping)
     */
    protected final <X> X register(String name, Function<Map<String, R>, X> action) {
        synchronized (resources) {
            if (closed) {
                throw new IllegalStateException("The " + kind + " are closed (application stopping); '" + name
                        + "' cannot be added");
            }
            return action.apply(resources);
        }
    }

    /** Runs {@code action} on a read-only view of the registered resources, under the registry's lock. */
    protected final <X> X read(Function<Map<String, R>, X> action) {
        synchronized (resources) {
            return action.apply(Collections.unmodifiableMap(resources));
        }
    }

    /** Closes {@code taken}, in registration order; they are already out of the registry. */
    protected abstract void close(List<Map.Entry<String, R>> taken);

    /** Whether the registry has closed and refuses new resources. */
    public final boolean isClosed() {
        synchronized (resources) {
            return closed;
        }
    }

    @Override
    protected final void shutDown() {
        closeAll();
    }

    @Override
    public void destroy() {
        closeAll();
    }

    private void closeAll() {
        List<Map.Entry<String, R>> taken;
        synchronized (resources) {
            closed = true;
            taken = new ArrayList<>(resources.entrySet());
            resources.clear();
        }
        if (!taken.isEmpty()) {
            close(taken);
        }
    }
}
