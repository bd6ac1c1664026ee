package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.schema.generate.PercoreSchemaGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The packaged schema and the checked-in copy must be exactly what the model generates now. */
class SchemaDriftTest {

    private static final String FRESH = PercoreSchemaGenerator.generateText();

    @Test
    void packagedSchemaMatchesTheModel() {
        assertThat(PercoreConfigSchema.json())
                .as("the packaged %s is stale. %s", PercoreConfigSchema.RESOURCE, RepoFiles.REGENERATE)
                .isEqualTo(FRESH);
    }

    @Test
    void checkedInSchemaMatchesTheModel() throws IOException {
        assertThat(RepoFiles.checkedInSchema()).exists();
        assertThat(Files.readString(RepoFiles.checkedInSchema(), StandardCharsets.UTF_8))
                .as("%s differs from the schema generated from io.percore.config. %s", RepoFiles.checkedInSchema(), RepoFiles.REGENERATE)
                .isEqualTo(FRESH);
    }

    @Test
    void generationIsDeterministic() {
        assertThat(PercoreSchemaGenerator.generateText()).isEqualTo(FRESH);
    }
}
