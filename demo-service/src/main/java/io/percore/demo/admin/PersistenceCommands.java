package io.percore.demo.admin;

import io.percore.demo.execution.Admission;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.CommandSpec;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.ShardReservation;

/** SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF and SHUTDOWN (Redis's {@code rdb.c} and {@code aof.c} commands) over the service's {@link io.percore.demo.persistence.Persistence}. */
public final class PersistenceCommands {

    private PersistenceCommands() {
    }

    /**
     * SAVE: the snapshot, replied to when the file is in place. Unlike Redis's, it does not stop the
     * server: the shards go on serving while they write (the file is the same point in time).
     */
    /** Admission after a failed save or append-only write: {@code -MISCONF} for writes (and PING). */
    public static RespError writeRefusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        CommandTable commands = c.commands();
        boolean write = Admission.mayWrite(commands, c.session(), id, commands.writes(id)) || commands.fullName(id).equals("ping");
        return error(c.server().persistence().writeRefusal(write));
    }

    /** Admission before the data is there: {@code -LOADING} for a command without the {@code loading} flag. */
    public static RespError loadingRefusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        return error(c.server().persistence().loadingRefusal(c.commands().okWhileLoading(id)));
    }

    private static RespError error(String refusal) {
        return refusal == null ? null : new RespError(refusal);
    }

    public static void save(CommandContext c, byte[][] argv) {
        c.replyLater(c.server().persistence().save()
                .handle((v, failure) -> failure == null ? (RedisMessage) RespReplies.OK : (RedisMessage) ERR));
    }

    /** BGSAVE [SCHEDULE]. */
    public static void bgsave(CommandContext c, byte[][] argv) {
        if (argv.length > 1 && !(argv.length == 2 && RespReplies.ascii(argv[1]).equalsIgnoreCase("schedule"))) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        boolean inTransaction = c.keyspace().transaction() != ShardReservation.FREE;
        c.reply(new SimpleStringRedisMessage(c.server().persistence().bgsave(inTransaction)));
    }

    /** BGREWRITEAOF (Redis's {@code aof.c}): a new base of the append-only file, in the background. */
    public static void bgrewriteaof(CommandContext c, byte[][] argv) {
        boolean inTransaction = c.keyspace().transaction() != ShardReservation.FREE;
        c.reply(new SimpleStringRedisMessage(c.server().persistence().bgrewriteaof(inTransaction)));
    }

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: Redis's arguments. The service holds writes; a
     * primary waits for its replicas (shutdown-timeout; not with NOW); it saves (SAVE, or save rules
     * without NOSAVE), then stops; the client reads no reply, its connection closes as the service
     * does. ABORT calls off a shutdown that waits for its replicas.
     */
    public static void shutdown(CommandContext c, byte[][] argv) {
        boolean nosave = false;
        boolean save = false;
        boolean force = false;
        boolean abort = false;
        boolean now = false;
        for (int i = 1; i < argv.length; i++) {
            switch (RespReplies.ascii(argv[i]).toLowerCase(java.util.Locale.ROOT)) {
                case "nosave" -> nosave = true;
                case "save" -> save = true;
                case "now" -> now = true;
                case "force" -> force = true;
                case "abort" -> abort = true;
                default -> throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        if ((abort && (nosave || save || force || now)) || (nosave && save)) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        if (abort) {
            if (!c.server().persistence().abortShutdown()) {
                throw new RespError("ERR No shutdown in progress.");
            }
            c.reply(io.percore.demo.resp.RespReplies.OK);
            return;
        }
        CommandContext.PendingReply slot = c.reserve();
        c.server().persistence().shutdown(save, nosave, force, now).whenComplete((stopping, failure) -> {
            // stopping: no reply, the connection closes with the service (Redis's client reads EOF); the
            // slot is done, so the servers' drain does not wait for it
            slot.complete(failure != null || !stopping
                    ? new io.netty.handler.codec.redis.ErrorRedisMessage("ERR Errors trying to SHUTDOWN. Check logs.")
                    : RespReplies.NOTHING);
        });
    }

    public static void lastsave(CommandContext c, byte[][] argv) {
        c.reply(new IntegerRedisMessage(c.server().persistence().lastSaveSeconds()));
    }

    /** Redis's reply to a SAVE that failed: its shared.err, "-ERR" alone (the log says why). */
    private static final RedisMessage ERR = new io.netty.handler.codec.redis.ErrorRedisMessage("ERR");
}
