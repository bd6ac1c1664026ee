package io.percore.operator.reconcile;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.percore.operator.crd.PercoreService;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a PercoreService reconcile it: what the SDK's generation-aware processing lets through (a new
 * generation: the spec changed; a finalizer added or removed; a deletion begun), and a change of an annotation a scenario
 * listens to ({@link Scenario#triggerAnnotations()}: a backup requested). Not the status the operator writes, nor labels or
 * other annotations.
 */
public final class ResourceUpdateFilter implements OnUpdateFilter<PercoreService> {

    @Override
    public boolean accept(PercoreService now, PercoreService before) {
        if (now.isMarkedForDeletion() || !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                || !Objects.equals(now.getMetadata().getFinalizers(), before.getMetadata().getFinalizers())) {
            return true;
        }
        Map<String, String> a = now.getMetadata().getAnnotations() == null ? Map.of() : now.getMetadata().getAnnotations();
        Map<String, String> b = before.getMetadata().getAnnotations() == null ? Map.of() : before.getMetadata().getAnnotations();
        return Scenarios.ALL.stream().flatMap(s -> s.triggerAnnotations().stream()).anyMatch(k -> !Objects.equals(a.get(k), b.get(k)));
    }
}
