package io.percore.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.percore.operator.crd.PercoreService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What a scenario works with: the node, the installed chart, and helpers that do what a user would do with kubectl
 * (apply a {@code PercoreService}, read its status and events, read the generated password) and with a Redis client
 * (connect to a Service's ClusterIP: kube-proxy's rules route it from the host as from a pod).
 */
final class Cluster implements AutoCloseable {

    /** Label of every namespace a scenario makes, so that a later run removes what an interrupted one left. */
    static final String E2E_LABEL = "percore.io/e2e";

    private final RealNode node;
    private final OperatorChart chart;
    private final Volumes volumes;

    private Cluster(RealNode node, OperatorChart chart) {
        this.node = node;
        this.chart = chart;
        this.volumes = new Volumes(node.client());
    }

    static Cluster start() {
        RealNode node = RealNode.start();
        removeLeftovers(node.client());
        return new Cluster(node, OperatorChart.install(node));
    }

    /** Namespaces (and their volumes) an interrupted run left: the scenarios assume a node with nothing of theirs on it. */
    private static void removeLeftovers(KubernetesClient client) {
        var left = client.namespaces().withLabel(E2E_LABEL).list().getItems();
        if (!left.isEmpty()) {
            left.forEach(ns -> client.namespaces().resource(ns).delete());
            await().atMost(Duration.ofMinutes(3)).until(() -> client.namespaces().withLabel(E2E_LABEL).list().getItems().isEmpty());
            Progress.say("removed %d namespace(s) a previous run left", left.size());
        }
        if (client.nodes().withName(RealNode.NODE_NAME).get().getSpec().getUnschedulable() == Boolean.TRUE) {
            setUnschedulable(client, false);
        }
        Volumes.removeAll(client);
    }

