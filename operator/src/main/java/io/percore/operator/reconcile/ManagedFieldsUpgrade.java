package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves a manager's fields from its {@code Update} entry to its {@code Apply} entry in
 * {@code metadata.managedFields}, as kubectl does when it moves from client-side to server-side
 * apply (client-go's {@code csaupgrade}). Pure.
 *
 * <p>Why: operators before this version created children with POST and wrote them later with
 * forced applies under the same name. The server records those as two managers
 * ({@code percore-operator}/Update and {@code percore-operator}/Apply); a field the apply stops
 * carrying (an env var or port the user removed) is still owned by the Update entry, so the server
 * keeps it, the live object never matches the desired one, and every reconcile applies again.
 * Once the Update entry's fields belong to the Apply entry, the next apply removes them.
 */
public final class ManagedFieldsUpgrade {

    public static final String UPDATE = "Update";
    public static final String APPLY = "Apply";

    private ManagedFieldsUpgrade() {
    }

    /**
     * @return the managed fields with {@code manager}'s Update entries (main resource, not
     *         subresources) merged into its Apply entry; empty when there is nothing to move
     */
    public static Optional<List<ManagedFieldsEntry>> upgrade(List<ManagedFieldsEntry> entries, String manager) {
        if (entries == null || entries.stream().noneMatch(e -> owns(e, manager, UPDATE))) {
            return Optional.empty();
        }
        ManagedFieldsEntry template = entries.stream().filter(e -> owns(e, manager, APPLY)).findFirst()
                .orElseGet(() -> entries.stream().filter(e -> owns(e, manager, UPDATE)).findFirst().orElseThrow());
        Map<String, Object> fields = new LinkedHashMap<>();
        for (ManagedFieldsEntry e : entries) {
            if (owns(e, manager, APPLY) || owns(e, manager, UPDATE)) {
                merge(fields, e.getFieldsV1() == null ? Map.of() : e.getFieldsV1().getAdditionalProperties());
            }
        }
        ManagedFieldsEntry apply = new ManagedFieldsEntryBuilder()
                .withManager(manager).withOperation(APPLY).withApiVersion(template.getApiVersion())
                .withFieldsType("FieldsV1").withTime(template.getTime())
                .withFieldsV1(fieldsV1(fields))
                .build();
        List<ManagedFieldsEntry> upgraded = new ArrayList<>();
        boolean placed = false;
        for (ManagedFieldsEntry e : entries) {
            if (owns(e, manager, APPLY) || owns(e, manager, UPDATE)) {
                if (!placed) {
                    upgraded.add(apply);
                    placed = true;
                }
            } else {
                upgraded.add(e);
            }
        }
        return Optional.of(upgraded);
    }

    private static boolean owns(ManagedFieldsEntry e, String manager, String operation) {
        return manager.equals(e.getManager()) && operation.equals(e.getOperation())
                && (e.getSubresource() == null || e.getSubresource().isEmpty());
    }

    /** Union of two field sets: FieldsV1 is a trie of JSON objects ({"f:spec":{"f:replicas":{}}}). */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> into, Map<String, Object> from) {
        from.forEach((key, value) -> {
            Object existing = into.get(key);
            if (existing instanceof Map<?, ?> a && value instanceof Map<?, ?> b) {
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) a);
                merge(copy, (Map<String, Object>) b);
                into.put(key, copy);
            } else if (value instanceof Map<?, ?> b) {
                Map<String, Object> copy = new LinkedHashMap<>();
                merge(copy, (Map<String, Object>) b);
                into.put(key, copy);
            } else if (!into.containsKey(key)) {
                into.put(key, value);
            }
        });
    }

    private static FieldsV1 fieldsV1(Map<String, Object> fields) {
        FieldsV1 v1 = new FieldsV1();
        fields.forEach(v1::setAdditionalProperty);
        return v1;
    }
}
