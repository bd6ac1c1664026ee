package io.percore.spring.boot.autoconfigure.net;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one registry. A listener (metrics) must never stop a resource from starting
 * or closing, so each call is isolated and a failure only logged. The registry calls
 * {@link #add} under the same lock it starts resources under, so a late listener sees every
 * resource exactly once.
 */
final class RegistrationListeners<T> {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrationListeners.class);

    private final String kind;
    private final List<RegistrationListener<T>> listeners = new CopyOnWriteArrayList<>();

    /** {@code kind} names the resource in log lines ("server", "client"). */
    RegistrationListeners(String kind) {
        this.kind = kind;
    }

    /** Adds {@code listener} and tells it about every resource in {@code current}. */
    void add(RegistrationListener<T> listener, Map<String, ? extends T> current) {
        listeners.add(listener);
        current.forEach((name, resource) -> call(() -> listener.started(name, resource), name));
    }

    void remove(RegistrationListener<T> listener) {
        listeners.remove(listener);
    }

    void started(String name, T resource) {
        for (RegistrationListener<T> listener : listeners) {
            call(() -> listener.started(name, resource), name);
        }
    }

    void stopping(String name, T resource) {
        for (RegistrationListener<T> listener : listeners) {
            call(() -> listener.stopping(name, resource), name);
        }
    }

    void closed(String name, T resource) {
        for (RegistrationListener<T> listener : listeners) {
            call(() -> listener.closed(name, resource), name);
        }
    }

    private void call(Runnable call, String name) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("Listener of {} '{}' failed", kind, name, e);
        }
    }
}
