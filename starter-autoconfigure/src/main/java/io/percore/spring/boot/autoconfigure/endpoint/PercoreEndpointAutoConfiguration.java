package io.percore.spring.boot.autoconfigure.endpoint;

import io.percore.engine.Engine;
import io.percore.engine.topology.HostTopology;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.live.LiveConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code percore} Actuator endpoint, when Actuator is present and the endpoint is exposed
 * ({@code management.endpoints.web.exposure.include=percore,...}).
 */
@AutoConfiguration(after = PercoreAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(Engine.class)
public final class PercoreEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    PercoreEndpoint percoreEndpoint(Engine engine, ObjectProvider<HostTopology> topology, ObjectProvider<LiveConfiguration> live) {
        return new PercoreEndpoint(engine, topology.getIfAvailable(), live.getIfAvailable());
    }
}
