package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagedFieldsUpgradeTest {

    private static final String US = ChildApplier.FIELD_MANAGER;

    private static ManagedFieldsEntry entry(String manager, String operation, String subresource, String fieldsJson) {
        FieldsV1 fields = new FieldsV1();
        Serialization.unmarshal(fieldsJson, Map.class).forEach((k, v) -> fields.setAdditionalProperty(String.valueOf(k), v));
        return new ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation).withSubresource(subresource)
                .withApiVersion("apps/v1").withFieldsType("FieldsV1").withTime("2026-01-01T00:00:00Z").withFieldsV1(fields).build();
    }

    private static String fields(ManagedFieldsEntry e) {
        return Serialization.asJson(e.getFieldsV1().getAdditionalProperties());
    }

    @Test
    void theUpdateEntrysFieldsJoinTheApplyEntryAndOthersStay() {
        ManagedFieldsEntry controller = entry("kube-controller-manager", "Update", "status", "{\"f:status\":{\"f:replicas\":{}}}");
        ManagedFieldsEntry hpa = entry("someone", "Update", null, "{\"f:metadata\":{\"f:annotations\":{\"f:x\":{}}}}");
        List<ManagedFieldsEntry> upgraded = ManagedFieldsUpgrade.upgrade(List.of(
                entry(US, "Update", null, "{\"f:spec\":{\"f:replicas\":{},\"f:template\":{\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"app\\\"}\":{\"f:env\":{\"k:{\\\"name\\\":\\\"OLD\\\"}\":{}}}}}}}}"),
                controller,
                entry(US, "Apply", null, "{\"f:spec\":{\"f:replicas\":{},\"f:selector\":{}}}"),
                hpa), US).orElseThrow();

        assertThat(upgraded).hasSize(3);
        ManagedFieldsEntry ours = upgraded.get(0);
        assertThat(ours.getManager()).isEqualTo(US);
        assertThat(ours.getOperation()).isEqualTo("Apply");
        assertThat(ours.getApiVersion()).isEqualTo("apps/v1");
        assertThat(fields(ours)).contains("f:replicas").contains("f:selector").contains("OLD");
        assertThat(upgraded.subList(1, 3)).containsExactly(controller, hpa);
    }

    @Test
    void withoutAnApplyEntryTheUpdateEntryBecomesOne() {
        List<ManagedFieldsEntry> upgraded = ManagedFieldsUpgrade.upgrade(List.of(
                entry(US, "Update", null, "{\"f:data\":{\"f:a\":{}}}")), US).orElseThrow();
        assertThat(upgraded).singleElement().satisfies(e -> {
            assertThat(e.getOperation()).isEqualTo("Apply");
            assertThat(fields(e)).isEqualTo("{\"f:data\":{\"f:a\":{}}}");
        });
    }

    @Test
    void nothingToMoveWhenTheOperatorOnlyApplied() {
        assertThat(ManagedFieldsUpgrade.upgrade(List.of(entry(US, "Apply", null, "{\"f:data\":{}}"),
                entry("kubectl-edit", "Update", null, "{\"f:data\":{}}"), entry(US, "Update", "status", "{\"f:status\":{}}")), US)).isEmpty();
        assertThat(ManagedFieldsUpgrade.upgrade(null, US)).isEmpty();
    }
}
