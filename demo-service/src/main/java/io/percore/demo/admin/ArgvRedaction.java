package io.percore.demo.admin;

import java.nio.charset.StandardCharsets;
import io.percore.demo.command.CommandTable;
import io.percore.demo.resp.RespReplies;

/**
 * Redis's {@code redactClientCommandArgument}: the arguments MONITOR and the slow log must not
 * show, replaced by {@code (redacted)}: AUTH's user and password, HELLO's AUTH pair, ACL SETUSER's user
 * and rules (passwords among them), and the value of a sensitive CONFIG SET parameter (requirepass).
 */
public final class ArgvRedaction {

    static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);

    private ArgvRedaction() {
    }

    /** {@code argv} as MONITOR and the slow log may show it (the same array when nothing is secret). */
    public static byte[][] redacted(CommandTable commands, int id, byte[][] argv) {
        switch (commands.fullName(id)) {
            case "auth" -> {
                byte[][] out = argv.clone();
                for (int i = 1; i < out.length; i++) {
                    out[i] = REDACTED;
                }
                return out;
            }
            case "hello" -> {
                byte[][] out = argv;
                for (int j = 2; j < argv.length; j++) {
                    int more = argv.length - 1 - j;
                    String opt = RespReplies.ascii(argv[j]);
                    if (opt.equalsIgnoreCase("AUTH") && more >= 2) {
                        out = out == argv ? argv.clone() : out;
                        out[j + 1] = REDACTED;
                        out[j + 2] = REDACTED;
                        j += 2;
                    } else if (opt.equalsIgnoreCase("SETNAME") && more >= 1) {
                        j++;
                    } else {
                        break;
                    }
                }
                return out;
            }
            case "acl|setuser" -> {
                byte[][] out = argv.clone();
                for (int i = 2; i < out.length; i++) {
                    out[i] = REDACTED;
                }
                return out;
            }
            case "config|set" -> {
                byte[][] out = argv;
                for (int i = 2; i + 1 < argv.length; i += 2) {
                    ConfigParameter<?> p = ConfigParameters.lookup(RespReplies.ascii(argv[i]));
                    if (p != null && p.sensitive()) {
                        out = out == argv ? argv.clone() : out;
                        out[i + 1] = REDACTED;
                    }
                }
                return out;
            }
            default -> {
                return argv;
            }
        }
    }
}
