package io.percore.spring.boot.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Makes the {@code percore} indicator a member of the {@code readiness} group (or of another
 * group, e.g. {@code liveness}), whether Spring's availability probes created the group or the
 * application configured it: a pod whose shards are stuck should stop receiving traffic, and
 * one whose shard stays stuck should be restarted. Runs after the availability probes' post-processor
 * (see the auto-configuration's ordering) so the group exists. Without a readiness group it
 * changes nothing.
 */
public final class PercoreReadinessGroupPostProcessor implements HealthEndpointGroupsPostProcessor {

    static final String READINESS = "readiness";
    static final String LIVENESS = "liveness";
    private final String member;
    private final String group;

    public PercoreReadinessGroupPostProcessor(String member) {
        this(member, READINESS);
    }

    public PercoreReadinessGroupPostProcessor(String member, String group) {
        this.member = member;
        this.group = group;
    }

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        HealthEndpointGroup target = groups.get(group);
        if (target == null || target.isMember(member)) {
            return groups;
        }
        Map<String, HealthEndpointGroup> named = new LinkedHashMap<>();
        for (String name : groups.getNames()) {
            named.put(name, groups.get(name));
        }
        named.put(group, new WithMember(target, member));
        return HealthEndpointGroups.of(groups.getPrimary(), named);
    }

    /** The group as configured, plus one member. */
    private record WithMember(HealthEndpointGroup delegate, String member) implements HealthEndpointGroup {

        @Override
        public boolean isMember(String name) {
            return member.equals(name) || delegate.isMember(name);
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return delegate.showComponents(securityContext);
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return delegate.showDetails(securityContext);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return delegate.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return delegate.getHttpCodeStatusMapper();
        }

        @Override
        public AdditionalHealthEndpointPath getAdditionalPath() {
            return delegate.getAdditionalPath();
        }
    }
}
