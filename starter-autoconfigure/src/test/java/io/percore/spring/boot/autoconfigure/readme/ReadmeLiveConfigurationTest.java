package io.percore.spring.boot.autoconfigure.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.schema.ConfigError;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.config.PercoreApplicationNamespacesInitializer;
import io.percore.spring.boot.autoconfigure.live.LiveConfigurationParticipant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mock.env.MockEnvironment;

/**
 * The example of docs/how-to/live-configuration-in-an-app.md, shown there as it is (pymdownx.snippets):
 * {@link ShopConfiguration}'s participant and {@link Shop}, its settings. The application starts with
 * {@code percore.shop.max-orders} beside the starter's keys (its bean claims the namespace), and the participant
 * proposes nothing for an unchanged value, refuses one below 1 with key, value and rule, and applies a new one only when
 * asked to.
 */
class ReadmeLiveConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(new PercoreApplicationNamespacesInitializer())
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class))
            .withUserConfiguration(ShopConfiguration.class)
            .withPropertyValues("percore.engine.shards=1", "percore.engine.mode=overprovisioned", "percore.shop.max-orders=100");

    private static MockEnvironment next(String maxOrders) {
        return new MockEnvironment().withProperty("percore.shop.max-orders", maxOrders);
    }

    @Test
    void theParticipantTakesANewLimitLiveAndRefusesABadOne() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            Shop shop = context.getBean(Shop.class);
            LiveConfigurationParticipant limits = context.getBean("shopLimits", LiveConfigurationParticipant.class);

            assertThat(limits.propose(next("100")).live()).isEmpty();

            LiveConfigurationParticipant.Proposal refused = limits.propose(next("0"));
            assertThat(refused.errors()).extracting(ConfigError::path, ConfigError::rule)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("percore.shop.max-orders", "minimum"));

            LiveConfigurationParticipant.Proposal raised = limits.propose(next("250"));
            assertThat(raised.errors()).isEmpty();
            assertThat(raised.live()).containsExactly("percore.shop.max-orders");
            assertThat(shop.maxOrders()).as("nothing applied before apply()").isEqualTo(100);
            raised.apply().apply();
            assertThat(shop.maxOrders()).isEqualTo(250);
        });
    }

    @Test
    void aMisspeltKeyOfTheShopStillStopsStartup() {
        runner.withPropertyValues("percore.shop.max-order=5").run(context -> assertThat(context).hasFailed());
    }
}
