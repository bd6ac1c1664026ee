package io.percore.operator.migration;

import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.io.IOException;
import java.util.Map;

/**
 * What the operator says to the source of a migration, and all it says: {@code INFO} (a read), {@code CLIENT PAUSE
 * <ms> WRITE} and {@code CLIENT UNPAUSE}. Nothing else is ever sent to it; its data reaches the service through the
 * pod's own replication handshake. Each call is one bounded connection ({@link PodReplicationProbe#command}).
 */
public final class SourceProbe {

    /** A whole {@code INFO} of Redis 7 is 5-8 KB; room for many modules or error stats. */
    static final int MAX_INFO_BYTES = 256 * 1024;

    private final PodReplicationProbe connection;

    public SourceProbe(PodReplicationProbe connection) {
        this.connection = connection;
    }

    /** The source's {@code INFO} (its server, replication, modules, cluster and keyspace sections); a failure is the view's error. */
    public MigrationPlanner.SourceView observe(HostPort source, String user, String password) {
        try {
            Object reply = connection.command(source, user, password, MAX_INFO_BYTES, "INFO");
            if (!(reply instanceof String info)) {
                return MigrationPlanner.SourceView.unreachable("INFO answered " + (reply == null ? "nothing" : reply.getClass().getSimpleName()));
            }
            return parse(info);
        } catch (IOException e) {
            return MigrationPlanner.SourceView.unreachable(e.getMessage());
        }
    }

    /** {@code CLIENT PAUSE <millis> WRITE}: the source's clients' writes wait, their reads go on. */
    public void pauseWrites(HostPort source, String user, String password, long millis) throws IOException {
        Object reply = connection.command(source, user, password, 1024, "CLIENT", "PAUSE", Long.toString(millis), "WRITE");
        if (!"OK".equals(reply)) {
            throw new IOException("CLIENT PAUSE " + millis + " WRITE answered " + reply);
        }
    }

    /** {@code CLIENT UNPAUSE}: writes flow again. */
    public void unpause(HostPort source, String user, String password) throws IOException {
        Object reply = connection.command(source, user, password, 1024, "CLIENT", "UNPAUSE");
        if (!"OK".equals(reply)) {
            throw new IOException("CLIENT UNPAUSE answered " + reply);
        }
    }

    /** The source's replication offset ({@code master_repl_offset}): where the service must be before the cut-over. */
    public long offset(HostPort source, String user, String password) throws IOException {
        MigrationPlanner.SourceView view = observe(source, user, password);
        if (view.error() != null) {
            throw new IOException(view.error());
        }
        return view.offset();
    }

    /**
     * The view of an {@code INFO} reply (its default sections: server, replication, modules, cluster, keyspace ...):
     * what the planner refuses a source for is all here, so the operator asks nothing else.
     */
    static MigrationPlanner.SourceView parse(String info) {
        Map<String, String> fields = InfoFields.of(info);
        boolean replica = "slave".equals(fields.get("role"));
        String replicaOf = replica ? fields.get("master_host") + ":" + fields.get("master_port") : null;
        return new MigrationPlanner.SourceView(null, fields.get("redis_version"), replica, replicaOf, "1".equals(fields.get("cluster_enabled")),
                InfoFields.number(fields.get("master_repl_offset")), InfoFields.keys(info), InfoFields.keysByDatabase(info),
                InfoFields.modules(info));
    }
}
