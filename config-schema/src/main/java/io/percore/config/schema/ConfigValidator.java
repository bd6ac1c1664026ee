package io.percore.config.schema;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.percore.config.ClientPoolConfig;
import io.percore.config.EngineConfig;
import io.percore.config.PercoreConfig;
import io.percore.config.ServerConfig;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Validates Percore configuration against the generated JSON Schema plus the rules the schema
 * cannot express, and reports every problem at once as {@link ConfigError}s whose paths are
 * full Spring property names ({@code percore.engine.task-quota}).
 *
 * <p>Thread-safe and reusable; building one compiles the schema, so keep it around.
 *
 * <pre>{@code
 * List<ConfigError> errors = new ConfigValidator().validateApplicationYaml(Files.readString(path));
 * ConfigValidationException.throwIfAny(errors);
 * }</pre>
 */
public final class ConfigValidator {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /**
     * Duplicate keys are errors (Spring would silently keep one); documents are read one at a
     * time; the input size is capped ({@link YamlLimits}, which also caps aliases).
     */
    private static final YAMLMapper YAML = YAMLMapper.builder(new YAMLFactory().rebuild() // rebuild(): builder() starts with no read features

                    .loadSettings(YamlLimits.SETTINGS)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final JsonNode schemaTree;
    private final Schema schema;
    private final ErrorTranslator translator;
    private final ModelRules rules;

    /**
     * Draft 2020-12 plus our own keyword: {@code x-minimum-duration} is checked by {@link ModelRules}
     * (JSON Schema cannot compare durations), so the schema library must know it and ignore it.
     */
    private static final Dialect DIALECT = Dialect.builder(Dialects.getDraft202012())
            .keyword(new NonValidationKeyword(PercoreConfigSchema.MINIMUM_DURATION_KEYWORD))
            .keyword(new NonValidationKeyword(PercoreConfigSchema.MAXIMUM_DURATION_KEYWORD))
            .keyword(new NonValidationKeyword(PercoreConfigSchema.LIVE_KEYWORD))
            .build();

    /** A validator for the schema packaged with this module ({@link PercoreConfigSchema}). */
    public ConfigValidator() {
        this(PercoreConfigSchema.sharedTree());
    }

    /** A validator for another copy of the Percore schema (tests compare a freshly generated one). */
    public ConfigValidator(JsonNode percoreSchema) {
        this.schemaTree = percoreSchema.deepCopy();
        this.schema = SchemaRegistry.withDefaultDialect(DIALECT).getSchema(schemaTree);
        this.translator = new ErrorTranslator(schemaTree);
        this.rules = new ModelRules(schemaTree);
    }

    /** The validator for the packaged schema, built once per JVM (building one compiles the schema). */
    public static ConfigValidator shared() {
        return Shared.INSTANCE;
    }

    private static final class Shared {
        static final ConfigValidator INSTANCE = new ConfigValidator();
    }

    /**
     * The one way to engine settings: checks {@code engine} with the same schema and rules a YAML
     * file meets, then hands out an immutable copy.
     *
     * @throws ConfigValidationException listing every error, with paths under {@code percore.engine}
     */
    public EngineSettings validatedEngine(EngineConfig engine) {
        Objects.requireNonNull(engine, "engine");
        ConfigValidationException.throwIfAny(validateTree(Map.of("engine", ModelTree.of(engine))));
        return new EngineSettings(engine);
    }

    /**
     * Validates one programmatic client pool as {@code percore.clients.<name>}, with the same rules
     * as YAML (endpoints required for static/dns, service-name for kubernetes, ...).
     */
    public List<ConfigError> validateClient(String name, ClientPoolConfig client) {
        Objects.requireNonNull(client, "client");
        return validateTree(Map.of("clients", Map.of(name, ModelTree.of(client))));
    }

    /**
     * Validates some keys of one programmatic client pool, as they stand under
     * {@code percore.clients.<name>.<key>}: the errors at those keys (and below them) only. For
     * code that builds one part of a client (net-pooling's option builders), so that it meets the
     * same rules as YAML without having to supply a whole client (endpoints, discovery, ...).
     */
    public List<ConfigError> validateClientKeys(String name, ClientPoolConfig client, String... keys) {
        String prefix = PropertyPath.ROOT + ".clients." + name + ".";
        return validateClient(name, client).stream()
                .filter(e -> java.util.Arrays.stream(keys)
                        .anyMatch(k -> e.path().equals(prefix + k) || e.path().startsWith(prefix + k + ".")))
                .toList();
    }

    /** Validates one programmatic server as {@code percore.servers.<name>}, with the same rules as YAML. */
    public List<ConfigError> validateServer(String name, ServerConfig server) {
        Objects.requireNonNull(server, "server");
        return validateTree(Map.of("servers", Map.of(name, ModelTree.of(server))));
    }

    /** Validates a programmatic configuration as if it had been written in YAML; every error at once. */
    public List<ConfigError> validateModel(PercoreConfig config) {
        return validateTree(ModelTree.of(Objects.requireNonNull(config, "config")));
    }

    /** Validates the content under {@code percore:} (the section itself, without the {@code percore:} line). */
    public List<ConfigError> validateYaml(String yamlOfPercoreSection) {
        List<JsonNode> documents = new ArrayList<>();
        List<ConfigError> syntax = readYaml(yamlOfPercoreSection, documents);
        if (!syntax.isEmpty()) {
            return syntax;
        }
        List<ConfigError> errors = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            errors.addAll(inDocument(validateNode(documents.get(i)), i, documents.size()));
        }
        return errors;
    }

