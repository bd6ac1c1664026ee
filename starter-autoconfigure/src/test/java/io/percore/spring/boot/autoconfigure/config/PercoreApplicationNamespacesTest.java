package io.percore.spring.boot.autoconfigure.config;

import static io.percore.spring.boot.autoconfigure.config.InvalidConfigurationCorpusTest.findCause;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.PercoreConfig;
import io.percore.config.schema.ConfigError;
import io.percore.engine.Engine;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application may own {@code percore.<name>.*} with its own {@code @ConfigurationProperties}
 * bean; the starter keeps validating everything else under {@code percore.}.
 */
class PercoreApplicationNamespacesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(new PercoreApplicationNamespacesInitializer())
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class))
            .withPropertyValues("percore.engine.shards=1");

    @Test
    void keepsOnlyPrefixesOutsideTheSchemasTopLevelKeys() {
        assertThat(PercoreApplicationNamespaces.of(List.of("percore.demo", "percore.my-app.http", "percore", "percore.engine",
                "percore.servers.api", "percore.enabled", "other.thing", "not a name")).prefixes())
                .containsExactly("percore.demo", "percore.my-app.http");
    }

    @Test
    void aPropertiesClassOfTheApplicationOwnsItsNamespace() {
        runner.withBean(SHOP_PROPERTIES)
                .withPropertyValues("percore.shop.greeting=hi", "percore.shop.port=7000")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(Engine.class);
                    assertThat(greeting(context).getGreeting()).isEqualTo("hi");
                    assertThat(PercoreApplicationNamespaces.of(context.getEnvironment()).prefixes()).containsExactly("percore.shop");
                });
    }

    @Test
    void aPropertiesBeanMethodOwnsItsNamespace() {
        runner.withUserConfiguration(BEAN_METHOD_CLAIM)
                .withPropertyValues("percore.cache.greeting=hello")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(greeting(context).getGreeting()).isEqualTo("hello");
                });
    }

    @Test
    void withoutAClaimTheKeyIsUnknown() {
        runner.withPropertyValues("percore.shop.greeting=hi").run(context -> {
            assertThat(context).hasFailed();
            assertThat(findCause(context.getStartupFailure()).errors()).extracting(ConfigError::path, ConfigError::rule)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("percore.shop", "additionalProperties"));
        });
    }

    @Test
    void keysOutsideTheClaimedNamespaceAreStillValidated() {
        runner.withBean(SHOP_PROPERTIES)
                .withPropertyValues("percore.shop.greeting=hi", "percore.shopping.x=1", "percore.engin.shards=2")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(findCause(context.getStartupFailure()).errors()).extracting(ConfigError::path)
                            .containsExactlyInAnyOrder("percore.shopping", "percore.engin");
                });
    }

    @Test
    void aClaimOnASchemaOwnedPrefixExemptsNothing() {
        runner.withUserConfiguration(SCHEMA_PREFIX_CLAIM)
                .withPropertyValues("percore.servers.api.port=0", "percore.servers.api.prot=1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(findCause(context.getStartupFailure()).errors()).extracting(ConfigError::path, ConfigError::suggestion)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple("percore.servers.api.prot", "did you mean `port`?"));
                });
    }

    @Test
    void placeholdersAreResolvedBeforeValidation() {
        runner.withBean(SHOP_PROPERTIES)
                .withPropertyValues("percore.shop.port=7001", "percore.servers.api.port=${percore.shop.port:7000}",
                        "percore.servers.web.port=${web.port:0}")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(PercoreConfig.class).getServers().get("api").getPort()).isEqualTo(7001);
                });
        runner.withPropertyValues("app.port=lots", "percore.servers.api.port=${app.port}").run(context -> {
            assertThat(context).hasFailed();
            ConfigError error = findCause(context.getStartupFailure()).errors().get(0);
            assertThat(error.path()).isEqualTo("percore.servers.api.port");
            assertThat(error.value()).isEqualTo("lots");
            assertThat(error.rule()).isEqualTo("type");
        });
    }

    @Test
    void theInitializerIsRegisteredForSpringApplications() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CLASS_LEVEL_CLAIM_APPLICATION, SHOP_PROPERTIES)
                .web(WebApplicationType.NONE)
                .run("--percore.engine.shards=1", "--percore.engine.mode=overprovisioned", "--percore.shop.greeting=from-args",
                        "--spring.main.banner-mode=off")) {
            assertThat(greeting(context).getGreeting()).isEqualTo("from-args");
            assertThat(context.getBean(Engine.class).isRunning()).isTrue();
        }
    }

    /*
     * The annotated classes below are local classes: annotation processors never see local
     * classes, so these test-only @ConfigurationProperties stay out of the test-classes
     * META-INF/spring-configuration-metadata.json (which the how-to's top-level readme.Shop makes;
     * ConfigurationMetadataTest reads the starter's own file beside its classes).
     */

    /** What the tests read back from the application's properties bean. */
    public interface Greeting {
        String getGreeting();

        void setGreeting(String greeting);
    }

    private static final Class<?> SHOP_PROPERTIES = shopProperties();
    private static final Class<?> CLASS_LEVEL_CLAIM_APPLICATION = classLevelClaimApplication();
    private static final Class<?> BEAN_METHOD_CLAIM = beanMethodClaim();
    private static final Class<?> SCHEMA_PREFIX_CLAIM = schemaPrefixClaim();

    private static Greeting greeting(org.springframework.context.ApplicationContext context) {
        return (Greeting) context.getBean(SHOP_PROPERTIES);
    }

    private static Class<?> shopProperties() {
        @ConfigurationProperties(prefix = "percore.shop", ignoreUnknownFields = false)
        class ShopProperties implements Greeting {
            private String greeting;
            private int port;

            @Override
            public String getGreeting() {
                return greeting;
            }

            @Override
            public void setGreeting(String greeting) {
                this.greeting = greeting;
            }

            public int getPort() {
                return port;
            }

            public void setPort(int port) {
                this.port = port;
            }
        }
        return ShopProperties.class;
    }

    private static Class<?> classLevelClaimApplication() {
        @Configuration(proxyBeanMethods = false)
        @ImportAutoConfiguration(PercoreAutoConfiguration.class)
        class ClassLevelClaimApplication {
        }
        return ClassLevelClaimApplication.class;
    }

    private static Class<?> beanMethodClaim() {
        @Configuration(proxyBeanMethods = false)
        class BeanMethodClaim {
            @Bean
            @ConfigurationProperties("percore.cache")
            Greeting cacheProperties() throws ReflectiveOperationException {
                return newShopProperties();
            }
        }
        return BeanMethodClaim.class;
    }

    private static Class<?> schemaPrefixClaim() {
        @Configuration(proxyBeanMethods = false)
        class SchemaPrefixClaim {
            @Bean
            @ConfigurationProperties("percore.servers.api")
            Greeting apiProperties() throws ReflectiveOperationException {
                return newShopProperties();
            }
        }
        return SchemaPrefixClaim.class;
    }

    static Greeting newShopProperties() throws ReflectiveOperationException {
        java.lang.reflect.Constructor<?> constructor = SHOP_PROPERTIES.getDeclaredConstructor();
        constructor.setAccessible(true);
        return (Greeting) constructor.newInstance();
    }
}
