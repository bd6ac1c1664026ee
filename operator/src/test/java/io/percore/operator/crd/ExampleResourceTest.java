package io.percore.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.percore.operator.config.SchemaConfigCheck;
import io.percore.operator.reconcile.PersistenceGuard;
import io.percore.operator.sizing.SizingRequests;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** examples/percoreservice.yaml, the one the README shows, is a spec the operator accepts as written. */
class ExampleResourceTest {

    @Test
    void theExampleIsAValidSpecWithEveryFieldKnown() throws Exception {
        JsonNode example = new YAMLMapper().readTree(Files.readString(Path.of("examples/percoreservice.yaml")));
        // Strict: a misspelt field in the example fails here (the API server would prune it silently).
        PercoreServiceSpec spec = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .treeToValue(example.get("spec"), PercoreServiceSpec.class);
        assertThat(spec.getPersistence().getMode()).isEqualTo(Persistence.SNAPSHOT);
        assertThat(PersistenceGuard.specProblems(spec.getPersistence())).isEmpty();
        assertThat(new SchemaConfigCheck().check(spec.configOrEmpty())).isEmpty();
        SizingRequests.fromSpec(spec);
    }
}
