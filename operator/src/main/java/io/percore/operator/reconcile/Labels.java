package io.percore.operator.reconcile;

import io.percore.operator.crd.PercoreService;
import java.util.LinkedHashMap;
import java.util.Map;

/** Label and annotation keys the operator puts on what it creates. */
public final class Labels {

    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String OPERATOR = "percore-operator";

    /** SHA-256 of the desired object; equal hash means nothing to update. */
    /** On the pod template: changes with application.yml so a config change rolls the pods. */
    public static final String CONFIG_HASH = "percore.io/config-hash";

    private Labels() {
    }

    /** Immutable Deployment selector: never add keys here. */
    public static Map<String, String> selector(PercoreService service) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, "percore");
        labels.put(INSTANCE, service.getMetadata().getName());
        return labels;
    }

    public static Map<String, String> common(PercoreService service) {
        Map<String, String> labels = selector(service);
        labels.put(MANAGED_BY, OPERATOR);
        labels.put(PART_OF, "percore");
        return labels;
    }
}
