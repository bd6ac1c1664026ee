package io.percore.config.schema;

import io.percore.config.ClientPoolConfig;
import io.percore.config.DurationSyntax;
import io.percore.config.EngineConfig;
import io.percore.config.PercoreConfig;
import io.percore.config.ServerConfig;
import java.util.Map;

/** Plain-words explanations of the regular expressions the model uses, for messages and docs. */
public final class SchemaPatterns {

    private static final Map<String, String> HINTS = Map.of(
            DurationSyntax.PATTERN, DurationSyntax.HINT,
            EngineConfig.CPU_LIST_PATTERN, "a CPU list such as 0-3,8 (comma-separated CPU ids and ascending ranges)",
            ClientPoolConfig.ENDPOINT_PATTERN, "host:port with a port of 1..65535, such as redis-0.cache:6379 or [::1]:6379",
            PercoreConfig.NAME_PATTERN, "a name of lowercase letters, digits and dashes starting with a letter (at most 63 characters)",
            "^[a-z][a-z0-9-]*$", "a name of lowercase letters, digits and dashes starting with a letter",
            "^[a-z]([-a-z0-9]*[a-z0-9])?$", "a Kubernetes name: lowercase letters, digits and dashes, starting with a letter and not ending with a dash",
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "a Kubernetes name: lowercase letters, digits and dashes, not starting or ending with a dash",
            ServerConfig.BIND_ADDRESS_PATTERN, "an IP literal or host name");

    private SchemaPatterns() {
    }

    /** The explanation of {@code regex}, or {@code null} when the model does not use it. */
    public static String hint(String regex) {
        return HINTS.get(regex);
    }
}
