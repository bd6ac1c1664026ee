package io.percore.demo.network;

import static io.percore.demo.network.RespConnection.REPLY_OFF;
import static io.percore.demo.network.RespConnection.REPLY_SKIP;
import static io.percore.demo.network.RespConnection.REPLY_SKIP_NEXT;

/**
 * CLIENT REPLY as bits of a connection's modes (Redis's {@code CLIENT_REPLY_OFF},
 * {@code CLIENT_REPLY_SKIP_NEXT} and {@code CLIENT_REPLY_SKIP}): OFF mutes every reply until ON;
 * SKIP mutes the reply of the one command after the CLIENT command.
 */
final class ReplyModes {

    private ReplyModes() {
    }

    /** {@code modes} after CLIENT REPLY {@code mode} (on, off or skip). */
    static int set(int modes, String mode) {
        return switch (mode) {
            case "on" -> modes & ~(REPLY_OFF | REPLY_SKIP | REPLY_SKIP_NEXT);
            case "off" -> modes | REPLY_OFF;
            case "skip" -> (modes & REPLY_OFF) == 0 ? modes | REPLY_SKIP_NEXT : modes;
            default -> throw new IllegalArgumentException(mode);
        };
    }

    /** {@code modes} after a command ran ({@code clientCommand}: one of CLIENT's): a SKIP set before it is used up. */
    static int afterCommand(int modes, boolean clientCommand) {
        if (!clientCommand) {
            modes &= ~REPLY_SKIP;
        }
        if ((modes & REPLY_SKIP_NEXT) != 0) {
            modes = (modes | REPLY_SKIP) & ~REPLY_SKIP_NEXT;
        }
        return modes;
    }
}
