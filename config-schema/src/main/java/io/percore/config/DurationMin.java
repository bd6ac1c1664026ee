package io.percore.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Smallest value a {@link java.time.Duration} property accepts (inclusive), written in
 * {@link DurationSyntax} form. JSON Schema cannot compare durations written as strings, so the
 * generator records it as the {@code x-minimum-duration} keyword and the validator checks it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface DurationMin {

    /** Inclusive lower bound, for example {@code "1ms"}. */
    String value();
}
