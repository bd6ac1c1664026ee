package io.percore.config;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * The Spring Boot starter's live configuration: it watches the application's configuration files
 * (those Spring loaded from the file system, e.g. a mounted ConfigMap) and applies a change of the
 * settings marked "changes live" without a restart. Bound from {@code percore.config-reload.*}.
 */
public class ConfigReloadConfig {

    @PropertyDescription("Watch the application's configuration files and apply what changes live when they change. Settings that "
            + "need a restart are reported, not applied; a change with an invalid value is refused whole and the running values stay.")
    private boolean enabled = true;

    @PropertyDescription("How often the files are read again in case the file system reports no change (file-system events "
            + "normally trigger a check within a second).")
    @NotNull
    @DurationMin("100ms")
    @DurationMax("1h")
    private Duration interval = Duration.ofSeconds(10);

    public ConfigReloadConfig() {
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getInterval() {
        return interval;
    }

    public void setInterval(Duration interval) {
        this.interval = interval;
    }
}
