package io.percore.operator.migration;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the operator reads of the service's pod beyond Redis's own fields: why its link to the source fails (the
 * service's additions to {@code INFO replication}) and how many databases it holds ({@code CONFIG GET databases}).
 */
public final class TargetInfo {

    private TargetInfo() {
    }

    /** A {@code CONFIG GET <one>} reply's value as a positive number ({@code [name, value]}), else null. */
    public static Integer configValue(Object reply) {
        if (reply instanceof List<?> l && l.size() == 2) {
            try {
                int n = Integer.parseInt(String.valueOf(l.get(1)).trim());
                return n > 0 ? n : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * Why the pod's link fails, from its {@code INFO replication} (the service's {@code master_link_last_error},
     * {@code master_link_last_error_since} in Unix seconds, {@code master_link_failed_attempts}); null while its tries do
     * not fail, and from a server that has no such fields (redis-server).
     */
    public static MigrationPlanner.LinkFailure linkFailure(Map<String, String> replicationInfo) {
        String reason = replicationInfo.get("master_link_last_error");
        long attempts = InfoFields.number(replicationInfo.get("master_link_failed_attempts"));
        if (reason == null || reason.isBlank() || attempts <= 0) {
            return null;
        }
        long since = InfoFields.number(replicationInfo.get("master_link_last_error_since"));
        return new MigrationPlanner.LinkFailure(reason, since > 0 ? Instant.ofEpochSecond(since) : null, attempts);
    }
}
