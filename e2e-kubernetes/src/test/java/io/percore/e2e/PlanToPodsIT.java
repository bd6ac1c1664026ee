package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * From a plan to pods that answer: the smallest spec (operator/examples/small.yaml) becomes a Ready pod that serves
 * clients in the cluster with the password the operator generated, on the Redis port its Service carries without
 * {@code spec.ports}, its JVM on the huge pages its image asks for; and what only the scheduler knows (a claim no
 * volume can bind) is reported in its own words until the pods are placed. A plan the node cannot hold: {@link CapacityIT}.
 */
@ExtendWith(RealNodeExtension.class)
@Order(3)
class PlanToPodsIT {

    /**
     * From create (or a change that makes the pods) to Ready. Measured 24-37 s for one pod alone on the 2-CPU node, 59-98 s
     * for three pods starting together (the JVMs' start is most of it: the node has two CPUs for all of them); bounded with
     * room for a machine loaded by other work.
     */
    static final Duration READY_WITHIN = Duration.ofSeconds(240);
    /** A class of its own: no other scenario's volume may bind the claim this one keeps unbound. */
    static final String LATE_CLASS = "percore-e2e-late";

    @Test
    void theSmallestSpecIsReadyAndAnswersClientsWithTheGeneratedPassword(Cluster cluster) throws IOException {
        try (var ns = cluster.namespace("e2e-small")) {
            // the getting-started page's second block as written (kubectl apply -f operator/examples/small.yaml; kubectl get
            // pcs kv), in this namespace: its pod runs the JVM as shipped, not with the suite's C1 options
            String printed = PageCommands.run(cluster.node(), PageCommands.block(OperatorChart.GETTING_STARTED, 1), ns.name());
            assertThat(printed).contains("percoreservice.percore.io/kv created").contains("NAME");
            PercoreService small = cluster.get(ns.name(), "kv");
            Duration ready = cluster.awaitReady(ns.name(), "kv", READY_WITHIN);
            Progress.say("small.yaml Ready in %d s", ready.toSeconds());

            PercoreService s = cluster.get(ns.name(), "kv");
            assertThat(s.getStatus().getPlan().getCpuRequestPerPod()).isEqualTo("100m");
            assertThat(s.getStatus().getPlan().getMode()).isEqualTo("overprovisioned");
            Pod pod = cluster.pods(ns.name(), "kv").get(0);
            assertThat(pod.getStatus().getQosClass()).isEqualTo("Burstable");
            assertThat(pod.getSpec().getContainers().get(0).getResources().getRequests()).containsEntry("cpu", new Quantity("100m"));
            // the image's class data archive mapped in the pod (else the JVM says so once and starts without it)
            assertThat(cluster.containerLog(pod)).contains("Started DemoApplication").doesNotContain("Unable to use shared archive");
            // the image's -XX:+UseTransparentHugePages in the pod's own JVM: its heap on 2 MB pages where this node's kernel
            // lends them on request (images/README.md; DemoServiceImageIT checks the flag's page size, this the pages held)
            long hugeKb = anonymousHugePagesKb(cluster.node().taskPid(pod));
            Progress.say("small.yaml's JVM holds %d kB on transparent huge pages", hugeKb);
            if (Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).contains("[never]")) {
                assertThat(hugeKb).as("no huge pages where the kernel lends none").isZero();
            } else {
                assertThat(hugeKb).as("the JVM's huge pages (AnonHugePages of its smaps_rollup)").isPositive();
            }

            Secret secret = cluster.client().secrets().inNamespace(ns.name()).withName("kv-auth").get();
            assertThat(secret).as("the generated password Secret").isNotNull();
            assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(small.getMetadata().getUid()));
            Service service = cluster.client().services().inNamespace(ns.name()).withName("kv").get();
            assertThat(service.getSpec().getPorts()).anySatisfy(p -> {
                assertThat(p.getName()).isEqualTo("redis");
                assertThat(p.getPort()).isEqualTo(6380);
            });
            assertThat(cluster.events(ns.name(), "kv")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("PasswordGenerated"));

            String password = cluster.password(ns.name(), "kv-auth");
            assertThat(password).hasSizeGreaterThanOrEqualTo(32);
            // without the password: refused as Redis with requirepass refuses (Lettuce's HELLO gets NOAUTH), not DENIED by
            // protected mode as before the operator gave the pods a password
            try (RedisClient anonymous = Cluster.redis(cluster.serviceUri(ns.name(), "kv", "redis", null))) {
                assertThatThrownBy(anonymous::connect).hasRootCauseInstanceOf(RedisCommandExecutionException.class)
                        .rootCause().hasMessageStartingWith("NOAUTH");
            }
            RedisURI uri = cluster.serviceUri(ns.name(), "kv", "redis", password);
            try (RedisClient client = Cluster.redis(uri); var c = client.connect()) {
                assertThat(c.sync().set("greeting", "hello")).isEqualTo("OK");
                assertThat(c.sync().get("greeting")).isEqualTo("hello");
            }

