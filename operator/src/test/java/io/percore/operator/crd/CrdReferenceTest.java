package io.percore.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.percore.operator.TestResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The documentation site's PercoreService reference is the CRD's: a field added, removed or described anew without the
 * page fails here. {@code -Ddocs.regenerate=true} writes the page instead.
 */
class CrdReferenceTest {

    private static final Path PAGE = Path.of("..").resolve(CrdReference.PAGE);

    @Test
    @SuppressWarnings("unchecked")
    void theReferencePageIsTheGeneratedCrds() throws Exception {
        Map<String, Object> crd = Serialization.unmarshal(Files.readString(Path.of("target/classes/" + TestResources.CRD_RESOURCE)), Map.class);
        String page = CrdReference.render(crd);
        if (Boolean.getBoolean("docs.regenerate")) {
            Files.createDirectories(PAGE.getParent());
            Files.writeString(PAGE, page);
        }
        assertThat(PAGE).as("%s. %s", CrdReference.PAGE, CrdReference.REGENERATE).isRegularFile();
        assertThat(Files.readString(PAGE)).as("%s is stale. %s", CrdReference.PAGE, CrdReference.REGENERATE).isEqualTo(page);
        // every field of the schema has its row, the subtree of spec.config excepted (the configuration reference's)
        assertThat(page).contains("| `spec.backup.schedule` |", "| `spec.replication.failoverAfter` |", "| `status.conditions[].type` |",
                "| `spec.config` |").doesNotContain("| `spec.config.engine");
    }

    @Test
    void anchorsAreTheIdsMkDocsGivesTheHeadings() {
        assertThat(CrdReference.anchor("spec.backup")).isEqualTo("specbackup");
        assertThat(CrdReference.anchor("status.plan")).isEqualTo("statusplan");
    }
}
