package io.percore.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;

/**
 * TLS of one server, from a Spring Boot SSL bundle. Bound from {@code percore.servers.<name>.ssl.*};
 * naming a {@code bundle} turns TLS on. The bundle holds the key, the certificate chain, the
 * certificates trusted for client certificates, and the protocols and ciphers
 * ({@code spring.ssl.bundle.*.<bundle>.options}), so none of those is repeated here.
 */
public class ServerSslConfig {

    /** Whether peers must show a certificate; written {@code none}, {@code want}, {@code need} in YAML. */
    public enum ClientAuth {
        /** No client certificate asked for (Redis's {@code tls-auth-clients no}). */
        NONE,
        /** Asked for, checked when given (Redis's {@code tls-auth-clients optional}). */
        WANT,
        /** Required and checked (Redis's {@code tls-auth-clients yes}). */
        NEED
    }

    /** Spring Boot's bundle names are map keys; this keeps them to what a property key can hold. */
    public static final String BUNDLE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$";

    @PropertyDescription("Name of the Spring Boot SSL bundle (spring.ssl.bundle.pem.<name> or spring.ssl.bundle.jks.<name>) with the "
            + "server's key and certificate chain, the certificates trusted for client certificates, and the protocols and ciphers "
            + "(the bundle's options). Naming one turns TLS on. With the bundle's reload-on-update the server takes a renewed "
            + "certificate without a restart: new connections get it, open ones keep theirs.")
    @Size(max = 63)
    @Pattern(regexp = BUNDLE_PATTERN)
    private String bundle;

    @PropertyDescription("A port of its own for TLS next to the plain port (Redis's tls-port): port then stays plain text and this "
            + "one speaks TLS, both on every shard with the server's limits shared. Unset: port itself speaks TLS only. "
            + "0 lets the kernel pick a free port.")
    @Min(0)
    @Max(65535)
    private Integer port;

    @PropertyDescription("Client certificates: none, want (asked for and checked when given) or need (required), as Redis's "
            + "tls-auth-clients no, optional, yes. want and need check them against the bundle's trust store.")
    @NotNull
    private ClientAuth clientAuth = ClientAuth.NONE;

    @PropertyDescription("A TLS handshake not finished this long after the connection was accepted closes the connection.")
    @NotNull
    @DurationMin("1ms")
    @DurationMax("10m")
    @LiveChange
    private Duration handshakeTimeout = Duration.ofSeconds(10);

    @PropertyDescription("Handshakes one shard runs at once at most; a connection accepted beyond that is closed at once and "
            + "counted as rejected. Bounds what a flood of connections that start a handshake and never finish it can hold.")
    @Min(1)
    @Max(1_000_000)
    @LiveChange
    private int maxHandshakesPerShard = 256;

    public ServerSslConfig() {
    }

    public String getBundle() {
        return bundle;
    }

    public void setBundle(String bundle) {
        this.bundle = bundle;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public ClientAuth getClientAuth() {
        return clientAuth;
    }

    public void setClientAuth(ClientAuth clientAuth) {
        this.clientAuth = clientAuth;
    }

    public Duration getHandshakeTimeout() {
        return handshakeTimeout;
    }

    public void setHandshakeTimeout(Duration handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
    }

    public int getMaxHandshakesPerShard() {
        return maxHandshakesPerShard;
    }

    public void setMaxHandshakesPerShard(int maxHandshakesPerShard) {
        this.maxHandshakesPerShard = maxHandshakesPerShard;
    }
}
