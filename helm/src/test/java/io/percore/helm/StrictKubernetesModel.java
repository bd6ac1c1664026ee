package io.percore.helm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses a rendered manifest into Fabric8's typed model, failing on anything the API server
 * would not recognise.
 *
 * <p>Fabric8 models swallow unknown fields into an {@code additionalProperties} map through
 * {@code @JsonAnySetter}, so a misspelt field (e.g. {@code readinesProbe}) would parse fine.
 * Denying the any-setter and enabling FAIL_ON_UNKNOWN_PROPERTIES turns that into an error with
 * the full path; disabling scalar coercion catches {@code replicas: "2"}. The parsed object is
 * then written back and compared with the input, which also catches fields a model ignores.
 */
final class StrictKubernetesModel {

    private static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .build();

    static {
        // The API server rejects `value: 2` for a string field; Jackson would quietly make it "2".
        for (CoercionInputShape shape : new CoercionInputShape[] {
                CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
            STRICT.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
    }

    private StrictKubernetesModel() {
    }

    /** Whether Fabric8 has a typed model for this document's apiVersion and kind. */
    static boolean isBuiltIn(JsonNode document) {
        return !(lenient(document) instanceof GenericKubernetesResource);
    }

    static HasMetadata toTyped(JsonNode document) {
        Class<? extends KubernetesResource> type = lenient(document).getClass();
        String where = document.path("kind").asText() + " " + document.path("metadata").path("name").asText();
        HasMetadata typed;
        try {
            typed = (HasMetadata) STRICT.treeToValue(document, type);
        } catch (JsonProcessingException e) {
            throw new AssertionError(where + " does not match the Kubernetes schema of " + type.getSimpleName()
                    + ": " + e.getOriginalMessage() + " at " + e.getLocation() + " path " + pathOf(e), e);
        }
        JsonNode roundTrip = STRICT.valueToTree(typed);
        List<String> differences = new ArrayList<>();
        diff("", document, roundTrip, differences);
        if (!differences.isEmpty()) {
            throw new AssertionError(where + " changed when read as " + type.getSimpleName()
                    + " and written back (a field was ignored or coerced): " + differences);
        }
        return typed;
    }

    static GenericKubernetesResource toGeneric(JsonNode document) {
        return FABRIC8.convertValue(document, GenericKubernetesResource.class);
    }

    private static KubernetesResource lenient(JsonNode document) {
        return FABRIC8.unmarshal(document.toString());
    }

    /**
     * Structural difference. Numbers compare by value (the models widen int to long), and a
     * number may come back as the same digits in a string: Quantity ({@code cpu: 2}) is
     * number-or-string in the API and Fabric8 writes it as a string.
     */
    static void diff(String path, JsonNode expected, JsonNode actual, List<String> out) {
        if (expected.isNumber() && actual.isTextual() && expected.asText().equals(actual.asText())) {
            return;
        }
        if (expected.isNumber() && actual.isNumber()) {
            if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
                out.add(path + ": " + expected + " became " + actual);
            }
        } else if (expected.isObject() && actual.isObject()) {
            Set<String> names = new TreeSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode e = expected.get(name);
                JsonNode a = actual.get(name);
                if (e == null) {
                    out.add(path + "/" + name + ": added " + a);
                } else if (a == null) {
                    out.add(path + "/" + name + ": dropped " + e);
                } else {
                    diff(path + "/" + name, e, a, out);
                }
            }
        } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            for (int i = 0; i < expected.size(); i++) {
                diff(path + "/" + i, expected.get(i), actual.get(i), out);
            }
        } else if (!expected.equals(actual)) {
            out.add(path + ": " + expected + " became " + actual);
        }
    }

    private static String pathOf(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            return m.getPathReference();
        }
        return "?";
    }
}
