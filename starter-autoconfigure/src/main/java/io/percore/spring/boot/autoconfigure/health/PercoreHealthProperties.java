package io.percore.spring.boot.autoconfigure.health;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the {@code percore} health indicator. They live under
 * {@code management.health.percore} (next to Spring's own {@code management.health.<name>.enabled})
 * because every key under {@code percore.} is owned and validated by the configuration schema.
 */
@ConfigurationProperties("management.health.percore")
public class PercoreHealthProperties {

    /**
     * A shard is reported DOWN when its loop has not turned for this many times
     * percore.engine.stall-threshold. Idle shards wake at least once per stall threshold, so a
     * healthy shard's last turn is never much older than that.
     */
    private int stallMultiplier = 10;

    /** Whether the percore indicator is a member of the readiness health group (/actuator/health/readiness). */
    private boolean readiness = true;

    public int getStallMultiplier() {
        return stallMultiplier;
    }

    public void setStallMultiplier(int stallMultiplier) {
        if (stallMultiplier < 1) {
            throw new IllegalArgumentException("management.health.percore.stall-multiplier must be at least 1, got " + stallMultiplier);
        }
        this.stallMultiplier = stallMultiplier;
    }

    public boolean isReadiness() {
        return readiness;
    }

    public void setReadiness(boolean readiness) {
        this.readiness = readiness;
    }
}
