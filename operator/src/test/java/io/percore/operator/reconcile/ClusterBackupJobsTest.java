package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.percore.operator.TestResources;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A cluster's backup Job reads one group per primary; its restore runs on one pod per primary. */
class ClusterBackupJobsTest {

    private static PercoreService cluster(Integer replicas) {
        PercoreService s = TestResources.service("kv", 1);
        s.getSpec().setCluster(new Cluster(true));
        if (replicas != null) {
            s.getSpec().setReplication(new Replication(replicas));
        }
        Backup b = new Backup();
        BackupDestination d = new BackupDestination();
        d.setBucket("backups");
        b.setDestination(d);
        s.getSpec().setBackup(b);
        return s;
    }

    @Test
    void theJobGetsEachGroupsSourcesAndSlots() {
        var job = BackupJobs.job(cluster(1), "kv-backup-1", "img", List.of(List.of("10.0.0.1:6379", "10.0.0.2:6379"), List.of("10.0.0.3:6379")),
                List.of("0-8191", "8192-16383"), true);
        Map<String, String> env = job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env).containsEntry("PERCORE_BACKUP_SOURCES", "10.0.0.1:6379,10.0.0.2:6379;10.0.0.3:6379")
                .containsEntry("PERCORE_BACKUP_SLOTS", "0-8191;8192-16383");
        var single = BackupJobs.job(cluster(1), "kv-backup-1", "img", List.of("10.0.0.1:6379", "10.0.0.2:6379"), true);
        assertThat(single.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName)
                .doesNotContain("PERCORE_BACKUP_SLOTS");
    }

    @Test
    void oneRestoringPodPerPrimaryTheFirstOrdinals() {
        assertThat(BackupJobs.restorePods(cluster(null), 3)).containsExactly("kv-0", "kv-1", "kv-2");
        assertThat(BackupJobs.restorePods(cluster(1), 6)).containsExactly("kv-0", "kv-1", "kv-2");
        assertThat(BackupJobs.restorePods(cluster(2), 6)).containsExactly("kv-0", "kv-1");
        assertThat(BackupJobs.restorePods(cluster(1), 1)).as("never none").containsExactly("kv-0");
    }
}
