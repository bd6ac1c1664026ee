package io.percore.demo.persistence;

import java.util.ArrayList;
import java.util.List;

/**
 * Redis's {@code save} parameter: snapshot when at least {@code changes} writes happened and
 * {@code seconds} passed since the last successful save, for any of the rules. Empty: no automatic
 * snapshots (and no final save at shutdown, as Redis).
 */
public record SaveRules(List<Rule> rules) {

    /** One {@code <seconds> <changes>} pair. */
    public record Rule(long seconds, long changes) {
    }

    public static final SaveRules NONE = new SaveRules(List.of());
    /** Redis 7.0's default: {@code 3600 1 300 100 60 10000}. */
    public static final SaveRules REDIS_DEFAULT = parse("3600 1 300 100 60 10000");

    public SaveRules {
        rules = List.copyOf(rules);
    }

    /**
     * Parses Redis's text: pairs of non-negative integers separated by spaces; {@code ""} for none.
     *
     * @throws IllegalArgumentException with Redis's reason ("Invalid save parameters") when the text is not that
     */
    public static SaveRules parse(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            return NONE;
        }
        String[] words = trimmed.split("\\s+");
        if (words.length % 2 != 0) {
            throw new IllegalArgumentException("Invalid save parameters");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < words.length; i += 2) {
            try {
                long seconds = Long.parseLong(words[i]);
                long changes = Long.parseLong(words[i + 1]);
                if (seconds < 0 || changes < 0 || seconds > Integer.MAX_VALUE || changes > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("Invalid save parameters");
                }
                rules.add(new Rule(seconds, changes));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid save parameters");
            }
        }
        return new SaveRules(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether a rule asks for a snapshot now: {@code changes} since the last save, {@code elapsedSeconds} since it. */
    public boolean due(long changes, long elapsedSeconds) {
        for (Rule r : rules) {
            if (changes >= r.changes && elapsedSeconds > r.seconds) {
                return true;
            }
        }
        return false;
    }

    /** CONFIG GET's text, Redis's form. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Rule r : rules) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(r.seconds).append(' ').append(r.changes);
        }
        return sb.toString();
    }
}
