package io.percore.config.schema.generate;

import tools.jackson.databind.JsonNode;

public final class ConfigurationDocWriter {
    private ConfigurationDocWriter() {
    }

    public static String render(JsonNode schema) {
        return "";
    }
}
