package io.percore.operator.backup;

import java.io.IOException;

/** Asks one source what it is ({@code INFO server}, {@code INFO replication}) before a backup chooses where to read. */
final class SourceProbe {

    private SourceProbe() {
    }

    /** Its state, or why it could not be asked (never throws: the chooser weighs every source). */
    static SourceState probe(SourceAddress source, ReplicationSnapshot.Options options) {
        try (RespConnection c = RespConnection.open(source, options.connectTimeout(), options.stall())) {
            if (options.password() != null && !options.password().isEmpty()) {
                if (options.username() != null && !options.username().isEmpty()) {
                    c.send("AUTH", options.username(), options.password());
                } else {
                    c.send("AUTH", options.password());
                }
                String auth = c.reply();
                if (!"+OK".equals(auth)) {
                    return SourceState.unreachable(source, Failure.SOURCE_REFUSED, "AUTH refused: " + RespConnection.shorten(String.valueOf(auth)));
                }
            }
            c.send("INFO", "server");
            String server = c.reply();
            c.send("INFO", "replication");
            String replication = c.reply();
            for (String reply : new String[] {server, replication}) {
                if (reply == null || reply.startsWith("-")) {
                    return SourceState.unreachable(source, Failure.SOURCE_REFUSED, "INFO refused: " + RespConnection.shorten(String.valueOf(reply)));
                }
            }
            return SourceState.fromInfo(source, server + "\n" + replication);
        } catch (BackupException e) {
            return SourceState.unreachable(source, e.failure(), e.getMessage());
        } catch (IOException e) {
            BackupException failure = ReplicationSnapshot.classify(e, source, "answering INFO", options.stall());
            return SourceState.unreachable(source, failure.failure(), failure.getMessage());
        }
    }
}
