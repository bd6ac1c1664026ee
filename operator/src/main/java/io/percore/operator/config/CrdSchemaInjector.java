package io.percore.operator.config;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.percore.config.schema.PercoreConfigSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Build step run after Fabric8's CRD generator (exec-maven-plugin, process-classes): replaces the
 * placeholder schema of {@code spec.config} in the generated CRD with config-schema's JSON
 * Schema converted to a structural schema, so {@code kubectl apply} rejects most bad config
 * before the operator even sees it. The result is in {@link CrdCanonicalForm} (nothing the API
 * server would drop), so a server-side re-apply of the file finds nothing to change.
 */
public final class CrdSchemaInjector {

    private CrdSchemaInjector() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CrdSchemaInjector <crd.yml>");
            System.exit(2);
        }
        Path crd = Path.of(args[0]);
        // Quiet by default (the build runs with -q); -Dpercore.crd.verbose=true lists what was dropped.
        boolean verbose = Boolean.getBoolean("percore.crd.verbose");
        String injected = inject(Files.readString(crd, StandardCharsets.UTF_8), PercoreConfigSchema.asMap(),
                note -> {
                    if (verbose) {
                        System.out.println("[crd spec.config] " + note);
                    }
                });
        Files.writeString(crd, injected, StandardCharsets.UTF_8);
    }

    /** @return the CRD YAML with every version's {@code spec.config} schema replaced */
    @SuppressWarnings("unchecked")
    public static String inject(String crdYaml, Map<String, Object> jsonSchema, java.util.function.Consumer<String> notes) {
        Map<String, Object> crd = Serialization.unmarshal(crdYaml, Map.class);
        Map<String, Object> configSchema = new StructuralSchemaConverter(notes).convert(jsonSchema);
        Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
        List<Map<String, Object>> versions = (List<Map<String, Object>>) spec.get("versions");
        int replaced = 0;
        for (Map<String, Object> version : versions) {
            Map<String, Object> root = (Map<String, Object>) ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema");
            Map<String, Object> specSchema = (Map<String, Object>) ((Map<String, Object>) root.get("properties")).get("spec");
            Map<String, Object> props = (Map<String, Object>) specSchema.get("properties");
            Object previous = props.get("config");
            if (previous instanceof Map<?, ?> old && old.get("description") != null) {
                configSchema.put("description", old.get("description"));
            }
            props.put("config", configSchema);
            replaced++;
        }
        if (replaced == 0) {
            throw new IllegalStateException("the CRD has no versions to inject the config schema into");
        }
        return Serialization.asYaml(CrdCanonicalForm.apply(crd));
    }
}
