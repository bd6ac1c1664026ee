package io.percore.operator.sizing;

import java.util.Locale;

/** {@code spec.mode}: let the planner decide, or force a mode. */
public enum ModePreference {
    AUTO,
    PINNED,
    OVERPROVISIONED;

    public static ModePreference parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.mode: '" + value + "' is not one of auto, pinned, overprovisioned");
        }
    }
}
