package io.percore.demo.app;

import io.percore.config.ServerConfig;
import io.percore.config.ServerSslConfig;
import io.percore.demo.server.TlsSettings;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * The RESP server's TLS in Redis's CONFIG terms, read from {@code percore.servers.resp.ssl} and the
 * bundle it names (the starter has already refused a missing or unfit bundle by then): Redis's
 * {@code tls-port} is {@code ssl.port}, or the server's port when it speaks TLS only;
 * {@code tls-auth-clients} is {@code ssl.client-auth}; protocols and ciphers are the bundle's
 * options as written, empty when it leaves them to the TLS library (as Redis's defaults are).
 */
final class RespTls {

    private RespTls() {
    }

    static TlsSettings of(ServerConfig resp, SslBundles bundles) {
        ServerSslConfig ssl = resp.getSsl();
        if (ssl.getBundle() == null || bundles == null) {
            return TlsSettings.NONE;
        }
        SslOptions options = bundles.getBundle(ssl.getBundle()).getOptions();
        String[] ciphers = options.getCiphers() == null ? new String[0] : options.getCiphers();
        String protocols = options.getEnabledProtocols() == null ? "" : String.join(" ", options.getEnabledProtocols());
        boolean plain = ssl.getPort() != null;
        return new TlsSettings(plain ? ssl.getPort() : resp.getPort(), plain, authClients(ssl.getClientAuth()), protocols,
                Arrays.stream(ciphers).filter(c -> !isTls13(c)).collect(Collectors.joining(":")),
                Arrays.stream(ciphers).filter(RespTls::isTls13).collect(Collectors.joining(":")));
    }

    private static String authClients(ServerSslConfig.ClientAuth auth) {
        return switch (auth) {
            case NONE -> "no";
            case WANT -> "optional";
            case NEED -> "yes";
        };
    }

    /** TLS 1.3's suites are named TLS_AES_..., TLS_CHACHA20_... in both the IANA and OpenSSL spellings. */
    private static boolean isTls13(String cipher) {
        return cipher.startsWith("TLS_AES_") || cipher.startsWith("TLS_CHACHA20_");
    }
}
