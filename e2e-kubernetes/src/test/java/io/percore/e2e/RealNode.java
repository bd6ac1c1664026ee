package io.percore.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one-node Kubernetes of {@code ../shared/k8s} (its README), brought up once per run: control plane, the node
 * (containerd, kubelet, kube-proxy, scheduler) and cluster DNS (fed from watches while the suite runs: {@link ClusterDns}),
 * with the images this build made loaded into it.
 * A node that already runs (a developer's) is reused and left running; one this run started is stopped at its end.
 *
 * <p>Everything the suite does to pods goes through the API, as a user's tools would, except what Kubernetes has no
 * verb for: a SIGKILL of a container ({@link #killContainer}), done with containerd's own client as a crashed
 * process would look to the kubelet.
 */
final class RealNode {

    static final String NODE_NAME = "bars-node";
    /** The pods' gateway: what the pods reach the host at (the API server listens there too). */
    static final String GATEWAY = "10.88.0.1";
    private static final String CONTAINERD_SOCKET = "/run/ctd-bars/containerd.sock";
    private static final String KCM_CONTROLLERS = "*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service,-route,-attachdetach,"
            + "-persistentvolume-expander,-ttl,-bootstrapsigner,-tokencleaner";

    private final Path home;
    private final Path run;
    private final Path kubeconfig;
    private final boolean startedHere;
    private final KubernetesClient client;
    private final ClusterDns dns;

    private RealNode(Path home, Path run, Path kubeconfig, boolean startedHere) {
        this.home = home;
        this.run = run;
        this.kubeconfig = kubeconfig;
        this.startedHere = startedHere;
        this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(read(kubeconfig))).build();
        this.dns = ClusterDns.start(client, run);
    }

    /** Why the suite cannot run on this machine, or null when it can. */
    static String whyNot() {
        if (Boolean.getBoolean("percore.images.skip")) {
            return "the images were not built (-Dimages.skip)";
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "not Linux";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root (the node runs containerd, a kubelet and iptables rules)";
        }
        Path home = home();
        if (!Files.isExecutable(home.resolve("up.sh")) || !Files.isExecutable(home.resolve("node.sh"))) {
            return "no Kubernetes node scripts at " + home + " (set -Dk8s.home)";
        }
        return null;
    }

    static Path home() {
        return Path.of(System.getProperty("percore.k8s.home", "../../shared/k8s")).toAbsolutePath().normalize();
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("percore.root", "..")).toAbsolutePath().normalize();
    }

    /** Brings the node up (or finds it up) and loads the images. */
    static RealNode start() {
        Path home = home();
        Path state = Path.of(System.getProperty("percore.k8s.state", "/tmp/percore-e2e-k8s"));
        Path run = state.resolve("run");
        Path kubeconfig = state.resolve("kubeconfig");
        long began = System.nanoTime();
        Map<String, String> env = Map.of("K8S_RUN", run.toString(), "KUBECONFIG_OUT", kubeconfig.toString(),
                "K8S_BIN", state.resolve("bin").toString());
        boolean running = Files.exists(kubeconfig) && exec(env, Duration.ofSeconds(20), "bash", home.resolve("up.sh").toString(), "status")
                .lines().filter(l -> l.contains(": running")).count() == 3;
        exec(env, Duration.ofMinutes(1), "bash", home.resolve("node.sh").toString(), "bridge");
        Map<String, String> upEnv = new java.util.HashMap<>(env);
        upEnv.put("K8S_BIND", "0.0.0.0");
        upEnv.put("K8S_ADVERTISE", GATEWAY);
        upEnv.put("K8S_KCM_CONTROLLERS", KCM_CONTROLLERS);
        exec(upEnv, Duration.ofMinutes(5), "bash", home.resolve("up.sh").toString());
        exec(env, Duration.ofMinutes(5), "bash", home.resolve("node.sh").toString(), "up");
        if (!Files.exists(run.resolve("dnsmasq.pid")) || !alive(run.resolve("dnsmasq.pid"))) {
            exec(env, Duration.ofMinutes(1), "bash", home.resolve("dns.sh").toString(), "up");
        }
        RealNode node = new RealNode(home, run, kubeconfig, !running);
        Progress.say("node %s %s in %d s; load %s", NODE_NAME, running ? "found running" : "started", seconds(began), Progress.load());
        node.loadImages();
        return node;
    }

    KubernetesClient client() {
        return client;
    }

    Path kubeconfig() {
        return kubeconfig;
    }

    /** The build's two images, imported into the node's containerd under the names the pod specs use. */
    private void loadImages() {
        long began = System.nanoTime();
        String version = System.getProperty("percore.version", "0.1.0-SNAPSHOT");
        Map<String, String> env = Map.of("K8S_RUN", run.toString(), "KUBECONFIG_OUT", kubeconfig.toString());
        for (String image : List.of("demo-service", "operator")) {
            Path tar = projectRoot().resolve("images/" + image + "-image/target/jib-image.tar");
            if (!Files.isRegularFile(tar)) {
                throw new IllegalStateException("no image tarball " + tar + ": ./mvnw verify builds it before this module");
            }
            exec(env, Duration.ofMinutes(3), "bash", home.resolve("node.sh").toString(), "load", tar.toString());
            // a short name in a pod spec is docker.io/<name> to the kubelet: the import keeps the name Jib gave
            String name = "percore/percore-" + image + ":" + version;
            ctr("images", "tag", "--force", name, "docker.io/" + name);
        }
        Progress.say("images loaded in %d s", seconds(began));
    }

    /** SIGKILL of the pod's (first) container, as a crash: the kubelet restarts it in the same pod. */
    void killContainer(Pod pod) {
        String id = pod.getStatus().getContainerStatuses().get(0).getContainerID();
        ctr("tasks", "kill", "--signal", "SIGKILL", id.substring(id.indexOf("://") + 3));
    }

    /**
     * The kubelet stopped (SIGTERM, as {@code systemctl restart kubelet} begins): the pods keep running, nothing probes
     * them, restarts a container or reports their status until {@link #startKubelet}.
     */
    void stopKubelet() {
        Path pidFile = run.resolve("kubelet.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no kubelet pid in " + pidFile, e);
        }
    }

    /** The kubelet started again by node.sh (which starts what is not running), once the node reports Ready. */
    void startKubelet() {
        Map<String, String> env = Map.of("K8S_RUN", run.toString(), "KUBECONFIG_OUT", kubeconfig.toString(),
                "K8S_BIN", run.getParent().resolve("bin").toString());
        exec(env, Duration.ofMinutes(3), "bash", home.resolve("node.sh").toString(), "up");
    }

    /** The host's pid of the pod's (first) container's task: its entrypoint's process, as the pod is now (a restart makes a new one). */
    String taskPid(Pod pod) {
        String id = pod.getStatus().getContainerStatuses().get(0).getContainerID();
        id = id.substring(id.indexOf("://") + 3);
        for (String line : ctr("tasks", "ls").lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(id)) {
                return f[1];
            }
        }
        throw new IllegalStateException("no task for " + pod.getMetadata().getName() + " (" + id + ")");
    }

    String ctr(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", CONTAINERD_SOCKET, "-n", "k8s.io"));
        command.addAll(List.of(args));
        return exec(Map.of(), Duration.ofMinutes(1), command.toArray(String[]::new));
    }

    /** A container's log as the kubelet wrote it (kubectl logs needs the node's name to resolve, which it does not here). */
    String containerLog(Pod pod) {
        Path dir = Path.of("/var/log/pods", pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName() + "_"
                + pod.getMetadata().getUid());
        StringBuilder out = new StringBuilder();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.append("==> ").append(dir.relativize(f)).append('\n').append(Files.readString(f, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            out.append("(no log: ").append(e).append(")\n");
        }
        return out.toString();
    }

    /**
     * Copies the logs of every pod of {@code namespace} the kubelet still holds into {@code dir} (a directory per pod and
     * uid, files replaced by their newer selves): called before each fault, it keeps the logs of pods and containers a
     * later fault replaces, which the kubelet drops with them.
     */
    void keepLogs(String namespace, Path dir) {
        try (var pods = Files.list(Path.of("/var/log/pods"))) {
            for (Path pod : pods.filter(d -> d.getFileName().toString().startsWith(namespace + "_")).toList()) {
                try (var files = Files.walk(pod)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        Path to = dir.resolve(pod.getFileName().toString()).resolve(pod.relativize(f).toString());
                        Files.createDirectories(to.getParent());
                        Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            Progress.say("logs of %s not kept: %s", namespace, e); // a pod's directory removed while read: the next call has it
        }
    }

    /** Stops what this run started; a node that was already running is left as it was found. */
    void stop() {
        Progress.say("suite done; load %s", Progress.load());
        dns.close();
        client.close();
        Map<String, String> env = Map.of("K8S_RUN", run.toString(), "KUBECONFIG_OUT", kubeconfig.toString());
        exec(env, Duration.ofMinutes(1), "bash", home.resolve("dns.sh").toString(), "down");
        if (!startedHere || Boolean.getBoolean("percore.k8s.keep")) {
            // the shared script's own DNS again (its polling loop), for whoever uses the node next
            exec(env, Duration.ofMinutes(1), "bash", home.resolve("dns.sh").toString(), "up");
            Progress.say("node left running (%s)", startedHere ? "-Dpercore.k8s.keep" : "it ran before this suite");
            return;
        }
        exec(env, Duration.ofMinutes(2), "bash", home.resolve("node.sh").toString(), "down");
        exec(env, Duration.ofMinutes(1), "bash", home.resolve("up.sh").toString(), "down");
        Progress.say("node stopped");
    }

    private static boolean alive(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    static long seconds(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sinceNanos);
    }

    /** Runs a command, returns its output; a non-zero exit or a timeout fails with the output. */
    static String exec(Map<String, String> env, Duration timeout, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            Path out = Files.createTempFile("e2e-exec", ".log");
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + ": no exit after " + timeout + "\n" + Files.readString(out));
            }
            String output = Files.readString(out);
            Files.deleteIfExists(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + ": exit " + p.exitValue() + "\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
