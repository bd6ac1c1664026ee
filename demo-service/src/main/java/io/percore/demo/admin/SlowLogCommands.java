package io.percore.demo.admin;

import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.server.SlowLog;
import io.percore.demo.resp.RespReplies;

/**
 * SLOWLOG GET [count], LEN, RESET and HELP (Redis's {@code slowlog.c}) over every shard's
 * {@link SlowLog}: the logs merged newest first (by entry id, which follows time), at most
 * {@code slowlog-max-len} entries as one log would hold.
 */
public final class SlowLogCommands {

    private SlowLogCommands() {
    }

    public static void help(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0],
                "GET [<count>]",
                "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                "    Entries are made of:",
                "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                "    client name",
                "LEN",
                "    Return the length of the slowlog.",
                "RESET",
                "    Reset the slowlog."));
    }

    public static void get(CommandContext c, byte[][] argv) {
        if (argv.length > 3) {
            throw new RespError("ERR unknown subcommand or wrong number of arguments for '"
                    + RespReplies.sanitize(RespReplies.ascii(argv[1])) + "'. Try SLOWLOG HELP.");
        }
        long count = 10;
        if (argv.length == 3) {
            count = RespNumbers.isLong(argv[2]) ? RespNumbers.parseLong(argv[2]) : -2;
            if (count < -1) {
                throw new RespError("ERR count should be greater than or equal to -1");
            }
        }
        long maxLen = c.server().config().slowlogMaxLen();
        long wanted = count == -1 ? maxLen : Math.min(count, maxLen);
        c.replyLater(c.servers().mapReduce(st -> st.slowLog().newest(wanted), List.<SlowLog.Entry>of(), SlowLogCommands::concat)
                .map(entries -> {
                    List<RedisMessage> out = new ArrayList<>();
                    entries.stream().sorted(Comparator.comparingLong(SlowLog.Entry::id).reversed()).limit(wanted).forEach(e -> {
                        List<RedisMessage> args = new ArrayList<>(e.argv().size());
                        e.argv().forEach(a -> args.add(bulk(a)));
                        out.add(new ArrayRedisMessage(List.of(integer(e.id()), integer(e.timestamp()), integer(e.durationMicros()),
                                RespReplies.array(args), bulk(e.clientAddress()), bulk(e.clientName()))));
                    });
                    return RespReplies.array(out);
                }));
    }

    public static void len(CommandContext c, byte[][] argv) {
        long maxLen = c.server().config().slowlogMaxLen();
        c.replyLater(c.servers().mapReduce(st -> (long) st.slowLog().size(), 0L, Long::sum)
                .map(n -> integer(Math.min(n, maxLen))));
    }

    public static void reset(CommandContext c, byte[][] argv) {
        c.replyLater(c.servers().mapReduce(st -> {
            st.slowLog().reset();
            return 1;
        }, 0, Integer::sum).map(n -> RespReplies.OK));
    }

    private static <E> List<E> concat(List<E> sofar, List<E> part) {
        List<E> all = new ArrayList<>(sofar.size() + part.size());
        all.addAll(sofar);
        all.addAll(part);
        return all;
    }
}
