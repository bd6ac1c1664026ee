package io.percore.demo.admin;

import static io.percore.demo.resp.RespReplies.bulk;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import java.util.List;
import io.percore.demo.command.CommandContext;

/** Server commands of Redis's {@code server.c} that need no state of their own: TIME (INFO is {@link InfoCommand}, COMMAND {@link CommandCommands}, CONFIG {@link ConfigCommands}). */
public final class ServerCommands {

    private ServerCommands() {
    }

    public static void time(CommandContext c, byte[][] argv) {
        long micros = currentMicros();
        c.reply(new ArrayRedisMessage(List.of(bulk(Long.toString(micros / 1_000_000)), bulk(Long.toString(micros % 1_000_000)))));
    }

    private static long currentMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }
}
