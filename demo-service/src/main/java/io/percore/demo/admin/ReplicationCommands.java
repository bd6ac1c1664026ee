package io.percore.demo.admin;

import io.percore.demo.execution.Admission;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.CommandSpec;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.replication.Replication;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.engine.ShardFuture;
import java.util.Locale;

/** REPLICAOF/SLAVEOF, ROLE, PSYNC, SYNC, REPLCONF and WAIT (Redis's {@code replication.c} commands) over the service's {@link Replication}. */
public final class ReplicationCommands {

    private ReplicationCommands() {
    }

    /** Admission of writes: {@code -NOREPLICAS} below {@code min-replicas-to-write}, {@code -READONLY} on a read-only replica. */
    public static RespError writeRefusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        CommandTable commands = c.commands();
        return error(c.server().replication().writeRefusal(Admission.mayWrite(commands, c.session(), id, commands.writes(id))));
    }

    /** Admission on a replica without its link and replica-serve-stale-data no: {@code -MASTERDOWN}. */
    public static RespError staleRefusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        return error(c.server().replication().staleRefusal(okWhileStale(c.commands(), c.session(), id)));
    }

    private static RespError error(String refusal) {
        return refusal == null ? null : new RespError(refusal);
    }

    /** Redis's {@code is_denystale_command} negated: the command's own stale flag, and an EXEC's only when every queued command has it. */
    private static boolean okWhileStale(CommandTable commands, io.percore.demo.command.RespSession session, int id) {
        if (!commands.okWhileStale(id)) {
            return false;
        }
        if (session.multi != null && commands.fullName(id).equals("exec")) {
            for (io.percore.demo.command.MultiState.Queued q : session.multi.commands()) {
                if (!commands.okWhileStale(q.id())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** REPLICAOF host port | NO ONE. */

    public static void replicaof(CommandContext c, byte[][] argv) {
        Replication r = c.server().replication();
        String host = RespReplies.ascii(argv[1]);
        String port = RespReplies.ascii(argv[2]);
        if (c.connection().replica()) {
            throw new RespError("ERR Command is not valid when client is a replica.");
        }
        if (host.equalsIgnoreCase("no") && port.equalsIgnoreCase("one")) {
            c.replyLater(ShardFuture.fromStage(r.promote()).map(v -> (RedisMessage) RespReplies.OK));
            return;
        }
        long p;
        try {
            p = Long.parseLong(port);
        } catch (NumberFormatException e) {
            throw new RespError("ERR Invalid master port");
        }
        if (p < 0 || p > 65535) {
            throw new RespError("ERR Invalid master port");
        }
        boolean already = r.role().follows(host, (int) p);
        if (already) {
            c.reply(new io.netty.handler.codec.redis.SimpleStringRedisMessage("OK Already connected to specified master"));
            return;
        }
        boolean demoted = !r.isReplica();
        long caller = c.connection().id();
        c.replyLater(ShardFuture.fromStage(r.replicaOf(host, (int) p))
                .flatMap(v -> demoted ? c.servers().mapReduce(st -> st.clients().closeClientsButReplicas(caller), 0, Integer::sum)
                        : ShardFuture.completed(0))
                .map(closed -> {
                    if (demoted) {
                        LOG.info("Demoted to a replica of {}:{}: closed {} client connections (they reconnect to the new primary)", host, p, closed);
                    }
                    return (RedisMessage) RespReplies.OK;
                }));
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicationCommands.class);

    /** ROLE. */
    public static void role(CommandContext c, byte[][] argv) {
        c.reply(ReplyValues.encode(c.server().replication().roleReply()));
    }

    /** PSYNC replid offset: a replica asks for the stream (partially from its offset, or with a full sync). */
    public static void psync(CommandContext c, byte[][] argv) {
        long offset;
        try {
            offset = Long.parseLong(RespReplies.ascii(argv[2]));
        } catch (NumberFormatException e) {
            throw new RespError("ERR value is not an integer or out of range");
        }
        sync(c, RespReplies.ascii(argv[1]), offset, false);
    }

    /**
     * SYNC: the old protocol's full sync (no offsets: the replica cannot resync partially), as {@code redis-cli --rdb} and
     * {@code --replica} ask: the snapshot without a {@code +FULLRESYNC} line, then the stream, and no acks expected.
     */
    public static void syncCommand(CommandContext c, byte[][] argv) {
        sync(c, "?", -1, true);
    }

    private static void sync(CommandContext c, String replid, long offset, boolean preSync) {
        if (c.connection().replica()) {
            return; // as Redis: a replica asking again is ignored
        }
        if (c.session().inMulti()) {
            throw new RespError("ERR Command not allowed inside a transaction");
        }
        String ip = c.session().replicaIpAddress != null ? c.session().replicaIpAddress : hostOf(c.remoteAddress());
        var asked = new io.percore.demo.replication.SyncRequest(c.connection().id(), ip, c.session().replicaListeningPort,
                c.session().replicaCapaEof, preSync, c.session().replicaRdbOnly);
        String error = c.server().replication().psync(events -> c.connection().becomeReplica(events), asked, replid, offset);
        if (error != null) {
            throw new RespError(error);
        }
        c.reply(RespReplies.NOTHING); // the link wrote +FULLRESYNC or +CONTINUE itself
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon > 0 ? address.substring(0, colon) : address;
        return host.startsWith("/") ? host.substring(1) : host;
    }

    /** REPLCONF option value ...: what a replica says of itself before PSYNC (answered OK), ACK and GETACK after. */
    public static void replconf(CommandContext c, byte[][] argv) {
        if (argv.length % 2 == 0) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        for (int i = 1; i < argv.length; i += 2) {
            String option = RespReplies.ascii(argv[i]).toLowerCase(Locale.ROOT);
            String value = RespReplies.ascii(argv[i + 1]);
            switch (option) {
                case "listening-port" -> {
                    try {
                        c.session().replicaListeningPort = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new RespError("ERR value is not an integer or out of range");
                    }
                }
                case "ip-address" -> c.session().replicaIpAddress = value;
                case "capa" -> {
                    if (value.equalsIgnoreCase("eof")) {
                        c.session().replicaCapaEof = true; // it can take a diskless full sync
                    }
                }
                case "rdb-only" -> {
                    long only;
                    try {
                        only = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new RespError("ERR value is not an integer or out of range");
                    }
                    if (only < 0 || only > 1) {
                        throw new RespError("ERR value is out of range, value must between 0 and 1");
                    }
                    c.session().replicaRdbOnly = only == 1; // redis-cli --rdb's: the snapshot alone, then disconnected
                }
                case "rdb-filter-only" -> { } // redis-cli --functions-rdb's and --replica's: it gets the whole snapshot
                case "ack", "getack" -> {
                    c.reply(RespReplies.NOTHING); // only a replica's link sends these; answered by nothing, as in Redis
                    return;
                }
                default -> throw new RespError("ERR Unrecognized REPLCONF option: " + RespReplies.ascii(argv[i]));
            }
        }
        c.reply(RespReplies.OK);
    }

    /** WAIT numreplicas timeout. */
    public static void waitCommand(CommandContext c, byte[][] argv) {
        long replicas;
        long timeout;
        try {
            replicas = Long.parseLong(RespReplies.ascii(argv[1]));
            timeout = Long.parseLong(RespReplies.ascii(argv[2]));
        } catch (NumberFormatException e) {
            throw new RespError("ERR value is not an integer or out of range");
        }
        if (timeout < 0) {
            throw new RespError("ERR timeout is negative");
        }
        Replication r = c.server().replication();
        if (r.isReplica()) {
            throw new RespError("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica"
                    + " is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
        }
        if (c.session().inMulti() || !c.mayBlock()) {
            // in a transaction (or a script) WAIT does not wait: what is acknowledged now
            c.replyLater(r.waitForReplicas(Integer.MAX_VALUE, 1).map(n -> (RedisMessage) new IntegerRedisMessage(n)));
            return;
        }
        c.replyLater(r.waitForReplicas((int) Math.min(Integer.MAX_VALUE, replicas), timeout)
                .map(n -> (RedisMessage) new IntegerRedisMessage(n)));
    }
}
