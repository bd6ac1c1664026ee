package io.percore.config.schema;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The caps on a YAML input the validator reads: aliases to collections, recursive keys, and
 * size. Jackson's YAML parser reads events and never expands an alias, so it alone cannot see a
 * billion-laughs document (each level ten aliases of the one before), which Spring's loader
 * would expand until the heap is gone. SnakeYAML Engine's composer counts aliases without
 * expanding them (an alias is a reference to the node already built), so composing the input
 * once is cheap and refuses such a document at once.
 */
final class YamlLimits {

    /**
     * Most aliases of collections one YAML input may use: a billion-laughs document needs
     * hundreds; a real configuration uses none or a few. SnakeYAML's own default, stated here.
     */
    static final int MAX_ALIASES_FOR_COLLECTIONS = 50;
    /** Most code points one YAML input may hold: 3 MiB (SnakeYAML's default), far above any application.yml. */
    static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

    static final LoadSettings SETTINGS = LoadSettings.builder()
            .setMaxAliasesForCollections(MAX_ALIASES_FOR_COLLECTIONS)
            .setAllowRecursiveKeys(false)
            .setCodePointLimit(MAX_CODE_POINTS)
            .build();

    private YamlLimits() {
    }

    /** Null if {@code yaml} is within the caps, else why not (with SnakeYAML's line and column). */
    static String violation(String yaml) {
        try {
            for (Object ignored : new Compose(SETTINGS).composeAllFromString(yaml)) {
                // composing each document is the check
            }
            return null;
        } catch (YamlEngineException e) {
            return e.getMessage();
        }
    }
}
