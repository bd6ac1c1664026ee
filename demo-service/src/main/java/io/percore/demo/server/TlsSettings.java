package io.percore.demo.server;

/**
 * The RESP server's TLS as Redis's CONFIG names it, fixed at start: the listener and its SSL
 * bundle are the starter's {@code percore.servers.resp.ssl.*}, and a renewed certificate is taken
 * without a restart through the bundle, not through CONFIG SET.
 *
 * @param tlsPort      Redis's {@code tls-port}: where TLS is served, 0 without TLS
 * @param plainPort    whether the plain {@code port} is open next to it (with TLS only, Redis's {@code port} is 0)
 * @param authClients  Redis's {@code tls-auth-clients}: {@code no}, {@code optional} or {@code yes}
 * @param protocols    Redis's {@code tls-protocols}: the bundle's protocols, space separated; empty for the library's default
 * @param ciphers      Redis's {@code tls-ciphers} (TLS 1.2 and below): the bundle's ciphers that are not TLS 1.3 suites
 * @param ciphersuites Redis's {@code tls-ciphersuites} (TLS 1.3): the bundle's TLS 1.3 suites
 */
public record TlsSettings(int tlsPort, boolean plainPort, String authClients, String protocols, String ciphers, String ciphersuites) {

    /** No TLS: the plain port only. */
    public static final TlsSettings NONE = new TlsSettings(0, true, "yes", "", "", "");

    /** {@code port}'s value for CONFIG: the RESP port, or 0 when that port speaks TLS only (as Redis's {@code port 0}). */
    public int plainPortOf(int respPort) {
        return plainPort ? respPort : 0;
    }
}
