package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.percore.operator.TestResources;
import io.percore.operator.config.ApplicationYaml;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.Placement;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.ServicePort;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingPlanner;
import io.percore.operator.sizing.SizingRequests;
import io.percore.operator.sizing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure rendering of the children. */
class WorkloadRendererTest {

    private static final Path GOLDEN_DEPLOYMENT = Path.of("src/test/resources/golden/deployment-without-persistence.json");

    /** A spec touching every field the pod template renders. */
    static PercoreService richService() {
        PercoreService s = TestResources.service("kv", 14);
        s.getMetadata().setUid("0b7c1d9e-0000-4000-8000-000000000001");
        s.getSpec().setImagePullPolicy("IfNotPresent");
        s.getSpec().setManagementPort(9090);
        s.getSpec().setPorts(List.of(new ServicePort("redis", 6379), udp()));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("A", "1");
        env.put("JAVA_TOOL_OPTIONS", "-Dfoo=bar");
        s.getSpec().setEnv(env);
        Placement placement = new Placement();
        placement.setNodeSelector(Map.of("pool", "percore"));
        placement.setTolerations(List.of(new TolerationBuilder().withKey("dedicated").withOperator("Exists").withEffect("NoSchedule").build()));
        s.getSpec().setPlacement(placement);
        return s;
    }

    private static ServicePort udp() {
        ServicePort p = new ServicePort("stats", 8125);
        p.setProtocol("UDP");
        return p;
    }

    static SizingPlan plan(PercoreService s) {
        return new SizingPlanner().plan(SizingRequests.fromSpec(s.getSpec()), List.of(
                TestNodes.node("node-a").cpu("8").memory("32Gi").label("pool", "percore").staticCpuManager().shape(),
                TestNodes.node("node-b").cpu("8").memory("32Gi").label("pool", "percore").staticCpuManager().shape()));
    }

    /**
     * Persistence off renders exactly the Deployment the operator rendered before persistence existed
     * (but for two deliberate changes since: the reserved-CPUs variable spelled as Spring binds it,
     * PERCORE_ENGINE_RESERVEDCPUS, and startup probes every second, 120 of them, instead of every 2 s, 60 of them),
     * for a service without a password; one with a password (the default)
     * has the password's two variables besides ({@link #thePasswordComesFromTheGeneratedSecretUnlessOneIsNamed}).
     */
    @Test
    void withoutPersistenceTheDeploymentIsAsBefore() throws Exception {
        PercoreService s = richService();
        s.getSpec().setAuth(new io.percore.operator.crd.Auth());
        s.getSpec().getAuth().setEnabled(false);
        SizingPlan plan = plan(s);
        String yaml = ApplicationYaml.render(s.getSpec().configOrEmpty(), plan, WorkloadRenderer.managementPort(s.getSpec()));
        JsonNode rendered = Serialization.jsonMapper().valueToTree(WorkloadRenderer.deployment(s, plan, yaml));
        if (Boolean.getBoolean("percore.golden.write")) {
            Files.writeString(GOLDEN_DEPLOYMENT, Serialization.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(rendered) + "\n");
        }
        assertThat(rendered).isEqualTo(Serialization.jsonMapper().readTree(Files.readString(GOLDEN_DEPLOYMENT)));
    }

    /** spec.auth: the pods read the password from the Secret the operator generates, or from the one the spec names; never in clear. */
    @Test
    void thePasswordComesFromTheGeneratedSecretUnlessOneIsNamed() {
        PercoreService s = richService();
        s.getSpec().setEnv(new java.util.LinkedHashMap<>(java.util.Map.of("PERCORE_REQUIREPASS", "typed-in-clear")));
        SizingPlan plan = plan(s);
        assertThat(passwordSecrets(WorkloadRenderer.deployment(s, plan, ""))).containsExactly("kv-auth", "kv-auth");
        s.getSpec().setAuth(new io.percore.operator.crd.Auth());
        s.getSpec().getAuth().setSecretName("mine");
        assertThat(passwordSecrets(WorkloadRenderer.deployment(s, plan, ""))).containsExactly("mine", "mine");
        assertThat(WorkloadRenderer.deployment(s, plan, "").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .noneMatch(e -> "typed-in-clear".equals(e.getValue()));
        s.getSpec().getAuth().setSecretName(null);
        s.getSpec().getAuth().setEnabled(false);
        assertThat(passwordSecrets(WorkloadRenderer.deployment(s, plan, ""))).isEmpty();
    }

    /** The Secrets PERCORE_REQUIREPASS and PERCORE_MASTERAUTH are read from, in that order. */
    private static List<String> passwordSecrets(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("PERCORE_REQUIREPASS") || e.getName().equals("PERCORE_MASTERAUTH"))
                .filter(e -> e.getValueFrom() != null).map(e -> e.getValueFrom().getSecretKeyRef().getName()).toList();
    }

