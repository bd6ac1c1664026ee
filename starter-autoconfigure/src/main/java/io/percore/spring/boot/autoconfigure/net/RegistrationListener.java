package io.percore.spring.boot.autoconfigure.net;

/**
 * Told when a registry ({@link ShardedServerRegistry}, {@link UpstreamClientRegistry}) starts or
 * closes one of its named resources, so meters can follow resources that appear at runtime.
 * A listener added late is first told about every resource already started. Calls come from
 * the thread that started or closed the resource, never from a shard thread's hot path.
 */
public interface RegistrationListener<T> {

    void started(String name, T resource);

    /**
     * The resource stopped taking new work (a server stopped accepting) and is draining what it
     * has; {@link #closed} follows once that is done. Registries whose resources close in one
     * step call only {@link #closed}.
     */
    default void stopping(String name, T resource) {
    }

    /** After the resource is closed: its counters no longer change. */
    void closed(String name, T resource);
}
