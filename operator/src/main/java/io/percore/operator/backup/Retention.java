package io.percore.operator.backup;

import java.time.Duration;

/**
 * How many backups a service keeps: the {@code keep} newest complete ones, those younger than {@code maxAge}, or
 * (both given) every backup either keeps: {@code keep} is then the least kept, however old.
 *
 * @param keep   at least 1, or null
 * @param maxAge positive, or null
 */
public record Retention(Integer keep, Duration maxAge) {

    public Retention {
        if (keep == null && maxAge == null) {
            throw new IllegalArgumentException("a retention needs keep, maxAge or both");
        }
        if (keep != null && keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1 (the newest backup is always kept), not " + keep);
        }
        if (maxAge != null && (maxAge.isZero() || maxAge.isNegative())) {
            throw new IllegalArgumentException("maxAge must be positive, not " + maxAge);
        }
    }
}
