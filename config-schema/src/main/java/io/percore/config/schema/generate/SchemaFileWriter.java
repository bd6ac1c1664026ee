package io.percore.config.schema.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.node.ObjectNode;

/**
 * Command-line entry of the build: {@code --schema FILE} (repeatable) writes the generated
 * schema, {@code --doc FILE} writes the configuration reference. Files are only rewritten when
 * their content changes, so incremental builds stay quiet.
 */
public final class SchemaFileWriter {

    private SchemaFileWriter() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args.length % 2 != 0) {
            throw new IllegalArgumentException("usage: SchemaFileWriter [--schema FILE]... [--doc FILE]");
        }
        ObjectNode schema = PercoreSchemaGenerator.generate();
        for (int i = 0; i < args.length; i += 2) {
            Path target = Path.of(args[i + 1]);
            switch (args[i]) {
                case "--schema" -> write(target, SchemaText.render(schema));
                case "--doc" -> write(target, ConfigurationDocWriter.render(schema));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; expected --schema or --doc");
            }
        }
    }

    private static void write(Path target, String content) throws IOException {
        if (Files.exists(target) && Files.readString(target, StandardCharsets.UTF_8).equals(content)) {
            return;
        }
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(target, content, StandardCharsets.UTF_8);
    }
}
