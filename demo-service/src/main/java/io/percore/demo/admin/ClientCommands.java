package io.percore.demo.admin;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.shard.BlockedClients;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.server.ClientFilter;
import io.percore.demo.server.ClientPause;
import io.percore.demo.server.ClientRegistry;
import io.percore.demo.resp.RespReplies;

/**
 * CLIENT's subcommands, MONITOR and RESET (Redis's {@code networking.c}): what a client changes
 * about its own connection runs on its shard; what spans clients (LIST, KILL, PAUSE, UNPAUSE, UNBLOCK)
 * asks every shard's {@link ClientRegistry} or {@link ClientPause} through the keyspace.
 */
public final class ClientCommands {

    private ClientCommands() {
    }

    public static void help(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0],
                "CACHING (YES|NO)",
                "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
                "GETREDIR",
                "    Return the client ID we are redirecting to when tracking is enabled.",
                "GETNAME",
                "    Return the name of the current connection.",
                "ID",
                "    Return the ID of the current connection.",
                "INFO",
                "    Return information about the current client connection.",
                "KILL <ip:port>",
                "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]",
                "    Kill connections. Options are:",
                "    * ID <client-id>",
                "      Kill connections by client id.",
                "    * ADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made from the specified address",
                "    * LADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made to specified local address",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Kill connections by type.",
                "    * USER <username>",
                "      Kill connections authenticated by <username>.",
                "    * SKIPME (YES|NO)",
                "      Skip killing current connection (default: yes).",
                "    * MAXAGE <maxage>",
                "      Kill connections older than the specified age.",
                "LIST [options ...]",
                "    Return information about client connections. Options:",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Return clients of specified type.",
                "    * ID <client-id> [<client-id> ...]",
                "      Return clients of the given ids.",
                "UNPAUSE",
                "    Stop the current client pause, resuming traffic.",
                "PAUSE <timeout> [WRITE|ALL]",
                "    Suspend all, or just write, clients for <timeout> milliseconds.",
                "REPLY (ON|OFF|SKIP)",
                "    Control the replies sent to the current connection.",
                "SETNAME <name>",
                "    Assign the name <name> to the current connection.",
                "SETINFO <LIB-NAME|LIB-VER> <value>",
                "    Set client meta attr. Options are:",
                "    * LIB-NAME: the client lib name.",
                "    * LIB-VER: the client lib version.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                "    Unblock the specified blocked client.",
                "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                "         [OPTIN] [OPTOUT] [NOLOOP]",
                "    Control server assisted client side caching.",
                "TRACKINGINFO",
                "    Report tracking status for the current connection.",
                "NO-EVICT (ON|OFF)",
                "    Protect current client connection from eviction."));
    }

    /**
     * CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends the blocking command client {@code id} waits in, as
     * if it timed out or with Redis's UNBLOCKED error; 1 if it was waiting, else 0. Client ids are
     * unique across shards, so every shard is asked and at most one says yes.
     */
    public static void unblock(CommandContext c, byte[][] argv) {
        if (argv.length > 4) {
            throw new RespError("ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.");
        }
        RedisMessage reply = BlockedClients.TIMED_OUT;
        if (argv.length == 4) {
            String reason = RespReplies.ascii(argv[3]);
            if (reason.equalsIgnoreCase("error")) {
                reply = UNBLOCKED;
            } else if (!reason.equalsIgnoreCase("timeout")) {
                throw new RespError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            }
        }
        long id = RespNumbers.requireLong(argv[2]);
        RedisMessage answer = reply;
        // each shard asked outside a unit of its write path (invokeOnAsync, not mapReduce): answering the
        // client runs the commands it sent after the blocking one, each of which must be its own unit
        Keyspace keyspace = c.keyspace();
        ShardFuture<Long> unblocked = ShardFuture.completed(0L);
        for (int shard = 0; shard < keyspace.shardCount(); shard++) {
            ShardFuture<Long> one = keyspace.invokeOnAsync(shard,
                    st -> ShardFuture.completed(st.blockedClients().unblock(id, answer) ? 1L : 0L));
            unblocked = unblocked.flatMap(n -> one.map(x -> n + x));
        }
        c.replyLater(unblocked.map(RespReplies::integer));
    }

    /** What a client unblocked with CLIENT UNBLOCK ... ERROR reads: an error of its own kind, not ERR. */
    private static final RedisMessage UNBLOCKED = new ErrorRedisMessage("UNBLOCKED client unblocked via CLIENT UNBLOCK");

    public static void id(CommandContext c, byte[][] argv) {
        c.reply(integer(c.connection().id()));
    }

    public static void getname(CommandContext c, byte[][] argv) {
        String name = c.session().name;
        c.reply(name == null ? RespReplies.NIL : bulk(name));
    }

    public static void setname(CommandContext c, byte[][] argv) {
        c.session().name = argv[2].length == 0 ? null : validName(argv[2]);
        c.reply(OK);
    }

    /** Redis's clientSetName: names are printable ASCII without spaces, so CLIENT LIST stays splittable. */
    static String validName(byte[] name) {
        for (byte b : name) {
            if (b < '!' || b > '~') {
                throw new RespError("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
        return new String(name, StandardCharsets.US_ASCII);
    }

    /** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; clients such as Jedis 5 send it when they connect). */
    public static void setinfo(CommandContext c, byte[][] argv) {
        String attr = RespReplies.ascii(argv[2]).toLowerCase(Locale.ROOT);
        for (byte b : argv[3]) {
            if (b < '!' || b > '~') {
                throw new RespError("ERR " + attr + " cannot contain spaces, newlines or special characters.");
            }
        }
        String value = new String(argv[3], StandardCharsets.US_ASCII);
        switch (attr) {
            case "lib-name" -> c.session().libName = value;
            case "lib-ver" -> c.session().libVersion = value;
            default -> throw new RespError("ERR Unrecognized option '" + RespReplies.sanitize(RespReplies.ascii(argv[2])) + "'");
        }
        c.reply(OK);
    }

    public static void info(CommandContext c, byte[][] argv) {
        c.reply(new Resp3Replies.VerbatimReply("txt", c.connection().info() + "\n"));
    }

    /** CLIENT LIST [TYPE type | ID id [id ...]]: every shard's clients, in id (connection) order. */
    public static void list(CommandContext c, byte[][] argv) {
        if (argv.length == 4 && RespReplies.ascii(argv[2]).equalsIgnoreCase("type")) {
            String type = ClientFilter.typeByName(RespReplies.ascii(argv[3]));
            if (type == null) {
                throw new RespError("ERR Unknown client type '" + RespReplies.sanitize(RespReplies.ascii(argv[3])) + "'");
            }
            listed(c, new ClientFilter(type, null, null, null, null, 0), null);
        } else if (argv.length > 3 && RespReplies.ascii(argv[2]).equalsIgnoreCase("id")) {
            List<Long> ids = new ArrayList<>(argv.length - 3);
            for (int j = 3; j < argv.length; j++) {
                if (!RespNumbers.isLong(argv[j])) {
                    throw new RespError("ERR Invalid client ID");
                }
                ids.add(RespNumbers.parseLong(argv[j]));
            }
            listed(c, new ClientFilter(ClientFilter.ANY_TYPE, new LinkedHashSet<>(ids), null, null, null, 0), ids);
        } else if (argv.length != 2) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        } else {
            listed(c, ClientFilter.all(), null);
        }
    }

    /** Gathers the lines from every shard; in id order, or in the order of {@code ids} (repeats kept) when given. */
    private static void listed(CommandContext c, ClientFilter filter, List<Long> ids) {
        c.replyLater(c.servers().mapReduce(st -> st.clients().list(filter), List.<ClientRegistry.Line>of(), ClientCommands::concat)
                .map(lines -> {
                    StringBuilder out = new StringBuilder(lines.size() * 320);
                    if (ids == null) {
                        lines.stream().sorted(java.util.Comparator.comparingLong(ClientRegistry.Line::id))
                                .forEach(l -> out.append(l.text()).append('\n'));
                    } else {
                        Map<Long, String> byId = new HashMap<>();
                        lines.forEach(l -> byId.put(l.id(), l.text()));
                        for (long id : ids) {
                            String text = byId.get(id);
                            if (text != null) {
                                out.append(text).append('\n');
                            }
                        }
                    }
                    return new Resp3Replies.VerbatimReply("txt", out.toString());
                }));
    }

    /**
     * CLIENT KILL addr:port (old form: OK or -ERR No such client, and the caller may kill itself) or
     * CLIENT KILL option value ... (ID, ADDR, LADDR, TYPE, USER, SKIPME, and MAXAGE from Redis 7.4): how many.
     * Each shard closes its own clients; the caller, when it is one of them, closes after this reply.
     */
    public static void kill(CommandContext c, byte[][] argv) {
        boolean oldForm = argv.length == 3;
        String addr = null;
        String laddr = null;
        String type = ClientFilter.ANY_TYPE;
        Set<Long> ids = null;
        io.percore.demo.acl.UserIdentity user = null;
        long maxAge = 0;
        boolean skipMe = true;
        if (oldForm) {
            addr = RespReplies.ascii(argv[2]);
            skipMe = false;
        } else {
            for (int i = 2; i < argv.length; i += 2) {
                boolean moreArgs = argv.length > i + 1;
                String opt = RespReplies.ascii(argv[i]).toLowerCase(Locale.ROOT);
                if (!moreArgs) {
                    throw new RespError(RespReplies.SYNTAX_ERROR);
                }
                String value = RespReplies.ascii(argv[i + 1]);
                switch (opt) {
                    case "id" -> {
                        long id = RespNumbers.isLong(argv[i + 1]) ? RespNumbers.parseLong(argv[i + 1]) : 0;
                        if (id < 1) {
                            throw new RespError("ERR client-id should be greater than 0");
                        }
                        ids = Set.of(id);
                    }
                    case "type" -> {
                        type = ClientFilter.typeByName(value);
                        if (type == null) {
                            throw new RespError("ERR Unknown client type '" + RespReplies.sanitize(value) + "'");
                        }
                    }
                    case "addr" -> addr = value;
                    case "laddr" -> laddr = value;
                    case "user" -> {
                        user = c.server().acl().users().users().find(value);
                        if (user == null) {
                            throw new RespError("ERR No such user '" + RespReplies.sanitize(value) + "'");
                        }
                    }
                    case "skipme" -> {
                        if (value.equalsIgnoreCase("yes")) {
                            skipMe = true;
                        } else if (value.equalsIgnoreCase("no")) {
                            skipMe = false;
                        } else {
                            throw new RespError(RespReplies.SYNTAX_ERROR);
                        }
                    }
                    case "maxage" -> {
                        maxAge = RespNumbers.requireLong(argv[i + 1]);
                    }
                    default -> throw new RespError(RespReplies.SYNTAX_ERROR);
                }
            }
        }
        ClientFilter filter = new ClientFilter(type, ids, addr, laddr, user, maxAge);
        long caller = c.connection().id();
        boolean skip = skipMe;
        c.replyLater(c.servers().mapReduce(st -> st.clients().kill(filter, caller, skip), 0, Integer::sum).map(killed -> {
            if (!oldForm) {
                return integer(killed);
            }
            return killed == 0 ? RespReplies.error("ERR No such client") : OK;
        }));
    }

    /** CLIENT REPLY ON|OFF|SKIP: OFF and SKIP are not answered (their own reply is the first one silenced). */
    public static void reply(CommandContext c, byte[][] argv) {
        String mode = RespReplies.ascii(argv[2]).toLowerCase(Locale.ROOT);
        switch (mode) {
            case "on" -> {
                c.connection().replyMode(mode);
                c.reply(OK);
            }
            case "off", "skip" -> c.connection().replyMode(mode);
            default -> throw new RespError(RespReplies.SYNTAX_ERROR);
        }
    }

    public static void noEvict(CommandContext c, byte[][] argv) {
        String mode = RespReplies.ascii(argv[2]);
        if (mode.equalsIgnoreCase("on")) {
            c.connection().noEvict(true);
        } else if (mode.equalsIgnoreCase("off")) {
            c.connection().noEvict(false);
        } else {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        c.reply(OK);
    }

    /**
     * CLIENT PAUSE timeout [WRITE|ALL]: every shard holds its clients' commands (all, or those that
     * may write) until the timeout (milliseconds) or CLIENT UNPAUSE; the reply comes once every
     * shard is paused.
     */
    public static void pause(CommandContext c, byte[][] argv) {
        if (argv.length > 4) {
            throw new RespError("ERR unknown subcommand or wrong number of arguments for '"
                    + RespReplies.sanitize(RespReplies.ascii(argv[1])) + "'. Try CLIENT HELP.");
        }
        int mode = ClientPause.ALL;
        if (argv.length == 4) {
            String m = RespReplies.ascii(argv[3]);
            if (m.equalsIgnoreCase("write")) {
                mode = ClientPause.WRITE;
            } else if (!m.equalsIgnoreCase("all")) {
                throw new RespError("ERR CLIENT PAUSE mode must be WRITE or ALL");
            }
        }
        if (!RespNumbers.isLong(argv[2])) {
            throw new RespError("ERR timeout is not an integer or out of range");
        }
        long timeout = RespNumbers.parseLong(argv[2]);
        if (timeout < 0) {
            throw new RespError("ERR timeout is negative");
        }
        long now = System.currentTimeMillis();
        long end = timeout > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + timeout;
        int pauseMode = mode;
        c.replyLater(c.servers().mapReduce(st -> {
            st.pause().pause(pauseMode, end, io.percore.engine.Shard.current());
            return 1;
        }, 0, Integer::sum).map(n -> OK));
    }

    public static void unpause(CommandContext c, byte[][] argv) {
        c.replyLater(c.servers().mapReduce(st -> {
            st.pause().unpause();
            return 1;
        }, 0, Integer::sum).map(n -> OK));
    }

    /** MONITOR: OK, then one line per command run on any shard (none for this connection's later MONITOR). */
    public static void monitor(CommandContext c, byte[][] argv) {
        if (c.connection() != c) {
            // run by EXEC (whose context is not the connection itself): Redis refuses it there
            throw new RespError("ERR MONITOR isn't allowed for DENY BLOCKING client");
        }
        io.percore.engine.ShardFuture<Void> everyShard = c.connection().monitor();
        if (everyShard != null) {
            c.replyLater(everyShard.map(done -> OK));
        }
    }

    /** RESET: the connection as if new (see {@link ConnectionControl#reset()}); replies +RESET. */
    public static void reset(CommandContext c, byte[][] argv) {
        c.connection().reset();
        // Redis's clientSetDefaultAuth: the default user, logged in when it is on and nopass
        io.percore.demo.acl.UserRegistry users = c.server().acl().users();
        c.session().loggedIn(users.defaultUser(), !users.authRequired());
        c.reply(new SimpleStringRedisMessage("RESET"));
    }

    private static <E> List<E> concat(List<E> sofar, List<E> part) {
        List<E> all = new ArrayList<>(sofar.size() + part.size());
        all.addAll(sofar);
        all.addAll(part);
        return all;
    }
}
