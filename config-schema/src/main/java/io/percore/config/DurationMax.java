package io.percore.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Largest value a {@link java.time.Duration} property accepts (inclusive), written in
 * {@link DurationSyntax} form. JSON Schema cannot compare durations written as strings, so the
 * generator records it as the {@code x-maximum-duration} keyword and the validator checks it.
 * Every duration has one: a value past any sensible bound is a mistake (or an attack on a
 * timer), and past about 292 years it no longer fits the nanoseconds the runtime counts in.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface DurationMax {

    /** Inclusive upper bound, for example {@code "1h"}. */
    String value();
}
