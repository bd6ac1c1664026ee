package io.percore.config.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged JSON Schema (draft 2020-12) of the content under {@code percore:}. Generated at
 * build time from {@link io.percore.config.PercoreConfig}; fully inlined (no {@code $ref}), so a
 * consumer can embed it as is: the starter validates with it, the operator puts it under the
 * CRD's {@code spec.config}, the Helm chart ships it as {@code values.schema.json}.
 */
public final class PercoreConfigSchema {

    /** Class-path location of the schema, for {@link ClassLoader#getResource(String)} (no leading slash). */
    public static final String RESOURCE = "io/percore/config/percore-config.schema.json";

    /**
     * Percore's own keyword: the smallest duration a property accepts, in
     * {@link io.percore.config.DurationSyntax} form. Other validators ignore unknown keywords;
     * {@link ConfigValidator} enforces it.
     */
    public static final String MINIMUM_DURATION_KEYWORD = "x-minimum-duration";

    /** Percore's own keyword: the largest duration a property accepts; {@link ConfigValidator} enforces it. */
    public static final String MAXIMUM_DURATION_KEYWORD = "x-maximum-duration";

    /** Percore's own keyword: {@code true} on a property a running application changes without a restart ({@link io.percore.config.LiveChange}). */
    public static final String LIVE_KEYWORD = "x-live";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static volatile String text;
    private static volatile JsonNode tree;

    private PercoreConfigSchema() {
    }

    /** The schema text exactly as packaged. */
    public static String json() {
        String t = text;
        if (t == null) {
            t = load();
            text = t;
        }
        return t;
    }

    /** The schema as a Jackson 3 tree; a fresh copy each call, so callers may modify it. */
    public static JsonNode tree() {
        return sharedTree().deepCopy();
    }

    /**
     * The schema as plain maps, lists, strings, numbers and booleans: for consumers on another
     * JSON library (Fabric8 and Helm tooling use Jackson 2). A fresh copy each call.
     */
    public static Map<String, Object> asMap() {
        return MAPPER.convertValue(sharedTree(), new TypeReference<Map<String, Object>>() { });
    }

    /** Parsed once; never handed out, so nobody can change it. */
    static JsonNode sharedTree() {
        JsonNode t = tree;
        if (t == null) {
            t = MAPPER.readTree(json());
            tree = t;
        }
        return t;
    }

    private static String load() {
        ClassLoader loader = PercoreConfigSchema.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path: the build generates it in "
                        + "process-classes (run ./mvnw -pl config-schema process-classes)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
