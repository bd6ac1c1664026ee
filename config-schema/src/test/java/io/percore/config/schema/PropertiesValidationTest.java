package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spring-style flattened properties: relaxed keys, indexes, and string values converted by schema type. */
class PropertiesValidationTest {

    private static final ConfigValidator VALIDATOR = new ConfigValidator();

    @Test
    void validFlattenedConfigPasses() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("spring.application.name", "orders");          // not ours: ignored
        props.put("percore.enabled", "TRUE");
        props.put("percore.engine.shards", "4");
        props.put("percore.engine.task-quota", "5ms");
        props.put("percore.engine.idle-poll", "100");            // plain integer = milliseconds
        props.put("percore.engine.mode", "overprovisioned");
        props.put("percore.engine.scheduling-groups[0].name", "default");
        props.put("percore.engine.scheduling-groups[1].name", "batch");
        props.put("percore.engine.scheduling-groups[1].shares", "50");
        props.put("percore.servers.api.port", "8080");
        props.put("percore.servers.api.reuse-port", "false");
        props.put("percore.servers[admin].port", "8081");
        props.put("percore.clients.redis.endpoints", "redis-0:6379, redis-1:6379");
        props.put("percore.clients.redis.retry-budget.ratio", "0.5");
        props.put("percore.clients.redis.health-check.interval", "PT10S");
        assertThat(VALIDATOR.validateProperties(props)).isEmpty();
    }

    @Test
    void relaxedKeyFormsAreNormalisedLikeSpringDoes() {
        Map<String, String> props = Map.of(
                "percore.engine.taskQuota", "5ms",
                "percore.engine.reserved_cpus", "1",
                "percore.engine.schedulingGroups[0].name", "default",
                "percore.servers.api.maxConnectionsPerShard", "100",
                "percore.clients.redis.endpoints[0]", "127.0.0.1:6379",
                "percore.clients.redis.healthCheck.healthyThreshold", "2");
        assertThat(VALIDATOR.validateProperties(props)).isEmpty();
    }

    @Test
    void valuesThatDoNotConvertAreTypeErrorsWithTheOriginalText() {
        Map<String, String> props = Map.of(
                "percore.engine.shards", "four",
                "percore.servers.api.reuse-port", "yes",
                "percore.clients.redis.endpoints", "127.0.0.1:6379",
                "percore.clients.redis.retry-budget.ratio", "a lot");
        assertThat(VALIDATOR.validateProperties(props))
                .extracting(ConfigError::path, ConfigError::rule, ConfigError::value)
                .containsExactly(
                        tuple("percore.clients.redis.retry-budget.ratio", "type", "a lot"),
                        tuple("percore.engine.shards", "type", "four"),
                        tuple("percore.servers.api.reuse-port", "type", "yes"));
    }

    @Test
    void rangeAndRuleErrorsCarryFullPaths() {
        Map<String, String> props = Map.of(
                "percore.engine.shards", "-1",
                "percore.engine.ring-capacity", "1000",
                "percore.engine.scheduling-groups[0].name", "default",
                "percore.engine.scheduling-groups[1].name", "default",
                "percore.engine.scheduling-groups[1].shares", "0",
                "percore.servers.api.port", "-5");
        assertThat(VALIDATOR.validateProperties(props))
                .extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(
                        tuple("percore.engine.ring-capacity", "power-of-two"),
                        tuple("percore.engine.scheduling-groups[1].name", "unique-names"),
                        tuple("percore.engine.scheduling-groups[1].shares", "minimum"),
                        tuple("percore.engine.shards", "minimum"),
                        tuple("percore.servers.api.port", "minimum"));
        assertThat(VALIDATOR.validateProperties(Map.of("percore.engine.shards", "-1")).get(0).message())
                .isEqualTo("percore.engine.shards: -1 is below the minimum of 0");
    }

    @Test
    void unknownKeysGetTheNearestKnownKey() {
        var errors = VALIDATOR.validateProperties(Map.of("percore.engine.task-quotaa", "5ms", "percore.servers.api.prot", "80"));
        assertThat(errors)
                .extracting(ConfigError::path, ConfigError::rule, ConfigError::suggestion)
                .containsExactly(
                        tuple("percore.engine.task-quotaa", "additionalProperties", "did you mean `task-quota`?"),
                        tuple("percore.servers.api.prot", "additionalProperties", "did you mean `port`?"));
    }

    @Test
    void indexGapsAndValueSectionConflictsAreReported() {
        var gap = VALIDATOR.validateProperties(Map.of(
                "percore.engine.scheduling-groups[0].name", "default",
                "percore.engine.scheduling-groups[2].name", "batch"));
        assertThat(gap).extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(tuple("percore.engine.scheduling-groups[2]", "index-gap"));

        var conflict = VALIDATOR.validateProperties(Map.of(
                "percore.engine", "fast",
                "percore.engine.shards", "2"));
        assertThat(conflict).extracting(ConfigError::path, ConfigError::rule)
                .contains(tuple("percore.engine", "conflict"));

        var malformed = VALIDATOR.validateProperties(Map.of("percore.engine..shards", "2"));
        assertThat(malformed).extracting(ConfigError::rule).containsExactly("syntax");
    }

    @Test
    void serverNamesAreDataAndKeepTheirCase() {
        var errors = VALIDATOR.validateProperties(Map.of("percore.servers.adminApi.port", "8080"));
        assertThat(errors).extracting(ConfigError::path, ConfigError::rule, ConfigError::suggestion)
                .containsExactly(tuple("percore.servers.adminApi", "propertyNames", "did you mean `admin-api`?"));
    }
}
