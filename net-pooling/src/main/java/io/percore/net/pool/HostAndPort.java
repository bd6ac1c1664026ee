package io.percore.net.pool;

/** An unresolved {@code host:port}, as written in configuration. */
public final class HostAndPort {

    private final String host;
    private final int port;

    public HostAndPort(String host, int port) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("Endpoint host must not be blank");
        }
        Endpoint.checkPort(port, "'" + host + ":" + port + "'");
        this.host = host;
        this.port = port;
    }

    /** Parses {@code host:port} or {@code [ipv6]:port}. */
    public static HostAndPort parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Endpoint must be host:port, got '" + text + "'");
        }
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("Endpoint '" + text + "' must be [ipv6]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("Endpoint '" + text + "' must be host:port (IPv6 as [addr]:port)");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Endpoint '" + text + "': port '" + port + "' is not a number");
        }
        return new HostAndPort(host, p);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostAndPort && ((HostAndPort) o).host.equals(host) && ((HostAndPort) o).port == port;
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
