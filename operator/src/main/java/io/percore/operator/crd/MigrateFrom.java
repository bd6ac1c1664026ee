package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.time.Duration;

/**
 * A running Redis to move into the service ({@code spec.migrateFrom}): the service's primary replicates from it
 * (reads served, writes refused with {@code -READONLY}, as a replica does), and on {@link #getCutover() cutover}
 * the operator pauses the source's writes, waits until the service has every one of them, and promotes the
 * service. The operator writes nothing to the source but {@code CLIENT PAUSE}/{@code UNPAUSE}; the replication
 * handshake is the pod's. Only what the user wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrateFrom {

    public static final int DEFAULT_PORT = 6379;
    public static final Duration DEFAULT_CUTOVER_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MAX_CUTOVER_TIMEOUT = Duration.ofSeconds(60);

    @Required
    @Pattern("^[A-Za-z0-9]([-A-Za-z0-9.:]*[A-Za-z0-9])?$")
    @JsonPropertyDescription("The source's host name or address, as the service's pods reach it (a Service name, a pod or node address).")
    private String host;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("The source's port. Default 6379.")
    private Integer port;

    @Pattern(Replication.SECRET_NAME_PATTERN)
    @JsonPropertyDescription("Secret (same namespace) whose key 'password' is the source's password (and 'username' its ACL user, if"
            + " any). Unset: the source has none.")
    private String authSecretName;

    @JsonPropertyDescription("The source speaks TLS. Not supported yet (the service replicates over plain RESP): true is refused.")
    private Boolean tls;

    @JsonPropertyDescription("Cut over: pause the source's writes (CLIENT PAUSE WRITE, Redis 6.2+), wait until the service has the"
            + " source's offset, promote the service. Once done it stays done.")
    private Boolean cutover;

    @Pattern(Replication.DURATION_PATTERN)
    @JsonPropertyDescription("How long the cut-over may wait for the service to reach the source's offset while the source's writes are"
            + " paused (e.g. 5s, 500ms). Past it the source is unpaused and stays the primary. Default 5s, at most 60s.")
    private String cutoverTimeout;

    public MigrateFrom() {
    }

    public MigrateFrom(String host, Integer port) {
        this.host = host;
        this.port = port;
    }

    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; }
    public Integer getPort() { return port; }
    public void setPort(Integer port) { this.port = port; }
    public String getAuthSecretName() { return authSecretName; }
    public void setAuthSecretName(String authSecretName) { this.authSecretName = authSecretName; }
    public Boolean getTls() { return tls; }
    public void setTls(Boolean tls) { this.tls = tls; }
    public Boolean getCutover() { return cutover; }
    public void setCutover(Boolean cutover) { this.cutover = cutover; }
    public String getCutoverTimeout() { return cutoverTimeout; }
    public void setCutoverTimeout(String cutoverTimeout) { this.cutoverTimeout = cutoverTimeout; }

    public int portOrDefault() {
        return port == null ? DEFAULT_PORT : port;
    }

    public boolean cutoverRequested() {
        return Boolean.TRUE.equals(cutover);
    }

    /** @throws IllegalArgumentException when the text is not a duration */
    public Duration cutoverTimeoutOrDefault() {
        return cutoverTimeout == null ? DEFAULT_CUTOVER_TIMEOUT : Replication.parseDuration(cutoverTimeout);
    }
}
