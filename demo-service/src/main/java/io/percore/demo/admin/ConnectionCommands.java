package io.percore.demo.admin;

import io.percore.demo.command.CommandSpec;
import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.percore.demo.acl.AccessControl;
import io.percore.demo.acl.Denial;
import io.percore.demo.acl.UserIdentity;
import io.percore.demo.acl.UserRegistry;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.RespSession;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/** Commands about the connection itself (PING, ECHO, QUIT, SELECT, AUTH, HELLO; CLIENT is {@link ClientCommands}); they run on the connection's shard and touch no keys. */
public final class ConnectionCommands {

    static final String REDIS_VERSION = "7.0.15";

    private ConnectionCommands() {
    }

    /**
     * Admission's authentication (Redis's {@code authRequired}): {@code -NOAUTH} for every command but those
     * flagged {@code no_auth} from a connection not logged in, unless the default user is on and {@code nopass}.
     */
    public static RespError unauthenticated(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        return !c.session().authenticated && !spec.noAuth() && c.server().acl().users().authRequired()
                ? new RespError(RespReplies.NOAUTH) : null;
    }

    public static void ping(CommandContext c, byte[][] argv) {
        if (argv.length > 2) {
            throw RespReplies.wrongArgs("ping");
        }
        RespSession session = c.session();
        if (session.subscriptions != null && !session.resp3) {
            // a RESP2 subscriber gets PING's answer in the shape of a message, as from Redis
            c.reply(RespReplies.array(java.util.List.of(bulk("pong"), argv.length == 1 ? bulk(new byte[0]) : bulk(argv[1]))));
            return;
        }
        c.reply(argv.length == 1 ? RespReplies.PONG : bulk(argv[1]));
    }

    public static void echo(CommandContext c, byte[][] argv) {
        c.reply(bulk(argv[1]));
    }

    public static void quit(CommandContext c, byte[][] argv) {
        c.replyAndClose(OK);
    }

    /**
     * AUTH [username] password (Redis's {@code authCommand}): logs the connection in as the user, or, for a
     * wrong pair or a user that is off, answers {@code -WRONGPASS} and adds the failure to the ACL LOG.
     */
    public static void auth(CommandContext c, byte[][] argv) {
        if (argv.length > 3) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (argv.length == 2 && c.server().acl().users().defaultUser().current().nopass()) {
            throw new RespError("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
        }
        String user = argv.length == 3 ? RespReplies.ascii(argv[1]) : UserRegistry.DEFAULT;
        if (!logIn(c, user, argv[argv.length - 1], argv[0])) {
            throw new RespError(RespReplies.WRONGPASS);
        }
        c.reply(OK);
    }

    /**
     * Redis's {@code ACLAuthenticateUser}: the connection logged in as {@code user} when {@code password} is
     * one of its own (or it is {@code nopass}) and it is on; otherwise an {@code auth} entry in the ACL LOG,
     * naming the command ({@code command}, as sent) and the user tried.
     */
    private static boolean logIn(CommandContext c, String user, byte[] password, byte[] command) {
        AccessControl acl = c.server().acl();
        UserIdentity who = acl.users().authenticate(user, password);
        if (who == null) {
            // Redis's context is its CLIENT_MULTI flag, still set while EXEC runs what it queued (where blocking is denied)
            boolean inTransaction = c.session().inMulti() || !c.mayBlock();
            acl.logFailedLogin(user, RespReplies.ascii(command), inTransaction ? Denial.Context.MULTI : Denial.Context.TOPLEVEL,
                    c.connection().info());
            return false;
        }
        c.session().loggedIn(who, true);
        return true;
    }

    /**
     * HELLO [protover [AUTH username password] [SETNAME clientname]]: 2 or 3 switches the
     * connection's protocol (its reply is already in the new one), other versions get -NOPROTO;
     * without protover it only reports.
     */
    public static void hello(CommandContext c, byte[][] argv) {
        long version = -1;
        if (argv.length >= 2) {
            if (!RespNumbers.isLong(argv[1])) {
                throw new RespError("ERR Protocol version is not an integer or out of range");
            }
            version = RespNumbers.parseLong(argv[1]);
            if (version < 2 || version > 3) {
                throw new RespError("NOPROTO unsupported protocol version");
            }
        }
        // each option acts as it is read, as in Redis: a login stays when a later option is wrong
        for (int j = 2; j < argv.length; j++) {
            int moreArgs = argv.length - 1 - j;
            String opt = RespReplies.ascii(argv[j]);
            if (opt.equalsIgnoreCase("AUTH") && moreArgs >= 2) {
                if (!logIn(c, RespReplies.ascii(argv[j + 1]), argv[j + 2], argv[0])) {
                    throw new RespError(RespReplies.WRONGPASS);
                }
                j += 2;
            } else if (opt.equalsIgnoreCase("SETNAME") && moreArgs >= 1) {
                byte[] name = argv[++j];
                c.session().name = name.length == 0 ? null : ClientCommands.validName(name);
            } else {
                throw new RespError("ERR Syntax error in HELLO option '" + RespReplies.sanitize(opt) + "'");
            }
        }
        if (!c.session().authenticated) {
            throw new RespError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
                    + "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
                    + "protocol version at the same time");
        }
        if (version != -1) {
            c.session().resp3 = version == 3;
        }
        List<RedisMessage> map = new ArrayList<>();
        map.add(bulk("server"));
        map.add(bulk("redis"));
        map.add(bulk("version"));
        map.add(bulk(REDIS_VERSION));
        map.add(bulk("proto"));
        map.add(integer(c.session().resp3 ? 3 : 2));
        map.add(bulk("id"));
        map.add(integer(c.session().id()));
        map.add(bulk("mode"));
        map.add(bulk(c.server().cluster().enabled() ? "cluster" : "standalone"));
        map.add(bulk("role"));
        map.add(bulk("master"));
        map.add(bulk("modules"));
        map.add(ArrayRedisMessage.EMPTY_INSTANCE);
        c.reply(new Resp3Replies.MapReply(map));
    }

}