            // Steady: what the server defaults and canonicalises in the children does not read as drift, so nothing is
            // written again (a write would be an event of the child, and another reconcile: a loop).
            Map<String, String> versions = childVersions(cluster, ns.name());
            org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(20)).until(() -> true);
            assertThat(childVersions(cluster, ns.name())).as("no child rewritten in steady state").isEqualTo(versions);
        }
    }

    /** What of a process's anonymous memory is on transparent huge pages ({@code AnonHugePages}, kB). */
    static long anonymousHugePagesKb(String pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", pid, "smaps_rollup"))) {
            if (line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no AnonHugePages in /proc/" + pid + "/smaps_rollup");
    }

    /**
     * The CRD as the API server enforces it, before the operator sees anything: its structural schema (a pattern, a
     * bound) and its CEL rule (a claim size required with persistence; the gate is on in this node's API server).
     */
    @Test
    void theApiServerRefusesWhatTheCrdForbidsAtAdmission(Cluster cluster) {
        try (var ns = cluster.namespace("e2e-admission")) {
            PercoreService noSize = Cluster.example("small.yaml");
            Persistence persistence = new Persistence();
            persistence.setMode("aof");
            noSize.getSpec().setPersistence(persistence);
            assertThatThrownBy(() -> cluster.create(ns.name(), noSize)).isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
                    .hasMessageContaining("spec.persistence").hasMessageContaining("size");
            PercoreService badCpu = Cluster.example("small.yaml");
            badCpu.getSpec().setCpuPerShard("a quarter");
            assertThatThrownBy(() -> cluster.create(ns.name(), badCpu)).isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
                    .hasMessageContaining("spec.cpuPerShard");
            PercoreService zeroShards = Cluster.example("small.yaml");
            zeroShards.getSpec().setShards(0);
            assertThatThrownBy(() -> cluster.create(ns.name(), zeroShards)).isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
                    .hasMessageContaining("spec.shards");
            assertThat(cluster.client().resources(PercoreService.class).inNamespace(ns.name()).list().getItems()).isEmpty();
        }
    }

    /** resourceVersion of each child the operator writes. */
    private static Map<String, String> childVersions(Cluster cluster, String namespace) {
        Map<String, String> v = new java.util.TreeMap<>();
        var c = cluster.client();
        java.util.List<io.fabric8.kubernetes.api.model.HasMetadata> children = new java.util.ArrayList<>();
        children.addAll(c.configMaps().inNamespace(namespace).withLabel("app.kubernetes.io/managed-by", "percore-operator").list().getItems());
        children.addAll(c.services().inNamespace(namespace).withLabel("app.kubernetes.io/managed-by", "percore-operator").list().getItems());
        children.addAll(c.apps().deployments().inNamespace(namespace).withLabel("app.kubernetes.io/managed-by", "percore-operator").list().getItems());
        children.addAll(c.policy().v1().podDisruptionBudget().inNamespace(namespace).withLabel("app.kubernetes.io/managed-by", "percore-operator")
                .list().getItems());
        children.forEach(h -> v.put(h.getKind() + "/" + h.getMetadata().getName(), h.getMetadata().getResourceVersion()));
        return v;
    }

    @Test
    void whatOnlyTheSchedulerKnowsIsReportedInItsWordsUntilThePodIsPlaced(Cluster cluster) {
        try (var ns = cluster.namespace("e2e-unbound")) {
            PercoreService kept = Cluster.example("small.yaml");
            kept.getMetadata().setName("kept");
            Persistence persistence = new Persistence();
            persistence.setMode("snapshot");
            persistence.setSize("1Gi");
            persistence.setStorageClassName(LATE_CLASS);
            kept.getSpec().setPersistence(persistence);
            cluster.volumes().add(0, LATE_CLASS);
            cluster.create(ns.name(), kept);   // no volume of the class exists yet: the claim stays unbound
            // the scheduler's first word on a claim it has not seen yet can be an error of its own (v1.24: "running
            // PreFilter plugin "VolumeBinding": %!w(<nil>)"), passed on as said; its next try, a few seconds on, names
            // the volumes, and the status and a new event follow it
            PercoreService pending = cluster.awaitStatus(ns.name(), "kept", Duration.ofSeconds(90),
                    s -> Cluster.is(s, "Degraded", "True") && "PodUnschedulable".equals(Cluster.condition(s, "Degraded").getReason())
                            && Cluster.condition(s, "Degraded").getMessage().contains("persistent volumes"));
            assertThat(Cluster.condition(pending, "Degraded").getMessage()).startsWith("pod kept-0 cannot be scheduled: ")
                    .contains("didn't find available persistent volumes to bind");
            assertThat(Cluster.condition(pending, "Ready").getReason()).isEqualTo("PodUnschedulable");
            assertThat(cluster.events(ns.name(), "kept")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("PodUnschedulable");
                assertThat(e.getMessage()).contains("kept-0", "persistent volumes");
            });
            cluster.volumes().add(1, LATE_CLASS);
            cluster.awaitReady(ns.name(), "kept", READY_WITHIN);
            assertThat(Cluster.condition(cluster.get(ns.name(), "kept"), "Degraded").getStatus()).isEqualTo("False");
        }
    }
}
