package io.percore.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;

/**
 * The duration forms a configuration accepts, matching what Spring Boot binds to a
 * {@link Duration}: a non-negative number with a unit ({@code 500us}, {@code 25ms},
 * {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}), an ISO-8601 duration ({@code PT1S}), or a
 * plain integer meaning milliseconds. Negative durations are not accepted anywhere in Percore.
 */
public final class DurationSyntax {

    /**
     * ECMA-262 and {@link java.util.regex.Pattern} compatible: the JSON Schema uses it as the
     * {@code pattern} of every duration string. Units are lowercase; ISO-8601 needs at least
     * one component ({@code PT} alone is rejected).
     */
    public static final String PATTERN =
            "^(\\d+(ns|us|ms|s|m|h|d)?|P(?=\\d|T\\d)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d{1,9})?S)?)?)$";

    /** Human explanation of {@link #PATTERN}, used in error messages and docs. */
    public static final String HINT =
            "a duration such as 500us, 25ms, 10s, 5m, 1h (units ns, us, ms, s, m, h, d), ISO-8601 such as PT1S, or plain milliseconds";

    private static final java.util.regex.Pattern SIMPLE = java.util.regex.Pattern.compile("^(\\d+)(ns|us|ms|s|m|h|d)?$");
    private static final java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(PATTERN);

    private DurationSyntax() {
    }

    /** True when {@code text} is one of the accepted forms. */
    public static boolean isValid(String text) {
        return text != null && COMPILED.matcher(text).matches();
    }

    /**
     * Parses an accepted form.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static Duration parse(String text) {
        if (!isValid(text)) {
            throw new IllegalArgumentException("'" + text + "' is not " + HINT);
        }
        Matcher m = SIMPLE.matcher(text);
        if (!m.matches()) {
            return Duration.parse(text);
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "ns" -> Duration.ofNanos(amount);
            case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1000L));
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalStateException(unit);
        };
    }

    /**
     * Shortest exact form in the largest whole unit ({@code 500us}, {@code 25ms}, {@code 30s});
     * used for the {@code default} values in the schema and the docs.
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("negative duration " + duration);
        }
        if (duration.isZero()) {
            return "0ms";
        }
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.toString().toUpperCase(Locale.ROOT);
        }
        long[] sizes = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};
        String[] units = {"d", "h", "m", "s", "ms", "us", "ns"};
        for (int i = 0; i < sizes.length; i++) {
            if (nanos % sizes[i] == 0) {
                return (nanos / sizes[i]) + units[i];
            }
        }
        throw new AssertionError("unreachable: every duration is a whole number of nanoseconds");
    }
}
