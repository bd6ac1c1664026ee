package io.percore.demo.admin;

import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.acl.AclCategory;
import io.percore.demo.kv.GlobPattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandKeys;
import io.percore.demo.command.CommandMetadata;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;

/**
 * COMMAND and its subcommands (Redis's {@code commandCommand} family in {@code server.c}) for the
 * commands of this server's table, with Redis 7.0.15's metadata ({@link CommandMetadata}): COUNT,
 * LIST [FILTERBY MODULE|ACLCAT|PATTERN], INFO, DOCS, HELP.
 */
public final class CommandCommands {

    private CommandCommands() {
    }

    /** COMMAND: every command's INFO entry. */
    public static void all(CommandContext c, byte[][] argv) {
        CommandTable table = c.commands();
        List<RedisMessage> out = new ArrayList<>();
        for (CommandSpec spec : table.all()) {
            out.add(CommandMetadata.redis7().info(table, table.idOf(spec)));
        }
        c.reply(RespReplies.array(out));
    }

    public static void help(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0],
                "(no subcommand)",
                "    Return details about all Redis commands.",
                "COUNT",
                "    Return the total number of commands in this Redis server.",
                "LIST",
                "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]",
                "    Return details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "DOCS [<command-name> ...]",
                "    Return documentation details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "GETKEYS <full-command>",
                "    Return the keys from a full Redis command.",
                "GETKEYSANDFLAGS <full-command>",
                "    Return the keys and the access flags from a full Redis command."));
    }

    public static void count(CommandContext c, byte[][] argv) {
        c.reply(integer(c.commands().all().size()));
    }

    /** COMMAND LIST [FILTERBY (MODULE name | ACLCAT category | PATTERN pattern)]: full names, subcommands after their container. */
    public static void list(CommandContext c, byte[][] argv) {
        CommandTable table = c.commands();
        String filter = null;
        String arg = null;
        for (int i = 2; i < argv.length; i++) {
            int more = argv.length - 1 - i;
            if (RespReplies.ascii(argv[i]).equalsIgnoreCase("filterby") && more == 2) {
                filter = RespReplies.ascii(argv[i + 1]).toLowerCase(Locale.ROOT);
                if (!filter.equals("module") && !filter.equals("aclcat") && !filter.equals("pattern")) {
                    throw new RespError(RespReplies.SYNTAX_ERROR);
                }
                arg = RespReplies.ascii(argv[i + 2]);
                i += 2;
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        GlobPattern pattern = "pattern".equals(filter)
                ? new GlobPattern(arg.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1)) : null;
        // an unknown category lists nothing, as Redis's
        AclCategory category = "aclcat".equals(filter) ? AclCategory.named(arg) : null;
        if ("aclcat".equals(filter) && category == null) {
            c.reply(ArrayRedisMessage.EMPTY_INSTANCE);
            return;
        }
        List<RedisMessage> names = new ArrayList<>();
        for (CommandSpec spec : table.all()) {
            int id = table.idOf(spec);
            addListed(table, id, filter, pattern, category, names);
            for (CommandSpec sub : table.subcommands(spec)) {
                addListed(table, table.idOf(sub), filter, pattern, category, names);
            }
        }
        c.reply(RespReplies.array(names));
    }

    private static void addListed(CommandTable table, int id, String filter, GlobPattern pattern,
                                  AclCategory category, List<RedisMessage> names) {
        String name = table.fullName(id);
        boolean listed = filter == null
                || (pattern != null && pattern.matches(name.getBytes(StandardCharsets.US_ASCII)))
                || (category != null && (table.command(id).categories() & category.bit()) != 0);
        // FILTERBY MODULE: no command here comes from a module
        if (listed) {
            names.add(bulk(name));
        }
    }

    /** COMMAND INFO [name ...]: an entry per name ({@code container|sub} too), nil for an unknown one; all without names. */
    public static void info(CommandContext c, byte[][] argv) {
        CommandTable table = c.commands();
        CommandMetadata metadata = CommandMetadata.redis7();
        List<RedisMessage> out = new ArrayList<>();
        if (argv.length == 2) {
            for (CommandSpec spec : table.all()) {
                out.add(metadata.info(table, table.idOf(spec)));
            }
        }
        for (int i = 2; i < argv.length; i++) {
            int id = table.runningNamed(argv[i]);
            out.add(id < 0 ? ArrayRedisMessage.NULL_INSTANCE : metadata.info(table, id));
        }
        c.reply(RespReplies.array(out));
    }

    /** COMMAND DOCS [name ...]: a map of name → docs; unknown names are left out. */
    public static void docs(CommandContext c, byte[][] argv) {
        CommandTable table = c.commands();
        CommandMetadata metadata = CommandMetadata.redis7();
        List<RedisMessage> out = new ArrayList<>();
        if (argv.length == 2) {
            for (CommandSpec spec : table.all()) {
                int id = table.idOf(spec);
                out.add(bulk(table.fullName(id)));
                out.add(metadata.docs(table, id));
            }
        }
        for (int i = 2; i < argv.length; i++) {
            int id = table.runningNamed(argv[i]);
            if (id >= 0) {
                out.add(bulk(table.fullName(id)));
                out.add(metadata.docs(table, id));
            }
        }
        c.reply(new Resp3Replies.MapReply(out));
    }

    public static void getkeys(CommandContext c, byte[][] argv) {
        keys(c, argv, false);
    }

    public static void getkeysandflags(CommandContext c, byte[][] argv) {
        keys(c, argv, true);
    }

    /**
     * COMMAND GETKEYS / GETKEYSANDFLAGS command [arg ...] (Redis's getKeysSubcommandImpl): where the
     * call's keys are as Redis's key specifications find them ({@link CommandKeys}), with their flags.
     */
    private static void keys(CommandContext c, byte[][] argv, boolean withFlags) {
        CommandTable table = c.commands();
        byte[][] call = java.util.Arrays.copyOfRange(argv, 2, argv.length);
        int id = table.lookup(call);
        if (id < 0) {
            throw new RespError("ERR Invalid command specified");
        }
        if (!CommandKeys.hasKeys(table, id)) {
            throw new RespError("ERR The command has no key arguments");
        }
        CommandSpec spec = table.spec(id);
        if (!table.arityFits(id, call.length)) {
            throw new RespError("ERR Invalid number of arguments specified for command");
        }
        List<CommandKeys.Key> specified = CommandKeys.keys(table, id, call);
        if (specified.isEmpty()) {
            if (spec.flags().contains("no_mandatory_keys")) {
                c.reply(ArrayRedisMessage.EMPTY_INSTANCE);
                return;
            }
            throw new RespError("ERR Invalid arguments specified for command");
        }
        List<RedisMessage> out = new ArrayList<>(specified.size());
        for (CommandKeys.Key key : specified) {
            if (!withFlags) {
                out.add(bulk(call[key.position()]));
                continue;
            }
            List<RedisMessage> flags = new ArrayList<>();
            for (String flag : key.flags()) {
                flags.add(new io.netty.handler.codec.redis.SimpleStringRedisMessage(flag));
            }
            out.add(new ArrayRedisMessage(List.of(bulk(call[key.position()]), new Resp3Replies.SetReply(flags))));
        }
        c.reply(RespReplies.array(out));
    }
}
