package io.percore.spring.boot.autoconfigure.live;

import io.percore.config.schema.ConfigError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggerGroup;
import org.springframework.boot.logging.LoggerGroups;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.core.env.Environment;

/**
 * Spring Boot's {@code logging.level.<logger or group>} as a participant: a changed level is set on
 * the logging system (a group's on each of its members), a removed one goes back to what the
 * logging system would have without it. A value that is no level refuses the change (rule
 * {@code log-level}).
 */
final class LogLevels implements LiveConfigurationParticipant {

    private static final Bindable<Map<String, String>> LEVELS = Bindable.mapOf(String.class, String.class);

    private final LoggingSystem system;
    private final LoggerGroups groups;
    private Map<String, String> applied;

    /** @param groups Spring Boot's logger groups ({@code logging.group.*}, {@code web}, {@code sql}), or null */
    LogLevels(LoggingSystem system, LoggerGroups groups, Environment started) {
        this.system = system;
        this.groups = groups;
        this.applied = levels(started);
    }

    static Map<String, String> levels(Environment environment) {
        return new LinkedHashMap<>(Binder.get(environment).bind("logging.level", LEVELS).orElseGet(Map::of));
    }

    @Override
    public Proposal propose(Environment next) {
        Map<String, String> wanted = levels(next);
        List<ConfigError> errors = new ArrayList<>();
        Set<String> changed = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>(applied.keySet());
        names.addAll(wanted.keySet());
        for (String name : names) {
            String value = wanted.get(name);
            if (value != null && level(value) == null) {
                String key = "logging.level." + name;
                errors.add(new ConfigError(key, value, "log-level", key + ": \"" + value + "\" is not a log level; one of "
                        + String.join(", ", levelNames()) + " (log-level)", null));
            } else if (!Objects.equals(normal(applied.get(name)), normal(value))) {
                changed.add(name);
            }
        }
        if (!errors.isEmpty()) {
            return Proposal.refused(errors);
        }
        if (changed.isEmpty()) {
            return Proposal.none();
        }
        return new Proposal(List.of(), changed.stream().map(n -> "logging.level." + n).toList(), List.of(), () -> {
            for (String name : changed) {
                String value = wanted.get(name);
                set(name, value == null ? null : level(value));
            }
            applied = wanted;
        });
    }

    private void set(String name, LogLevel level) {
        LoggerGroup group = groups == null ? null : groups.get(name);
        if (group != null && group.hasMembers()) {
            group.configureLogLevel(level, system::setLogLevel);
        } else {
            system.setLogLevel(name.equalsIgnoreCase("root") ? LoggingSystem.ROOT_LOGGER_NAME : name, level);
        }
    }

    /** Spring Boot's spelling: any case, and YAML's {@code off} read as {@code false}. */
    private static LogLevel level(String value) {
        String upper = value.trim().toUpperCase(Locale.ROOT);
        if (upper.equals("FALSE")) {
            return LogLevel.OFF;
        }
        for (LogLevel level : LogLevel.values()) {
            if (level.name().equals(upper)) {
                return level;
            }
        }
        return null;
    }

    private static String normal(String value) {
        return value == null ? null : value.trim().toUpperCase(Locale.ROOT);
    }

    private static List<String> levelNames() {
        List<String> names = new ArrayList<>();
        for (LogLevel level : LogLevel.values()) {
            names.add(level.name().toLowerCase(Locale.ROOT));
        }
        return names;
    }
}
