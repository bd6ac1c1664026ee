package io.percore.operator.config;

import java.util.List;
import java.util.Map;

/** Validates the {@code percore:} section of a PercoreService before anything is applied. */
@FunctionalInterface
public interface ConfigCheck {

    /**
     * @param percoreSection the content under {@code percore:} ({@code spec.config})
     * @return every problem found; empty when the section is valid
     */
    List<ConfigProblem> check(Map<String, Object> percoreSection);

    /** One violation: where, what, and how to fix it when known. */
    record ConfigProblem(String path, String message) {

        @Override
        public String toString() {
            return path + ": " + message;
        }
    }
}
