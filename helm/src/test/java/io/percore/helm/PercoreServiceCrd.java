package io.percore.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The chart's copy of the PercoreService CRD, and validation of resources against its
 * openAPIV3Schema the way the API server does it: schema rules (networknt, draft 4, which the
 * OpenAPI v3 schema subset follows) plus structural pruning, where a field the schema does not
 * declare would be silently dropped, so here it is an error.
 */
final class PercoreServiceCrd {

    static final String FILE_NAME = "percoreservices.percore.io-v1.yml";
    static final Path CHART_COPY = ChartUnderTest.DIR.resolve("crds").resolve(FILE_NAME);

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode crd;

    private PercoreServiceCrd(JsonNode crd) {
        this.crd = crd;
    }

    static PercoreServiceCrd fromChart() {
        return parse(ChartUnderTest.read(CHART_COPY));
    }

    static PercoreServiceCrd parse(String yaml) {
        try {
            return new PercoreServiceCrd(YAML.readTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode tree() {
        return crd;
    }

    JsonNode openApiSchema(String version) {
        for (JsonNode v : crd.at("/spec/versions")) {
            if (version.equals(v.path("name").asText())) {
                return v.at("/schema/openAPIV3Schema");
            }
        }
        throw new AssertionError("CRD has no version " + version);
    }

    /** Every way the API server would reject or silently alter {@code resource}; empty when it is fine. */
    List<String> problems(JsonNode resource) {
        String version = resource.path("apiVersion").asText().replaceFirst("^.*/", "");
        JsonNode schema = openApiSchema(version);
        List<String> problems = new ArrayList<>();
        Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                .getSchema(schema.toString(), InputFormat.JSON);
        try {
            validator.validate(JSON.writeValueAsString(withoutMetadata(resource)), InputFormat.JSON)
                    .forEach(e -> problems.add(e.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        prunedFields("", schema, resource, problems);
        return problems;
    }

    /** metadata is validated by the API server's ObjectMeta rules, not by the CRD schema. */
    private static JsonNode withoutMetadata(JsonNode resource) {
        var copy = resource.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("metadata");
        return copy;
    }

    private static void prunedFields(String path, JsonNode schema, JsonNode value, List<String> out) {
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = path + "/" + field.getKey();
                if ("".equals(path) && "metadata".equals(field.getKey())) {
                    continue;
                }
                if (properties.has(field.getKey())) {
                    prunedFields(child, properties.get(field.getKey()), field.getValue(), out);
                } else if (additional.isObject()) {
                    prunedFields(child, additional, field.getValue(), out);
                } else if (!"".equals(path) || !List.of("apiVersion", "kind").contains(field.getKey())) {
                    out.add(child + ": not in the CRD schema (the API server would drop it)");
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                prunedFields(path + "/" + i, schema.get("items"), value.get(i), out);
            }
        }
    }
}
