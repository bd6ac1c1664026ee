package io.percore.config.schema;

/**
 * One problem in a Percore configuration.
 *
 * @param path       full property path as Spring writes it, e.g. {@code percore.engine.task-quota}
 *                   or {@code percore.engine.scheduling-groups[1].shares}
 * @param value      the offending value as text ({@code null} when the problem is a missing value);
 *                   objects and lists are shown as compact JSON
 * @param rule       what was broken: a JSON Schema keyword ({@code minimum}, {@code pattern},
 *                   {@code type}, {@code enum}, {@code additionalProperties}, ...) or one of
 *                   Percore's own rules ({@code unique-names}, {@code cpu-list},
 *                   {@code power-of-two}, {@code minimum-duration}, {@code required},
 *                   {@code timeout-below-interval}, {@code syntax}, {@code conflict},
 *                   {@code index-gap})
 * @param message    human-readable sentence naming the key, the value and the rule (see
 *                   {@link #messageWithRule()} for a form that always contains the rule's name)
 * @param suggestion how to fix it, e.g. {@code did you mean `task-quota`?}; {@code null} when
 *                   there is nothing better to say than the message
 */
public record ConfigError(String path, String value, String rule, String message, String suggestion) {

    /** The message, the rule in brackets, and the suggestion if any: one line per error. */
    @Override
    public String toString() {
        return messageWithRule() + (suggestion == null ? "" : " (" + suggestion + ")");
    }

    /** The message, with {@code [rule]} appended unless the message already names the rule. */
    public String messageWithRule() {
        return message.contains(rule) ? message : message + " [" + rule + "]";
    }
}
