package io.percore.operator.reconcile;

import static io.percore.operator.TestResources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ServiceProcess;
import io.percore.operator.replication.TestResp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The tests' part of Kubernetes for a clustered service on the mock API server: the StatefulSet
 * controller and the kubelet (pods created from the StatefulSet's template, readiness), each pod a
 * demo-service process on 127.0.0.1 in cluster mode; and what the tests ask those processes.
 */
final class ClusterPods implements AutoCloseable {

    /** Pod name → the process playing it. */
    final Map<String, ServiceProcess> processes = new ConcurrentHashMap<>();
    private final List<ServiceProcess> all = new CopyOnWriteArrayList<>();
    private final KubernetesClient client;
    private final Path dir;
    /** The revision label the StatefulSet controller puts on the pods it creates (null: none). */
    volatile String revision;
    /** The pods deleted (by the operator's roll) and recreated, in order. */
    final List<String> recreated = new CopyOnWriteArrayList<>();
    /** The pods' password (the Secret the operator generated), for the test's own connections; null: none. */
    volatile String password;
    /** Empty processes started ahead of the pods that will take them ({@link #startAhead}), the oldest first. */
    private final java.util.Queue<Spare> ahead = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final ExecutorService aheadStarter = Executors.newSingleThreadExecutor();
    private volatile boolean closed;

    private record Spare(String password, Future<ServiceProcess> process) {
    }

    ClusterPods(KubernetesClient client, Path dir) {
        this.client = client;
        this.dir = dir;
    }

    /** Where the operator reaches a pod: its process's port. */
    HostPort address(io.fabric8.kubernetes.api.model.Pod pod) {
        ServiceProcess p = processes.get(pod.getMetadata().getName());
        return p == null ? null : new HostPort("127.0.0.1", p.port);
    }

    void start(String password, int... ordinals) throws Exception {
        ExecutorService starter = Executors.newFixedThreadPool(ordinals.length); // a JVM each: started side by side
        List<Future<ServiceProcess>> starting = new ArrayList<>();
        try {
            for (int i = 0; i < ordinals.length; i++) {
                Spare spare = takeSpare(password);
                starting.add(spare != null ? spare.process() : starter.submit(() -> ServiceProcess.start(password, dir, args())));
            }
            for (int i = 0; i < ordinals.length; i++) {
                ServiceProcess p = starting.get(i).get();
                all.add(p);
                processes.put("kv-" + ordinals[i], p);
            }
        } finally {
            starter.shutdown();
        }
        StatefulSet sts = client.apps().statefulSets().inNamespace(NAMESPACE).withName("kv").get();
        for (int ordinal : ordinals) {
            String name = "kv-" + ordinal;
            Map<String, String> labels = new java.util.LinkedHashMap<>(sts.getSpec().getTemplate().getMetadata().getLabels());
            if (revision != null) {
                labels.put(Pods.REVISION_LABEL, revision);
            }
            client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                    .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels)
                    .endMetadata().withSpec(sts.getSpec().getTemplate().getSpec()).build()).create();
            setReady(name, true);
        }
    }

    /**
     * Starts {@code n} empty processes in the background, one after another, for pods the test creates later (without a
     * claim, with {@code password}): a JVM's start is seconds of CPU, and a pod created later need not wait for its own
     * after it is created. An empty process started earlier is what one started then would be: a new node id, no keys.
     */
    void startAhead(String password, int n) {
        for (int i = 0; i < n; i++) {
            ahead.add(new Spare(password, aheadStarter.submit(() -> closed ? null : ServiceProcess.start(password, dir, args()))));
        }
    }

    private Spare takeSpare(String password) {
        Spare spare = ahead.peek();
        return spare != null && java.util.Objects.equals(spare.password(), password) && ahead.remove(spare) ? spare : null;
    }

    private List<String> args() {
        return List.of("--percore.demo.cluster.enabled=true");
    }

    /**
     * The StatefulSet controller under {@code OnDelete}: a pod deleted (the operator's roll) is recreated at
     * {@link #revision}, its process replaced by a fresh one (no persistence: a new node id, no keys).
     */
    io.fabric8.kubernetes.client.Watch recreateDeletedPods(String password) {
        ExecutorService controller = Executors.newSingleThreadExecutor();
        return client.pods().inNamespace(NAMESPACE).watch(new io.fabric8.kubernetes.client.Watcher<>() {
            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.Pod pod) {
                if (action == Action.DELETED) {
                    String name = pod.getMetadata().getName();
                    recreated.add(name);
                    controller.submit(() -> {
                        processes.remove(name).kill();
                        start(password, Integer.parseInt(name.substring("kv-".length())));
                        return null;
                    });
                }
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                controller.shutdown();
            }
        });
    }

    void setReady(String pod, boolean ready) {
        client.pods().inNamespace(NAMESPACE).withName(pod).editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPodIP("127.0.0.1").withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().build());
            return p;
        });
    }

    Object call(String pod, String... args) throws IOException {
        try (TestResp c = new TestResp(processes.get(pod).port, password)) {
            return c.call(args);
        }
    }

    long epochOf(String pod) throws IOException {
        return (Long) ((List<?>) call(pod, "CLUSTER", "GETLAYOUT")).get(0);
    }

    String layoutOf(String pod) throws IOException {
        return (String) ((List<?>) call(pod, "CLUSTER", "GETLAYOUT")).get(1);
    }

    String nodeId(String pod) throws IOException {
        return (String) call(pod, "CLUSTER", "MYID");
    }

    /** {@code redis-cli --cluster check} from {@code pod}: every slot covered, the nodes agreeing; its output. */
    String assertClusterCheckPasses(String pod, int masters) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "check", "127.0.0.1:" + processes.get(pod).port));
        if (password != null) {
            command.addAll(List.of("-a", password, "--no-auth-warning"));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("[OK] All nodes agree about slots configuration.", "[OK] All 16384 slots covered.")
                .contains(masters + " masters").doesNotContain("[ERR]");
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true; // the spares not started yet are not (a start under way is waited for, then ended)
        aheadStarter.shutdown();
        for (Spare spare : ahead) {
            try {
                ServiceProcess p = spare.process().get();
                if (p != null) {
                    p.close();
                }
            } catch (java.util.concurrent.ExecutionException notStarted) {
                // nothing runs
            }
        }
        for (ServiceProcess p : all) {
            p.close();
        }
    }
}
