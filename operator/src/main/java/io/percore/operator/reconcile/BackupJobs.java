package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.percore.operator.backupplan.BackupSpecs;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.RestoreFrom;
import io.percore.operator.sizing.Quantities;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.users.OperatorUsers;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The backup's Job and the restore's init container, both the operator's own image running the data path's programs
 * ({@code io.percore.operator.backup}) with plain settings and the credentials from Secrets (never in clear). Pure.
 */
final class BackupJobs {

    static final String CONTAINER = "backup";
    static final String RESTORE_CONTAINER = "restore";
    static final String BACKUP_MAIN = "io.percore.operator.backup.BackupMain";
    static final String RESTORE_MAIN = "io.percore.operator.backup.PodRestoreMain";
    /** The label of a backup Job's pod; the Job controller adds {@value #JOB_NAME_LABEL} too. */
    static final String COMPONENT = "percore-backup";
    static final String JOB_NAME_LABEL = "job-name";
    /** A backup that runs longer than this fails (its own bounds end a stuck source or store long before: a minute of silence). */
    static final long DEADLINE_SECONDS = 6 * 3600;
    /** A finished Job stays this long for {@code kubectl logs}; the operator reads its outcome at once. */
    static final int KEEP_FINISHED_SECONDS = 86400;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private BackupJobs() {
    }

    /** {@code <name>-backup-<yyyyMMddHHmmss>}: a DNS label (the backup's id in its object's name, the pods' job-name label). */
    static String jobName(PercoreService s, Instant now) {
        String name = s.getMetadata().getName();
        String head = name.length() > 40 ? name.substring(0, 40) : name;
        while (head.endsWith("-")) {
            head = head.substring(0, head.length() - 1);
        }
        return (head + "-backup-" + STAMP.format(now)).toLowerCase(Locale.ROOT);
    }

    /** A backup of one data set: one group of sources. */
    static Job job(PercoreService s, String name, String image, List<String> sources, boolean backupUser) {
        return job(s, name, image, List.of(sources), List.of(), backupUser);
    }

