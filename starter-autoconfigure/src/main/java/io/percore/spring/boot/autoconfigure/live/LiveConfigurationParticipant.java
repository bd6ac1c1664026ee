package io.percore.spring.boot.autoconfigure.live;

import io.percore.config.schema.ConfigError;
import java.util.List;
import org.springframework.core.env.Environment;

/**
 * A part of the application that takes some of its settings live when the configuration files
 * change. The starter's live configuration asks every participant (its own ones for the engine,
 * servers, client pools and log levels, and the application's beans of this type) for a
 * {@link Proposal} about the new environment first; when any of them, or the {@code percore.*}
 * validation, finds an error, the whole change is refused and nothing is applied. Otherwise every
 * proposal's {@link Proposal#apply()} runs.
 *
 * <p>A proposal names its settings as Spring property names ({@code percore.demo.maxmemory}), and
 * its errors as the configuration report does (key, value, rule).
 */
public interface LiveConfigurationParticipant {

    /**
     * What the new environment changes of this participant's settings, without applying anything.
     *
     * @param next the application's environment as it stands after the change (all property sources)
     */
    Proposal propose(Environment next);

    /**
     * @param errors  values this participant refuses (key, value, rule): any error refuses the whole change
     * @param live    the settings it takes without a restart
     * @param restart the settings that changed but need a restart (reported, not applied)
     * @param apply   takes the live settings; runs only when no participant found an error
     */
    record Proposal(List<ConfigError> errors, List<String> live, List<String> restart, Applier apply) {

        public Proposal {
            errors = List.copyOf(errors);
            live = List.copyOf(live);
            restart = List.copyOf(restart);
        }

        /** Nothing of this participant's changed. */
        public static Proposal none() {
            return new Proposal(List.of(), List.of(), List.of(), () -> { });
        }

        /** The change is refused for {@code errors}. */
        public static Proposal refused(List<ConfigError> errors) {
            return new Proposal(errors, List.of(), List.of(), () -> { });
        }
    }

    /** Applies a proposal; an exception is logged and reported, the other proposals still apply. */
    @FunctionalInterface
    interface Applier {
        void apply() throws Exception;
    }
}
