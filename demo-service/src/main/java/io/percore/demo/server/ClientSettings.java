package io.percore.demo.server;

import io.percore.demo.kv.KeyspaceEvents;

/**
 * What bounds the clients, who may connect and what subscribers are told:
 * {@code percore.demo.maxmemory-clients}, {@code percore.demo.protected-mode} and
 * {@code percore.demo.notify-keyspace-events} (Redis's {@code maxmemory-clients},
 * {@code protected-mode} and {@code notify-keyspace-events}).
 *
 * @param maxmemoryClients     bytes all clients together may hold; -1 for the default
 *                             ({@link JvmMemory#defaultMaxmemoryClients()}), 0 for no such bound (allowed only
 *                             when every client class has a hard output limit)
 * @param protectedMode        without a password, serve only clients on the loopback interface
 * @param notifyKeyspaceEvents the keyspace event classes published at start, in Redis's letters ("" for none)
 */
public record ClientSettings(long maxmemoryClients, boolean protectedMode, String notifyKeyspaceEvents) {

    public static final long DEFAULT = -1;

    public ClientSettings {
        if (maxmemoryClients < DEFAULT) {
            throw new IllegalArgumentException("percore.demo.maxmemory-clients must not be negative, got " + maxmemoryClients);
        }
        if (KeyspaceEvents.parse(notifyKeyspaceEvents) < 0) {
            throw new IllegalArgumentException("percore.demo.notify-keyspace-events=" + notifyKeyspaceEvents + ": "
                    + KeyspaceEvents.INVALID);
        }
    }

    public ClientSettings(long maxmemoryClients, boolean protectedMode) {
        this(maxmemoryClients, protectedMode, "");
    }

    public static ClientSettings defaults() {
        return new ClientSettings(DEFAULT, true);
    }

    /** The bytes maxmemory-clients starts at. */
    public long resolvedMaxmemoryClients() {
        return maxmemoryClients == DEFAULT ? JvmMemory.defaultMaxmemoryClients() : maxmemoryClients;
    }

    /** The keyspace event classes published at start ({@link KeyspaceEvents#parse}). */
    public int notifyKeyspaceEventClasses() {
        return KeyspaceEvents.parse(notifyKeyspaceEvents);
    }
}