    /**
     * @param groups     the pods to read from ({@code host:port}), one group per data set (a cluster's primaries, each with its
     *                   replicas): in each a replica in sync is read when there is one, else the primary
     * @param slots      a cluster's groups' slots, in the groups' order (empty: one data set)
     * @param backupUser the pods have the backup's own user ({@value OperatorUsers#BACKUP}); else the default user's password
     */
    static Job job(PercoreService s, String name, String image, List<List<String>> groups, List<String> slots, boolean backupUser) {
        Backup backup = s.getSpec().getBackup();
        Map<String, String> plain = new LinkedHashMap<>(BackupSpecs.storageEnv(backup.getDestination()));
        plain.putAll(BackupSpecs.backupEnv(s.getMetadata().getNamespace(), s.getMetadata().getName(), name, backup.getRetention()));
        plain.put("PERCORE_BACKUP_SOURCES", String.join(";", groups.stream().map(g -> String.join(",", g)).toList()));
        if (!slots.isEmpty()) {
            plain.put("PERCORE_BACKUP_SLOTS", String.join(";", slots));
        }
        if (backupUser) {
            plain.put("PERCORE_BACKUP_USERNAME", OperatorUsers.BACKUP);
        }
        plain.put("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError");
        List<EnvVar> env = vars(plain);
        env.add(secretVar("PERCORE_BACKUP_PASSWORD", backupUser ? PodPassword.backupSecretName(s) : PodPassword.secretName(s),
                Replication.PASSWORD_KEY));
        env.addAll(credentials(backup.getDestination()));
        Map<String, String> podLabels = new LinkedHashMap<>();
        podLabels.put(Labels.NAME, COMPONENT);
        podLabels.put(Labels.INSTANCE, s.getMetadata().getName());
        podLabels.put(Labels.MANAGED_BY, Labels.OPERATOR);
        Container container = new ContainerBuilder().withName(CONTAINER).withImage(image)
                .withCommand("java", "-cp", "@/app/jib-classpath-file", BACKUP_MAIN)
                .withEnv(env)
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("512Mi"))
                .endResources()
                .withSecurityContext(restricted(true))
                .withVolumeMounts(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build())
                .build();
        Map<String, String> labels = Labels.common(s);
        labels.put("app.kubernetes.io/component", COMPONENT);
        return new JobBuilder().withMetadata(WorkloadRenderer.meta(s, name)).editMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withActiveDeadlineSeconds(DEADLINE_SECONDS)
                .withTtlSecondsAfterFinished(KEEP_FINISHED_SECONDS)
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(container)
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * The init container that restores {@code spec.restoreFrom} onto the pod's volume before the server starts, on the
     * service's first pod only (the primary a replicated service elects first; its replicas copy the data from it), or in
     * a cluster on its first pods, one per primary, each restoring its group of a cluster's backup (the first layout makes
     * the pods that hold keys primaries and gives each the slots it holds). Its resources stay within the pod's: the pod
     * keeps its QoS class and the plan its room.
     */
    static Container restoreContainer(PercoreService s, SizingPlan plan, String image) {
        RestoreFrom restore = s.getSpec().getRestoreFrom();
        String name = s.getMetadata().getName();
        Map<String, String> plain = new LinkedHashMap<>(BackupSpecs.storageEnv(restore.getDestination()));
        plain.putAll(BackupSpecs.restoreEnv(restore, s.getMetadata().getNamespace(), name, Persistence.DATA_DIR));
        if (Cluster.enabled(s.getSpec())) {
            plain.put("PERCORE_RESTORE_PODS", String.join(",", restorePods(s, plan.replicas())));
        } else {
            plain.put("PERCORE_RESTORE_POD", restorePod(s));
        }
        plain.put("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError");
        List<EnvVar> env = vars(plain);
        env.add(new EnvVarBuilder().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef()
                .endValueFrom().build());
        env.addAll(credentials(restore.getDestination()));
        long memory = Math.min(512L << 20, plan.memoryPerPodBytes());
        long cpuMillis = Math.min(1000, plan.cpuRequestMillisPerPod());
        return new ContainerBuilder().withName(RESTORE_CONTAINER).withImage(image)
                .withCommand("java", "-cp", "@/app/jib-classpath-file", RESTORE_MAIN)
                .withEnv(env)
                .withNewResources()
                .addToRequests("cpu", new Quantity(Quantities.formatCpu(cpuMillis)))
                .addToRequests("memory", new Quantity(Quantities.canonicalBytes(memory)))
                .addToLimits("cpu", new Quantity(plan.burstable() ? "1" : Quantities.formatCpu(cpuMillis)))
                .addToLimits("memory", new Quantity(Quantities.canonicalBytes(memory)))
                .endResources()
                .withSecurityContext(restricted(false))
                .withVolumeMounts(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName(WorkloadRenderer.DATA_VOLUME)
                        .withMountPath(Persistence.DATA_DIR).build())
                .build();
    }

    /**
     * A cluster's restoring pods: the first {@code members / (1 + replicas)} ordinals, one per primary; the cluster
     * planner's first layout makes the pods that hold keys its primaries.
     */
    static List<String> restorePods(PercoreService s, int members) {
        Replication r = s.getSpec().getReplication();
        int replicas = r == null || r.getReplicas() == null ? 0 : r.getReplicas(); // as the cluster driver counts them
        int primaries = Math.max(1, members / (1 + replicas));
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < primaries; i++) {
            pods.add(s.getMetadata().getName() + "-" + i);
        }
        return pods;
    }

    /** The pod that restores: ordinal 0, the first primary (ReplicationPlanner elects it first when the spec restores). */
    static String restorePod(PercoreService s) {
        return s.getMetadata().getName() + "-" + RestoreFrom.RESTORING_ORDINAL;
    }

    /** The restricted Pod Security Standard's container fields (the images run as a numeric non-root user). */
    private static SecurityContext restricted(boolean readOnlyRoot) {
        return new SecurityContextBuilder().withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
                .withRunAsNonRoot(true).withReadOnlyRootFilesystem(readOnlyRoot ? true : null).build();
    }

    private static List<EnvVar> vars(Map<String, String> plain) {
        List<EnvVar> env = new ArrayList<>();
        plain.forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        return env;
    }

    private static List<EnvVar> credentials(BackupDestination d) {
        if (d.getCredentialsSecretName() == null) {
            return List.of();
        }
        return List.of(secretVar("PERCORE_S3_ACCESS_KEY_ID", d.getCredentialsSecretName(), BackupDestination.ACCESS_KEY_ID_KEY),
                secretVar("PERCORE_S3_SECRET_ACCESS_KEY", d.getCredentialsSecretName(), BackupDestination.SECRET_ACCESS_KEY_KEY));
    }

    private static EnvVar secretVar(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef()
                .endValueFrom().build();
    }
}
