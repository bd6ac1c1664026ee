package io.percore.demo.command;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.acl.AclCategory;
import io.percore.demo.acl.AclCommand;
import io.percore.demo.acl.KeySearch;
import io.percore.demo.acl.KeySpec;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.Resp3Text;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The registry's rows ({@link CommandTable}): every command ACL rules speak of, each once, with what Redis 7.0.15
 * publishes about it and the handler this server runs it with. Redis's whole set as its COMMAND INFO was recorded
 * ({@link CommandMetadata#redis7()}: names, subcommands, ACL categories, arity, key specifications compiled to
 * numbers), in the recording's order (the order ACL GETUSER describes rules in, as Redis's), then this server's own
 * commands Redis 7.0.15 does not have (CLIENT SETINFO, CLUSTER SETLAYOUT ...), whose categories come from their flags
 * and group as Redis's {@code setImplicitACLCategories} derives them. A Redis command this server does not run has a
 * row too (so {@code +module|load} or {@code -@dangerous} mean what they mean in Redis), with no handler.
 */
final class CommandRows {

    /** Redis's {@code getkeys_proc}s by command ({@code db.c}): where the key specs cannot always find the keys. */
    private static final Map<String, KeySearch.Finder> FINDERS = Map.ofEntries(
            Map.entry("zunion", KeySearch.Finder.COUNT_AT_1), Map.entry("zinter", KeySearch.Finder.COUNT_AT_1),
            Map.entry("zdiff", KeySearch.Finder.COUNT_AT_1), Map.entry("zintercard", KeySearch.Finder.COUNT_AT_1),
            Map.entry("sintercard", KeySearch.Finder.COUNT_AT_1), Map.entry("lmpop", KeySearch.Finder.COUNT_AT_1),
            Map.entry("zmpop", KeySearch.Finder.COUNT_AT_1),
            Map.entry("zunionstore", KeySearch.Finder.STORE_COUNT_AT_2), Map.entry("zinterstore", KeySearch.Finder.STORE_COUNT_AT_2),
            Map.entry("zdiffstore", KeySearch.Finder.STORE_COUNT_AT_2),
            Map.entry("eval", KeySearch.Finder.COUNT_AT_2), Map.entry("evalsha", KeySearch.Finder.COUNT_AT_2),
            Map.entry("eval_ro", KeySearch.Finder.COUNT_AT_2), Map.entry("evalsha_ro", KeySearch.Finder.COUNT_AT_2),
            Map.entry("fcall", KeySearch.Finder.COUNT_AT_2), Map.entry("fcall_ro", KeySearch.Finder.COUNT_AT_2),
            Map.entry("blmpop", KeySearch.Finder.COUNT_AT_2), Map.entry("bzmpop", KeySearch.Finder.COUNT_AT_2),
            Map.entry("sort", KeySearch.Finder.SORT), Map.entry("sort_ro", KeySearch.Finder.SORT_RO),
            Map.entry("migrate", KeySearch.Finder.MIGRATE), Map.entry("georadius", KeySearch.Finder.GEORADIUS),
            Map.entry("georadiusbymember", KeySearch.Finder.GEORADIUS), Map.entry("xread", KeySearch.Finder.XREAD),
            Map.entry("xreadgroup", KeySearch.Finder.XREAD), Map.entry("set", KeySearch.Finder.SET),
            Map.entry("bitfield", KeySearch.Finder.BITFIELD));

    /** Redis's {@code commands_with_channels}, for the check (the unsubscribe commands are never refused for a channel). */
    private static final Map<String, AclCommand.ChannelUse> CHANNELS = Map.of(
            "publish", AclCommand.ChannelUse.PUBLISH, "spublish", AclCommand.ChannelUse.PUBLISH,
            "subscribe", AclCommand.ChannelUse.SUBSCRIBE, "ssubscribe", AclCommand.ChannelUse.SUBSCRIBE,
            "psubscribe", AclCommand.ChannelUse.PATTERN_SUBSCRIBE);

    /** Every row by id: the code's, or a stand-in with no handler for a Redis command this server does not run. */
    final CommandSpec[] specs;
    /** Per id, whether this server runs the command (its row has a handler). */
    final boolean[] runs;
    /** Per id, the row as ACL rules see it. */
    final AclCommand[] acl;
    /** The commands of their own (not subcommands), in the registry's order. */
    final int[] topLevel;
    /** Full name (lower case) to id, for every row. */
    final Map<String, Integer> byName = new HashMap<>();

