package io.percore.spring.boot.autoconfigure.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Spring example of the documentation site's docs/getting-started/spring-boot.md, compiled and run: the page shows
 * {@link CacheConfiguration} and {@link CacheReader}, this package's files, as they are (pymdownx.snippets).
 */
class ReadmeSpringExampleTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class))
            .withUserConfiguration(CacheConfiguration.class)
            .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned");


    @Test
    void theReadmeExampleRunsOnTheOwningShard() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            CacheReader reader = context.getBean(CacheReader.class);
            reader.put("greeting", "hello").join();
            assertThat(reader.get("greeting").join()).isEqualTo("hello");
            int owner = reader.ownerOf("greeting");
            assertThat(reader.caches().fromOutside().invokeOn(owner, cache -> Shard.current().id()).join()).isEqualTo(owner);
            assertThat(reader.caches().fromOutside().invokeOn(1 - owner, cache -> cache.containsKey("greeting")).join()).isFalse();
        });
    }

    @Test
    void withPercoreDisabledTheExampleStepsAsideInsteadOfFailingStartup() {
        runner.withPropertyValues("percore.enabled=false").run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Engine.class).doesNotHaveBean(CacheReader.class));
    }
}
