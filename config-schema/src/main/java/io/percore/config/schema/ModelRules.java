package io.percore.config.schema;

import io.percore.config.DurationSyntax;
import io.percore.config.EngineConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Rules JSON Schema cannot express, checked on the parsed tree. Each rule looks only at values
 * of the right type and shape; type and pattern problems are the schema's to report, so a value
 * is never reported twice.
 */
final class ModelRules {

    private final JsonNode rootSchema;

    ModelRules(JsonNode rootSchema) {
        this.rootSchema = rootSchema;
    }

    List<ConfigError> check(JsonNode root) {
        List<ConfigError> errors = new ArrayList<>();
        if (root == null || !root.isObject()) {
            return errors;
        }
        PropertyPath rootPath = PropertyPath.root();
        durationBounds(root, rootSchema, rootPath, errors);
        JsonNode engine = root.get("engine");
        if (engine != null && engine.isObject()) {
            PropertyPath enginePath = rootPath.key("engine");
            uniqueGroupNames(engine.get("scheduling-groups"), enginePath.key("scheduling-groups"), errors);
            cpuList(engine.get("cpus"), enginePath.key("cpus"), errors);
            powerOfTwo(engine.get("ring-capacity"), enginePath.key("ring-capacity"), errors);
        }
        JsonNode servers = root.get("servers");
        if (servers != null && servers.isObject()) {
            servers.properties().forEach(server -> {
                if (server.getValue().isObject()) {
                    serverSsl(server.getValue(), rootPath.key("servers").key(server.getKey()), errors);
                }
            });
        }
        JsonNode clients = root.get("clients");
        if (clients != null && clients.isObject()) {
            clients.properties().forEach(client -> {
                if (client.getValue().isObject()) {
                    PropertyPath clientPath = rootPath.key("clients").key(client.getKey());
                    discoveryNeeds(client.getValue(), clientPath, errors);
                    healthCheckTimeout(client.getValue(), clientPath, errors);
                }
            });
        }
        return errors;
    }

