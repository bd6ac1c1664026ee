package io.percore.spring.boot.autoconfigure.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.schema.ConfigError;
import io.percore.engine.Engine;
import io.percore.engine.topology.HostTopology;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.PercoreThreads;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every invalid configuration fails startup, before any shard starts, with the exact property
 * path and rule in the exception and in the failure analyzer's report.
 */
class InvalidConfigurationCorpusTest {

    private static final int ALLOWED_CPUS = HostTopology.detect().allowedCpus().size();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class));

    static Stream<Arguments> corpus() {
        return Stream.of(
                // wrong types
                bad("percore.engine.shards=four", "percore.engine.shards", "type", null),
                bad("percore.engine.reserved-cpus=1.5", "percore.engine.reserved-cpus", "type", null),
                bad("percore.servers.api.reuse-port=sometimes", "percore.servers.api.reuse-port", "type", null),
                bad("percore.engine.task-quota=fast", "percore.engine.task-quota", "pattern", null),
                // out of range
                bad("percore.engine.shards=-1", "percore.engine.shards", "minimum", null),
                bad("percore.engine.shards=5000", "percore.engine.shards", "maximum", null),
                bad("percore.engine.ring-capacity=8", "percore.engine.ring-capacity", "minimum", null),
                bad("percore.engine.ring-capacity=1000", "percore.engine.ring-capacity", "power-of-two", null),
                bad("percore.engine.stall-threshold=500us", "percore.engine.stall-threshold", "minimum-duration", null),
                // durations past long nanoseconds: named, never "long overflow" from the engine
                bad("percore.engine.stall-threshold=106752d", "percore.engine.stall-threshold", "maximum-duration", null),
                bad("percore.engine.task-quota=106752d", "percore.engine.task-quota", "maximum-duration", null),
                bad("percore.servers.resp.idle-timeout=106752d", "percore.servers.resp.idle-timeout", "maximum-duration", null),
                // queue bounds
                bad("percore.engine.foreign-queue-capacity=0", "percore.engine.foreign-queue-capacity", "minimum", null),
                bad("percore.engine.cross-shard-overflow-capacity=99999999", "percore.engine.cross-shard-overflow-capacity", "maximum", null),
                bad("percore.servers.api.port=70000", "percore.servers.api.port", "maximum", null),
                bad("percore.engine.scheduling-groups[0].shares=0", "percore.engine.scheduling-groups[0].shares", "minimum", null),
                // enums
                bad("percore.engine.mode=pined", "percore.engine.mode", "enum", "pinned"),
                bad("percore.engine.transport=uring", "percore.engine.transport", "enum", null),
                // unknown keys, with the nearest known key
                bad("percore.engine.taks-quota=1ms", "percore.engine.taks-quota", "additionalProperties", "task-quota"),
                bad("percore.engne.shards=1", "percore.engne", "additionalProperties", "engine"),
                bad("percore.engine.stallThresold=30ms", "percore.engine.stall-thresold", "additionalProperties", "stall-threshold"),
                // names and patterns
                bad("percore.servers.API_1.port=8080", "percore.servers.API_1", "propertyNames", null),
                bad("percore.clients.redis.endpoints[0]=localhost", "percore.clients.redis.endpoints[0]", "pattern", null),
                // CPU lists
                bad("percore.engine.cpus=0-a", "percore.engine.cpus", "pattern", null),
                bad("percore.engine.cpus=3-1", "percore.engine.cpus", "cpu-list", null),
                // duplicate scheduling group names
                bad(new String[] {"percore.engine.scheduling-groups[0].name=web", "percore.engine.scheduling-groups[1].name=web"},
                        "percore.engine.scheduling-groups[1].name", "unique-names", null),
                // host topology: more shards than this process may pin to, CPUs outside its affinity
                bad("percore.engine.shards=" + (ALLOWED_CPUS + 1), "percore.engine.shards", "host-topology", null),
                bad("percore.engine.cpus=0,4000", "percore.engine.cpus", "host-topology", null));
    }

    private static Arguments bad(String property, String path, String rule, String suggestion) {
        return bad(new String[] {property}, path, rule, suggestion);
    }

    private static Arguments bad(String[] properties, String path, String rule, String suggestion) {
        return Arguments.of(String.join(", ", properties), properties, path, rule, suggestion);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void failsStartupNamingThePathAndRule(String label, String[] properties, String path, String rule, String suggestion) throws Exception {
        Set<Thread> before = PercoreThreads.alive();
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            InvalidPercoreConfigurationException invalid = findCause(failure);
            assertThat(invalid).as("cause of %s", failure).isNotNull();
            assertThat(invalid.errors()).as(invalid.getMessage())
                    .anySatisfy(error -> {
                        assertThat(error.path()).isEqualTo(path);
                        assertThat(error.rule()).isEqualTo(rule);
                        if (suggestion != null) {
                            assertThat(error.suggestion()).contains(suggestion);
                        }
                    });
            FailureAnalysis analysis = new InvalidPercoreConfigurationFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("Property: " + path).contains("Rule:     " + rule);
        });
        assertThat(PercoreThreads.startedSince(before)).as("engine threads left after a failed start").isEmpty();
    }

    @Test
    void reportsEveryErrorAtOnceWithTheirOrigins() {
        runner.withPropertyValues("percore.engine.shards=-3", "percore.engine.taskQuota=soon", "percore.engine.moed=pinned",
                "percore.servers.api.port=99999").run(context -> {
            InvalidPercoreConfigurationException invalid = findCause(context.getStartupFailure());
            assertThat(invalid.errors()).extracting(ConfigError::path).contains("percore.engine.shards",
                    "percore.engine.task-quota", "percore.engine.moed", "percore.servers.api.port");
            FailureAnalysis analysis = new InvalidPercoreConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("has " + invalid.errors().size() + " errors; no shard was started")
                    .contains("Value:    -3").contains("did you mean `mode`?").contains("Origin:");
            assertThat(analysis.getAction()).contains("docs/configuration.md");
        });
    }

    @Test
    void aValidConfigurationStarts() {
        runner.withPropertyValues("percore.engine.shards=1", "percore.engine.task-quota=1ms", "percore.engine.cpus=0",
                "percore.servers.api.port=0", "percore.clients.redis.endpoints=localhost:6379,[::1]:6380")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Engine.class));
    }

    static InvalidPercoreConfigurationException findCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidPercoreConfigurationException invalid) {
                return invalid;
            }
        }
        return null;
    }

}
