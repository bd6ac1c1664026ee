package io.percore.demo.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/** Where a client connects from, as protected mode judges it. */
public final class ClientAddresses {

    private ClientAddresses() {
    }

    /** Whether {@code address} is on the loopback interface (Redis's connIsLocal); a Unix socket counts as local. */
    public static boolean loopback(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            return ip != null && ip.isLoopbackAddress();
        }
        return address != null; // a domain socket: local by nature
    }

    /**
     * Whether a client at {@code hostPort} ({@link #text}'s form) is local as Redis's {@code islocalClient} judges
     * one for a protected command: its address is exactly {@code 127.0.0.1} or {@code ::1} (not the rest of 127/8).
     */
    public static boolean localClient(String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon < 0) {
            return false;
        }
        String host = hostPort.substring(0, colon);
        if (host.equals("127.0.0.1")) {
            return true;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        // an IPv6 literal (only these reach here with a colon): parsed without a name lookup
        return host.indexOf(':') >= 0 && host.matches("[0-9a-fA-F:]+") && isIpv6Loopback(host);
    }

    private static boolean isIpv6Loopback(String literal) {
        try {
            return InetAddress.getByName(literal) instanceof java.net.Inet6Address ip && ip.isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** {@code host:port}, as CLIENT LIST and the slow log show an address. */
    public static String text(SocketAddress address) {
        return String.valueOf(address).replaceFirst("^/", "");
    }

    /** Whether a listener bound to {@code bindAddress} is reachable only over the loopback interface. */
    public static boolean loopbackOnly(String bindAddress) {
        try {
            return InetAddress.getByName(bindAddress).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
