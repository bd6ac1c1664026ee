package io.percore.config.schema;

import java.nio.file.Path;

/** Locations of checked-in files, relative to the repository root that surefire passes in. */
final class RepoFiles {

    static final String REGENERATE = "Regenerate with config-schema/regenerate.sh "
            + "(= ./mvnw -B -q -pl config-schema process-classes exec:java@regenerate) and commit the result.";

    private RepoFiles() {
    }

    static Path root() {
        // Surefire sets it; the fallback covers running the test from an IDE in the module directory.
        return Path.of(System.getProperty("percore.repo.root", "..")).toAbsolutePath().normalize();
    }

    static Path checkedInSchema() {
        return root().resolve("config-schema/src/main/schema/percore-config.schema.json");
    }

    static Path configurationDoc() {
        return root().resolve("docs/configuration.md");
    }
}
