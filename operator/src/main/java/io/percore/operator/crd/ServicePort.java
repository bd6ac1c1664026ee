package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One application port, exposed on the container and the Service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServicePort {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Port name (IANA_SVC_NAME).")
    private String name;

    @Required
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Container port.")
    private Integer port;

    @JsonPropertyDescription("TCP (default) or UDP.")
    private String protocol;

    public ServicePort() {
    }

    public ServicePort(String name, Integer port) {
        this.name = name;
        this.port = port;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public Integer getPort() { return port; }
    public void setPort(Integer port) { this.port = port; }
    public String getProtocol() { return protocol; }
    public void setProtocol(String protocol) { this.protocol = protocol; }
}
