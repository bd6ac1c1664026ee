package io.percore.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A property whose new value a running application takes without a restart, when its
 * configuration changes (the starter's live configuration). Every other property needs a restart,
 * and a change of one is reported as such. The generator records it as the {@code x-live} keyword,
 * which the starter reads to sort a change and the operator to decide whether a change of
 * {@code spec.config} rolls the pods.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface LiveChange {
}
