package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ValidConfigTest {

    private static final ConfigValidator VALIDATOR = new ConfigValidator();

    static Stream<Path> examples() throws IOException, URISyntaxException {
        Path dir = Path.of(ValidConfigTest.class.getResource("/valid").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void validExamplesPass(Path file) throws IOException {
        assertThat(VALIDATOR.validateApplicationYaml(Files.readString(file, StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void emptyInputsAreValid() {
        assertThat(VALIDATOR.validateYaml("")).isEmpty();
        assertThat(VALIDATOR.validateYaml("   \n")).isEmpty();
        assertThat(VALIDATOR.validateApplicationYaml("")).isEmpty();
        assertThat(VALIDATOR.validateApplicationYaml("percore:\n")).isEmpty();
        assertThat(VALIDATOR.validateTree(Map.of())).isEmpty();
        assertThat(VALIDATOR.validateProperties(Map.of())).isEmpty();
    }

    @Test
    void sectionYamlIsTheContentUnderPercore() {
        String section = """
                engine:
                  shards: 2
                  task-quota: 750us
                servers:
                  api:
                    port: 8080
                """;
        assertThat(VALIDATOR.validateYaml(section)).isEmpty();
        assertThat(VALIDATOR.validateYaml("engine:\n  shards: -3\n"))
                .extracting(ConfigError::path, ConfigError::rule, ConfigError::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("percore.engine.shards", "minimum", "-3"));
    }

    @Test
    void everyDefaultInTheSchemaIsItselfValid() {
        // Build a config from the schema's own defaults, with one server and one client, and validate it.
        JsonNode schema = PercoreConfigSchema.tree();
        ObjectNode config = defaults(schema);
        ObjectNode server = defaults(schema.get("properties").get("servers").get("additionalProperties"));
        ObjectNode client = defaults(schema.get("properties").get("clients").get("additionalProperties"));
        client.putArray("endpoints").add("localhost:6379");
        config.putObject("servers").set("api", server);
        config.putObject("clients").set("cache", client);

        assertThat(server.get("bind-address").asString()).isEqualTo("127.0.0.1");
        assertThat(config.get("engine").get("task-quota").asString()).isEqualTo("500us");
        assertThat(VALIDATOR.validateNode(config)).isEmpty();
    }

    @Test
    void validateTreeAcceptsPlainJavaMaps() {
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("shards", 3);
        engine.put("scheduling-groups", List.of(Map.of("name", "default"), Map.of("name", "batch", "shares", 10)));
        Map<String, Object> root = Map.of("engine", engine);
        assertThat(VALIDATOR.validateTree(root)).isEmpty();

        engine.put("scheduling-groups", List.of(Map.of("name", "batch"), Map.of("name", "batch")));
        assertThat(VALIDATOR.validateTree(root))
                .extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("percore.engine.scheduling-groups[1].name", "unique-names"));
    }

    private static ObjectNode defaults(JsonNode objectSchema) {
        ObjectNode out = JsonMapper.builder().build().createObjectNode();
        objectSchema.get("properties").properties().forEach(p -> {
            JsonNode property = p.getValue();
            if (property.has("default")) {
                out.set(p.getKey(), property.get("default"));
            } else if (property.has("properties")) {
                out.set(p.getKey(), defaults(property));
            }
        });
        return out;
    }
}