    /** With persistence: the Deployment's pod template plus the claim, its mount, the env contract, the grace period, the volume's group and a longer startup. */
    @Test
    void theStatefulSetRunsTheDeploymentsPodTemplatePlusItsDataVolume() {
        PercoreService s = richService();
        s.getSpec().setPersistence(new Persistence(Persistence.SNAPSHOT, "10240Mi"));
        SizingPlan plan = plan(s);
        String yaml = ApplicationYaml.render(s.getSpec().configOrEmpty(), plan, WorkloadRenderer.managementPort(s.getSpec()));
        StatefulSet sts = WorkloadRenderer.statefulSet(s, plan, yaml, WorkloadRenderer.DataClaim.of(s.getSpec().getPersistence()));
        Deployment deployment = WorkloadRenderer.deployment(s, plan, yaml);

        PodTemplateSpec expected = new PodTemplateSpecBuilder(deployment.getSpec().getTemplate()).editSpec()
                .withTerminationGracePeriodSeconds(120L)
                // the image's user (65532) may write to a fresh claim as its group
                .withNewSecurityContext().withFsGroup(65532L).withFsGroupChangePolicy("OnRootMismatch").endSecurityContext()
                .editFirstContainer()
                .addToEnv(new EnvVar("PERCORE_DATA_DIR", "/data", null), new EnvVar("PERCORE_PERSISTENCE", "snapshot", null))
                // after the ConfigMap's, where it was before the aclfile's came
                .addToVolumeMounts(1, new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("data").withMountPath("/data").build())
                // loading a large snapshot comes before the first answer: 30 minutes of startup probes, not 2
                .editStartupProbe().withFailureThreshold(1800).endStartupProbe()
                .endContainer().endSpec().build();
        assertThat(sts.getSpec().getTemplate()).isEqualTo(expected);
        assertThat(sts.getMetadata()).isEqualTo(deployment.getMetadata());
        assertThat(sts.getSpec().getReplicas()).isEqualTo(plan.replicas());
        assertThat(sts.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector());
        assertThat(sts.getSpec().getServiceName()).isEqualTo(WorkloadRenderer.service(s).getMetadata().getName());
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(sts.getSpec().getUpdateStrategy().getRollingUpdate()).as("maxUnavailable is alpha before 1.35: not sent").isNull();
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
        assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo("data");
            assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
            assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).as("canonical").isEqualTo("10Gi");
            assertThat(claim.getSpec().getStorageClassName()).isNull();
        });
    }

    @Test
    void theUsersGracePeriodAndModeWinOverTheirOwnEnv() {
        PercoreService s = richService();
        s.getSpec().getEnv().put("PERCORE_DATA_DIR", "/tmp");
        s.getSpec().setPersistence(new Persistence(Persistence.AOF, "1Gi"));
        s.getSpec().getPersistence().setTerminationGracePeriodSeconds(600);
        s.getSpec().getPersistence().setStorageClassName("fast");
        SizingPlan plan = plan(s);
        StatefulSet sts = WorkloadRenderer.statefulSet(s, plan, "x", WorkloadRenderer.DataClaim.of(s.getSpec().getPersistence()));
        assertThat(sts.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(600L);
        assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .filteredOn(e -> e.getName().startsWith("PERCORE_DATA_DIR") || e.getName().equals("PERCORE_PERSISTENCE"))
                .extracting(e -> e.getName() + "=" + e.getValue()).containsExactly("PERCORE_DATA_DIR=/data", "PERCORE_PERSISTENCE=aof");
        assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName()).isEqualTo("fast");
    }

    /**
     * With a password the pods read their users from the aclfile (Secret {@code <name>-users}, mounted whole and read-only,
     * the aclfile only), replicas link as {@code percore-replica} with {@code <name>-replica}'s password, a cluster's as the
     * default user; the legacy template (pods whose image has not shown ACLs) is the one before users.
     */
    @Test
    void theAclFileAndTheReplicasUserAreRenderedAndTheLegacyTemplateIsAsBefore() {
        PercoreService s = TestResources.service("kv", 2);
        SizingPlan plan = plan(s);
        var pod = WorkloadRenderer.deployment(s, plan, "x").getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getEnv()).extracting(EnvVar::getName)
                .startsWith("PERCORE_REQUIREPASS", "PERCORE_MASTERAUTH", "PERCORE_DEMO_RESP_ACLFILE").doesNotContain("PERCORE_DEMO_REPLICATION_MASTERUSER");
        assertThat(pod.getContainers().get(0).getVolumeMounts()).filteredOn(m -> m.getName().equals("users")).singleElement()
                .satisfies(m -> {
                    assertThat(m.getMountPath()).isEqualTo("/etc/percore-users/");
                    assertThat(m.getSubPath()).as("a subPath is never refreshed by the kubelet").isNull();
                    assertThat(m.getReadOnly()).isTrue();
                });
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("users")).singleElement().satisfies(v -> {
            assertThat(v.getSecret().getSecretName()).isEqualTo("kv-users");
            assertThat(v.getSecret().getItems()).extracting(i -> i.getKey() + "->" + i.getPath()).containsExactly("users.acl->users.acl");
        });
        var legacy = WorkloadRenderer.deployment(s, plan, "x", PodAccess.LEGACY).getSpec().getTemplate().getSpec();
        assertThat(legacy.getContainers().get(0).getEnv()).extracting(EnvVar::getName).doesNotContain("PERCORE_DEMO_RESP_ACLFILE");
        assertThat(legacy.getVolumes()).noneMatch(v -> v.getName().equals("users"));

        s.getSpec().setReplication(new io.percore.operator.crd.Replication(1));
        var replicated = WorkloadRenderer.statefulSet(s, plan, "x", null).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(replicated.getEnv()).filteredOn(e -> e.getName().equals("PERCORE_MASTERAUTH")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kv-replica"));
        assertThat(replicated.getEnv()).anyMatch(e -> e.getName().equals("PERCORE_DEMO_REPLICATION_MASTERUSER") && e.getValue().equals("percore-replica"));
        var legacyReplicated = WorkloadRenderer.statefulSet(s, plan, "x", null, PodAccess.LEGACY).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(legacyReplicated.getEnv()).filteredOn(e -> e.getName().equals("PERCORE_MASTERAUTH")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kv-auth"));
        assertThat(legacyReplicated.getEnv()).noneMatch(e -> e.getName().equals("PERCORE_DEMO_REPLICATION_MASTERUSER"));

        // a cluster's replicas and slot moves authenticate with masterauth alone: the default user's password
        io.percore.operator.crd.Cluster cluster = new io.percore.operator.crd.Cluster();
        cluster.setEnabled(true);
        s.getSpec().setCluster(cluster);
        var clustered = WorkloadRenderer.statefulSet(s, plan, "x", null).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(clustered.getEnv()).filteredOn(e -> e.getName().equals("PERCORE_MASTERAUTH")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kv-auth"));
        assertThat(clustered.getEnv()).anyMatch(e -> e.getName().equals("PERCORE_DEMO_RESP_ACLFILE"))
                .noneMatch(e -> e.getName().equals("PERCORE_DEMO_REPLICATION_MASTERUSER"));

        // a user's env of these names does not override the contract
        s.getSpec().setCluster(null);
        s.getSpec().setEnv(new LinkedHashMap<>(Map.of("PERCORE_DEMO_RESP_ACLFILE", "/tmp/mine.acl", "PERCORE_DEMO_REPLICATION_MASTERUSER", "root")));
        var overridden = WorkloadRenderer.statefulSet(s, plan, "x", null).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(overridden.getEnv()).filteredOn(e -> e.getName().startsWith("PERCORE_DEMO_")).extracting(e -> e.getName() + "=" + e.getValue())
                .contains("PERCORE_DEMO_RESP_ACLFILE=/etc/percore-users/users.acl", "PERCORE_DEMO_REPLICATION_MASTERUSER=percore-replica")
                .doesNotContain("PERCORE_DEMO_RESP_ACLFILE=/tmp/mine.acl", "PERCORE_DEMO_REPLICATION_MASTERUSER=root")
                .as("one replica: a primary whose replica is gone keeps taking writes")
                .noneMatch(e -> e.startsWith(io.percore.operator.crd.Replication.MIN_REPLICAS_TO_WRITE_ENV));
        // two replicas or more: a primary takes writes only while one of them has them (no two primaries after a freeze)
        s.getSpec().getReplication().setReplicas(2);
        assertThat(minReplicasToWrite(s, plan)).containsExactly("1");
        // ... which a user may turn off (availability over it: a primary with its replicas gone takes writes alone)
        s.getSpec().setEnv(new LinkedHashMap<>(Map.of(io.percore.operator.crd.Replication.MIN_REPLICAS_TO_WRITE_ENV, "0")));
        assertThat(minReplicasToWrite(s, plan)).containsExactly("0");
    }

    /**
     * A replica's full sync starts within a second of its asking (not Redis's 5: every rejoin waited for it), and at once
     * when each replica of its primary asks; a cluster's groups the same; what spec.env sets stays; no replication, none.
     */
    @Test
    void aReplicasFullSyncStartsWithinASecondAndAtOnceWhenEveryReplicaAsks() {
        PercoreService s = TestResources.service("kv", 1);
        SizingPlan plan = plan(s);
        assertThat(fullSyncEnv(s, plan)).as("not replicated").isEmpty();
        s.getSpec().setReplication(new io.percore.operator.crd.Replication(2));
        assertThat(fullSyncEnv(s, plan)).containsExactly("PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_DELAY=1",
                "PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_MAX_REPLICAS=2");
        io.percore.operator.crd.Cluster cluster = new io.percore.operator.crd.Cluster();
        cluster.setEnabled(true);
        s.getSpec().setCluster(cluster);
        s.getSpec().getReplication().setReplicas(1);
        assertThat(fullSyncEnv(s, plan)).as("a cluster's groups").containsExactly("PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_DELAY=1",
                "PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_MAX_REPLICAS=1");
        s.getSpec().setCluster(null);
        s.getSpec().setEnv(new LinkedHashMap<>(Map.of("PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_DELAY", "5")));
        assertThat(fullSyncEnv(s, plan)).as("the user's delay").containsExactly("PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_DELAY=5",
                "PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_MAX_REPLICAS=1");
    }

    private static List<String> fullSyncEnv(PercoreService s, SizingPlan plan) {
        var container = s.getSpec().getReplication() == null
                ? WorkloadRenderer.deployment(s, plan, "x").getSpec().getTemplate().getSpec().getContainers().get(0)
                : WorkloadRenderer.statefulSet(s, plan, "x", null).getSpec().getTemplate().getSpec().getContainers().get(0);
        return container.getEnv().stream().filter(e -> e.getName().startsWith("PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC"))
                .map(e -> e.getName() + "=" + e.getValue()).toList();
    }

    private static List<String> minReplicasToWrite(PercoreService s, SizingPlan plan) {
        return WorkloadRenderer.statefulSet(s, plan, "x", null).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals(io.percore.operator.crd.Replication.MIN_REPLICAS_TO_WRITE_ENV)).map(e -> e.getValue()).toList();
    }

    @Test
    void memoryIsRenderedAsTheServerStoresIt() {
        PercoreService s = TestResources.service("kv", 1);
        s.getSpec().setMemoryPerShard("1Gi");
        s.getSpec().setMemoryOverhead("1Gi");
        SizingPlan plan = plan(s);
        Deployment d = WorkloadRenderer.deployment(s, plan, "x");
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("memory").toString())
                .as("2048Mi is stored as 2Gi; rendering 2048Mi would never match").isEqualTo("2Gi");
    }
}
