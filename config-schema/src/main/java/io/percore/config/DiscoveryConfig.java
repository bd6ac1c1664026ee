package io.percore.config;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;

/**
 * Where a client pool's endpoints come from. Bound from {@code percore.clients.<name>.discovery.*}.
 */
public class DiscoveryConfig {

    /** Discovery mechanism; written {@code static}, {@code dns}, {@code kubernetes} in YAML. */
    public enum Type {
        STATIC,
        DNS,
        KUBERNETES
    }

    @PropertyDescription("static: the endpoints list as written. dns: the endpoints host names, re-resolved periodically. kubernetes: the ready endpoints of a Kubernetes Service.")
    @NotNull
    private Type type = Type.STATIC;

    @PropertyDescription("With dns discovery, how often host names are resolved again.")
    @NotNull
    @DurationMin("1s")
    @DurationMax("1d")
    private Duration dnsRefreshInterval = Duration.ofSeconds(30);

    @PropertyDescription("With kubernetes discovery, the Service whose endpoints are used (required there).")
    @Size(max = 63)
    @Pattern(regexp = "^[a-z]([-a-z0-9]*[a-z0-9])?$")
    private String serviceName;

    @PropertyDescription("With kubernetes discovery, the Service namespace; unset means the namespace of the pod.")
    @Size(max = 63)
    @Pattern(regexp = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    private String namespace;

    @PropertyDescription("With kubernetes discovery, the named Service port to connect to; unset means the Service has exactly one port.")
    @Size(max = 15)
    @Pattern(regexp = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    private String portName;

    public DiscoveryConfig() {
    }

    public Type getType() {
        return type;
    }

    public void setType(Type type) {
        this.type = type;
    }

    public Duration getDnsRefreshInterval() {
        return dnsRefreshInterval;
    }

    public void setDnsRefreshInterval(Duration dnsRefreshInterval) {
        this.dnsRefreshInterval = dnsRefreshInterval;
    }

    public String getServiceName() {
        return serviceName;
    }

    public void setServiceName(String serviceName) {
        this.serviceName = serviceName;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getPortName() {
        return portName;
    }

    public void setPortName(String portName) {
        this.portName = portName;
    }
}
