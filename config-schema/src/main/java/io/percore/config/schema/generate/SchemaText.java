package io.percore.config.schema.generate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one way schema JSON is turned into file text, so generated and checked-in copies compare byte for byte. */
public final class SchemaText {

    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private SchemaText() {
    }

    /** Pretty-printed JSON with {@code \n} line ends and a trailing newline. */
    public static String render(JsonNode schema) {
        return PRETTY.writeValueAsString(schema).replace("\r\n", "\n") + "\n";
    }
}
