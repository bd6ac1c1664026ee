package io.percore.demo.admin;

import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.ServerShard;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One row of the CONFIG table (Redis's {@code standardConfig}): the parameter's names, its
 * {@link ConfigType}, whether and how it changes, the {@code percore.demo.*} key that sets it,
 * how CONFIG GET reads it and how a read value goes into the next {@link ConfigValues}.
 *
 * @param alias    Redis's other name (the ziplist and slave ones), or null
 * @param change   whether it changes while the server runs, and why not
 * @param property the {@code percore.demo.*} key that sets it at start and, when the application's
 *                 configuration changes, live as CONFIG SET would; null: none does
 * @param sensitive Redis's SENSITIVE_CONFIG (its value never shown to MONITOR or the slow log)
 * @param hidden   Redis's HIDDEN_CONFIG: answered only when asked by name, never by a pattern
 * @param get      CONFIG GET's text from the values
 * @param live     CONFIG GET's text from what the values do not hold (replicaof: REPLICAOF changes it), or null
 * @param apply    puts a read value into the next values; may throw {@link ConfigType.Invalid} for what the type cannot say
 * @param reason   why another value is refused, for {@link Change#FIXED}
 * @param defaultNote the table's default where it depends on the machine or the listener (half the max heap ...), or null
 * @param initial  for a parameter kept by name ({@link #kept}), the text of the value it starts with; null for the others
 * @param applied  what its change does on each shard once the shard holds the new values (Redis's apply function), or
 *                 null: what reads it reads it from the values when it needs it
 */
record ConfigParameter<T>(String name, String alias, ConfigType<T> type, Change change, String property, boolean sensitive,
                          boolean hidden, Function<ConfigValues, String> get, Function<ServerShard, String> live,
                          BiConsumer<ConfigValues.Builder, T> apply, String reason, String defaultNote, String initial,
                          ConfigApply applied) {

    /** Whether and how a parameter changes (Redis's IMMUTABLE_CONFIG, PROTECTED_CONFIG, and this server's fixed ones). */
    enum Change {
        /** CONFIG SET changes it on every shard. */
        LIVE,
        /** This server has one value for it: that one is accepted (nothing changes), another refused with the reason. */
        FIXED,
        /** Redis 7.0's protected configs ({@code enable-protected-configs no}): read, never set. */
        PROTECTED,
        /** Redis's immutable configs: set at start only. */
        IMMUTABLE;

        /** How the configuration table says it. */
        String text() {
            return switch (this) {
                case LIVE -> "live";
                case FIXED -> "fixed";
                case PROTECTED -> "protected";
                case IMMUTABLE -> "at start";
            };
        }
    }

    /** A parameter CONFIG SET changes, read as {@code type} and put into the values by {@code apply}. */
    static <T> ConfigParameter<T> live(String name, ConfigType<T> type, Function<ConfigValues, String> get,
                                       BiConsumer<ConfigValues.Builder, T> apply) {
        return new ConfigParameter<>(name, null, type, Change.LIVE, null, false, false, get, null, apply, null, null, null, null);
    }

    /** A parameter this server has one value for: that one is accepted, another refused with {@code reason}. */
    static <T> ConfigParameter<T> fixed(String name, ConfigType<T> type, Function<ConfigValues, String> get, String reason) {
        return new ConfigParameter<>(name, null, type, Change.FIXED, null, false, false, get, null, (n, v) -> { },
                reason, null, null, null);
    }

    /** A parameter CONFIG SET refuses as Redis refuses a protected ({@code dir}) or immutable one. */
    static ConfigParameter<String> unchangeable(String name, String what, Change change, Function<ConfigValues, String> get) {
        return new ConfigParameter<>(name, null, ConfigType.text(what), change, null, false, false, get, null, (n, v) -> { },
                null, null, null, null);
    }

    /**
     * A parameter that needs nothing but its row: its value is kept by name in the values
     * ({@link ConfigValues#value}), read as {@code type} from {@code initial} at start unless configured, and
     * shown by {@code format}. The subsystem that uses it reads it there when values are installed.
     */
    @SuppressWarnings("unchecked")
    static <T> ConfigParameter<T> kept(String name, ConfigType<T> type, Change change, String initial, Function<T, String> format) {
        return new ConfigParameter<>(name, null, type, change, null, false, false,
                v -> v.value(name) == null ? initial : format.apply((T) v.value(name)), null,
                (n, value) -> n.byName.put(name, value), null, null, initial, null);
    }

    /**
     * A parameter set at start only (Redis's IMMUTABLE_CONFIG with a value of its own): its {@code percore.demo.*}
     * key is read as CONFIG SET reads a value, and CONFIG SET refuses it as Redis refuses an immutable config.
     */
    static <T> ConfigParameter<T> atStart(String name, ConfigType<T> type, Function<ConfigValues, String> get,
                                          BiConsumer<ConfigValues.Builder, T> apply) {
        return new ConfigParameter<>(name, null, type, Change.IMMUTABLE, null, false, false, get, null, apply, null, null, null,
                null);
    }

    ConfigParameter<T> alias(String other) {
        return new ConfigParameter<>(name, other, type, change, property, sensitive, hidden, get, live, apply,
                reason, defaultNote, initial, applied);
    }

    /** This parameter, set by {@code percore.demo.<key>} at start and live. */
    ConfigParameter<T> setBy(String key) {
        return new ConfigParameter<>(name, alias, type, change, "percore.demo." + key, sensitive, hidden, get, live, apply,
                reason, defaultNote, initial, applied);
    }

    ConfigParameter<T> markSensitive() {
        return new ConfigParameter<>(name, alias, type, change, property, true, hidden, get, live, apply,
                reason, defaultNote, initial, applied);
    }

    /** This parameter's change does {@code what} on each shard (see {@link ConfigApply}). */
    ConfigParameter<T> appliedBy(ConfigApply what) {
        return new ConfigParameter<>(name, alias, type, change, property, sensitive, hidden, get, live, apply,
                reason, defaultNote, initial, what);
    }

    ConfigParameter<T> markHidden() {
        return new ConfigParameter<>(name, alias, type, change, property, sensitive, true, get, live, apply,
                reason, defaultNote, initial, applied);
    }

    /** CONFIG GET reads {@code from} the server's shard instead of the values. */
    ConfigParameter<T> readFrom(Function<ServerShard, String> from) {
        return new ConfigParameter<>(name, alias, type, change, property, sensitive, hidden, get, from, apply,
                reason, defaultNote, initial, applied);
    }

    /** The table's default is {@code note} (it depends on the machine or the listener). */
    ConfigParameter<T> defaultIs(String note) {
        return new ConfigParameter<>(name, alias, type, change, property, sensitive, hidden, get, live, apply,
                reason, note, initial, applied);
    }

    /**
     * Reads {@code text} and puts it into {@code next}, as CONFIG SET does (a fixed one is only read here:
     * see {@link #keepsItsValue}).
     *
     * @throws ConfigType.Invalid with Redis's reason
     */
    void set(ConfigValues.Builder next, String text) {
        switch (change) {
            case LIVE -> apply.accept(next, type.read(text));
            case FIXED -> type.read(text);
            case PROTECTED -> throw ConfigType.invalid("can't set protected config");
            case IMMUTABLE -> throw ConfigType.invalid("can't set immutable config");
        }
    }

    /**
     * Reads {@code text} and puts it into {@code next} as the start does (the configuration's value, or a
     * kept parameter's initial one): as CONFIG SET, except that an immutable parameter takes it too.
     *
     * @throws ConfigType.Invalid with Redis's reason
     */
    void start(ConfigValues.Builder next, String text) {
        if (change == Change.IMMUTABLE) {
            apply.accept(next, type.read(text));
        } else {
            set(next, text);
        }
    }

    /**
     * A fixed parameter given another value than its own in {@code current} is refused with its reason, once
     * every value of the CONFIG SET has been read: Redis's apply step, where its port fails to listen.
     *
     * @throws ConfigType.Invalid with the reason
     */
    void keepsItsValue(ConfigValues current, String text) {
        if (change == Change.FIXED && !type.read(text).equals(type.read(get.apply(current)))) {
            throw ConfigType.invalid(reason);
        }
    }

    /** CONFIG GET's value on {@code server}'s shard, whose copy of the values is {@code values}. */
    String value(ConfigValues values, ServerShard server) {
        return live != null ? live.apply(server) : get.apply(values);
    }

    boolean named(String candidate) {
        return name.equalsIgnoreCase(candidate) || (alias != null && alias.equalsIgnoreCase(candidate));
    }

    /** The name Redis's errors give for {@code asked}: the alias when it was asked by its alias. */
    String nameFor(String asked) {
        return alias != null && alias.equalsIgnoreCase(asked) ? alias : name;
    }
}
