package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.sizing.SizingPlan;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment of a backup Job and of a restore init container exactly as the operator renders them, with each
 * Secret reference resolved as the kubelet would (from {@code secrets}: name → key → value) and each downward-API field
 * from {@code fields}: for tests that run the programs as the Job and the init container would, outside Kubernetes.
 */
public final class RenderedBackups {

    private RenderedBackups() {
    }

    /** The Job's name for a backup started now, and its container's environment. */
    public static Map<String, String> jobEnv(PercoreService s, List<String> sources, boolean backupUser, Map<String, Map<String, String>> secrets) {
        Container c = BackupJobs.job(s, BackupJobs.jobName(s, Instant.now()), WorkloadRenderer.DEFAULT_OPERATOR_IMAGE, sources, backupUser)
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        return resolve(c, secrets, Map.of());
    }

    /** The restore init container's environment in pod {@code pod} of {@code s}'s StatefulSet. */
    public static Map<String, String> restoreEnv(PercoreService s, SizingPlan plan, String pod, Map<String, Map<String, String>> secrets) {
        Container c = WorkloadRenderer.statefulSet(s, plan, "", WorkloadRenderer.DataClaim.of(s.getSpec().getPersistence()))
                .getSpec().getTemplate().getSpec().getInitContainers().get(0);
        return resolve(c, secrets, Map.of("metadata.name", pod));
    }

    /** The class the init container runs. */
    public static String restoreMain() {
        return BackupJobs.RESTORE_MAIN;
    }

    private static Map<String, String> resolve(Container c, Map<String, Map<String, String>> secrets, Map<String, String> fields) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                String value = secrets.getOrDefault(ref.getName(), Map.of()).get(ref.getKey());
                if (value == null) {
                    throw new IllegalArgumentException(e.getName() + ": no key " + ref.getKey() + " in Secret " + ref.getName());
                }
                env.put(e.getName(), value);
            } else {
                env.put(e.getName(), fields.get(e.getValueFrom().getFieldRef().getFieldPath()));
            }
        }
        return env;
    }
}
