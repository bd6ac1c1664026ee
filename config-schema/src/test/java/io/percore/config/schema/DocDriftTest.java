package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.schema.generate.ConfigurationDocWriter;
import io.percore.config.schema.generate.PercoreSchemaGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class DocDriftTest {

    @Test
    void checkedInReferenceMatchesTheModel() throws IOException {
        String fresh = ConfigurationDocWriter.render(PercoreSchemaGenerator.generate());
        assertThat(RepoFiles.configurationDoc()).exists();
        assertThat(Files.readString(RepoFiles.configurationDoc(), StandardCharsets.UTF_8))
                .as("%s is stale. %s", RepoFiles.configurationDoc(), RepoFiles.REGENERATE)
                .isEqualTo(fresh);
    }

    @Test
    void everyPropertyHasARowWithItsDescription() {
        JsonNode schema = PercoreConfigSchema.tree();
        String doc = ConfigurationDocWriter.render(schema);
        assertThat(doc)
                .contains("| `percore.engine.task-quota` | duration | `500us` | at least 1us; at most 1s | Time a shard spends running tasks")
                .contains("| `percore.servers.<name>.port` | integer | `0` | 0..65535 |")
                .contains("| `percore.engine.scheduling-groups[i].shares` | integer | `1000` | 1..10000 |")
                .contains("| `percore.clients.<name>.load-balancer` | enum | `round-robin` | one of `round-robin`, `least-outstanding`, `consistent-hash`, `peak-ewma` |")
                .contains("| `percore.clients.<name>.retry-budget.ratio` | number | `0.2` | 0..1 |");
        long rows = doc.lines().filter(l -> l.startsWith("| `percore.")).count();
        assertThat(rows).isEqualTo(SchemaShapeTest.propertyCount(schema));
    }
}
