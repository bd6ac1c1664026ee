package io.percore.demo.command;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.percore.demo.acl.AclCategory;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.Resp3Text;
import io.percore.demo.resp.RespReplies;

/**
 * What Redis 7.0.15 publishes about each of its commands: the COMMAND INFO entry (arity, flags,
 * first/last key and step, ACL categories, tips, key specifications, subcommands) and the COMMAND
 * DOCS entry (summary, since, group, complexity, history, arguments, subcommands), as
 * redis-server 7.0.15 answers them ({@code redis-commands.resp3}, recorded by
 * {@code CommandMetadataRecorder}; {@code CommandMetadataTest} checks the recording against a
 * running redis-server and the command table against the recording).
 *
 * <p>COMMAND answers from here for the commands of the table; a container lists only the
 * subcommands the table has. Immutable after loading, so every shard may read it.
 */
public final class CommandMetadata {

    private static final String RESOURCE = "redis-commands.resp3";
    private static volatile CommandMetadata redis7;

    /** name (lower case) → COMMAND INFO entry; includes subcommands ({@code client|list}). */
    private final Map<String, ArrayRedisMessage> infos = new HashMap<>();
    /** The top-level COMMAND INFO entries in the recording's order (the ACL catalog's order). */
    private final List<ArrayRedisMessage> topLevel = new ArrayList<>();
    /** name (lower case) → COMMAND DOCS map (as its key/value list); includes subcommands. */
    private final Map<String, List<RedisMessage>> docs = new HashMap<>();

    private CommandMetadata(Resp3Replies.MapReply recorded) {
        List<RedisMessage> items = recorded.keysAndValues();
        for (int i = 0; i < items.size(); i += 2) {
            List<RedisMessage> infoAndDocs = ((ArrayRedisMessage) items.get(i + 1)).children();
            addInfo((ArrayRedisMessage) infoAndDocs.get(0));
            topLevel.add((ArrayRedisMessage) infoAndDocs.get(0));
            addDocs(Resp3Text.text(items.get(i)), (Resp3Replies.MapReply) infoAndDocs.get(1));
        }
    }

    private void addInfo(ArrayRedisMessage info) {
        infos.put(Resp3Text.text(info.children().get(0)), info);
        for (RedisMessage sub : members(info.children().get(9))) {
            addInfo((ArrayRedisMessage) sub);
        }
    }

    private void addDocs(String name, Resp3Replies.MapReply entry) {
        docs.put(name, entry.keysAndValues());
        RedisMessage subs = field(entry.keysAndValues(), "subcommands");
        if (subs instanceof Resp3Replies.MapReply map) {
            List<RedisMessage> items = map.keysAndValues();
            for (int i = 0; i < items.size(); i += 2) {
                addDocs(Resp3Text.text(items.get(i)), (Resp3Replies.MapReply) items.get(i + 1));
            }
        }
    }

    /** Redis 7.0.15's metadata, loaded once from the class path. */
    public static CommandMetadata redis7() {
        CommandMetadata m = redis7;
        if (m == null) {
            synchronized (CommandMetadata.class) {
                m = redis7;
                if (m == null) {
                    redis7 = m = load();
                }
            }
        }
        return m;
    }

