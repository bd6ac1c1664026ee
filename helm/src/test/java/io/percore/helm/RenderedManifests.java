package io.percore.helm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The documents of one {@code helm template} run, as JSON trees and as Fabric8 typed objects. */
final class RenderedManifests {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private final List<ObjectNode> documents;

    private RenderedManifests(List<ObjectNode> documents) {
        this.documents = List.copyOf(documents);
    }

    static RenderedManifests parse(String multiDocumentYaml) {
        List<ObjectNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(multiDocumentYaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue; // an empty document: a template whose condition was false
                }
                if (!doc.isObject()) {
                    throw new AssertionError("rendered document is not a mapping: " + doc);
                }
                docs.add((ObjectNode) doc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm template output is not valid YAML: " + e.getMessage(), e);
        }
        return new RenderedManifests(docs);
    }

    List<ObjectNode> documents() {
        return documents;
    }

    List<ObjectNode> ofKind(String kind) {
        return filter(d -> kind.equals(d.path("kind").asText()));
    }

    List<ObjectNode> filter(Predicate<ObjectNode> predicate) {
        return documents.stream().filter(predicate).toList();
    }

    ObjectNode single(String kind, String name) {
        List<ObjectNode> found = filter(d -> kind.equals(d.path("kind").asText())
                && name.equals(d.path("metadata").path("name").asText()));
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + kind + " named " + name + " but found " + found.size()
                    + " among " + summary());
        }
        return found.get(0);
    }

    /** Every document as a strictly parsed Fabric8 built-in type (unknown fields fail). */
    List<HasMetadata> typedBuiltIns() {
        return documents.stream()
                .filter(StrictKubernetesModel::isBuiltIn)
                .map(StrictKubernetesModel::toTyped)
                .toList();
    }

    <T extends HasMetadata> List<T> typed(Class<T> type) {
        return typedBuiltIns().stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<String> summary() {
        return documents.stream()
                .map(d -> d.path("kind").asText() + "/" + d.path("metadata").path("namespace").asText("-")
                        + "/" + d.path("metadata").path("name").asText())
                .toList();
    }
}