    /** Redis 7.0.15's rows from {@code metadata}, each with its handler from {@code code} when it has one, then {@code code}'s own. */
    CommandRows(List<CommandSpec> code, CommandMetadata metadata) {
        Map<String, CommandSpec> handlers = new LinkedHashMap<>();
        for (CommandSpec spec : code) {
            if (handlers.put(spec.name().toLowerCase(Locale.ROOT), spec) != null) {
                throw new IllegalArgumentException("Duplicate command " + spec.name());
            }
        }
        List<Draft> drafts = new ArrayList<>();
        List<Integer> tops = new ArrayList<>();
        for (ArrayRedisMessage info : metadata.recordedTopLevel()) {
            int id = drafts.size();
            tops.add(id);
            drafts.add(recorded(info, id, -1, handlers, metadata));
            for (RedisMessage sub : CommandMetadata.members(info.children().get(9))) {
                Draft d = recorded((ArrayRedisMessage) sub, drafts.size(), id, handlers, metadata);
                drafts.get(id).subcommands.add(d.id);
                drafts.add(d);
            }
        }
        for (Draft d : drafts) {
            byName.put(d.name, d.id);
        }
        // this server's own commands, as module commands are to Redis: after Redis's, in the code's order
        for (CommandSpec spec : handlers.values()) {
            String name = spec.name().toLowerCase(Locale.ROOT);
            int bar = name.indexOf('|');
            Integer container = bar < 0 ? null : byName.get(name.substring(0, bar));
            if (bar >= 0 && (container == null || bar == name.length() - 1 || name.indexOf('|', bar + 1) >= 0)) {
                throw new IllegalArgumentException("Subcommand " + spec.name() + " needs its container in the table before it");
            }
            Draft d = new Draft(drafts.size(), name, container == null ? -1 : container, implicitCategories(spec), spec.noAuth(),
                    spec.arity(), ranged(spec), AclCommand.ChannelUse.NONE, spec, true);
            drafts.add(d);
            byName.put(name, d.id);
            if (container == null) {
                tops.add(d.id);
            } else {
                drafts.get(container).subcommands.add(d.id);
            }
        }
        this.specs = new CommandSpec[drafts.size()];
        this.runs = new boolean[drafts.size()];
        this.acl = new AclCommand[drafts.size()];
        for (Draft d : drafts) {
            specs[d.id] = d.spec;
            runs[d.id] = d.runs;
            acl[d.id] = new AclCommand(d.id, d.name, d.parent, d.subcommands.stream().mapToInt(Integer::intValue).toArray(),
                    d.categories, d.noAuth, d.arity, d.keys, d.channels);
        }
        this.topLevel = tops.stream().mapToInt(Integer::intValue).toArray();
    }

    private static final class Draft {
        final int id;
        final String name;
        final int parent;
        final long categories;
        final boolean noAuth;
        final int arity;
        final KeySearch keys;
        final AclCommand.ChannelUse channels;
        final CommandSpec spec;
        final boolean runs;
        final List<Integer> subcommands = new ArrayList<>();

        Draft(int id, String name, int parent, long categories, boolean noAuth, int arity, KeySearch keys, AclCommand.ChannelUse channels,
              CommandSpec spec, boolean runs) {
            this.id = id;
            this.name = name;
            this.parent = parent;
            this.categories = categories;
            this.noAuth = noAuth;
            this.arity = arity;
            this.keys = keys;
            this.channels = channels;
            this.spec = spec;
            this.runs = runs;
        }
    }

    /** A recorded Redis command, with the code's row of that name taken out of {@code handlers} (or a stand-in without a handler). */
    private static Draft recorded(ArrayRedisMessage info, int id, int parent, Map<String, CommandSpec> handlers, CommandMetadata metadata) {
        List<RedisMessage> c = info.children();
        String name = Resp3Text.text(c.get(0));
        List<String> flags = texts(c.get(2));
        List<String> categories = new ArrayList<>();
        for (String category : texts(c.get(6))) {
            categories.add(category.substring(1));
        }
        int arity = (int) ((IntegerRedisMessage) c.get(1)).value();
        CommandSpec spec = handlers.remove(name);
        boolean runs = spec != null;
        if (spec == null) {
            spec = new CommandSpec(name, arity, flags, number(c.get(3)), number(c.get(4)), number(c.get(5)), metadata.recordedGroup(name),
                    metadata.recordedSummary(name), null);
        }
        return new Draft(id, name, parent, AclCategory.bits(categories), flags.contains("no_auth"), arity, keySearch(info),
                CHANNELS.getOrDefault(name, AclCommand.ChannelUse.NONE), spec, runs);
    }

    /** How the keys of a command with this recorded COMMAND INFO entry are found: its key specs compiled, and Redis's own finder. */
    static KeySearch keySearch(ArrayRedisMessage info) {
        List<RedisMessage> c = info.children();
        List<KeySpec> specs = new ArrayList<>();
        for (RedisMessage spec : CommandMetadata.members(c.get(8))) {
            specs.add(compile(spec));
        }
        return new KeySearch(specs.toArray(new KeySpec[0]), FINDERS.getOrDefault(Resp3Text.text(c.get(0)), KeySearch.Finder.NONE));
    }

