package io.percore.demo.server;

/**
 * What bounds the clients and who may connect: {@code percore.demo.maxmemory-clients} and
 * {@code percore.demo.protected-mode} (Redis's {@code maxmemory-clients} and {@code protected-mode}).
 *
 * @param maxmemoryClients bytes all clients together may hold; -1 for the default
 *                         ({@link JvmMemory#defaultMaxmemoryClients()}), 0 for no such bound (allowed only
 *                         when every client class has a hard output limit)
 * @param protectedMode    without a password, serve only clients on the loopback interface
 */
public record ClientSettings(long maxmemoryClients, boolean protectedMode) {

    public static final long DEFAULT = -1;

    public ClientSettings {
        if (maxmemoryClients < DEFAULT) {
            throw new IllegalArgumentException("percore.demo.maxmemory-clients must not be negative, got " + maxmemoryClients);
        }
    }

    public static ClientSettings defaults() {
        return new ClientSettings(DEFAULT, true);
    }

    /** The bytes maxmemory-clients starts at. */
    public long resolvedMaxmemoryClients() {
        return maxmemoryClients == DEFAULT ? JvmMemory.defaultMaxmemoryClients() : maxmemoryClients;
    }
}
