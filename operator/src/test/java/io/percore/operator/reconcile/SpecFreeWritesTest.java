package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import org.junit.jupiter.api.Test;

/**
 * The bodies the operator sends to its own resource under server-side apply (which the mock
 * server cannot run): a forced apply owns every field in its body, so a body with {@code spec}
 * in it — even empty lists — would claim and later wipe the user's fields.
 */
class SpecFreeWritesTest {

    /** JOSDK's SSA finalizer patch is a bare instance plus metadata. */
    @Test
    void aBareResourceHasNoSpec() {
        PercoreService bare = new PercoreService();
        bare.getMetadata().setName("kv");
        bare.getMetadata().getFinalizers().add("percoreservices.percore.io/finalizer");
        JsonNode json = Serialization.jsonMapper().valueToTree(bare);
        assertThat(json.has("spec")).as(Serialization.asJson(bare)).isFalse();
        assertThat(json.has("status")).isFalse();
    }

    @Test
    void theStatusWriteCarriesIdentityAndStatusOnly() {
        PercoreService full = TestResources.service("kv", 14);
        PercoreServiceStatus status = new PercoreServiceStatus();
        status.setObservedGeneration(3L);
        JsonNode json = Serialization.jsonMapper().valueToTree(PercoreServiceReconciler.statusOnly(full, status));
        assertThat(json.has("spec")).isFalse();
        assertThat(json.path("metadata").path("name").asText()).isEqualTo("kv");
        assertThat(json.path("metadata").path("namespace").asText()).isEqualTo(TestResources.NAMESPACE);
        assertThat(json.path("status").path("observedGeneration").asLong()).isEqualTo(3L);
    }

    /** Absent stays absent: a spec read without ports/env/config serialises without them. */
    @Test
    void absentCollectionsStayAbsent() {
        PercoreServiceSpec spec = Serialization.unmarshal("{\"image\":\"x\"}", PercoreServiceSpec.class);
        assertThat(Serialization.asJson(spec)).isEqualTo("{\"image\":\"x\"}");
        assertThat(spec.getPorts()).isNull();
        assertThat(spec.portsOrDefault()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("redis");
            assertThat(p.getPort()).isEqualTo(6380);
        });
        assertThat(spec.envOrEmpty()).isEmpty();
        assertThat(spec.configOrEmpty()).isEmpty();
    }

    /** spec.persistence carries only what the user wrote: no pre-filled mode, grace period or class. */
    @Test
    void persistenceSerialisesOnlyTheUsersFields() {
        String written = "{\"image\":\"x\",\"persistence\":{\"mode\":\"snapshot\",\"size\":\"1Gi\"}}";
        PercoreServiceSpec spec = Serialization.unmarshal(written, PercoreServiceSpec.class);
        assertThat(Serialization.asJson(spec)).isEqualTo(written);
        assertThat(Serialization.asJson(new io.percore.operator.crd.Persistence())).isEqualTo("{}");
    }
}
