package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;

/**
 * {@code spec.restoreFrom}: a new service starts with a backup's data. Its primary's pod gets an init container (the
 * operator's image) that puts the snapshot on the pod's volume before the server starts, checked (RDB structure, CRC-64,
 * the manifest's size, SHA-256 and key count); a pod whose volume already holds data is left alone, so only a pod's first
 * start restores. Needs {@code spec.persistence}. Only what the user wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoreFrom {

    public static final String LATEST = "latest";
    /** The pod that restores: ordinal 0, the first primary of a replicated service (its replicas copy the data from it). */
    public static final int RESTORING_ORDINAL = 0;

    @Required
    @JsonPropertyDescription("Where the backup is: the destination the backups were written to.")
    private BackupDestination destination;

    @Pattern("^(latest|[^\\s]+)$")
    @Size(max = 1024)
    @JsonPropertyDescription("The backup: its key (namespace/service/<time>-<id>.rdb under the prefix), s3://bucket/key, or latest: the"
            + " newest complete backup of 'service' in 'namespace'. Default latest.")
    private String object;

    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Whose backups 'latest' looks among: the service backed up. Default: this service's name.")
    private String service;

    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("The namespace of 'service'. Default: this service's namespace.")
    private String namespace;

    public BackupDestination getDestination() { return destination; }
    public void setDestination(BackupDestination destination) { this.destination = destination; }
    public String getObject() { return object; }
    public void setObject(String object) { this.object = object; }
    public String getService() { return service; }
    public void setService(String service) { this.service = service; }
    public String getNamespace() { return namespace; }
    public void setNamespace(String namespace) { this.namespace = namespace; }

    public String objectOrLatest() {
        return object == null ? LATEST : object;
    }
}
