package io.percore.operator.backupplan;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.crd.ClusterStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterBackupSourcesTest {

    private static ClusterStatus.PodSlots primary(String pod, String slots, int count, String... replicas) {
        ClusterStatus.PodSlots p = new ClusterStatus.PodSlots();
        p.setPod(pod);
        p.setSlots(slots);
        p.setSlotCount(count);
        p.setReplicas(List.of(replicas));
        return p;
    }

    private static ClusterStatus.PodSlots replica(String pod, String of) {
        ClusterStatus.PodSlots p = new ClusterStatus.PodSlots();
        p.setPod(pod);
        p.setReplicaOf(of);
        return p;
    }

    private static ClusterStatus settled() {
        ClusterStatus c = new ClusterStatus();
        c.setConfigEpoch(4L);
        c.setSlotsAssigned(16384);
        // listed as the layout lists nodes, not by slot
        c.getPods().add(primary("kv-2", "8192-16383", 8192, "kv-3"));
        c.getPods().add(replica("kv-3", "kv-2"));
        c.getPods().add(primary("kv-0", "0-8191", 8192, "kv-1"));
        c.getPods().add(replica("kv-1", "kv-0"));
        return c;
    }

    @Test
    void oneGroupPerPrimaryInSlotOrderWithItsReadyReplicas() {
        Map<String, String> ready = Map.of("kv-0", "10.0.0.1:6379", "kv-1", "10.0.0.2:6379", "kv-2", "10.0.0.3:6379");
        ClusterBackupSources.Result r = ClusterBackupSources.plan(settled(), ready);
        assertThat(r.notNow()).isNull();
        assertThat(r.groups().groups()).containsExactly(List.of("10.0.0.1:6379", "10.0.0.2:6379"), List.of("10.0.0.3:6379"));
        assertThat(r.groups().slots()).containsExactly("0-8191", "8192-16383");
        assertThat(r.groups().pods()).containsExactly(List.of("kv-0", "kv-1"), List.of("kv-2"));
    }

    @Test
    void noBackupWithoutALayoutWhileSlotsMoveWithUnassignedSlotsOrAGroupNoOneCanRead() {
        assertThat(ClusterBackupSources.plan(null, Map.of()).notNow()).contains("no layout yet");
        ClusterStatus moving = settled();
        moving.getMigrations().add(new ClusterStatus.Migration());
        assertThat(ClusterBackupSources.plan(moving, Map.of("kv-0", "a:1", "kv-2", "b:1")).notNow()).contains("1 slot migration(s) under way");
        ClusterStatus partial = settled();
        partial.setSlotsAssigned(8192);
        assertThat(ClusterBackupSources.plan(partial, Map.of("kv-0", "a:1", "kv-2", "b:1")).notNow()).contains("only 8192 of 16384");
        assertThat(ClusterBackupSources.plan(settled(), Map.of("kv-0", "a:1")).notNow())
                .isEqualTo("no ready pod holds the slots of kv-2 (slots 8192-16383): every group must be read");
    }
}
