package io.percore.operator.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.percore.config.EngineConfig;
import io.percore.config.PercoreConfig;
import io.percore.config.PropertyNames;
import io.percore.config.ServerConfig;
import io.percore.config.ServerSslConfig;
import io.percore.config.schema.LiveSettings;
import io.percore.config.schema.ModelTree;
import io.percore.operator.crd.Tls;
import io.percore.operator.sizing.SizingPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the {@code application.yml} the pods read: the user's validated {@code percore:}
 * section with the planned engine settings laid over it (shards, reserved-cpus, mode: the plan
 * wins over what the spec says), plus the Actuator settings the probes and scraping rely on.
 * The planned values are set on an {@link EngineConfig} and rendered by config-schema's
 * {@link ModelTree}, so keys and enum spellings come from the model, never from this class;
 * {@code ApplicationYamlValidityTest} runs what this writes through the validator.
 */
public final class ApplicationYaml {

    public static final String FILE_NAME = "application.yml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** Where Spring binds {@code PercoreConfig} (the starter's prefix). */
    private static final String ROOT = "percore";
    private static final String ENGINE = ModelTree.key(PercoreConfig.class, "engine");
    private static final String SERVERS = ModelTree.key(PercoreConfig.class, "servers");
    private static final String SSL = ModelTree.key(ServerConfig.class, "ssl");
    private static final String BUNDLE_KEY = ModelTree.key(ServerSslConfig.class, "bundle");
    private static final String CLIENT_AUTH = ModelTree.key(ServerSslConfig.class, "clientAuth");
    /** The engine properties the sizing plan decides; spelled and rendered by the model. */
    private static final List<String> PLANNED = List.of(
            ModelTree.key(EngineConfig.class, "shards"),
            ModelTree.key(EngineConfig.class, "reservedCpus"),
            ModelTree.key(EngineConfig.class, "mode"));

    private ApplicationYaml() {
    }

    public static String render(Map<String, Object> percoreSection, SizingPlan plan, int managementPort) {
        return render(percoreSection, plan, managementPort, null);
    }

    /**
     * As {@link #render(Map, SizingPlan, int)}, with {@code tls} (null: none): the Spring Boot SSL
     * bundle {@value Tls#BUNDLE} over the mounted Secret's files, reloaded when they change, and
     * {@code ssl.bundle} of each listed server pointing at it.
     */
    public static String render(Map<String, Object> percoreSection, SizingPlan plan, int managementPort, Tls tls) {
        try {
            return YAML.writeValueAsString(tree(percoreSection, plan, managementPort, tls));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render application.yml", e);
        }
    }

    /**
     * What {@link #render(Map, SizingPlan, int, Tls)} writes, before it is written. Every map in it with more than one
     * entry keeps its insertion order ({@link LinkedHashMap}): the text is the same in every JVM, and so is the pod
     * template's hash of it. A {@code Map.of} of two entries iterates in an order drawn at each JVM's start, so two
     * operators rendered two texts and each new leader rolled the pods of a TLS service to its own.
     */
    static Map<String, Object> tree(Map<String, Object> percoreSection, SizingPlan plan, int managementPort, Tls tls) {
        Map<String, Object> percore = withTls(percoreSection, tls);
        child(percore, ENGINE).putAll(plannedEngine(plan));

        Map<String, Object> root = new LinkedHashMap<>();
        root.put(ROOT, percore);
        if (tls != null) {
            boolean checksClients = false;
            for (String server : tls.serversOrEmpty()) {
                Object clientAuth = child(child(child(percore, SERVERS), server), SSL).get(CLIENT_AUTH);
                checksClients |= clientAuth != null && !PropertyNames.enumValue(ServerSslConfig.ClientAuth.NONE).equals(clientAuth);
            }
            root.put("spring", Map.of("ssl", Map.of("bundle", Map.of("pem", Map.of(Tls.BUNDLE, pemBundle(checksClients))))));
        }
        Map<String, Object> management = new LinkedHashMap<>();
        management.put("server", Map.of("port", managementPort));
        management.put("endpoint", Map.of("health", Map.of("probes", Map.of("enabled", true))));
        management.put("endpoints", Map.of("web", Map.of("exposure", Map.of("include", "health,info,prometheus,percore"))));
        root.put("management", management);
        return root;
    }

