package io.percore.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The one place a configuration property is described. Javadoc is gone at run time, so the
 * text lives here and feeds the generated JSON Schema ({@code description}),
 * {@code docs/configuration.md}, and anything built from the schema (IDE metadata, the
 * operator's CRD, the Helm chart's {@code values.schema.json}). {@link Documented} makes the
 * text show up in javadoc and IDE hovers wherever the annotated element is shown.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.TYPE})
public @interface PropertyDescription {

    /** One or two sentences: what the property controls, its unit, and what special values mean. */
    String value();
}
