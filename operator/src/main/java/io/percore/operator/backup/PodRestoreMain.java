package io.percore.operator.backup;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link RestoreMain} as the init container of a StatefulSet's pods, which share one template: only the pod named by
 * {@code PERCORE_RESTORE_POD} restores (the service's first primary); every other pod ({@code POD_NAME}, from the
 * downward API) leaves a {@code Skipped} line and starts empty, to copy the data from that primary as its replica.
 * Without {@code PERCORE_RESTORE_POD} every pod restores. Wiring for the operator's {@code spec.restoreFrom}; the restore
 * itself is {@link RestoreRun}'s.
 */
public final class PodRestoreMain {

    private PodRestoreMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> env) {
        String only = env.get("PERCORE_RESTORE_POD");
        String pod = env.get("POD_NAME");
        if (only != null && !only.isBlank() && (pod == null || pod.isBlank())) {
            // without its own name no pod could tell it is the one: none would restore, and the service would start empty
            String line = TerminationMessage.failed(Failure.INVALID_SETTINGS, "PERCORE_RESTORE_POD=" + only + " needs POD_NAME, this pod's"
                    + " name (the downward API's metadata.name)");
            System.out.println(line);
            TerminationMessage.write(BackupSettings.terminationLog(env), env.get("PERCORE_TERMINATION_LOG") != null, line);
            return Failure.INVALID_SETTINGS.exitCode();
        }
        if (only != null && !only.isBlank() && !only.equals(pod)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("outcome", "Skipped");
            m.put("message", pod + " does not restore: " + only + " does, and this pod copies the data from it"
                    + " as its replica");
            String line = TerminationMessage.line(m);
            System.out.println(line);
            TerminationMessage.write(BackupSettings.terminationLog(env), env.get("PERCORE_TERMINATION_LOG") != null, line);
            return 0;
        }
        return RestoreMain.run(env);
    }
}
