package io.percore.engine.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import org.junit.jupiter.api.Test;

/**
 * The "Without Spring" example of docs/getting-started/spring-boot.md, compiled and run: the page shows
 * {@link WithoutSpring}, this package's file, as it is (pymdownx.snippets), in a package of its own so that it uses only
 * the engine's public API, as a user's code would.
 */
class ReadmeExampleTest {

    @Test
    void crossShardCallFromTheReadme() {
        EngineConfig config = new EngineConfig();
        config.setShards(2);
        config.setMode(EngineConfig.Mode.OVERPROVISIONED); // the page uses the default (pinned); tests share CPUs
        WithoutSpring.Answers answers = WithoutSpring.run(config);
        assertThat(answers.answer()).isEqualTo("hello from shard 0, answered on shard 1");
        assertThat(answers.value()).isEqualTo("hello");
        assertThat(answers.fromShard()).isEqualTo("hello (asked by shard " + (1 - answers.owner()) + ")");
    }
}
