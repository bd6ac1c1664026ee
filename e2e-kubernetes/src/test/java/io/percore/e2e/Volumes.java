package io.percore.e2e;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

    /** {@code count} more volumes of {@code storageClass}, made with the class if it is new. */
    synchronized void add(int count, String storageClass) {
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

    /** Every volume and class of the suite, and the volumes' directories. */
    static void removeAll(KubernetesClient client) {
        client.persistentVolumes().withLabel(LABEL).delete();
        client.storage().v1().storageClasses().withLabel(LABEL).delete();
        try (var files = Files.exists(ROOT) ? Files.walk(ROOT) : java.util.stream.Stream.<Path>empty()) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
