package io.percore.demo.admin;

import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.commands.ObjectCommands;
import io.percore.demo.resp.RespDoubles;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.ClientAddresses;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEBUG (Redis's {@code debug.c}) with the subcommands that mean something here: HELP, OBJECT, SLEEP and LOG;
 * any other (Redis's crashes, reloads, digests, allocator knobs) is answered as Redis answers an unknown one.
 * Redis 7 marks DEBUG {@code protected}: it runs only when {@code enable-debug-command} (set at start) is
 * {@code yes}, or {@code local} and the client is on the loopback interface ({@link #refusal}).
 */
public final class DebugCommands {

    private static final Logger LOG = LoggerFactory.getLogger(DebugCommands.class);

    /** The CONFIG parameter that allows DEBUG. */
    static final String ENABLE_DEBUG_COMMAND = "enable-debug-command";

    /** Redis's {@code protected_action_enum}: who may run a protected command. */
    enum Allowed {
        NO, YES, LOCAL;

        /** The value named {@code text} (any case). @throws IllegalArgumentException for another name */
        static Allowed named(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String REFUSED = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
            + "you can run it from a local connection, otherwise you need to set this option in the configuration file, "
            + "and then restart the server.";

    /** Redis's help lines of the subcommands this server has, in its order and words. */
    private static final String[] HELP = {
            "LOG <message>",
            "    Write <message> to the server log.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "SLEEP <seconds>",
            "    Stop the connection's shard for <seconds>. Decimals allowed."};

    private DebugCommands() {
    }

    /**
     * Redis's {@code processCommand} check of a protected command, after the lookup and before authentication:
     * DEBUG refused unless {@code enable-debug-command} allows this client; null for every other command.
     */
    public static RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        if (!c.commands().isProtected(id)) {
            return null;
        }
        Allowed allowed = (Allowed) c.server().config().value(ENABLE_DEBUG_COMMAND);
        boolean allows = allowed == Allowed.YES || (allowed == Allowed.LOCAL && ClientAddresses.localClient(c.remoteAddress()));
        return allows ? null : new RespError(REFUSED);
    }

    public static void debug(CommandContext c, byte[][] argv) {
        String sub = RespReplies.ascii(argv[1]).toLowerCase(Locale.ROOT);
        if (argv.length == 2 && sub.equals("help")) {
            c.reply(RespReplies.help(argv[0], HELP));
        } else if (argv.length == 3 && sub.equals("object")) {
            ObjectCommands.debugObject(c, argv[2]);
        } else if (argv.length == 3 && sub.equals("sleep")) {
            sleep(argv[2]);
            c.reply(RespReplies.OK);
        } else if (argv.length == 3 && sub.equals("log")) {
            LOG.warn("DEBUG LOG: {}", logged(argv[2]));
            c.reply(RespReplies.OK);
        } else {
            throw syntaxError(argv);
        }
    }

    /**
     * DEBUG SLEEP: the connection's shard does nothing for that long, as Redis's whole server does (the other
     * shards go on). The seconds are read as Redis's {@code strtod} reads them: what no number starts is 0, and
     * what is not a finite positive number of microseconds within a long sleeps not at all.
     */
    private static void sleep(byte[] seconds) {
        double s = RespDoubles.parseLeading(seconds);
        double micros = s * 1_000_000;
        if (!(micros >= 1) || micros >= Long.MAX_VALUE) {
            return;
        }
        long nanos = TimeUnit.MICROSECONDS.toNanos((long) micros);
        long start = System.nanoTime();
        for (long slept = 0; slept < nanos && !Thread.currentThread().isInterrupted(); slept = System.nanoTime() - start) {
            LockSupport.parkNanos(nanos - slept);
        }
    }

    /**
     * DEBUG LOG's message as it is logged: cut where Redis's {@code serverLog} cuts its line (1,023 bytes with the
     * prefix, never a copy of a bulk string of megabytes) and on one line (a client may not forge log lines).
     */
    static String logged(byte[] message) {
        int n = Math.min(message.length, LOG_MESSAGE_MAX);
        return RespReplies.sanitize(new String(message, 0, n, StandardCharsets.ISO_8859_1));
    }

    /** Redis's LOG_MAX_LEN (1024) less its terminating NUL and the prefix {@code DEBUG LOG: }. */
    static final int LOG_MESSAGE_MAX = 1024 - 1 - "DEBUG LOG: ".length();

    /** Redis's {@code addReplySubcommandSyntaxError}. */
    private static RespError syntaxError(byte[][] argv) {
        String sub = RespReplies.ascii(argv[1]);
        return new RespError(RespReplies.sanitize("ERR unknown subcommand or wrong number of arguments for '"
                + (sub.length() > 128 ? sub.substring(0, 128) : sub) + "'. Try "
                + RespReplies.ascii(argv[0]).toUpperCase(Locale.ROOT) + " HELP."));
    }
}
