package io.percore.demo.admin;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.acl.AccessCheck;
import io.percore.demo.acl.AccessControl;
import io.percore.demo.acl.AclCategory;
import io.percore.demo.acl.AclCommand;
import io.percore.demo.acl.AclFile;
import io.percore.demo.acl.AclLog;
import io.percore.demo.acl.ChannelGrant;
import io.percore.demo.acl.CommandCatalog;
import io.percore.demo.acl.Denial;
import io.percore.demo.acl.User;
import io.percore.demo.acl.UserDetails;
import io.percore.demo.acl.UserIdentity;
import io.percore.demo.acl.UserRegistry;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.ServerShard;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ACL SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, DRYRUN, GENPASS, LOG, SAVE, LOAD and HELP
 * (Redis 7.0.15's {@code aclCommand}) over the server's {@link AccessControl}. The users are one registry
 * for every shard; what a change does to connections (closing those of a deleted or reloaded user, and a
 * user's subscribers whose channels were taken away) every shard does to its own, by message, before the
 * reply, as Redis has done it by the time it answers.
 */
public final class AclCommands {

    private AclCommands() {
    }

    private static AccessControl acl(CommandContext c) {
        return c.server().acl();
    }

    private static String text(byte[] arg) {
        return RespReplies.ascii(arg);
    }

    /**
     * A bulk reply of an ACL text: names, rules, patterns and log entries are binary (Redis's sds), held one
     * char per byte, so they go back byte for byte.
     */
    private static RedisMessage bulk(String text) {
        return RespReplies.bulk(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** ACL SETUSER username [rule ...]: all rules or none; a subscriber of the user whose channels went is closed. */
    public static void setuser(CommandContext c, byte[][] argv) {
        String name = text(argv[2]);
        if (!UserRegistry.validName(name)) {
            throw new RespError("ERR Usernames can't contain spaces or null characters");
        }
        List<String> rules = new ArrayList<>(argv.length - 3);
        for (int i = 3; i < argv.length; i++) {
            rules.add(text(argv[i]));
        }
        AccessControl acl = acl(c);
        UserRegistry.Change change = acl.users().setUser(name, rules, acl.allChannelsByDefault());
        ChannelGrant kept = change.revoked();
        if (kept == null) {
            c.reply(OK);
            return;
        }
        UserIdentity who = change.identity();
        long caller = c.connection().id();
        c.replyLater(everyShard(c.servers(), server -> server.clients().closeRevokedSubscribers(who, kept, caller)).map(n -> OK));
    }

    /** ACL DELUSER username [username ...]: how many were deleted; their connections close (the caller's after this reply). */
    public static void deluser(CommandContext c, byte[][] argv) {
        List<String> names = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            names.add(text(argv[i]));
        }
        List<UserIdentity> deleted = acl(c).users().deleteUsers(names);
        if (deleted.isEmpty()) {
            c.reply(integer(0));
            return;
        }
        closeClientsOf(c, deleted, integer(deleted.size()));
    }

    private static void closeClientsOf(CommandContext c, List<UserIdentity> ended, RedisMessage reply) {
        List<UserIdentity> gone = List.copyOf(ended);
        long caller = c.connection().id();
        c.replyLater(everyShard(c.servers(), server -> server.clients().closeClientsOf(gone, caller)).map(n -> reply));
    }

    private static ShardFuture<Integer> everyShard(Sharded<ServerShard> servers, java.util.function.ToIntFunction<ServerShard> work) {
        return servers.mapReduce(server -> work.applyAsInt(server), 0, Integer::sum);
    }

    /** ACL GETUSER username: flags, passwords, the root selector's commands, keys and channels, the other selectors; nil for none. */
    public static void getuser(CommandContext c, byte[][] argv) {
        UserIdentity who = acl(c).users().users().find(text(argv[2]));
        if (who == null) {
            c.reply(RespReplies.NIL);
            return;
        }
        UserDetails details = UserDetails.of(who.current());
        List<RedisMessage> map = new ArrayList<>();
        map.add(bulk("flags"));
        map.add(new Resp3Replies.SetReply(details.flags().stream().map(f -> (RedisMessage) bulk(f)).toList()));
        map.add(bulk("passwords"));
        map.add(RespReplies.array(details.passwords().stream().map(p -> (RedisMessage) bulk(p)).toList()));
        selector(map, details.root());
        map.add(bulk("selectors"));
        List<RedisMessage> selectors = new ArrayList<>();
        for (UserDetails.Selector s : details.selectors()) {
            List<RedisMessage> one = new ArrayList<>();
            selector(one, s);
            selectors.add(new Resp3Replies.MapReply(one));
        }
        map.add(RespReplies.array(selectors));
        c.reply(new Resp3Replies.MapReply(map));
    }

    private static void selector(List<RedisMessage> map, UserDetails.Selector s) {
        map.add(bulk("commands"));
        map.add(bulk(s.commands()));
        map.add(bulk("keys"));
        map.add(bulk(s.keys()));
        map.add(bulk("channels"));
        map.add(bulk(s.channels()));
    }

    /** ACL LIST: each user as {@code user <name> <rules>}, in the users' order. */
    public static void list(CommandContext c, byte[][] argv) {
        List<RedisMessage> out = new ArrayList<>();
        for (UserIdentity u : acl(c).users().users().all()) {
            out.add(bulk("user " + u.name() + " " + u.current().description()));
        }
        c.reply(RespReplies.array(out));
    }

    /** ACL USERS: the names. */
    public static void users(CommandContext c, byte[][] argv) {
        List<RedisMessage> out = new ArrayList<>();
        for (UserIdentity u : acl(c).users().users().all()) {
            out.add(bulk(u.name()));
        }
        c.reply(RespReplies.array(out));
    }

    /** ACL WHOAMI: the user the connection is logged in as. */
    public static void whoami(CommandContext c, byte[][] argv) {
        UserIdentity who = c.session().user;
        c.reply(who == null ? RespReplies.NIL : bulk(who.name()));
    }

    /** ACL CAT [category]: the categories, or the commands and subcommands of one. */
    public static void cat(CommandContext c, byte[][] argv) {
        if (argv.length > 3) {
            throw syntax(argv);
        }
        List<RedisMessage> out = new ArrayList<>();
        if (argv.length == 2) {
            for (AclCategory category : AclCategory.values()) {
                out.add(bulk(category.redisName()));
            }
            c.reply(RespReplies.array(out));
            return;
        }
        AclCategory category = AclCategory.named(text(argv[2]));
        if (category == null) {
            String asked = text(argv[2]);
            throw new RespError(RespReplies.sanitize("ERR Unknown category '" + (asked.length() > 128 ? asked.substring(0, 128) : asked) + "'"));
        }
        CommandCatalog catalog = acl(c).catalog();
        for (int top : catalog.topLevel()) {
            AclCommand cmd = catalog.command(top);
            if ((cmd.categories() & category.bit()) != 0) {
                out.add(bulk(cmd.fullName()));
            }
            for (int sub : cmd.subcommands()) {
                AclCommand s = catalog.command(sub);
                if ((s.categories() & category.bit()) != 0) {
                    out.add(bulk(s.fullName()));
                }
            }
        }
        c.reply(RespReplies.array(out));
    }

    /** Redis's {@code addReplySubcommandSyntaxError}. */
    private static RespError syntax(byte[][] argv) {
        String sub = text(argv[1]);
        return new RespError(RespReplies.sanitize("ERR unknown subcommand or wrong number of arguments for '"
                + (sub.length() > 128 ? sub.substring(0, 128) : sub) + "'. Try ACL HELP."));
    }

    /** ACL GENPASS [bits]: that many random bits (256 by default) as hex. */
    public static void genpass(CommandContext c, byte[][] argv) {
        if (argv.length > 3) {
            throw syntax(argv);
        }
        long bits = 256;
        if (argv.length == 3) {
            bits = RespNumbers.requireLong(argv[2]);
        }
        if (bits <= 0 || bits > 4096) {
            throw new RespError("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
        }
        c.reply(bulk(UserDetails.randomPassword((int) ((bits + 3) / 4))));
    }

    /** ACL LOG [count | RESET]: the newest entries (10 by default), or the log emptied. */
    public static void log(CommandContext c, byte[][] argv) {
        if (argv.length > 3) {
            throw syntax(argv);
        }
        AclLog log = acl(c).log();
        long count = 10;
        if (argv.length == 3) {
            if (text(argv[2]).equalsIgnoreCase("reset")) {
                log.reset();
                c.reply(OK);
                return;
            }
            count = Math.max(0, RespNumbers.requireLong(argv[2]));
        }
        long now = System.currentTimeMillis();
        List<RedisMessage> out = new ArrayList<>();
        for (AclLog.Entry e : log.newest(count)) {
            out.add(new Resp3Replies.MapReply(List.of(
                    bulk("count"), integer(e.count()),
                    bulk("reason"), bulk(e.reason()),
                    bulk("context"), bulk(e.context()),
                    bulk("object"), bulk(e.object()),
                    bulk("username"), bulk(e.username()),
                    bulk("age-seconds"), Resp3Replies.DoubleReply.of((double) (now - e.millis()) / 1000),
                    bulk("client-info"), bulk(e.clientInfo()))));
        }
        c.reply(RespReplies.array(out));
    }

    /** ACL DRYRUN username command [arg ...]: whether the user could run it, by the check the command path uses. */
    public static void dryrun(CommandContext c, byte[][] argv) {
        AccessControl acl = acl(c);
        UserIdentity who = acl.users().users().find(text(argv[2]));
        if (who == null) {
            throw new RespError(RespReplies.sanitize("ERR User '" + cString(text(argv[2])) + "' not found"));
        }
        byte[][] call = Arrays.copyOfRange(argv, 3, argv.length);
        int id = acl.catalog().lookupAny(call);
        if (id < 0) {
            throw new RespError(RespReplies.sanitize("ERR Command '" + cString(text(argv[3])) + "' not found"));
        }
        AclCommand cmd = acl.catalog().command(id);
        if (!cmd.arityFits(call.length)) {
            throw RespReplies.wrongArgs(cmd.fullName());
        }
        User user = who.current();
        Denial denial = user.unrestricted() ? null : AccessCheck.check(user, cmd, call);
        c.reply(denial == null ? OK : bulk(denial.dryRunAnswer()));
    }

    /** ACL LOAD: the ACL file's users replace every user, or, with a bad line, nothing changes. */
    public static void load(CommandContext c, byte[][] argv) {
        AccessControl acl = acl(c);
        if (acl.file() == null) {
            throw noFile();
        }
        List<UserIdentity> ended;
        try {
            ended = acl.load();
        } catch (AclFile.Invalid e) {
            throw new RespError("ERR " + e.getMessage());
        }
        closeClientsOf(c, ended, OK);
    }

    /** ACL SAVE: the users written to the ACL file. */
    public static void save(CommandContext c, byte[][] argv) {
        AccessControl acl = acl(c);
        if (acl.file() == null) {
            throw noFile();
        }
        try {
            acl.save();
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(AclCommands.class).warn("ACL SAVE could not write {}", acl.file(), e);
            throw new RespError("ERR There was an error trying to save the ACLs. Please check the server logs for more information");
        }
        c.reply(OK);
    }

    private static RespError noFile() {
        return new RespError("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the"
                + " ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order"
                + " to store users in the Redis configuration.");
    }

    public static void help(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0],
                "CAT [<category>]",
                "    List all commands that belong to <category>, or all command categories",
                "    when no category is specified.",
                "DELUSER <username> [<username> ...]",
                "    Delete a list of users.",
                "DRYRUN <username> <command> [<arg> ...]",
                "    Returns whether the user can execute the given command without executing the command.",
                "GETUSER <username>",
                "    Get the user's details.",
                "GENPASS [<bits>]",
                "    Generate a secure 256-bit user password. The optional `bits` argument can",
                "    be used to specify a different size.",
                "LIST",
                "    Show users details in config file format.",
                "LOAD",
                "    Reload users from the ACL file.",
                "LOG [<count> | RESET]",
                "    Show the ACL log entries.",
                "SAVE",
                "    Save the current config to the ACL file.",
                "SETUSER <username> <attribute> [<attribute> ...]",
                "    Create or modify a user with the specified attributes.",
                "USERS",
                "    List all the registered usernames.",
                "WHOAMI",
                "    Return the current connection username."));
    }

    private static String cString(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }
}