    /** A recorded key specification as numbers (see {@link KeySpec}). */
    private static KeySpec compile(RedisMessage spec) {
        List<RedisMessage> map = map(spec);
        int flags = 0;
        for (String flag : texts(CommandMetadata.field(map, "flags"))) {
            flags |= KeySpec.flag(flag);
        }
        List<RedisMessage> begin = map(CommandMetadata.field(map, "begin_search"));
        List<RedisMessage> beginSpec = map(CommandMetadata.field(begin, "spec"));
        List<RedisMessage> find = map(CommandMetadata.field(map, "find_keys"));
        List<RedisMessage> findSpec = map(CommandMetadata.field(find, "spec"));
        int beginType = switch (Resp3Text.text(CommandMetadata.field(begin, "type"))) {
            case "index" -> KeySpec.BEGIN_INDEX;
            case "keyword" -> KeySpec.BEGIN_KEYWORD;
            default -> KeySpec.UNKNOWN;
        };
        int findType = switch (Resp3Text.text(CommandMetadata.field(find, "type"))) {
            case "range" -> KeySpec.FIND_RANGE;
            case "keynum" -> KeySpec.FIND_KEYNUM;
            default -> KeySpec.UNKNOWN;
        };
        return new KeySpec(flags, beginType,
                beginType == KeySpec.BEGIN_INDEX ? number(beginSpec, "index") : 0,
                beginType == KeySpec.BEGIN_KEYWORD ? Resp3Text.text(CommandMetadata.field(beginSpec, "keyword")).toLowerCase(Locale.ROOT) : null,
                beginType == KeySpec.BEGIN_KEYWORD ? number(beginSpec, "startfrom") : 0,
                findType,
                findType == KeySpec.FIND_RANGE ? number(findSpec, "lastkey") : 0,
                findType == KeySpec.UNKNOWN ? 0 : number(findSpec, "keystep"),
                findType == KeySpec.FIND_RANGE ? number(findSpec, "limit") : 0,
                findType == KeySpec.FIND_KEYNUM ? number(findSpec, "keynumidx") : 0,
                findType == KeySpec.FIND_KEYNUM ? number(findSpec, "firstkey") : 0);
    }

    /** A command of this server's own: its table row's first/last/step as one range, with no flags. */
    private static KeySearch ranged(CommandSpec spec) {
        if (spec.firstKey() <= 0) {
            return KeySearch.NONE;
        }
        int lastKey = spec.lastKey() < 0 ? spec.lastKey() : spec.lastKey() - spec.firstKey();
        return new KeySearch(new KeySpec[] {new KeySpec(0, KeySpec.BEGIN_INDEX, spec.firstKey(), null, 0, KeySpec.FIND_RANGE, lastKey,
                spec.step(), 0, 0, 0)}, KeySearch.Finder.NONE);
    }

    /** Redis's {@code setImplicitACLCategories} from the row's flags, and its group when that names a category. */
    private static long implicitCategories(CommandSpec spec) {
        List<String> flags = spec.flags();
        long bits = 0;
        AclCategory group = AclCategory.named(spec.group());
        if (group != null) {
            bits |= group.bit();
        }
        if (flags.contains("write")) {
            bits |= AclCategory.WRITE.bit();
        }
        if (flags.contains("readonly") && (bits & AclCategory.SCRIPTING.bit()) == 0) {
            bits |= AclCategory.READ.bit();
        }
        if (flags.contains("admin")) {
            bits |= AclCategory.ADMIN.bit() | AclCategory.DANGEROUS.bit();
        }
        if (flags.contains("pubsub")) {
            bits |= AclCategory.PUBSUB.bit();
        }
        if (flags.contains("fast")) {
            bits |= AclCategory.FAST.bit();
        }
        if (flags.contains("blocking")) {
            bits |= AclCategory.BLOCKING.bit();
        }
        if ((bits & AclCategory.FAST.bit()) == 0) {
            bits |= AclCategory.SLOW.bit();
        }
        return bits;
    }

    private static List<RedisMessage> map(RedisMessage message) {
        return ((Resp3Replies.MapReply) message).keysAndValues();
    }

    private static List<String> texts(RedisMessage aggregate) {
        List<String> out = new ArrayList<>();
        for (RedisMessage m : CommandMetadata.members(aggregate)) {
            out.add(Resp3Text.text(m));
        }
        return out;
    }

    private static int number(List<RedisMessage> map, String key) {
        return number(CommandMetadata.field(map, key));
    }

    private static int number(RedisMessage integer) {
        return (int) ((IntegerRedisMessage) integer).value();
    }
}
