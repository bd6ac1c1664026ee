package io.percore.net.health;

/**
 * Health of one endpoint as one shard sees it: the active checker's verdict and the passive
 * ejection state. Shard-local, plain fields.
 */
public class EndpointHealth {

    boolean activeHealthy = true;
    int probeSuccessStreak;
    int probeFailureStreak;
    int consecutiveFailures;
    long ejectedUntilNanos;
    boolean ejected;
    int ejections;

    /** Healthy per active checks and not ejected at {@code nowNanos}. */
    public final boolean isAvailableAt(long nowNanos) {
        return activeHealthy && !isEjectedAt(nowNanos);
    }

    public final boolean isEjectedAt(long nowNanos) {
        if (ejected && nowNanos - ejectedUntilNanos >= 0) {
            ejected = false;
        }
        return ejected;
    }

    public final boolean isActiveHealthy() {
        return activeHealthy;
    }

    /** How often this endpoint has been ejected; each ejection lasts base-ejection-time times this. */
    public final int ejections() {
        return ejections;
    }

    public final int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** Records an active probe's outcome; returns true if the verdict changed. */
    public final boolean recordProbe(boolean success, HealthCheckOptions options) {
        if (success) {
            probeFailureStreak = 0;
            probeSuccessStreak++;
            if (!activeHealthy && probeSuccessStreak >= options.healthyThreshold()) {
                activeHealthy = true;
                // Back from the dead: forget old request failures.
                consecutiveFailures = 0;
                return true;
            }
        } else {
            probeSuccessStreak = 0;
            probeFailureStreak++;
            if (activeHealthy && probeFailureStreak >= options.unhealthyThreshold()) {
                activeHealthy = false;
                return true;
            }
        }
        return false;
    }

    public String describe(long nowNanos) {
        if (!activeHealthy) {
            return "unhealthy (" + probeFailureStreak + " failed probes)";
        }
        if (isEjectedAt(nowNanos)) {
            return "ejected for " + Math.max(0, (ejectedUntilNanos - nowNanos) / 1_000_000) + " ms more ("
                    + consecutiveFailures + " consecutive failures)";
        }
        return "available";
    }
}
