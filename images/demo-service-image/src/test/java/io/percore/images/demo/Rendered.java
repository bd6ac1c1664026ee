package io.percore.images.demo;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.percore.operator.config.ApplicationYaml;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.ServicePort;
import io.percore.operator.crd.User;
import io.percore.operator.reconcile.WorkloadRenderer;
import io.percore.operator.sizing.NodeShapes;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingPlanner;
import io.percore.operator.sizing.SizingRequests;
import io.percore.operator.users.AclRecord;
import io.percore.operator.users.AclUser;
import io.percore.operator.users.OperatorUsers;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the operator renders for a persistent PercoreService of the demo image, taken from the
 * operator's own renderer (not written again here): the StatefulSet container's environment, with
 * its JVM options, and the ConfigMap's files. Whatever the operator changes there, the image test
 * runs the demo with.
 */
record Rendered(Map<String, String> env, Map<String, String> configFiles, Map<String, String> secretFiles, String password, int shards) {

    /** The service's password, as the operator's generated Secret would hold it. */
    static final String PASSWORD = "image-test-password";

    /** 2 shards on a 4-CPU node without exclusive cores, snapshots on a claim. */
    static Rendered persistentService(int respPort) {
        PercoreService service = new PercoreService();
        service.setMetadata(new ObjectMetaBuilder().withName("kv").withNamespace("default").withUid("seam-test").build());
        PercoreServiceSpec spec = new PercoreServiceSpec();
        spec.setImage("percore/percore-demo-service:0.1.0-SNAPSHOT");
        spec.setShards(2);
        spec.setMemoryPerShard("256Mi");
        spec.setPorts(List.of(new ServicePort("redis", respPort)));
        spec.setPersistence(new Persistence(Persistence.SNAPSHOT, "1Gi"));
        service.setSpec(spec);
        SizingPlan plan = new SizingPlanner().plan(SizingRequests.fromSpec(spec), List.of(NodeShapes.from(new NodeBuilder()
                .withNewMetadata().withName("node-a").withLabels(Map.of("kubernetes.io/hostname", "node-a")).endMetadata()
                .withNewStatus().addToAllocatable("cpu", new Quantity("4")).addToAllocatable("memory", new Quantity("8Gi"))
                .addToCapacity("cpu", new Quantity("4")).addToCapacity("memory", new Quantity("8Gi")).endStatus()
                .build(), null)));
        String yaml = ApplicationYaml.render(spec.configOrEmpty(), plan, WorkloadRenderer.managementPort(spec));
        StatefulSet sts = WorkloadRenderer.statefulSet(service, plan, yaml, WorkloadRenderer.DataClaim.of(spec.getPersistence()));
        Container container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar v : container.getEnv()) {
            if (v.getValue() != null) {
                env.put(v.getName(), v.getValue()); // a valueFrom (the pod's name, its limits) has no value outside a pod
            }
        }
        // what the Secrets give the pod: its password (a secretKeyRef) and, where the template mounts it, the operator's
        // aclfile with the default user and the operator's own users, rendered by the operator's code
        env.put(Replication.REQUIREPASS_ENV, PASSWORD);
        Map<String, String> secretFiles = new LinkedHashMap<>();
        if (env.containsKey(User.ACLFILE_ENV)) {
            String hash = AclUser.passwordHash(PASSWORD.getBytes(StandardCharsets.UTF_8));
            secretFiles.put(env.get(User.ACLFILE_ENV), AclRecord.EMPTY.aclFile(OperatorUsers.defaultUser(hash),
                    List.of(OperatorUsers.operator(hash, false), OperatorUsers.replica(hash), OperatorUsers.backup(hash)), java.util.Set.of()));
        }
        return new Rendered(env, WorkloadRenderer.configMap(service, yaml).getData(), secretFiles, PASSWORD, plan.shardsPerPod());
    }
}
