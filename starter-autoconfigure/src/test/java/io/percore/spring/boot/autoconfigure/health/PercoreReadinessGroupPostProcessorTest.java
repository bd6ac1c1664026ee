package io.percore.spring.boot.autoconfigure.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

class PercoreReadinessGroupPostProcessorTest {

    @Test
    void addsPercoreToAnExistingReadinessGroupOnly() {
        HealthEndpointGroup primary = group("ping");
        HealthEndpointGroup readiness = group("readinessState");
        HealthEndpointGroup liveness = group("livenessState");
        HealthEndpointGroups groups = HealthEndpointGroups.of(primary, Map.of("readiness", readiness, "liveness", liveness));

        HealthEndpointGroups processed = new PercoreReadinessGroupPostProcessor("percore").postProcessHealthEndpointGroups(groups);

        assertThat(processed.get("readiness").isMember("percore")).isTrue();
        assertThat(processed.get("readiness").isMember("readinessState")).isTrue();
        assertThat(processed.get("liveness").isMember("percore")).isFalse();
        assertThat(processed.getPrimary()).isSameAs(primary);
    }

    /** Issue 12, row 6: a shard that stays stuck makes liveness DOWN too (the pod is restarted). */
    @Test
    void addsPercoreToTheLivenessGroupWhenAskedTo() {
        HealthEndpointGroup readiness = group("readinessState");
        HealthEndpointGroup liveness = group("livenessState");
        HealthEndpointGroups groups = HealthEndpointGroups.of(group("ping"), Map.of("readiness", readiness, "liveness", liveness));

        HealthEndpointGroups processed = new PercoreReadinessGroupPostProcessor("percore", "liveness")
                .postProcessHealthEndpointGroups(groups);

        assertThat(processed.get("liveness").isMember("percore")).isTrue();
        assertThat(processed.get("liveness").isMember("livenessState")).isTrue();
        assertThat(processed.get("readiness").isMember("percore")).isFalse();
    }

    @Test
    void leavesGroupsAloneWithoutReadiness() {
        HealthEndpointGroups groups = HealthEndpointGroups.of(group("ping"), Map.of());
        assertThat(new PercoreReadinessGroupPostProcessor("percore").postProcessHealthEndpointGroups(groups)).isSameAs(groups);
    }

    private static HealthEndpointGroup group(String member) {
        return new HealthEndpointGroup() {
            @Override
            public boolean isMember(String name) {
                return name.equals(member);
            }

            @Override
            public boolean showComponents(SecurityContext securityContext) {
                return true;
            }

            @Override
            public boolean showDetails(SecurityContext securityContext) {
                return true;
            }

            @Override
            public StatusAggregator getStatusAggregator() {
                return StatusAggregator.getDefault();
            }

            @Override
            public HttpCodeStatusMapper getHttpCodeStatusMapper() {
                return HttpCodeStatusMapper.DEFAULT;
            }

            @Override
            public AdditionalHealthEndpointPath getAdditionalPath() {
                return null;
            }
        };
    }
}
