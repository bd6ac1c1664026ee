package io.percore.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's cluster DNS fed from watches while the suite runs. {@code dns.sh} starts dnsmasq and a loop that runs
 * {@code kubectl get svc,pods -A} every 2 s to rewrite its hosts file: two Go processes started every 2 s cost 15-17 % of
 * a CPU whether anything changes or not (measured idle and under {@code ReplicationIT}, 2026-12-01), about 3 minutes of
 * CPU over CI's suite on a 2-CPU machine that CPU bounds. This writes the same lines (a Service's cluster IP as
 * {@code <svc>.<ns>.svc.cluster.local}, a pod of a headless Service as {@code <hostname>.<subdomain>.<ns>.svc.cluster.local})
 * from two informers, only when they change, and sooner than the loop did (a new pod's name resolves within about
 * 100 ms, not up to 2 s). The script's loop is stopped while this runs and started again when it stops, so a node kept
 * for the next run ({@code -Dpercore.k8s.keep}) resolves as the shared scripts make it.
 */
final class ClusterDns implements AutoCloseable {

    private static final long COALESCE_MILLIS = 100;

    private final Path hosts;
    private final Path dnsmasqPid;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-dns");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;

    private ClusterDns(KubernetesClient client, Path run) {
        this.hosts = run.resolve("cluster.hosts");
        this.dnsmasqPid = run.resolve("dnsmasq.pid");
        ResourceEventHandler<Object> changed = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object o) {
                schedule();
            }

            @Override
            public void onUpdate(Object before, Object after) {
                schedule();
            }

            @Override
            public void onDelete(Object o, boolean unknownFinalState) {
                schedule();
            }
        };
        this.services = client.services().inAnyNamespace().inform(cast(changed));
        this.pods = client.pods().inAnyNamespace().inform(cast(changed));
        schedule();
    }

    /** Stops {@code dns.sh}'s polling loop (its pid in {@code dns-sync.pid}) and feeds dnsmasq from watches instead. */
    static ClusterDns start(KubernetesClient client, Path run) {
        stopLoop(run.resolve("dns-sync.pid"));
        return new ClusterDns(client, run);
    }

    @SuppressWarnings("unchecked")
    private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
    }

    private void schedule() {
        if (pending.compareAndSet(false, true)) {
            writer.schedule(this::write, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void write() {
        pending.set(false);
        TreeSet<String> lines = new TreeSet<>();
        for (Service s : services.getStore().list()) {
            String ip = s.getSpec() == null ? null : s.getSpec().getClusterIP();
            if (present(ip) && !"None".equals(ip)) {
                lines.add(ip + " " + s.getMetadata().getName() + "." + s.getMetadata().getNamespace() + ".svc.cluster.local");
            }
        }
        for (Pod p : pods.getStore().list()) {
            String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
            String host = p.getSpec() == null ? null : p.getSpec().getHostname();
            String sub = p.getSpec() == null ? null : p.getSpec().getSubdomain();
            if (present(ip) && present(host) && present(sub)) {
                lines.add(ip + " " + host + "." + sub + "." + p.getMetadata().getNamespace() + ".svc.cluster.local");
            }
        }
        String text = String.join("\n", lines) + "\n";
        try {
            if (Files.exists(hosts) && Files.readString(hosts).equals(text)) {
                return;
            }
            Path next = hosts.resolveSibling("cluster.hosts.watched");
            Files.writeString(next, text);
            Files.move(next, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long pid = Long.parseLong(Files.readString(dnsmasqPid).trim());
            // dnsmasq rereads its --addn-hosts file on SIGHUP
            new ProcessBuilder("kill", "-HUP", Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException | NumberFormatException e) {
            Progress.say("cluster DNS not rewritten: %s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean present(String s) {
        return s != null && !s.isEmpty();
    }

    private static void stopLoop(Path pidFile) {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NumberFormatException e) {
            // an empty pid file: no loop to stop
        }
    }

    @Override
    public void close() {
        services.close();
        pods.close();
        writer.shutdownNow();
    }
}
