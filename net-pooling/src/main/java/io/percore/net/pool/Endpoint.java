package io.percore.net.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * One upstream address. Its identity (and its consistent-hash name) is {@code ip:port}; the host
 * name it was discovered under is kept for messages. The address is always resolved, so connecting
 * never blocks a shard on DNS.
 */
public final class Endpoint implements Comparable<Endpoint> {

    private final String hostName;
    private final InetSocketAddress address;
    private final String id;

    private Endpoint(String hostName, InetSocketAddress address) {
        this.hostName = hostName;
        this.address = address;
        String ip = address.getAddress().getHostAddress();
        this.id = (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    /** An endpoint for an already resolved address, discovered under {@code hostName}. */
    public static Endpoint of(String hostName, InetAddress ip, int port) {
        checkPort(port, hostName);
        return new Endpoint(hostName, new InetSocketAddress(Objects.requireNonNull(ip, "ip"), port));
    }

    public static Endpoint of(InetSocketAddress resolved) {
        if (resolved.isUnresolved()) {
            throw new IllegalArgumentException("Endpoint address " + resolved + " is not resolved");
        }
        return new Endpoint(resolved.getHostString(), resolved);
    }

    /**
     * Parses {@code host:port} ({@code [v6]:port} for IPv6) and resolves the host (blocking: call it
     * off the shard threads).
     */
    public static Endpoint parse(String hostAndPort) {
        HostAndPort hp = HostAndPort.parse(hostAndPort);
        try {
            return of(hp.host(), InetAddress.getByName(hp.host()), hp.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Endpoint '" + hostAndPort + "': host '" + hp.host() + "' cannot be resolved", e);
        }
    }

    static void checkPort(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Endpoint " + what + ": port must be in 1..65535, got " + port);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public String hostName() {
        return hostName;
    }

    /** {@code ip:port}: stable across shards and processes, used as the consistent-hash name. */
    public String id() {
        return id;
    }

    @Override
    public int compareTo(Endpoint o) {
        return id.compareTo(o.id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint && ((Endpoint) o).id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return hostName.equals(address.getAddress().getHostAddress()) ? id : hostName + "/" + id;
    }
}