    /**
     * Validates a whole {@code application.yml}: the {@code percore} key of every YAML document
     * in it (Spring profiles use several), including flattened keys such as
     * {@code percore.engine.shards: 4} at top level. No Percore settings means no errors.
     */
    public List<ConfigError> validateApplicationYaml(String fullApplicationYaml) {
        List<JsonNode> documents = new ArrayList<>();
        List<ConfigError> syntax = readYaml(fullApplicationYaml, documents);
        if (!syntax.isEmpty()) {
            return syntax;
        }
        List<ConfigError> errors = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            JsonNode document = documents.get(i);
            if (document == null || !document.isObject()) {
                continue;
            }
            JsonNode percore = percoreSection((ObjectNode) document);
            if (percore != null) {
                errors.addAll(inDocument(validateNode(percore), i, documents.size()));
            }
        }
        return errors;
    }

    /** Validates an already-parsed {@code percore} section (maps, lists, strings, numbers, booleans). */
    public List<ConfigError> validateTree(Map<String, Object> percoreSection) {
        return validateNode(percoreSection == null ? JSON.createObjectNode() : JSON.valueToTree(percoreSection));
    }

    /**
     * Validates Spring-style flattened properties such as {@code percore.engine.task-quota=5ms}
     * or {@code percore.engine.scheduling-groups[0].name=batch}. Keys outside {@code percore.}
     * are ignored; relaxed key forms ({@code taskQuota}) are accepted like Spring does; values
     * are converted to the type the schema expects before validation.
     */
    public List<ConfigError> validateProperties(Map<String, String> flatProperties) {
        FlatProperties.Result result = FlatProperties.toTree(flatProperties, schemaTree);
        List<ConfigError> errors = new ArrayList<>(result.errors());
        errors.addAll(validateNode(result.tree()));
        return errors;
    }

    /** Validates a Jackson 3 tree of the {@code percore} section. */
    public List<ConfigError> validateNode(JsonNode percoreSection) {
        JsonNode root = percoreSection == null || percoreSection.isNull() || percoreSection.isMissingNode()
                ? JSON.createObjectNode() : percoreSection;
        List<ConfigError> errors = new ArrayList<>();
        for (com.networknt.schema.Error error : schema.validate(root)) {
            errors.add(translator.translate(error, root));
        }
        errors.addAll(rules.check(root));
        // Stable order by path keeps reports and tests deterministic; same-path errors keep schema order.
        errors.sort(Comparator.comparing(ConfigError::path));
        return errors;
    }

    private static List<ConfigError> inDocument(List<ConfigError> errors, int index, int count) {
        if (count == 1) {
            return errors;
        }
        List<ConfigError> out = new ArrayList<>(errors.size());
        for (ConfigError e : errors) {
            out.add(new ConfigError(e.path(), e.value(), e.rule(), "(YAML document " + (index + 1) + ") " + e.message(), e.suggestion()));
        }
        return out;
    }

    /** The {@code percore} object of one document, with top-level {@code percore.x.y: v} keys folded in. */
    private static JsonNode percoreSection(ObjectNode document) {
        JsonNode section = document.get(PropertyPath.ROOT);
        ObjectNode merged = null;
        for (Map.Entry<String, JsonNode> entry : document.properties()) {
            if (!entry.getKey().startsWith(PropertyPath.ROOT + ".")) {
                continue;
            }
            if (merged == null) {
                merged = section != null && section.isObject() ? (ObjectNode) section.deepCopy() : JSON.createObjectNode();
            }
            ObjectNode target = merged;
            String[] parts = entry.getKey().substring(PropertyPath.ROOT.length() + 1).split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode child = target.get(parts[i]);
                if (child == null || !child.isObject()) {
                    child = target.putObject(parts[i]);
                }
                target = (ObjectNode) child;
            }
            target.set(parts[parts.length - 1], entry.getValue());
        }
        return merged != null ? merged : section;
    }

    private static List<ConfigError> readYaml(String yaml, List<JsonNode> documents) {
        if (yaml == null || yaml.isBlank()) {
            return List.of();
        }
        // Counted before it is parsed: the parsers would scan the whole cap (seconds of CPU for 3 MiB) before refusing it.
        int codePoints = yaml.length() > YamlLimits.MAX_CODE_POINTS ? yaml.codePointCount(0, yaml.length()) : 0;
        if (codePoints > YamlLimits.MAX_CODE_POINTS) {
            return List.of(new ConfigError(PropertyPath.ROOT, null, "syntax", "percore: the YAML is refused: " + codePoints
                    + " code points, at most " + YamlLimits.MAX_CODE_POINTS + " (syntax)", null));
        }
        // Document by document through the parser: readValues() would also split a root-level
        // list into its items, hiding that the section is a list.
        try (JsonParser parser = YAML.createParser(yaml)) {
            while (parser.nextToken() != null) {
                documents.add(YAML.readTree(parser));
            }
        } catch (JacksonException e) {
            TokenStreamLocation location = e.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            String reason = e.getOriginalMessage() == null ? e.getMessage() : e.getOriginalMessage();
            return List.of(new ConfigError(PropertyPath.ROOT, null, "syntax",
                    "percore: the YAML cannot be read" + where + ": " + reason + " (syntax)", null));
        }
        String violation = YamlLimits.violation(yaml);
        if (violation != null) {
            documents.clear();
            return List.of(new ConfigError(PropertyPath.ROOT, null, "syntax",
                    "percore: the YAML is refused (at most " + YamlLimits.MAX_ALIASES_FOR_COLLECTIONS
                            + " aliases of lists or maps, no recursive keys): " + violation.strip() + " (syntax)", null));
        }
        return List.of();
    }
}
