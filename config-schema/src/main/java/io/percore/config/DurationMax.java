package io.percore.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Largest value a {@link java.time.Duration} property accepts (inclusive), written in
 * {@link DurationSyntax} form. Every duration property has one: code turns durations into
 * {@code long} nanoseconds (timers, deadlines), which overflows past about 292 years
 * ({@code 106752d}), and a value far beyond any sensible setting is a typo, not a wish. The
 * generator records it as the {@code x-maximum-duration} keyword and the validator checks it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface DurationMax {

    /** Inclusive upper bound, for example {@code "1d"}. */
    String value();
}
