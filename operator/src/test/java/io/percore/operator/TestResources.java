package io.percore.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.ServicePort;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared fixtures: the generated CRD and a PercoreService. */
public final class TestResources {

    public static final String CRD_RESOURCE = "META-INF/fabric8/percoreservices.percore.io-v1.yml";
    public static final String NAMESPACE = "test";

    static {
        // The mock web server logs every request through java.util.logging.
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    }

    private TestResources() {
    }

    public static CustomResourceDefinition generatedCrd() {
        try (InputStream in = TestResources.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CRD_RESOURCE + " missing: the build generates it in process-classes");
            }
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void installCrd(KubernetesClient client) {
        client.apiextensions().v1().customResourceDefinitions().resource(generatedCrd()).create();
    }

    public static PercoreService service(String name, int shards) {
        PercoreService s = new PercoreService();
        s.getMetadata().setName(name);
        s.getMetadata().setNamespace(NAMESPACE);
        PercoreServiceSpec spec = new PercoreServiceSpec();
        spec.setImage("example.com/kv:1.0");
        spec.setShards(shards);
        spec.setPorts(List.of(new ServicePort("redis", 6379)));
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("task-quota", "500us");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("engine", engine);
        spec.setConfig(config);
        s.setSpec(spec);
        return s;
    }
}