    /**
     * {@code x-minimum-duration} and {@code x-maximum-duration}: walk the tree and the schema
     * together. A value of the right syntax too large for {@link Duration} at all
     * ({@code 99999999999999999999d}) is above any maximum, not an overflow.
     */
    private static void durationBounds(JsonNode node, JsonNode schema, PropertyPath path, List<ConfigError> errors) {
        if (schema == null || node == null) {
            return;
        }
        JsonNode min = schema.get(PercoreConfigSchema.MINIMUM_DURATION_KEYWORD);
        JsonNode max = schema.get(PercoreConfigSchema.MAXIMUM_DURATION_KEYWORD);
        if (min != null || max != null) {
            Duration value = duration(node);
            if (min != null && value != null && value.compareTo(DurationSyntax.parse(min.asString())) < 0) {
                errors.add(new ConfigError(path.toString(), ValueText.of(node), "minimum-duration",
                        path + ": " + ValueText.quoted(node) + " is below the minimum duration of " + min.asString() + " (minimum-duration)",
                        "use at least " + min.asString()));
            }
            if (max != null && (value != null ? value.compareTo(DurationSyntax.parse(max.asString())) > 0 : tooLargeForDuration(node))) {
                errors.add(new ConfigError(path.toString(), ValueText.of(node), "maximum-duration",
                        path + ": " + ValueText.quoted(node) + " is above the maximum duration of " + max.asString() + " (maximum-duration)",
                        "use at most " + max.asString()));
            }
        }
        if (node.isObject()) {
            node.properties().forEach(e -> durationBounds(e.getValue(), SubSchemas.property(schema, e.getKey()), path.key(e.getKey()), errors));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                durationBounds(node.get(i), SubSchemas.items(schema), path.index(i), errors);
            }
        }
    }

    /** A valid duration text or a non-negative integer that {@link #duration} could not represent. */
    private static boolean tooLargeForDuration(JsonNode node) {
        if (node.isString()) {
            return DurationSyntax.isValid(node.asString());
        }
        return node.isIntegralNumber() && !node.canConvertToLong() && node.bigIntegerValue().signum() > 0;
    }

    private static void uniqueGroupNames(JsonNode groups, PropertyPath path, List<ConfigError> errors) {
        if (groups == null || !groups.isArray()) {
            return;
        }
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            JsonNode name = groups.get(i).isObject() ? groups.get(i).get("name") : null;
            // An element without a name gets the model's default name.
            String value = name == null ? "default" : name.isString() ? name.asString() : null;
            if (value == null) {
                continue;
            }
            Integer first = firstIndex.putIfAbsent(value, i);
            if (first != null) {
                PropertyPath namePath = path.index(i).key("name");
                errors.add(new ConfigError(namePath.toString(), value, "unique-names",
                        namePath + ": \"" + value + "\" is already the name of " + path.index(first).key("name") + " (unique-names)",
                        "give every scheduling group a different name"));
            }
        }
    }

    private static void cpuList(JsonNode cpus, PropertyPath path, List<ConfigError> errors) {
        if (cpus == null || !cpus.isString() || !cpus.asString().matches(EngineConfig.CPU_LIST_PATTERN)) {
            return;
        }
        TreeSet<Integer> seen = new TreeSet<>();
        for (String part : cpus.asString().split(",")) {
            String[] bounds = part.trim().split("\\s*-\\s*");
            long from = cpuId(bounds[0]);
            long to = bounds.length > 1 ? cpuId(bounds[1]) : from;
            String range = part.trim();
            if (to > 4095 || from > 4095) {
                errors.add(new ConfigError(path.toString(), cpus.asString(), "cpu-list",
                        path + ": \"" + cpus.asString() + "\" names CPU " + Math.max(from, to) + ", above the highest CPU id 4095 (cpu-list)", null));
                return;
            }
            if (from > to) {
                errors.add(new ConfigError(path.toString(), cpus.asString(), "cpu-list",
                        path + ": \"" + cpus.asString() + "\" has the descending range " + range + "; ranges must go low-high (cpu-list)",
                        "write " + to + "-" + from));
                continue;
            }
            for (int cpu = (int) from; cpu <= to; cpu++) {
                if (!seen.add(cpu)) {
                    errors.add(new ConfigError(path.toString(), cpus.asString(), "cpu-list",
                            path + ": \"" + cpus.asString() + "\" lists CPU " + cpu + " more than once (cpu-list)", null));
                    return;
                }
            }
        }
    }

    /** Parses a CPU id; absurdly long digit strings become a value above the limit instead of overflowing. */
    private static long cpuId(String digits) {
        String trimmed = digits.trim();
        return trimmed.length() > 9 ? Long.MAX_VALUE : Long.parseLong(trimmed);
    }

    private static void powerOfTwo(JsonNode capacity, PropertyPath path, List<ConfigError> errors) {
        if (capacity == null || !capacity.isIntegralNumber() || !capacity.canConvertToLong() || capacity.longValue() < 1) {
            return;
        }
        long value = capacity.longValue();
        if (Long.bitCount(value) != 1) {
            long lower = Long.highestOneBit(value);
            errors.add(new ConfigError(path.toString(), Long.toString(value), "power-of-two",
                    path + ": " + value + " is not a power of two (power-of-two)", "use " + lower + " or " + (lower << 1)));
        }
    }

    /**
     * TLS settings without a bundle would be silently ignored, and a TLS port equal to the plain
     * one could never bind: both are refused here rather than at start.
     */
    private static void serverSsl(JsonNode server, PropertyPath path, List<ConfigError> errors) {
        JsonNode ssl = server.get("ssl");
        if (ssl == null || !ssl.isObject()) {
            return;
        }
        PropertyPath sslPath = path.key("ssl");
        JsonNode bundle = ssl.get("bundle");
        boolean hasBundle = bundle != null && bundle.isString() && !bundle.asString().isEmpty();
        if (!hasBundle && (bundle == null || bundle.isNull())) {
            // Only what changes how the server listens: the other keys keep their defaults in every
            // programmatic server (ModelTree writes them) and mean nothing without TLS.
            List<String> given = new ArrayList<>();
            JsonNode port = ssl.get("port");
            if (port != null && !port.isNull()) {
                given.add("port");
            }
            JsonNode clientAuth = ssl.get("client-auth");
            if (clientAuth != null && clientAuth.isString() && !clientAuth.asString().equals("none")) {
                given.add("client-auth");
            }
            if (!given.isEmpty()) {
                PropertyPath bundlePath = sslPath.key("bundle");
                errors.add(new ConfigError(bundlePath.toString(), null, "required",
                        bundlePath + " is required when " + sslPath + "." + String.join(", " + sslPath + ".", given)
                                + (given.size() == 1 ? " is" : " are") + " set: without a bundle the server speaks no TLS (required)",
                        "name a Spring Boot SSL bundle (spring.ssl.bundle.pem.<name>), or remove the other ssl keys"));
            }
        }
        JsonNode tlsPort = ssl.get("port");
        JsonNode plainPort = server.get("port");
        if (tlsPort != null && tlsPort.isIntegralNumber() && plainPort != null && plainPort.isIntegralNumber()
                && tlsPort.asInt() != 0 && tlsPort.asInt() == plainPort.asInt()) {
            PropertyPath portPath = sslPath.key("port");
            errors.add(new ConfigError(portPath.toString(), tlsPort.asString(), "distinct-ports",
                    portPath + ": " + tlsPort.asInt() + " is also " + path.key("port") + "; the TLS port must be another port (distinct-ports)",
                    "choose another port, or remove " + portPath + " to serve TLS on " + path.key("port") + " itself"));
        }
    }

    private static void discoveryNeeds(JsonNode client, PropertyPath path, List<ConfigError> errors) {
        JsonNode discovery = client.get("discovery");
        JsonNode typeNode = discovery != null && discovery.isObject() ? discovery.get("type") : null;
        String type = typeNode == null ? "static" : typeNode.isString() ? typeNode.asString() : null;
        if (type == null) {
            return;
        }
        if (type.equals("kubernetes")) {
            JsonNode service = discovery.get("service-name");
            if (service == null || service.isNull() || (service.isString() && service.asString().isEmpty())) {
                PropertyPath servicePath = path.key("discovery").key("service-name");
                errors.add(new ConfigError(servicePath.toString(), null, "required",
                        servicePath + " is required when discovery type is kubernetes (required)", "name the Kubernetes Service to discover"));
            }
        } else if (type.equals("static") || type.equals("dns")) {
            JsonNode endpoints = client.get("endpoints");
            if (endpoints == null || (endpoints.isArray() && endpoints.isEmpty())) {
                PropertyPath endpointsPath = path.key("endpoints");
                errors.add(new ConfigError(endpointsPath.toString(), ValueText.of(endpoints), "required",
                        endpointsPath + " needs at least one host:port with " + type + " discovery (required)",
                        "list the upstream endpoints, or set discovery.type to kubernetes"));
            }
        }
    }

    private void healthCheckTimeout(JsonNode client, PropertyPath path, List<ConfigError> errors) {
        JsonNode check = client.get("health-check");
        if (check == null || !check.isObject()) {
            return;
        }
        JsonNode enabled = check.get("enabled");
        if (enabled != null && enabled.isBoolean() && !enabled.booleanValue()) {
            return;
        }
        JsonNode checkSchema = SubSchemas.at(rootSchema, PropertyPath.root().key("clients").key("<name>").key("health-check"));
        Duration timeout = duration(valueOrDefault(check, checkSchema, "timeout"));
        Duration interval = duration(valueOrDefault(check, checkSchema, "interval"));
        if (timeout != null && interval != null && timeout.compareTo(interval) >= 0) {
            PropertyPath timeoutPath = path.key("health-check").key("timeout");
            errors.add(new ConfigError(timeoutPath.toString(), DurationSyntax.format(timeout), "timeout-below-interval",
                    timeoutPath + ": " + DurationSyntax.format(timeout) + " must be shorter than the health-check interval of "
                            + DurationSyntax.format(interval) + " (timeout-below-interval)",
                    "lower the timeout or raise the interval"));
        }
    }

    private static JsonNode valueOrDefault(JsonNode object, JsonNode objectSchema, String key) {
        JsonNode value = object.get(key);
        if (value != null) {
            return value;
        }
        JsonNode schema = SubSchemas.property(objectSchema, key);
        return schema == null ? null : schema.get("default");
    }

    /** The duration a node denotes, or {@code null} when it is not a valid duration (the schema reports that). */
    static Duration duration(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return Duration.ofMillis(node.longValue());
        }
        if (node.isString() && DurationSyntax.isValid(node.asString())) {
            try {
                return DurationSyntax.parse(node.asString());
            } catch (RuntimeException overflow) {
                return null;
            }
        }
        return null;
    }
}
