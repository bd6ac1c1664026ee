package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the status conditions, keeping {@code lastTransitionTime} when a condition's status
 * did not change, so an unchanged world yields an identical status (and no status write).
 */
final class StatusConditions {

    static final String READY = "Ready";
    static final String PLANNED = "Planned";
    static final String DEGRADED = "Degraded";

    private final List<Condition> previous;
    private final List<Condition> next = new ArrayList<>();
    private final long generation;

    StatusConditions(List<Condition> previous, long generation) {
        this.previous = previous == null ? List.of() : previous;
        this.generation = generation;
    }

    StatusConditions set(String type, boolean status, String reason, String message) {
        String value = status ? "True" : "False";
        Condition old = previous.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String since = old != null && value.equals(old.getStatus()) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime()
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        next.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withMessage(truncate(message)).withObservedGeneration(generation).withLastTransitionTime(since).build());
        return this;
    }

    List<Condition> build() {
        return List.copyOf(next);
    }

    static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst().orElse(null);
    }

    /** The API server limits a condition message to 32768 bytes. */
    private static String truncate(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= 8000 ? message : message.substring(0, 7990) + " ...";
    }
}
