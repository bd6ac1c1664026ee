package io.percore.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Drift detection: does the live object still hold every field of the desired one? Only the
 * fields the operator sets are compared; whatever the API server defaults (protocol, clusterIP,
 * revisionHistoryLimit ...) and whatever other controllers add (annotations, labels) is extra and
 * ignored. Lists are compared element by element and must have the same length, as the operator
 * owns each list it sets whole (containers, env, ports, tolerations).
 */
public final class OwnedFields {

    private OwnedFields() {
    }

    /** True when {@code live} carries every field of {@code desired} with the same value. */
    public static boolean heldBy(HasMetadata live, HasMetadata desired) {
        JsonNode want = Serialization.jsonMapper().valueToTree(desired);
        JsonNode have = Serialization.jsonMapper().valueToTree(live);
        if (want.has("metadata")) {
            // Identity and server bookkeeping are not state the operator writes.
            ((com.fasterxml.jackson.databind.node.ObjectNode) want.get("metadata")).remove(
                    java.util.List.of("resourceVersion", "uid", "generation", "creationTimestamp", "managedFields"));
        }
        return covers(have, want);
    }

    static boolean covers(JsonNode have, JsonNode want) {
        if (want == null || want.isNull()) {
            return true;
        }
        if (want.isObject()) {
            if (want.isEmpty()) {
                return have == null || have.isNull() || have.isObject();
            }
            if (have == null || !have.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!covers(have.get(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (want.isArray()) {
            if (want.isEmpty()) {
                return have == null || have.isNull() || (have.isArray() && have.isEmpty());
            }
            if (have == null || !have.isArray() || have.size() != want.size()) {
                return false;
            }
            for (int i = 0; i < want.size(); i++) {
                if (!covers(have.get(i), want.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (have == null) {
            return false;
        }
        if (want.isNumber() && have.isNumber()) {
            return want.decimalValue().compareTo(have.decimalValue()) == 0;
        }
        return want.equals(have);
    }
}
