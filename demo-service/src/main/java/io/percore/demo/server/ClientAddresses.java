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
