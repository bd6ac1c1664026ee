package io.percore.operator.sizing;

/** The engine's {@code percore.engine.mode} values, as the operator writes them. */
public enum EngineMode {
    PINNED("pinned"),
    OVERPROVISIONED("overprovisioned");

    private final String configValue;

    EngineMode(String configValue) {
        this.configValue = configValue;
    }

    public String configValue() {
        return configValue;
    }
}
