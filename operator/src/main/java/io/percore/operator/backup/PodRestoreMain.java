package io.percore.operator.backup;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RestoreMain} as the init container of a StatefulSet's pods, which share one template. With
 * {@code PERCORE_RESTORE_POD} only that pod restores (the service's first primary); every other pod ({@code POD_NAME},
 * from the downward API) leaves a {@code Skipped} line and starts empty, to copy the data from that primary as its replica.
 * With {@code PERCORE_RESTORE_PODS} (a cluster: the pods that become its primaries, in order) the pod at place {@code i}
 * restores group {@code i} of a cluster's backup ({@code PERCORE_RESTORE_GROUP}, {@code PERCORE_RESTORE_GROUPS}) and the
 * others skip. Without either every pod restores. Wiring for the operator's {@code spec.restoreFrom}; the restore itself
 * is {@link RestoreRun}'s.
 */
public final class PodRestoreMain {

    private PodRestoreMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> env) {
        String only = env.get("PERCORE_RESTORE_POD");
        String cluster = env.get("PERCORE_RESTORE_PODS");
        String pod = env.get("POD_NAME");
        boolean named = only != null && !only.isBlank() || cluster != null && !cluster.isBlank();
        if (named && (pod == null || pod.isBlank())) {
            // without its own name no pod could tell it is the one: none would restore, and the service would start empty
            return end(env, TerminationMessage.failed(Failure.INVALID_SETTINGS, (only != null ? "PERCORE_RESTORE_POD=" + only
                    : "PERCORE_RESTORE_PODS=" + cluster) + " needs POD_NAME, this pod's name (the downward API's metadata.name)"),
                    Failure.INVALID_SETTINGS.exitCode());
        }
        if (cluster != null && !cluster.isBlank()) {
            List<String> pods = Arrays.stream(cluster.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList();
            int group = pods.indexOf(pod);
            if (group < 0) {
                return end(env, skipped(pod + " does not restore: it starts as a replica of one of " + String.join(", ", pods)
                        + ", which restore the backup's groups, and copies its data"), 0);
            }
            Map<String, String> mine = new HashMap<>(env);
            mine.put("PERCORE_RESTORE_GROUP", Integer.toString(group));
            mine.put("PERCORE_RESTORE_GROUPS", Integer.toString(pods.size()));
            return RestoreMain.run(mine);
        }
        if (only != null && !only.isBlank() && !only.equals(pod)) {
            return end(env, skipped(pod + " does not restore: " + only + " does, and this pod copies the data from it as its replica"), 0);
        }
        return RestoreMain.run(env);
    }

    private static String skipped(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", "Skipped");
        m.put("message", message);
        return TerminationMessage.line(m);
    }

    private static int end(Map<String, String> env, String line, int code) {
        System.out.println(line);
        TerminationMessage.write(BackupSettings.terminationLog(env), env.get("PERCORE_TERMINATION_LOG") != null, line);
        return code;
    }
}
