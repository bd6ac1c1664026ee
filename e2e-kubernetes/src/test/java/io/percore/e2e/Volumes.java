package io.percore.e2e;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/**
 * Storage as a cluster without a provisioner has it: StorageClasses with {@code kubernetes.io/no-provisioner} (claims
 * bound when their pod is scheduled) and hostPath PersistentVolumes made ahead. {@value #CLASS} is the cluster's default
 * class: the examples name none, as a user's on a cluster with a default class would. hostPath gets no {@code fsGroup},
 * so each directory is open to the images' user (65532).
 */
final class Volumes {

    static final String CLASS = "percore-e2e";
    /**
     * The fault campaign's small volumes ({@link #addSmall}): a class of their own, not the default, so that a scenario
     * beside the campaign never binds one of them, nor the campaign one of theirs.
     */
    static final String SMALL_CLASS = "percore-e2e-small";
    static final String LABEL = "percore.io/e2e-volume";
    static final Path ROOT = Path.of("/tmp/percore-e2e-volumes");

    private final KubernetesClient client;
    private int made;

    Volumes(KubernetesClient client) {
        this.client = client;
    }

    /** {@code count} more volumes of the default class (scenarios running side by side each make their own). */
    void add(int count) {
        add(count, CLASS);
    }

    /**
     * {@code count} more volumes of {@link #SMALL_CLASS}, each a file system of its own of {@code mebibytes} (ext4 on a
     * sparse file, loop-mounted): a disk that fills in a moment without filling the node's, the fault campaign's full
     * claim. Not tmpfs: its pages would count as the pod's memory.
     */
    void addSmall(int count, int mebibytes) {
        add(count, SMALL_CLASS, mebibytes);
    }

    /** {@code count} more volumes of {@code storageClass}, made with the class if it is new. */
    void add(int count, String storageClass) {
        add(count, storageClass, 0);
    }

    private synchronized void add(int count, String storageClass, int ownFileSystemMebibytes) {
        var sc = new StorageClassBuilder().withNewMetadata().withName(storageClass).addToLabels(LABEL, "true").endMetadata()
                .withProvisioner("kubernetes.io/no-provisioner").withVolumeBindingMode("WaitForFirstConsumer").withReclaimPolicy("Retain");
        if (CLASS.equals(storageClass)) {
            sc.editMetadata().addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata();
        }
        client.storage().v1().storageClasses().resource(sc.build()).serverSideApply();
        for (int i = 0; i < count; i++) {
            String name = "e2e-pv-" + ProcessHandle.current().pid() + "-" + made++;
            Path dir = ROOT.resolve(name);
            try {
                Files.createDirectories(dir);
                if (ownFileSystemMebibytes > 0) {
                    Path image = ROOT.resolve(name + ".img");
                    try (var file = new java.io.RandomAccessFile(image.toFile(), "rw")) {
                        file.setLength(ownFileSystemMebibytes * 1024L * 1024L);
                    }
                    RealNode.exec(Map.of(), Duration.ofSeconds(60), "mkfs.ext4", "-q", "-F", image.toString());
                    // discard: what a filler frees goes back to the node's disk, not only to the file system
                    RealNode.exec(Map.of(), Duration.ofSeconds(60), "mount", "-o", "loop,discard", image.toString(), dir.toString());
                }
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            PersistentVolume pv = new PersistentVolumeBuilder().withNewMetadata().withName(name).addToLabels(LABEL, "true").endMetadata()
                    .withNewSpec().withCapacity(Map.of("storage", new Quantity("1Gi"))).withAccessModes("ReadWriteOnce")
                    .withStorageClassName(storageClass).withPersistentVolumeReclaimPolicy("Retain")
                    .withNewHostPath().withPath(dir.toString()).withType("Directory").endHostPath().endSpec().build();
            client.persistentVolumes().resource(pv).create();
        }
    }

    /** The directory on the node that holds the volume bound to the pod's claim {@code volume} (its spec's volume name). */
    static Path directoryOf(KubernetesClient client, Pod pod, String volume) {
        String claim = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(volume) && v.getPersistentVolumeClaim() != null)
                .map(v -> v.getPersistentVolumeClaim().getClaimName()).findFirst()
                .orElseThrow(() -> new IllegalStateException(pod.getMetadata().getName() + " has no claim " + volume));
        String pv = client.persistentVolumeClaims().inNamespace(pod.getMetadata().getNamespace()).withName(claim).get().getSpec().getVolumeName();
        return ROOT.resolve(pv);
    }

    /** Every volume and class of the suite, and the volumes' directories (a file system under them unmounted first). */
    static void removeAll(KubernetesClient client) {
        client.persistentVolumes().withLabel(LABEL).delete();
        client.storage().v1().storageClasses().withLabel(LABEL).delete();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 1 && f[1].startsWith(ROOT + "/")) {
                    // lazily: a pod still stopping may hold it; the loop device goes when the last user lets go
                    RealNode.exec(Map.of(), Duration.ofSeconds(20), "umount", "-l", f[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (var files = Files.exists(ROOT) ? Files.walk(ROOT) : java.util.stream.Stream.<Path>empty()) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