    /**
     * The planned engine settings as Spring property names and values
     * ({@code percore.engine.shards=2}, ...), spelled and rendered by the model; the workload sets
     * them as environment variables too, so they beat an {@code application.yml} baked into the image.
     */
    public static Map<String, String> plannedProperties(SizingPlan plan) {
        Map<String, String> properties = new LinkedHashMap<>();
        plannedEngine(plan).forEach((key, value) -> properties.put(ROOT + "." + ENGINE + "." + key, String.valueOf(value)));
        return properties;
    }

    /**
     * The environment variable Spring Boot binds to {@code property}, spelled as its documentation
     * says (dots become underscores, dashes are removed, upper case), e.g.
     * {@code PERCORE_ENGINE_RESERVEDCPUS}. A dash made an underscore reads back as a dot: the
     * starter's validator then sees {@code percore.engine.reserved.cpus} and refuses the start.
     */
    public static String environmentVariable(String property) {
        return property.replace('.', '_').replace("-", "").toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * The {@code application.yml} of {@link #render(Map, SizingPlan, int, Tls)} without the
     * settings a running pod takes live (config-schema's {@code x-live}, {@link LiveSettings}): two
     * configurations that differ only in those render the same text here. The pod template carries
     * its hash, so such a change updates the ConfigMap, which the pods watch and apply, and rolls
     * no pod; any other change of the configuration rolls them as before.
     */
    public static String renderForRollout(Map<String, Object> percoreSection, SizingPlan plan, int managementPort, Tls tls) {
        return render(LiveSettings.withoutLive(withTls(percoreSection, tls)), plan, managementPort, tls);
    }

    /**
     * A copy of {@code percoreSection} with {@code ssl.bundle} of each server {@code tls} lists set
     * to {@value Tls#BUNDLE} (null {@code tls}: a plain copy): what the pods read, and so what the
     * operator validates (a server's {@code ssl.port} needs that bundle).
     */
    public static Map<String, Object> withTls(Map<String, Object> percoreSection, Tls tls) {
        Map<String, Object> percore = deepCopy(percoreSection);
        if (tls != null) {
            for (String server : tls.serversOrEmpty()) {
                child(child(child(percore, SERVERS), server), SSL).put(BUNDLE_KEY, Tls.BUNDLE);
            }
        }
        return percore;
    }

    /**
     * The bundle over the mounted Secret: its trust store only when a server checks client
     * certificates, since a Secret from a public ACME issuer has no {@code ca.crt} and Spring Boot
     * would refuse a bundle naming a missing file.
     */
    private static Map<String, Object> pemBundle(boolean trustStore) {
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("reload-on-update", true);
        Map<String, Object> keystore = new LinkedHashMap<>();
        keystore.put("certificate", "file:" + Tls.MOUNT + Tls.CERTIFICATE_KEY);
        keystore.put("private-key", "file:" + Tls.MOUNT + Tls.PRIVATE_KEY_KEY);
        bundle.put("keystore", keystore);
        if (trustStore) {
            bundle.put("truststore", Map.of("certificate", "file:" + Tls.MOUNT + Tls.CA_KEY));
        }
        return bundle;
    }

    private static Map<String, Object> plannedEngine(SizingPlan plan) {
        EngineConfig planned = new EngineConfig();
        planned.setShards(plan.shardsPerPod());
        planned.setReservedCpus(plan.reservedCpus());
        planned.setMode(plan.mode());
        Map<String, Object> plannedTree = ModelTree.of(planned);
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : PLANNED) {
            values.put(key, plannedTree.get(key));
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(key, created);
        return created;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> source) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (source == null) {
            return copy;
        }
        source.forEach((k, v) -> copy.put(k, v instanceof Map<?, ?> m ? deepCopy((Map<String, Object>) m) : v));
        return copy;
    }
}