    private static CommandMetadata load() {
        try (InputStream in = CommandMetadata.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new CommandMetadata((Resp3Replies.MapReply) Resp3Text.read(new BufferedInputStream(in)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Redis's commands (not their subcommands), as recorded: each COMMAND INFO entry with its subcommands'. */
    List<ArrayRedisMessage> recordedTopLevel() {
        return topLevel;
    }

    /** Whether Redis has a command (or subcommand, {@code client|list}) of that full name. */
    public boolean knows(String fullName) {
        return infos.containsKey(fullName.toLowerCase(Locale.ROOT));
    }

    /** Redis's COMMAND INFO entry of {@code fullName}, or null. */
    public ArrayRedisMessage recordedInfo(String fullName) {
        return infos.get(fullName.toLowerCase(Locale.ROOT));
    }

    /**
     * The COMMAND INFO entry of command {@code id} of {@code table}: Redis's, with only the
     * subcommands the table has; built from the table's own row for a command Redis does not have.
     */
    public RedisMessage info(CommandTable table, int id) {
        return fresh(sharedInfo(table, id));
    }

    private RedisMessage sharedInfo(CommandTable table, int id) {
        ArrayRedisMessage recorded = infos.get(table.fullName(id));
        if (recorded == null) {
            return fromTable(table, id);
        }
        if (table.fullName(id).indexOf('|') >= 0) {
            return recorded;
        }
        List<String> ours = subcommandNames(table, id);
        List<RedisMessage> subs = new ArrayList<>();
        for (RedisMessage sub : members(recorded.children().get(9))) {
            if (ours.remove(Resp3Text.text(((ArrayRedisMessage) sub).children().get(0)))) {
                subs.add(sub); // in Redis's order
            }
        }
        for (String name : ours) {
            subs.add(fromTable(table, table.findSubcommand(id, name.substring(name.indexOf('|') + 1).getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        }
        List<RedisMessage> children = new ArrayList<>(recorded.children());
        children.set(9, rebuild(children.get(9), subs));
        return new ArrayRedisMessage(children);
    }

    private static List<String> subcommandNames(CommandTable table, int id) {
        List<String> names = new ArrayList<>();
        for (CommandSpec sub : table.subcommands(table.spec(id))) {
            names.add(table.fullName(table.idOf(sub)));
        }
        return names;
    }

    /**
     * The COMMAND DOCS entry (a map) of command {@code id}: Redis's, with only the subcommands the
     * table has; the table's summary and group for a command Redis does not have.
     */
    public RedisMessage docs(CommandTable table, int id) {
        return fresh(sharedDocs(table, id));
    }

    private RedisMessage sharedDocs(CommandTable table, int id) {
        List<RedisMessage> recorded = docs.get(table.fullName(id));
        if (recorded == null) {
            CommandSpec spec = table.spec(id);
            return new Resp3Replies.MapReply(List.of(RespReplies.bulk("summary"), RespReplies.bulk(spec.summary()),
                    RespReplies.bulk("since"), RespReplies.bulk("1.0.0"), RespReplies.bulk("group"), RespReplies.bulk(spec.group())));
        }
        List<RedisMessage> out = new ArrayList<>(recorded.size());
        for (int i = 0; i < recorded.size(); i += 2) {
            if ("subcommands".equals(Resp3Text.text(recorded.get(i)))) {
                List<String> ours = subcommandNames(table, id);
                List<RedisMessage> subs = new ArrayList<>();
                List<RedisMessage> theirs = ((Resp3Replies.MapReply) recorded.get(i + 1)).keysAndValues();
                for (int j = 0; j < theirs.size(); j += 2) {
                    if (ours.contains(Resp3Text.text(theirs.get(j)))) {
                        subs.add(theirs.get(j));
                        subs.add(theirs.get(j + 1));
                    }
                }
                if (!subs.isEmpty()) {
                    out.add(recorded.get(i));
                    out.add(new Resp3Replies.MapReply(subs));
                }
                continue;
            }
            out.add(recorded.get(i));
            out.add(recorded.get(i + 1));
        }
        return new Resp3Replies.MapReply(out);
    }

    /** The group COMMAND DOCS gives Redis's command {@code fullName} ({@code string}, {@code server}, ...), or "". */
    String recordedGroup(String fullName) {
        return docText(fullName, "group");
    }

    /** The summary COMMAND DOCS gives Redis's command {@code fullName}, or "". */
    String recordedSummary(String fullName) {
        return docText(fullName, "summary");
    }

    private String docText(String fullName, String field) {
        List<RedisMessage> entry = docs.get(fullName.toLowerCase(Locale.ROOT));
        RedisMessage value = entry == null ? null : field(entry, field);
        return value == null ? "" : Resp3Text.text(value);
    }

    /** Redis's COMMAND INFO flags of {@code fullName} ({@code write}, {@code denyoom}, ...), or null. */
    public List<String> flags(String fullName) {
        ArrayRedisMessage recorded = infos.get(fullName.toLowerCase(Locale.ROOT));
        if (recorded == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (RedisMessage flag : members(recorded.children().get(2))) {
            out.add(Resp3Text.text(flag));
        }
        return out;
    }

    private static RedisMessage fromTable(CommandTable table, int id) {
        CommandSpec spec = table.spec(id);
        List<RedisMessage> flags = new ArrayList<>();
        for (String flag : spec.flags()) {
            if (flag.equals("may_replicate") || flag.equals("protected")) {
                continue; // hidden by COMMAND INFO, as in Redis
            }
            flags.add(new SimpleStringRedisMessage(flag));
        }
        return new ArrayRedisMessage(List.of(
                RespReplies.bulk(table.fullName(id)),
                RespReplies.integer(spec.arity()),
                new Resp3Replies.SetReply(flags),
                RespReplies.integer(spec.firstKey()),
                RespReplies.integer(spec.lastKey()),
                RespReplies.integer(spec.step()),
                new Resp3Replies.SetReply(categories(table.command(id).categories())),
                new Resp3Replies.SetReply(List.of()),
                new Resp3Replies.SetReply(List.of()),
                new Resp3Replies.SetReply(List.of())));
    }

    /** Categories as COMMAND INFO gives them: {@code @name} in Redis's order. */
    private static List<RedisMessage> categories(long bits) {
        List<RedisMessage> out = new ArrayList<>();
        for (AclCategory category : AclCategory.values()) {
            if ((bits & category.bit()) != 0) {
                out.add(new SimpleStringRedisMessage("@" + category.redisName()));
            }
        }
        return out;
    }

    /**
     * A copy whose arrays are new: a reply is released once written, and Netty's arrays release
     * their children, so the recorded trees themselves must never be sent. Strings and integers
     * are immutable and not reference counted, so they are shared.
     */
    static RedisMessage fresh(RedisMessage message) {
        if (message instanceof ArrayRedisMessage array) {
            if (array.isNull() || array.children().isEmpty()) {
                return array.isNull() ? ArrayRedisMessage.NULL_INSTANCE : ArrayRedisMessage.EMPTY_INSTANCE;
            }
            return new ArrayRedisMessage(freshAll(array.children()));
        }
        if (message instanceof Resp3Replies.MapReply map) {
            return new Resp3Replies.MapReply(freshAll(map.keysAndValues()));
        }
        if (message instanceof Resp3Replies.SetReply set) {
            return new Resp3Replies.SetReply(freshAll(set.members()));
        }
        return message;
    }

    private static List<RedisMessage> freshAll(List<RedisMessage> items) {
        List<RedisMessage> out = new ArrayList<>(items.size());
        for (RedisMessage item : items) {
            out.add(fresh(item));
        }
        return out;
    }

    public static List<RedisMessage> members(RedisMessage aggregate) {
        if (aggregate instanceof Resp3Replies.SetReply set) {
            return set.members();
        }
        if (aggregate instanceof ArrayRedisMessage array) {
            return array.children();
        }
        throw new IllegalArgumentException("not a set or array: " + aggregate);
    }

    /** An aggregate of the same RESP3 type as {@code like} holding {@code members}. */
    private static RedisMessage rebuild(RedisMessage like, List<RedisMessage> members) {
        return like instanceof Resp3Replies.SetReply ? new Resp3Replies.SetReply(members) : RespReplies.array(members);
    }

    static RedisMessage field(List<RedisMessage> keysAndValues, String key) {
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            if (key.equals(Resp3Text.text(keysAndValues.get(i)))) {
                return keysAndValues.get(i + 1);
            }
        }
        return null;
    }
}
