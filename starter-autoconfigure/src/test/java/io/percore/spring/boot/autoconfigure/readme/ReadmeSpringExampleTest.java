package io.percore.spring.boot.autoconfigure.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.endpoint.PercoreEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;

/**
 * The Spring example of the documentation site's docs/getting-started/spring-boot.md, compiled and run: the page shows
 * {@link CacheConfiguration} and {@link CacheReader}, this package's files, and {@code readme/application.yml} of the test
 * resources, as they are (pymdownx.snippets); the context runs with that application.yml.
 */
class ReadmeSpringExampleTest {

    /** The page's application.yml ({@code src/test/resources/readme/application.yml}), as Spring Boot reads one. */
    static final String APPLICATION_YML = "readme/application.yml";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class))
            .withUserConfiguration(CacheConfiguration.class)
            .withInitializer(context -> {
                try {
                    new YamlPropertySourceLoader().load(APPLICATION_YML, new ClassPathResource(APPLICATION_YML))
                            .forEach(context.getEnvironment().getPropertySources()::addLast);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            })
            .withPropertyValues("percore.engine.mode=overprovisioned"); // the page uses the default (pinned); tests share CPUs

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
    void thePagesApplicationYmlSetsTheShardsAndExposesThePercoreEndpoint() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Engine.class).shardCount()).isEqualTo(2);
            String exposed = context.getEnvironment().getProperty("management.endpoints.web.exposure.include");
            assertThat(exposed.split(",")).contains("health", "prometheus", PercoreEndpoint.class.getAnnotation(Endpoint.class).id());
            assertThat(context.getEnvironment().getProperty("management.endpoint.health.show-details")).isEqualTo("always");
        });
    }

    @Test
    void withPercoreDisabledTheExampleStepsAsideInsteadOfFailingStartup() {
        runner.withPropertyValues("percore.enabled=false").run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Engine.class).doesNotHaveBean(CacheReader.class));
    }
}
