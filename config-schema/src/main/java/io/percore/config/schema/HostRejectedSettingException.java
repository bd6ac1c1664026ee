package io.percore.config.schema;

/**
 * A setting the validator accepted but this host cannot honour (more shards than usable CPUs, a
 * CPU outside the process's affinity, a transport the kernel does not offer). Only the host
 * reveals these, so the engine finds them; it reports them as a {@link ConfigError} with rule
 * {@code host-topology}, and callers (the starter's failure report) recognise them by this type.
 */
public class HostRejectedSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public static final String RULE = "host-topology";

    private final transient ConfigError error;

    /**
     * @param path the property the host rejects, {@code percore.engine.shards}
     * @param value its value as written, or {@code null}
     * @param message the whole explanation, starting with the property
     */
    public HostRejectedSettingException(String path, String value, String message, Throwable cause) {
        super(message, cause);
        this.error = new ConfigError(path, value, RULE, message + " (" + RULE + ")", null);
    }

    public HostRejectedSettingException(String path, String value, String message) {
        this(path, value, message, null);
    }

    public ConfigError error() {
        return error;
    }
}
