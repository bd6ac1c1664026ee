package io.percore.spring.boot.autoconfigure.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class PercorePropertySnapshotTest {

    @Test
    void flattensEverySourceToSchemaSpellingWithHighestPrecedenceWinning() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("low", Map.of("percore.engine.shards", "4",
                "percore.engine.task_quota", "1ms", "other.key", "x")));
        environment.getPropertySources().addFirst(new MapPropertySource("high", Map.of("percore.engine.shards", "2",
                "percore.engine.schedulingGroups[0].name", "web", "percore.servers.api.bindAddress", "0.0.0.0")));
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("PERCORE_ENGINE_STALLTHRESHOLD", "30ms");
        env.put("PERCORE_ENGINE_RINGCAPACTY", "16");
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("systemEnvironment", env));

        Map<String, String> values = PercorePropertySnapshot.of(environment).values();
        assertThat(values).containsEntry("percore.engine.shards", "2")
                .containsEntry("percore.engine.task-quota", "1ms")
                .containsEntry("percore.engine.scheduling-groups[0].name", "web")
                .containsEntry("percore.servers.api.bind-address", "0.0.0.0")
                // Environment variables lose word boundaries; Spring still binds them, so must we.
                .containsEntry("percore.engine.stall-threshold", "30ms")
                // ...but a misspelling stays a misspelling.
                .containsEntry("percore.engine.ringcapacty", "16")
                .doesNotContainKey("other.key");
    }

    @Test
    void environmentVariablesOutsideThePercoreSectionsAreNotSettings() {
        StandardEnvironment environment = new StandardEnvironment();
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("PERCORE_JAR", "/opt/percore/app.jar");
        env.put("PERCORE_HOME", "/opt/percore");
        env.put("PERCORE", "x");
        env.put("PERCORE_ENGINE_SHARDS", "1");
        env.put("PERCORE_ENGINE_SHARDZ", "1");
        env.put("PERCORE_ENABLED", "true");
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("systemEnvironment", env));
        // The same keys in a config file are still checked, whatever they are.
        environment.getPropertySources().addLast(new MapPropertySource("file", Map.of("percore.jar", "x")));

        Map<String, String> values = PercorePropertySnapshot.of(environment).values();
        assertThat(values).containsEntry("percore.engine.shards", "1")
                .containsEntry("percore.engine.shardz", "1")
                .containsEntry("percore.enabled", "true")
                .containsEntry("percore.jar", "x")
                .doesNotContainKey("percore.home")
                .doesNotContainKey("percore");
    }
}
