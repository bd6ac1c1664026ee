package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.ReplicationPosition;
import io.percore.operator.crd.ReplicationStatus;
import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.ReplicationPlanner;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a look at the pods leaves in {@code status.replication.positions} and what the driver plans with: an idle service's
 * pods move in step (PING and GETACK each second) and its status keeps the record written when they were first seen in
 * step, while the driver keeps where it saw them last; a record it did not write is read instead of that memory. The pods
 * answer through a probe the test sets (their INFO); the planner's side is ReplicationPlannerTest and its property test.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ReplicationPositionsTest {

    private static final String NAMESPACE = "positions";

    KubernetesClient client;

    /** What each pod answers to INFO, by its address's host; absent: its port refuses. */
    private final Map<String, Observed> answers = new ConcurrentHashMap<>();
    private final ReplicationDriver.SeenPositions seen = new ReplicationDriver.SeenPositions();
    private ReplicationDriver driver;
    private PercoreService service;

    @BeforeEach
    void pods() {
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("kv-auth").withNamespace(NAMESPACE)
                .endMetadata().addToData(Replication.PASSWORD_KEY, Base64.getEncoder().encodeToString("pw".getBytes(StandardCharsets.UTF_8)))
                .build()).create();
        service = TestResources.service("kv", 1);
        service.getMetadata().setNamespace(NAMESPACE);
        service.getMetadata().setUid("uid-kv");
        Replication r = new Replication(2);
        r.setAuthSecretName("kv-auth");
        service.getSpec().setReplication(r);
        for (int i = 0; i < 3; i++) {
            Pod pod = new PodBuilder().withNewMetadata().withName("kv-" + i).withNamespace(NAMESPACE).withLabels(Labels.selector(service))
                    .endMetadata().withNewStatus().withPodIP("10.0.0." + i).endStatus().build();
            client.pods().inNamespace(NAMESPACE).resource(pod).create();
        }
        PodReplicationProbe probe = new PodReplicationProbe() {
            @Override
            public Observed info(HostPort pod, PodAuth auth) throws IOException {
                Observed o = answers.get(pod.host());
                if (o == null) {
                    throw new java.net.ConnectException("refused");
                }
                return o;
            }
        };
        driver = new ReplicationDriver(client, probe, (pod, port) -> new HostPort(pod.getStatus().getPodIP(), port), null, Map.of(), null,
                null, seen);
    }

    @Test
    void theStatusKeepsTheRecordOfPodsInStepAndTheDriverPlansWithWhereItSawThemLast() {
        answerAll(100);
        ReplicationStatus recorded = statusOf(driver.observe(service, new ReplicationStatus()).positions());
        assertThat(recorded.getPositions()).as("the first look is recorded").containsOnlyKeys("kv-0", "kv-1", "kv-2")
                .allSatisfy((pod, at) -> assertThat(at.getOffset()).isEqualTo(100L));

        answerAll(151); // a PING and a GETACK later: every pod moved with the others
        var idle = driver.observe(service, recorded);
        assertThat(statusOf(idle.positions())).as("nothing to write").isEqualTo(recorded);

        // kv-2 stops answering and the others move on: the status takes where the driver saw kv-2 last (151), not the record's 100
        answers.remove("10.0.0.2");
        answers.put("10.0.0.0", Observed.master(180).withHistory("h1", null));
        answers.put("10.0.0.1", Observed.replica(180, null, true).withHistory("h1", null));
        ReplicationStatus outOfStep = statusOf(driver.observe(service, recorded).positions());
        assertThat(offsets(outOfStep)).containsExactlyEntriesOf(new TreeMap<>(Map.of("kv-0", 180L, "kv-1", 180L, "kv-2", 151L)));

        // a record the driver did not grow (another operator's, after a change of leader): read, not the driver's memory
        ReplicationStatus other = statusOf(Map.of("kv-0", new io.percore.operator.replication.LastSeenPositions.Position("h1", 120),
                "kv-1", new io.percore.operator.replication.LastSeenPositions.Position("h1", 120),
                "kv-2", new io.percore.operator.replication.LastSeenPositions.Position("h1", 120)));
        assertThat(offsets(statusOf(driver.observe(service, other).positions())).get("kv-2")).isEqualTo(120L);
    }

    /**
     * The roll's step on the driver's looks: a replica back with a partial resync answers linked while it replays what the
     * primary took meanwhile; the driver sees it short of what the primary held on its looks, and the planner takes no pod
     * away until it holds what the primary held a moment ago (the unit's rule: CatchUpTest; the planner's: ReplicationPlannerTest).
     */
    @Test
    void theRollWaitsUntilTheDriverSeesEveryReplicaHoldWhatThePrimaryHeld() {
        client.apps().statefulSets().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder()
                .withNewMetadata().withName("kv").withNamespace(NAMESPACE).endMetadata().withNewStatus().withUpdateRevision("kv-new")
                .endStatus().build()).create();
        for (int i = 0; i < 3; i++) {
            Pod pod = client.pods().inNamespace(NAMESPACE).withName("kv-" + i).get();
            pod.getMetadata().getLabels().put(Pods.REVISION_LABEL, i == 2 ? "kv-new" : "kv-old"); // kv-2 rolled already
            if (i == 0) {
                pod.getMetadata().getLabels().put(Replication.ROLE_LABEL, Replication.PRIMARY);
            }
            pod.getStatus().setConditions(java.util.List.of(new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("Ready")
                    .withStatus("True").build()));
            client.pods().inNamespace(NAMESPACE).resource(pod).update();
        }
        ReplicationStatus status = new ReplicationStatus();
        status.setPrimary("kv-0");
        HostPort primary = new HostPort("10.0.0.0", service.getSpec().respPort().getPort());
        answers.put("10.0.0.0", Observed.master(5000).withHistory("h1", null));
        answers.put("10.0.0.1", Observed.replica(5000, primary, true).withHistory("h1", null));
        answers.put("10.0.0.2", Observed.replica(900, primary, true).withHistory("h1", null)); // replaying since its partial resync

        ReplicationPlanner.Decision waits = driver.observe(service, status).decision();
        assertThat(waits.reason()).as(waits.message()).isEqualTo("ReplicasCatchingUp");
        assertThat(waits.delete()).isNull();

        answers.put("10.0.0.0", Observed.master(6000).withHistory("h1", null));
        answers.put("10.0.0.2", Observed.replica(5200, primary, true).withHistory("h1", null)); // past what the primary held at the last look
        ReplicationPlanner.Decision rolls = driver.observe(service, status).decision();
        assertThat(rolls.reason()).as(rolls.message()).isEqualTo("RollingReplicas");
        assertThat(rolls.delete()).isEqualTo("kv-1");
    }

    private void answerAll(long offset) {
        answers.put("10.0.0.0", Observed.master(offset).withHistory("h1", null));
        answers.put("10.0.0.1", Observed.replica(offset, null, true).withHistory("h1", null));
        answers.put("10.0.0.2", Observed.replica(offset, null, true).withHistory("h1", null));
    }

    private static ReplicationStatus statusOf(Map<String, io.percore.operator.replication.LastSeenPositions.Position> positions) {
        ReplicationStatus status = new ReplicationStatus();
        Map<String, ReplicationPosition> recorded = new TreeMap<>();
        positions.forEach((pod, at) -> recorded.put(pod, new ReplicationPosition(at.replid(), at.offset())));
        status.setPositions(recorded);
        return status;
    }

    private static Map<String, Long> offsets(ReplicationStatus status) {
        Map<String, Long> offsets = new TreeMap<>();
        status.getPositions().forEach((pod, at) -> offsets.put(pod, at.getOffset()));
        return offsets;
    }
}
