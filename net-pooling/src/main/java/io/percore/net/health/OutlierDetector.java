package io.percore.net.health;

import java.util.List;

/**
 * Passive health: an endpoint whose requests fail {@code consecutive-failures} times in a row is
 * ejected for base-ejection-time times its ejection count, unless that would eject more than
 * max-ejection-percent of the endpoints. Shard-local.
 */
public final class OutlierDetector {

    private final OutlierOptions options;

    public OutlierDetector(OutlierOptions options) {
        this.options = options;
    }

    public OutlierOptions options() {
        return options;
    }

    public void onSuccess(EndpointHealth h) {
        h.consecutiveFailures = 0;
    }

    /** Records a failed request; returns true if it ejected {@code h}. */
    public boolean onFailure(EndpointHealth h, List<? extends EndpointHealth> all, long nowNanos) {
        h.consecutiveFailures++;
        if (h.consecutiveFailures < options.consecutiveFailures() || h.isEjectedAt(nowNanos)) {
            return false;
        }
        int ejectedNow = 0;
        for (EndpointHealth e : all) {
            if (e.isEjectedAt(nowNanos)) {
                ejectedNow++;
            }
        }
        if ((long) (ejectedNow + 1) * 100 > (long) options.maxEjectionPercent() * all.size()) {
            return false;
        }
        h.ejections++;
        h.ejected = true;
        h.ejectedUntilNanos = nowNanos + options.baseEjectionTime().toNanos() * h.ejections;
        h.consecutiveFailures = 0;
        return true;
    }
}
