package io.percore.spring.boot.autoconfigure.readme;

import io.percore.config.schema.ConfigError;
import io.percore.spring.boot.autoconfigure.live.LiveConfigurationParticipant;
import java.util.List;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(Shop.class)
public class ShopConfiguration {

    @Bean
    LiveConfigurationParticipant shopLimits(Shop shop) {
        return next -> {
            int max = Binder.get(next).bind("percore.shop.max-orders", Integer.class).orElse(100);
            if (max == shop.maxOrders()) {
                return LiveConfigurationParticipant.Proposal.none();
            }
            if (max < 1) {
                return LiveConfigurationParticipant.Proposal.refused(List.of(new ConfigError("percore.shop.max-orders",
                        Integer.toString(max), "minimum", "percore.shop.max-orders: " + max + " is below 1 (minimum)", null)));
            }
            return new LiveConfigurationParticipant.Proposal(List.of(), List.of("percore.shop.max-orders"), List.of(),
                    () -> shop.maxOrders(max));
        };
    }
}
