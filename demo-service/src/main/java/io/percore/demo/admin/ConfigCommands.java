package io.percore.demo.admin;

import static io.percore.demo.resp.RespReplies.bulk;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.GlobPattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import io.percore.demo.resp.RespReplies;

/**
 * CONFIG GET, SET, RESETSTAT, REWRITE and HELP (Redis's {@code config.c}) over the parameters of
 * {@link ConfigParameters}. GET reads the caller's shard's copy of the values. SET validates on the
 * caller's shard as Redis does (every name first, then every value; the first problem is the
 * error, and nothing changes), then shard 0 makes the next {@link ConfigValues} and every shard
 * installs it before the reply: a client that reads OK finds the new values on every shard.
 */
public final class ConfigCommands {

    private ConfigCommands() {
    }

    public static void help(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0],
                "GET <pattern>",
                "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>",
                "    Set the configuration <directive> to <value>.",
                "RESETSTAT",
                "    Reset statistics reported by the INFO command.",
                "REWRITE",
                "    Rewrite the configuration file."));
    }

    /**
     * CONFIG GET pattern [pattern ...]: a name without glob characters is looked up (either name of
     * a parameter, answered as asked); a pattern matches names and aliases, case-insensitively.
     */
    public static void get(CommandContext c, byte[][] argv) {
        ServerShard server = c.server();
        ConfigValues values = server.config();
        Map<String, String> matched = new LinkedHashMap<>();
        for (int i = 2; i < argv.length; i++) {
            String name = RespReplies.ascii(argv[i]);
            if (name.indexOf('[') < 0 && name.indexOf('*') < 0 && name.indexOf('?') < 0) {
                ConfigParameter<?> p = ConfigParameters.lookup(name);
                if (p != null && !matched.containsKey(name)) {
                    matched.put(name, p.value(values, server));
                }
                continue;
            }
            GlobPattern pattern = new GlobPattern(name.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1)); // nocase: names are lower case
            for (ConfigParameter<?> p : ConfigParameters.all()) {
                if (p.hidden()) {
                    continue; // Redis's hidden configs: only by their name
                }
                for (String candidate : p.alias() == null ? List.of(p.name()) : List.of(p.name(), p.alias())) {
                    if (!matched.containsKey(candidate) && pattern.matches(candidate.getBytes(StandardCharsets.US_ASCII))) {
                        matched.put(candidate, p.value(values, server));
                    }
                }
            }
        }
        List<RedisMessage> reply = new ArrayList<>(matched.size() * 2);
        matched.forEach((k, v) -> {
            reply.add(bulk(k));
            reply.add(bulk(v));
        });
        c.reply(new Resp3Replies.MapReply(reply));
    }

    /** The parameters whose values {@link ConfigValues#jvmFit()} weighs together. */
    private static final java.util.Set<String> MEMORY_PARAMETERS = java.util.Set.of("maxmemory", "maxmemory-clients",
            "client-output-buffer-limit");

    /** A parameter (named as asked) and the text of its new value. */
    private record Change(ConfigParameter<?> parameter, String asked, String value) {

        void applyTo(ConfigValues.Builder next) {
            try {
                parameter.set(next, value);
            } catch (ConfigType.Invalid e) {
                throw ConfigParameters.failed(parameter.nameFor(asked), e.getMessage());
            }
        }

        void keptIn(ConfigValues current) {
            try {
                parameter.keepsItsValue(current, value);
            } catch (ConfigType.Invalid e) {
                throw ConfigParameters.failed(parameter.nameFor(asked), e.getMessage());
            }
        }
    }

    /** CONFIG SET parameter value [parameter value ...]: all or nothing, on every shard. */
    public static void set(CommandContext c, byte[][] argv) {
        if ((argv.length & 1) != 0) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        List<Change> changes = new ArrayList<>();
        for (int i = 2; i < argv.length; i += 2) {
            changes.add(change(changes, RespReplies.ascii(argv[i]), new String(argv[i + 1], StandardCharsets.ISO_8859_1)));
        }
        check(c.server().config(), changes);
        c.replyLater(install(c.keyspace(), c.servers(), changes).map(n -> RespReplies.OK));
    }

    /**
     * CONFIG SET's checks of {@code parameters} (Redis's names and value texts) against {@code server}'s
     * values, for the application's own configuration changing while it runs (the demo's
     * {@code percore.demo.*}): the refusal CONFIG SET would reply, or null. On a shard.
     */
    public static String check(ServerShard server, Map<String, String> parameters) {
        try {
            check(server.config(), changes(parameters));
            return null;
        } catch (RespError e) {
            return e.getMessage();
        }
    }

    /** Sets {@code parameters} as CONFIG SET does, on every shard; completes when all have them. On a shard. */
    public static ShardFuture<Integer> set(Keyspace keyspace, Sharded<ServerShard> servers, Map<String, String> parameters) {
        return install(keyspace, servers, changes(parameters));
    }

    /**
     * The {@code percore.demo.*} keys that set CONFIG parameters CONFIG SET changes, each with the parameter
     * it sets (the table's {@code property} column): at start, and live when the application's configuration
     * changes. Not those set at start only ({@code aclfile}, {@code databases}: see {@link #startProperties()}),
     * whose change needs a restart, as the parameter's in Redis.
     */
    public static Map<String, String> properties() {
        Map<String, String> keys = new LinkedHashMap<>();
        for (ConfigParameter<?> p : ConfigParameters.all()) {
            if (p.property() != null && p.change() != ConfigParameter.Change.IMMUTABLE) {
                keys.put(p.property(), p.name());
            }
        }
        return keys;
    }

    /**
     * Every {@code percore.demo.*} key that sets a CONFIG parameter, with the parameter it sets: those of
     * {@link #properties()} and those read at start only (an immutable parameter, as {@code aclfile}).
     */
    public static Map<String, String> startProperties() {
        Map<String, String> keys = new LinkedHashMap<>();
        for (ConfigParameter<?> p : ConfigParameters.all()) {
            if (p.property() != null) {
                keys.put(p.property(), p.name());
            }
        }
        return keys;
    }

    /**
     * The values a server starts with: {@code base} with each {@code percore.demo.*} key's text (the
     * table's {@code property} column) read and put in as CONFIG SET reads and puts it.
     *
     * @throws IllegalArgumentException naming the first key whose text CONFIG SET would refuse
     */
    public static ConfigValues startValues(ConfigValues base, Map<String, String> textsByKey) {
        ConfigValues.Builder next = ConfigParameters.withInitialValues(base).next();
        textsByKey.forEach((key, text) -> {
            String why = setAtStart(next, key, text);
            if (why != null) {
                throw new IllegalArgumentException(key + "=" + text + ": " + why);
            }
        });
        return next.build();
    }

    /**
     * The values a server starts with: {@code base} with the configuration's parameters given by Redis's
     * names, as redis.conf's lines give them ({@code acllog-max-len 5}), each read by its row as the start
     * reads it. Every parameter kept by name starts at its row's value unless one of these sets it.
     *
     * @throws IllegalArgumentException for a name that is no parameter or a value its row refuses, in Redis's words
     */
    public static ConfigValues startValues(ConfigValues base, List<List<String>> parameters) {
        ConfigValues.Builder next = ConfigParameters.withInitialValues(base).next();
        for (List<String> line : parameters) {
            ConfigParameter<?> p = line.size() == 2 ? ConfigParameters.lookup(line.get(0)) : null;
            if (p == null) {
                throw new IllegalArgumentException("Bad directive or wrong number of arguments: " + String.join(" ", line));
            }
            try {
                p.start(next, line.get(1));
            } catch (ConfigType.Invalid e) {
                throw new IllegalArgumentException(p.name() + " " + line.get(1) + ": " + e.getMessage());
            }
        }
        return next.build();
    }

    /** What a shard does when it takes new values: the rows' apply functions ({@link ConfigApply}). */
    public static io.percore.demo.server.ConfigApplier applier() {
        return ConfigParameters::apply;
    }

    /** The values of a server started with nothing set (the table's defaults), to start from. */
    public static ConfigValues defaults() {
        return ConfigParameters.defaults();
    }

    /** CONFIG GET's text, in {@code values}, of the parameter {@code percore.demo.*} key {@code key} sets. */
    public static String value(ConfigValues values, String key) {
        return row(key).get().apply(values);
    }

    /**
     * What CONFIG SET would say to each key's text on its own (a server's defaults beneath it), by key;
     * empty when it would take them all. The start's validation of {@code percore.demo.*}.
     */
    public static Map<String, String> refusals(Map<String, String> textsByKey) {
        Map<String, String> refused = new LinkedHashMap<>();
        ConfigValues defaults = defaults();
        textsByKey.forEach((key, text) -> {
            String why = setAtStart(defaults.next(), key, text);
            if (why != null) {
                refused.put(key, why);
            }
        });
        return refused;
    }

    /** Puts {@code key}'s {@code text} into {@code next}: null, or CONFIG SET's reason to refuse it. */
    private static String setAtStart(ConfigValues.Builder next, String key, String text) {
        ConfigParameter<?> p = row(key);
        try {
            p.start(next, text);
            p.keepsItsValue(next.from(), text);
            return null;
        } catch (ConfigType.Invalid e) {
            return "CONFIG SET " + p.name() + " refuses it: " + e.getMessage();
        }
    }

    private static ConfigParameter<?> row(String key) {
        ConfigParameter<?> p = ConfigParameters.setBy(key);
        if (p == null) {
            throw new IllegalArgumentException(key + " sets no CONFIG parameter");
        }
        return p;
    }

    private static List<Change> changes(Map<String, String> parameters) {
        List<Change> changes = new ArrayList<>();
        parameters.forEach((name, value) -> changes.add(change(changes, name, value)));
        return changes;
    }

    private static Change change(List<Change> earlier, String name, String value) {
        ConfigParameter<?> p = ConfigParameters.lookup(name);
        if (p == null) {
            throw new RespError("ERR Unknown option or number of arguments for CONFIG SET - '" + RespReplies.sanitize(name) + "'");
        }
        // Redis refuses these by name, before any value is read
        if (p.change() == ConfigParameter.Change.IMMUTABLE) {
            throw ConfigParameters.failed(name, "can't set immutable config");
        }
        if (p.change() == ConfigParameter.Change.PROTECTED) {
            throw ConfigParameters.failed(name, "can't set protected config");
        }
        for (Change e : earlier) {
            if (e.parameter() == p) {
                throw ConfigParameters.failed(name, "duplicate parameter");
            }
        }
        return new Change(p, name, value);
    }

    /** Every change checked on a copy of {@code values}, then the whole against this JVM; the first problem thrown, as Redis words it. */
    private static void check(ConfigValues values, List<Change> changes) {
        ConfigValues.Builder check = values.next();
        for (Change change : changes) {
            change.applyTo(check);
        }
        // then what cannot change here, as Redis's apply step after every value is read
        for (Change change : changes) {
            change.keptIn(values);
        }
        // The new values together must fit this JVM (maxmemory within its heap, clients bounded):
        // refused, naming the first memory parameter set, as Redis names the argument it blames
        String unfit = check.build().jvmFit();
        if (unfit != null) {
            Change blamed = changes.stream().filter(ch -> MEMORY_PARAMETERS.contains(ch.parameter().name())).findFirst().orElse(changes.get(0));
            throw ConfigParameters.failed(blamed.asked(), unfit);
        }
    }

    /**
     * Through the keyspace, not the server's service: a shard held by a transaction takes its new
     * budget and encoding limits only once the transaction is over, as Redis could not change them mid-EXEC.
     */
    private static ShardFuture<Integer> install(Keyspace keyspace, Sharded<ServerShard> servers, List<Change> changes) {
        return keyspace.invokeOn(0, st -> {
            ConfigValues.Builder next = servers.local().config().next();
            for (Change change : changes) {
                change.applyTo(next);
            }
            ConfigValues values = next.build();
            servers.local().installConfig(values);
            return values;
        }).flatMap(values -> keyspace.mapReduce(st -> {
            servers.local().installConfig(values);
            return 1;
        }, 0, Integer::sum));
    }

    /** CONFIG RESETSTAT: INFO's counters, commandstats and errorstats start again from zero on every shard. */
    public static void resetstat(CommandContext c, byte[][] argv) {
        Sharded<ServerShard> servers = c.servers();
        c.replyLater(c.keyspace().mapReduce(st -> {
            servers.local().resetStats();
            return 1;
        }, 0, Integer::sum).map(n -> RespReplies.OK));
    }

    /** CONFIG REWRITE: the settings come from the application's configuration, not a redis.conf. */
    public static void rewrite(CommandContext c, byte[][] argv) {
        throw new RespError("ERR The server is running without a config file");
    }
}