    /**
     * Cordons or uncordons the node with a merge patch: an edit carries the resourceVersion it read, which the kubelet's
     * status updates change every few seconds (409 Conflict).
     */
    static void setUnschedulable(KubernetesClient client, boolean on) {
        client.nodes().withName(RealNode.NODE_NAME).patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"spec\":{\"unschedulable\":" + (on ? "true" : "null") + "}}");
    }

    KubernetesClient client() {
        return node.client();
    }

    RealNode node() {
        return node;
    }

    OperatorChart chart() {
        return chart;
    }

    Volumes volumes() {
        return volumes;
    }

    /** A fresh namespace for one scenario; closing it deletes it (and what the scenario made there). */
    TestNamespace namespace(String name) {
        client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).addToLabels(E2E_LABEL, "true")
                .endMetadata().build()).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> client().serviceAccounts().inNamespace(name).withName("default").get() != null);
        return new TestNamespace(this, name);
    }

    /** An example of {@code operator/examples/}, as the README shows it, in {@code namespace}. */
    static PercoreService example(String file) {
        Path path = RealNode.projectRoot().resolve("operator/examples").resolve(file);
        try {
            return Serialization.unmarshal(Files.readString(path), PercoreService.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the suite's services add to their JVMs' options (the spec's {@code env}, as a user sets them): the client
     * compiler alone and the serial collector, as the build's own test JVMs run. A pod's JVM start took 12.6-14.5 s of
     * CPU with the default compilers and 7.9-8.4 s with C1 alone (the demo's jar, one CPU); the suite starts about 60 of
     * them on the node's two CPUs, and the scenarios test the operator, not the JIT. {@code -De2e.podJvmOptions=} (empty)
     * runs the pods as shipped.
     */
    static final String POD_JVM_OPTIONS = System.getProperty("e2e.podJvmOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");

    PercoreService create(String namespace, PercoreService service) {
        if (!POD_JVM_OPTIONS.isBlank()) {
            Map<String, String> env = new java.util.LinkedHashMap<>(service.getSpec().getEnv() == null ? Map.of() : service.getSpec().getEnv());
            env.merge("JAVA_TOOL_OPTIONS", POD_JVM_OPTIONS, (user, ours) -> user + " " + ours);
            service.getSpec().setEnv(env);
        }
        service.getMetadata().setNamespace(namespace);
        service.getMetadata().setResourceVersion(null);
        return client().resources(PercoreService.class).inNamespace(namespace).resource(service).create();
    }

    PercoreService get(String namespace, String name) {
        return client().resources(PercoreService.class).inNamespace(namespace).withName(name).get();
    }

    /** A user's edit of the spec: a JSON merge patch without resourceVersion, as {@code kubectl patch --type merge}. */
    void patchSpec(String namespace, String name, String specJson) {
        client().resources(PercoreService.class).inNamespace(namespace).withName(name)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"spec\":" + specJson + "}");
    }

    static Condition condition(PercoreService service, String type) {
        if (service == null || service.getStatus() == null || service.getStatus().getConditions() == null) {
            return null;
        }
        return service.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    static boolean is(PercoreService service, String type, String status) {
        Condition c = condition(service, type);
        return c != null && status.equals(c.getStatus());
    }

    /** Waits until the service's status says Ready (every planned pod Ready and up to date) at its current generation. */
    Duration awaitReady(String namespace, String name, Duration atMost) {
        long began = System.nanoTime();
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
            PercoreService s = get(namespace, name);
            Condition ready = condition(s, "Ready");
            return ready != null && "True".equals(ready.getStatus())
                    && s.getMetadata().getGeneration().equals(s.getStatus().getObservedGeneration());
        });
        // Ready pods are not yet a reachable Service: the endpoints controller, then kube-proxy, follow the pod's Ready
        // transition, and until they have, a connection to the ClusterIP is refused (PlanToPodsIT in a CI run)
        Duration left = atMost.minusNanos(System.nanoTime() - began);
        awaitReachable(namespace, name, left.isNegative() ? Duration.ofSeconds(1) : left);
        return Duration.ofNanos(System.nanoTime() - began);
    }

    /** Waits until every Service of the instance with a ClusterIP takes a TCP connection on its redis port. */
    void awaitReachable(String namespace, String name, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> redisPortsAccept(namespace, name));
    }

    /**
     * Whether every Service of the instance with a ClusterIP answers RESP on its redis port (a PING's reply, {@code +PONG} or
     * {@code -NOAUTH}). Not only a TCP connection: once in two CI runs the first connection after a migration's cut-over
     * read an HTTP reply there ('H', UsersIT), kube-proxy routing the Service's redis port elsewhere for a moment; what
     * the port said is printed when it is not RESP.
     */
    private boolean redisPortsAccept(String namespace, String name) {
        for (Service service : client().services().inNamespace(namespace).withLabel("app.kubernetes.io/instance", name).list().getItems()) {
            String ip = service.getSpec().getClusterIP();
            if (ip == null || ip.isBlank() || "None".equals(ip)) {
                continue;
            }
            for (var port : service.getSpec().getPorts()) {
                if (!"redis".equals(port.getName())) {
                    continue;
                }
                try (java.net.Socket socket = new java.net.Socket()) {
                    socket.connect(new java.net.InetSocketAddress(ip, port.getPort()), 1000);
                    socket.setSoTimeout(2000);
                    socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] said = new byte[64];
                    int n = socket.getInputStream().read(said);
                    if (n <= 0 || (said[0] != '+' && said[0] != '-')) {
                        Progress.say("%s/%s: %s:%d answered a PING with %s, not RESP (%s)", namespace, name, ip, port.getPort(),
                                n <= 0 ? "nothing" : "'" + new String(said, 0, n, StandardCharsets.US_ASCII).replaceAll("[\\r\\n]+", " ").strip() + "'",
                                routing(namespace, name));
                        return false;
                    }
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return true;
    }

    PercoreService awaitStatus(String namespace, String name, Duration atMost, Predicate<PercoreService> until) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> get(namespace, name), s -> s != null && until.test(s));
    }

    List<Pod> pods(String namespace, String service) {
        return client().pods().inNamespace(namespace).withLabel("app.kubernetes.io/instance", service).list().getItems().stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    }

    /**
     * The namespace's events (the service's and its pods') from a second before {@code since} until {@code until}, in seconds
     * after {@code since}, in the order they happened; the operator's own with their text (what it saw, why it waited).
     */
    String timeline(String namespace, java.time.Instant since, java.time.Instant until) {
        java.util.SortedMap<java.time.Instant, List<String>> lines = new java.util.TreeMap<>();
        for (Event e : client().v1().events().inNamespace(namespace).list().getItems()) {
            String at = e.getEventTime() != null ? e.getEventTime().getTime() : e.getLastTimestamp();
            if (at == null) {
                continue;
            }
            java.time.Instant when = java.time.Instant.parse(at);
            if (!when.isBefore(since.minusSeconds(1)) && when.isBefore(until)) {
                boolean operators = "PercoreService".equals(e.getInvolvedObject().getKind()) && e.getMessage() != null;
                String message = operators && e.getMessage().length() > 300 ? e.getMessage().substring(0, 297) + "..." : e.getMessage();
                lines.computeIfAbsent(when, t -> new java.util.ArrayList<>()).add(String.format("%+.1f s %s/%s %s%s",
                        java.time.Duration.between(since, when).toMillis() / 1000.0, e.getInvolvedObject().getKind(),
                        e.getInvolvedObject().getName(), e.getReason(), operators ? " (" + message + ")" : ""));
            }
        }
        return "events: " + lines.values().stream().flatMap(List::stream).toList();
    }

    /**
     * Each pod of {@code service} as a line: name, uid, IP, phase, Ready, restarts and why the last container ended
     * (what a wait that timed out must say: a pod replaced or restarted behind the test's back).
     */
    String podStates(String namespace, String service) {
        List<String> states = new java.util.ArrayList<>();
        for (Pod p : pods(namespace, service)) {
            var status = p.getStatus();
            String ready = status.getConditions() == null ? "?" : status.getConditions().stream()
                    .filter(c -> "Ready".equals(c.getType())).map(c -> c.getStatus()).findFirst().orElse("?");
            StringBuilder line = new StringBuilder(p.getMetadata().getName()).append(" uid ")
                    .append(p.getMetadata().getUid(), 0, 8).append(" ip ").append(status.getPodIP()).append(' ')
                    .append(status.getPhase()).append(" ready ").append(ready);
            if (p.getMetadata().getDeletionTimestamp() != null) {
                line.append(" deleting");
            }
            if (status.getContainerStatuses() != null) {
                for (var c : status.getContainerStatuses()) {
                    line.append(' ').append(c.getName()).append(" restarts ").append(c.getRestartCount());
                    var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
                    if (last != null) {
                        line.append(" (last ended ").append(last.getFinishedAt()).append(": ").append(last.getReason())
                                .append(", exit ").append(last.getExitCode()).append(')');
                    }
                }
            }
            states.add(line.toString());
        }
        return "pods: " + states + templateChanges(namespace, service);
    }

    /**
     * When {@code service}'s Deployment has more than one ReplicaSet (its pod template changed), the lines that differ
     * between the oldest template and each later one (what a roll nobody asked for changed); empty otherwise.
     */
    String templateChanges(String namespace, String service) {
        List<io.fabric8.kubernetes.api.model.apps.ReplicaSet> sets = client().apps().replicaSets().inNamespace(namespace)
                .withLabel("app.kubernetes.io/instance", service).list().getItems().stream()
                .sorted(Comparator.comparing(r -> Integer.parseInt(r.getMetadata().getAnnotations()
                        .getOrDefault("deployment.kubernetes.io/revision", "0"))))
                .toList();
        if (sets.size() < 2) {
            return "";
        }
        StringBuilder changes = new StringBuilder("; pod templates changed:");
        List<String> first = templateLines(sets.get(0));
        for (io.fabric8.kubernetes.api.model.apps.ReplicaSet later : sets.subList(1, sets.size())) {
            List<String> lines = templateLines(later);
            changes.append(" [").append(sets.get(0).getMetadata().getName()).append(" -> ").append(later.getMetadata().getName())
                    .append(" (revision ").append(later.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"))
                    .append(", created ").append(later.getMetadata().getCreationTimestamp()).append("): ");
            first.stream().filter(l -> !lines.contains(l)).limit(20).forEach(l -> changes.append("-").append(l.strip()).append(" | "));
            lines.stream().filter(l -> !first.contains(l)).limit(20).forEach(l -> changes.append("+").append(l.strip()).append(" | "));
            changes.append(']');
        }
        return changes.toString();
    }

    /** The revision of {@code name}'s StatefulSet its pods are updated to (a hash of its pod template). */
    String statefulSetRevision(String namespace, String name) {
        var set = client().apps().statefulSets().inNamespace(namespace).withName(name).get();
        return set == null || set.getStatus() == null ? null : set.getStatus().getUpdateRevision();
    }

    /** The lines that differ between two of a StatefulSet's ControllerRevisions (its pod template then and now). */
    String revisionChanges(String namespace, String from, String to) {
        List<String> before = revisionLines(namespace, from);
        List<String> after = revisionLines(namespace, to);
        StringBuilder changes = new StringBuilder(from + " -> " + to + ": ");
        before.stream().filter(l -> !after.contains(l)).limit(20).forEach(l -> changes.append("-").append(l.strip()).append(" | "));
        after.stream().filter(l -> !before.contains(l)).limit(20).forEach(l -> changes.append("+").append(l.strip()).append(" | "));
        return changes.toString();
    }

    private List<String> revisionLines(String namespace, String revision) {
        var found = client().apps().controllerRevisions().inNamespace(namespace).withName(revision).get();
        return found == null ? List.of("(revision " + revision + " not found)") : Serialization.asYaml(found.getData()).lines().toList();
    }

    private static List<String> templateLines(io.fabric8.kubernetes.api.model.apps.ReplicaSet set) {
        return Serialization.asYaml(set.getSpec().getTemplate()).lines()
                .filter(l -> !l.contains("pod-template-hash")).toList();
    }

    List<Event> events(String namespace, String involvedName) {
        return client().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> involvedName.equals(e.getInvolvedObject().getName())).toList();
    }

    /** The password the pods require (the Secret the operator generated, or the one the spec names). */
    String password(String namespace, String secretName) {
        Secret secret = client().secrets().inNamespace(namespace).withName(secretName).get();
        return new String(Base64.getDecoder().decode(secret.getData().get("password")), StandardCharsets.UTF_8);
    }

    /** A Service's ClusterIP and port of that name: what a client in the cluster reaches. */
    RedisURI serviceUri(String namespace, String serviceName, String portName, String password) {
        Service service = client().services().inNamespace(namespace).withName(serviceName).get();
        int port = service.getSpec().getPorts().stream().filter(p -> portName.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("Service " + serviceName + " has no port " + portName + ": " + service.getSpec().getPorts()))
                .getPort();
        RedisURI.Builder uri = RedisURI.builder().withHost(service.getSpec().getClusterIP()).withPort(port)
                .withTimeout(Duration.ofSeconds(5));
        if (password != null) {
            uri.withPassword(password.toCharArray());
        }
        return uri.build();
    }

    static RedisClient redis(RedisURI uri) {
        return RedisClient.create(uri);
    }

    /**
     * Where a Service sends its connections now, for an assertion's message when a connection through it fails: its
     * ports, its EndpointSlices' addresses (ready or not) and the namespace's pods with their addresses and ports.
     */
    String routing(String namespace, String serviceName) {
        StringBuilder out = new StringBuilder();
        Service service = client().services().inNamespace(namespace).withName(serviceName).get();
        out.append("Service ").append(serviceName).append(service == null ? " missing" : " " + service.getSpec().getClusterIP() + " "
                + service.getSpec().getPorts().stream().map(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getValue()).toList());
        client().discovery().v1().endpointSlices().inNamespace(namespace).withLabel("kubernetes.io/service-name", serviceName).list().getItems()
                .forEach(slice -> out.append("; slice ").append(slice.getMetadata().getName()).append(" ")
                        .append(slice.getPorts().stream().map(p -> p.getName() + ":" + p.getPort()).toList()).append(" ")
                        .append(slice.getEndpoints().stream().map(e -> e.getAddresses() + (e.getTargetRef() == null ? "" : " " + e.getTargetRef().getName())
                                + " ready=" + (e.getConditions() == null ? null : e.getConditions().getReady())).toList()));
        client().pods().inNamespace(namespace).list().getItems().forEach(p -> out.append("; pod ").append(p.getMetadata().getName()).append(" ")
                .append(p.getStatus().getPodIP()).append(" ").append(p.getStatus().getPhase()).append(" deleting=")
                .append(p.getMetadata().getDeletionTimestamp() != null).append(" ports ").append(p.getSpec().getContainers().stream()
                        .flatMap(c -> c.getPorts().stream()).map(cp -> cp.getName() + ":" + cp.getContainerPort()).toList()));
        return out.toString();
    }

    /** What the pod's containers printed, as the kubelet keeps it. */
    String containerLog(Pod pod) {
        return node.containerLog(pod);
    }

    static final Path DIAGNOSTICS = Path.of("target", "e2e-diagnostics");

    /** The logs of {@code namespace}'s pods kept so far under its diagnostics ({@link RealNode#keepLogs}). */
    void keepLogs(String namespace) {
        node.keepLogs(namespace, DIAGNOSTICS.resolve(namespace).resolve("kept-logs"));
    }

    /**
     * The warnings and errors a pod logged between two instants, as kept so far ({@link #keepLogs}): its stalls
     * ({@code StallDetector}), slow fsyncs, lost links. Dated by the node's CRI timestamp of each line.
     */
    List<String> keptWarnings(String namespace, Pod pod, java.time.Instant from, java.time.Instant to) {
        Path dir = DIAGNOSTICS.resolve(namespace).resolve("kept-logs")
                .resolve(namespace + "_" + pod.getMetadata().getName() + "_" + pod.getMetadata().getUid());
        List<String> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    int space = line.indexOf(' ');
                    if (space < 0 || !(line.contains(" WARN ") || line.contains(" ERROR "))) {
                        continue;
                    }
                    java.time.Instant at;
                    try {
                        at = java.time.Instant.parse(line.substring(0, space));
                    } catch (java.time.format.DateTimeParseException e) {
                        continue;
                    }
                    if (!at.isBefore(from) && !at.isAfter(to)) {
                        // "<time> stdout F <the application's line>": the application's line, which has its own time
                        String[] parts = line.split(" ", 4);
                        out.add(parts.length == 4 ? parts[3] : line);
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            out.add("(kept logs not read: " + e + ")");
        }
        return out;
    }

    /**
     * Writes what a failed scenario needs to be understood: services, pods, events, operator and pod logs, of one
     * namespace (null: every test namespace).
     */
    void diagnose(String test, Path dir, String namespace) {
        try {
            Path out = dir.resolve(test.replaceAll("[^A-Za-z0-9._-]", "_"));
            Files.createDirectories(out);
            StringBuilder state = new StringBuilder();
            var namespaces = namespace == null ? client().namespaces().withLabel(E2E_LABEL).list().getItems()
                    : List.of(client().namespaces().withName(namespace).get());
            for (var ns : namespaces) {
                String n = ns.getMetadata().getName();
                state.append("### namespace ").append(n).append('\n');
                for (PercoreService s : client().resources(PercoreService.class).inNamespace(n).list().getItems()) {
                    state.append(Serialization.asYaml(s));
                }
                for (Pod p : client().pods().inNamespace(n).list().getItems()) {
                    state.append("--- pod ").append(p.getMetadata().getName()).append(' ').append(Serialization.asYaml(p.getStatus()));
                    Files.writeString(out.resolve("pod-" + n + "-" + p.getMetadata().getName() + ".log"), node.containerLog(p));
                }
                for (Event e : client().v1().events().inNamespace(n).list().getItems()) {
                    state.append("event ").append(e.getLastTimestamp() != null ? e.getLastTimestamp()
                            : e.getEventTime() != null ? e.getEventTime().getTime() : "-").append(' ').append(e.getInvolvedObject().getKind()).append('/').append(e.getInvolvedObject().getName())
                            .append(' ').append(e.getType()).append(' ').append(e.getReason()).append(": ").append(e.getMessage()).append('\n');
                }
            }
            state.append("### node\n").append(Serialization.asYaml(client().nodes().withName(RealNode.NODE_NAME).get().getSpec()));
            Files.writeString(out.resolve("state.txt"), state);
            for (Pod p : chart.pods()) {
                Files.writeString(out.resolve("operator-" + p.getMetadata().getName() + ".log"), node.containerLog(p));
            }
            if (namespace == null) {
                Progress.say("diagnostics of %s in %s", test, out);
            }
        } catch (IOException | RuntimeException e) {
            Progress.say("diagnostics of %s not written: %s", test, e);
        }
    }

    @Override
    public void close() {
        try {
            // the scenarios' namespaces finish deleting while the operator still runs: their PercoreServices' finalizer
            // is its to remove, and a namespace left terminating without it stays so in etcd, for the next run to meet
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> client().namespaces().withLabel(E2E_LABEL).list().getItems().isEmpty());
            chart.uninstall();
            Volumes.removeAll(client());
        } catch (RuntimeException e) {
            Progress.say("chart not removed: %s", e);
        } finally {
            node.stop();
        }
    }

    /**
     * One scenario's namespace: deleted when closed, after its state and logs are written to
     * target/e2e-diagnostics/&lt;namespace&gt;/ (what a failure needs, and the namespace is gone before JUnit reports it).
     * What the next scenarios need back is the node's room, so the close waits for the namespace's pods to be gone, not
     * for the namespace (the namespace controller took 10 s for each, its pods gone or not; the suite's end waits for
     * them all, before the operator that removes their services' finalizer goes), and its pods get 2 s to
     * stop instead of their grace period: the scenario is over, and a replicated primary's graceful stop waits for a
     * handover its deleted service never makes. Graceful stops are what the scenarios and the campaign test, not a
     * namespace's deletion.
     */
    record TestNamespace(Cluster cluster, String name) implements AutoCloseable {

        @Override
        public void close() {
            cluster.diagnose(name, DIAGNOSTICS, name);
            long start = System.nanoTime();
            // the namespace first: once it terminates, no controller can make a pod in it again
            cluster.client().namespaces().withName(name).delete();
            cluster.client().pods().inNamespace(name).withGracePeriod(2).delete();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> cluster.client().pods().inNamespace(name).list().getItems().isEmpty());
            Progress.say("namespace %s deleted, its pods gone in %d s", name, RealNode.seconds(start));
        }
    }

    static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }
}
