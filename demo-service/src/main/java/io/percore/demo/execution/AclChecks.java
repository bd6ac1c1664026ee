package io.percore.demo.execution;

import io.percore.demo.acl.Denial;
import io.percore.demo.acl.User;
import io.percore.demo.acl.UserIdentity;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.ConnectionControl;
import io.percore.demo.resp.RespError;
import io.percore.demo.server.ServerShard;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;

/**
 * The ACL check of each caller of {@link CommandCall}, with Redis's words and ACL LOG context for it: a client's
 * command ({@code processCommand}: after authentication, before the subsystems' checks; {@code multi} while it
 * queues), a script's {@code redis.call} ({@code scriptCall}: the user of the client that ran the script,
 * {@code lua}), and each command EXEC runs ({@code execCommand}'s recheck: the ACL may have changed since it
 * was queued). A feed replayed (the append-only file, a primary's stream) is not checked, as Redis's
 * {@code mustObeyClient}. The user is read as it is now ({@link UserIdentity#current()}), so a rule ACL SETUSER
 * changed applies to a connection's next command; for a user allowed everything (the default user) the check is
 * that one field.
 */
public final class AclChecks {

    private AclChecks() {
    }

    /** Admission's {@code ACL} stage: {@code -NOPERM} for a client's command its user may not run. */
    public static RespError client(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        Denial denial = denial(c, c.session().user, id, argv);
        if (denial == null) {
            return null;
        }
        log(c, denial, c.session().user, c.session().inMulti() ? Denial.Context.MULTI : Denial.Context.TOPLEVEL);
        return new RespError(denial.topLevelError());
    }

    /** EXEC's recheck of queued command {@code id} (negative: a command run alone, checked when it was called). */
    public static RespError queued(CommandContext c, int id, byte[][] argv) {
        Denial denial = id < 0 ? null : denial(c, c.session().user, id, argv);
        if (denial == null) {
            return null;
        }
        log(c, denial, c.session().user, Denial.Context.MULTI);
        return new RespError(denial.execError());
    }

    /**
     * The one check of every caller: null when {@code who} (null: a replayed feed's, which may run anything) may run
     * command {@code id} with {@code argv}, else why not. The user is read as it is now; one field test for a user
     * allowed everything.
     */
    private static Denial denial(CommandContext c, UserIdentity who, int id, byte[][] argv) {
        if (who == null) {
            return null;
        }
        User user = who.current();
        return user.unrestricted() ? null : c.server().acl().check(user, id, argv);
    }

    private static void log(CommandContext c, Denial denial, UserIdentity who, Denial.Context context) {
        c.server().acl().log(denial, who.current().name(), context, c.connection().info());
    }

    /**
     * Who a script runs for, as its {@code redis.call}s are checked: the user of the client that sent the EVAL or
     * FCALL, and that client, for the ACL LOG's {@code client-info} (asked on the client's own shard).
     */
    public record ScriptCaller(UserIdentity user, ConnectionControl connection, int shard, Sharded<ServerShard> servers) {

        /** The caller of a script {@code c} sends; null user: a replayed feed's, which may run anything. */
        public static ScriptCaller of(CommandContext c) {
            UserIdentity user = c.session().user;
            return user == null ? null : new ScriptCaller(user, c.connection(), c.shard().id(), c.servers());
        }
    }

    /**
     * A script's {@code redis.call} of command {@code id} for {@code caller} (null: may run anything): Redis's
     * {@code scriptVerifyACL}, {@code ERR The user executing the script can't ...}; the ACL LOG's entry has the
     * {@code lua} context and the calling client's {@code client-info}, added on the client's shard when the
     * script runs on another.
     */
    public static RespError script(CommandContext c, ScriptCaller caller, int id, byte[][] argv) {
        Denial denial = caller == null ? null : denial(c, caller.user(), id, argv);
        if (denial == null) {
            return null;
        }
        String name = caller.user().current().name();
        if (Shard.current().id() == caller.shard()) {
            c.server().acl().log(denial, name, Denial.Context.LUA, caller.connection().info());
        } else {
            // the client is its shard's: its CLIENT LIST line is read there (ahead of the script's reply, on the same ring)
            caller.servers().invokeOn(caller.shard(), s -> {
                s.acl().log(denial, name, Denial.Context.LUA, caller.connection().info());
                return null;
            });
        }
        return new RespError("ERR " + denial.scriptError());
    }

    /** {@code redis.acl_check_cmd}: whether the script's caller may run command {@code id} with {@code argv}. */
    public static boolean allows(CommandContext c, ScriptCaller caller, int id, byte[][] argv) {
        return caller == null || denial(c, caller.user(), id, argv) == null;
    }
}
