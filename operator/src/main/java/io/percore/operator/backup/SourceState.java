package io.percore.operator.backup;

/**
 * What one source said of itself (INFO server and replication), or why it said nothing.
 *
 * @param address        where it listens
 * @param error          why it could not be asked (then the rest is empty), else null
 * @param failure        the kind of that error (unreachable, refused ...), else null
 * @param role           {@code master} or {@code slave}
 * @param linkUp         a replica's {@code master_link_status:up}
 * @param syncInProgress a replica's {@code master_sync_in_progress:1} (it is loading a full sync)
 * @param offset         a replica's {@code slave_repl_offset}, a primary's {@code master_repl_offset}
 * @param version        {@code redis_version}
 */
public record SourceState(SourceAddress address, String error, Failure failure, String role, boolean linkUp, boolean syncInProgress,
                          long offset, String version) {

    /** A source that could not be asked. */
    public static SourceState unreachable(SourceAddress address, Failure failure, String error) {
        return new SourceState(address, error, failure, "", false, false, -1, "");
    }

    /** From the text of {@code INFO server} and {@code INFO replication}. */
    public static SourceState fromInfo(SourceAddress address, String info) {
        String role = InfoText.field(info, "role");
        boolean replica = "slave".equals(role);
        long offset = parseLong(InfoText.field(info, replica ? "slave_repl_offset" : "master_repl_offset"));
        return new SourceState(address, null, null, role == null ? "" : role, "up".equals(InfoText.field(info, "master_link_status")),
                "1".equals(InfoText.field(info, "master_sync_in_progress")), offset,
                InfoText.field(info, "redis_version") == null ? "" : InfoText.field(info, "redis_version"));
    }

    public boolean reachable() {
        return error == null;
    }

    public boolean primary() {
        return reachable() && "master".equals(role);
    }

    /** A replica whose link is up and which is not loading a full sync: what it serves is its primary's data. */
    public boolean replicaInSync() {
        return reachable() && "slave".equals(role) && linkUp && !syncInProgress;
    }

    /** One phrase for a message: {@code 10.0.0.5:6380 (replica, link down)}. */
    public String describe() {
        if (!reachable()) {
            return address + " (" + error + ")";
        }
        if (primary()) {
            return address + " (primary, offset " + offset + ")";
        }
        if ("slave".equals(role)) {
            return address + " (replica, " + (syncInProgress ? "loading a full sync" : linkUp ? "in sync, offset " + offset : "link down") + ")";
        }
        return address + " (role '" + role + "')";
    }

    private static long parseLong(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
