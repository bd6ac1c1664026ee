package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * TLS for the service's servers from a Secret of type {@code kubernetes.io/tls} (what cert-manager
 * writes: {@code tls.crt}, {@code tls.key}, {@code ca.crt}). The operator mounts the Secret at
 * {@value #MOUNT} and renders a Spring Boot SSL bundle, {@value #BUNDLE}, over its files with
 * {@code reload-on-update}, and points {@code percore.servers.<name>.ssl.bundle} of each listed
 * server at it. When the Secret's content changes (a renewed certificate) the kubelet updates the
 * mounted files and the pods take the new certificate without a restart; the operator never reads
 * the Secret. Only what the user wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Tls {

    /** Where the Secret is mounted in the pod: beside the configuration, not inside its (read-only) ConfigMap volume. */
    public static final String MOUNT = "/etc/percore-tls/";
    /** The SSL bundle the operator renders over the mounted files. */
    public static final String BUNDLE = "percore-tls";
    public static final String CERTIFICATE_KEY = "tls.crt";
    public static final String PRIVATE_KEY_KEY = "tls.key";
    public static final String CA_KEY = "ca.crt";

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    @JsonPropertyDescription("Secret (same namespace, type kubernetes.io/tls, e.g. made by cert-manager) with tls.crt and tls.key,"
            + " and ca.crt when a server checks client certificates (ssl.client-auth want or need in spec.config). Mounted at"
            + " /etc/percore-tls/; a renewed certificate is taken by the pods without a restart.")
    private String secretName;

    @Required
    @Size(min = 1, max = 64)
    @JsonPropertyDescription("The servers (names as under spec.config.servers, or the application's own such as the demo's resp and"
            + " http) that speak TLS with the Secret's certificate: each gets ssl.bundle percore-tls. Their other TLS settings"
            + " (ssl.port for a TLS port next to the plain one, ssl.client-auth) stay in spec.config.")
    private List<String> servers;

    public Tls() {
    }

    public Tls(String secretName, List<String> servers) {
        this.secretName = secretName;
        this.servers = servers;
    }

    public String getSecretName() { return secretName; }
    public void setSecretName(String secretName) { this.secretName = secretName; }
    public List<String> getServers() { return servers; }
    public void setServers(List<String> servers) { this.servers = servers; }

    /** {@link #getServers()} or an empty list; not a JSON property. */
    @JsonIgnore
    public List<String> serversOrEmpty() {
        return servers == null ? List.of() : servers;
    }
}
