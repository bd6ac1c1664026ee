package io.percore.net.discovery;

import io.percore.net.pool.Endpoint;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where an upstream's endpoints come from. A discovery calls its listener with the complete,
 * current endpoint set whenever it changes (from any thread, never concurrently with itself); the
 * client fans each set out to every shard.
 */
public interface EndpointDiscovery extends AutoCloseable {

    /** Starts discovering; the first set should follow soon (synchronously if it is known). */
    void start(Consumer<List<Endpoint>> listener);

    /** Stops discovering; no calls to the listener follow. */
    @Override
    void close();
}
