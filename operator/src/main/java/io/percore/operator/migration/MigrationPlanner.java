package io.percore.operator.migration;

import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What to do next in a move from a running Redis ({@code spec.migrateFrom}): a pure function of what the source and the
 * service's primary (the target) answer, the spec, the last status and the clock, as {@code ReplicationPlanner} is for
 * failover. The glue ({@code MigrationDriver}) carries the decision out: it links the target, or runs the cut-over.
 *
 * <p>Phases: {@code Linking} until the target follows the source, {@code Syncing} while the full copy runs,
 * {@code Replicating} once the link is up (the lag in bytes is the source's offset less the target's; in seconds, how
 * long the target has trailed an offset of the source's seen earlier), {@code Completed} after the cut-over (nothing more
 * is done: the source is left alone), {@code Refused} for a source that cannot be moved in, {@code Failing} while the
 * target's tries to link or sync fail (the target's own reason, shown at once: a Warning event the first time a reason
 * appears and when it changes, not at every retry).
 *
 * <p>Refused before the copy, from the source's {@code INFO}: a replica, a Redis Cluster node, a TLS source, modules
 * loaded (their types and data cannot be loaded by the service), a Redis that writes an RDB format newer than the
 * service reads, keys in a database the service does not hold.
 */
public final class MigrationPlanner {

    public static final String LINKING = "Linking";
    public static final String SYNCING = "Syncing";
    public static final String REPLICATING = "Replicating";
    public static final String COMPLETED = "Completed";
    public static final String REFUSED = "Refused";
    public static final String FAILING = "Failing";
    /** The event and the {@code Migrated} condition's reason when the target's link fails, with its reason. */
    public static final String SYNC_FAILED = "MigrationSyncFailed";

    /**
     * The newest RDB format the service's snapshot reader loads (the demo's {@code RdbFileReader}: 1 to 10, Redis
     * 7.0's); Redis 7.2 writes 11, 7.4 writes 12, and a replica is sent the primary's format whatever it reads.
     */
    static final int RDB_FORMAT_READ = 10;
    /** The first Redis whose snapshots are in a newer format than {@link #RDB_FORMAT_READ}: 7.2 (its release candidates are 7.1.x). */
    static final int[] NEWER_RDB_SINCE = {7, 1, 0};
    /** Redis's {@code databases} default, and the service's (its {@code percore.demo.resp.databases}). */
    public static final int DEFAULT_DATABASES = 16;
    /** How many modules or databases a refusal names. */
    static final int LISTED = 5;

    /** The lowest Redis with {@code CLIENT PAUSE ... WRITE}, which a cut-over without losses needs. */
    static final int[] PAUSE_WRITE_SINCE = {6, 2, 0};
    /** How often to look while migrating: the status shows the sync's progress and the lag. */
    public static final Duration PERIOD = Duration.ofSeconds(5);
    /** How long after a failed cut-over the next is tried: each one holds the source's writes up to its timeout. */
    public static final Duration CUTOVER_RETRY = Duration.ofSeconds(60);

    private MigrationPlanner() {
    }

    /**
     * The source as {@code INFO} describes it.
     *
     * @param error why it could not be read (unreachable, refused AUTH ...), else null
     */
    public record SourceView(String error, String version, boolean replica, String replicaOf, boolean clusterEnabled, long offset, long keys,
                             SortedMap<Integer, Long> keysByDatabase, List<String> modules) {
        public SourceView {
            keysByDatabase = keysByDatabase == null ? new TreeMap<>() : new TreeMap<>(keysByDatabase);
            modules = modules == null ? List.of() : List.copyOf(modules);
        }

        /** A source whose keys are all in database 0 and that runs no module. */
        public SourceView(String error, String version, boolean replica, String replicaOf, boolean clusterEnabled, long offset, long keys) {
            this(error, version, replica, replicaOf, clusterEnabled, offset, keys, keys > 0 ? new TreeMap<>(Map.of(0, keys)) : null,
                    null);
        }

        public static SourceView unreachable(String error) {
            return new SourceView(error, null, false, null, false, 0, 0);
        }
    }

    /**
     * Why the target's link to the source fails, as the target's {@code INFO replication} says it (the service's
     * {@code master_link_last_error}, {@code master_link_last_error_since}, {@code master_link_failed_attempts}).
     *
     * @param attempts the tries that failed in a row
     */
    public record LinkFailure(String reason, Instant since, long attempts) {
    }

    /**
     * The service's primary (the pod that replicates from the source).
     *
     * @param pod        its name, null when there is none yet
     * @param error      why it could not be read, else null
     * @param following  the master it follows (null: it is a master)
     * @param offset     its replication offset (slave_repl_offset while it follows the source)
     * @param syncing    a full sync is under way (master_sync_in_progress)
     * @param failure    why its tries to link fail, while they do; null when they do not (or it does not say)
     * @param databases  how many databases it holds ({@code CONFIG GET databases}), null when it did not say
     */
    public record TargetView(String pod, String error, HostPort following, boolean linkUp, boolean syncing, long offset,
                             long syncRead, long syncTotal, long keys, LinkFailure failure, Integer databases) {
        public TargetView(String pod, String error, HostPort following, boolean linkUp, boolean syncing, long offset, long syncRead,
                          long syncTotal, long keys) {
            this(pod, error, following, linkUp, syncing, offset, syncRead, syncTotal, keys, null, null);
        }

        public static TargetView missing(String why) {
            return new TargetView(null, why, null, false, false, 0, 0, 0, 0);
        }
    }

    public enum Action { NONE, LINK, CUTOVER }

    /** A Kubernetes event to emit: Normal unless {@code warning}. */
    public record Event(String reason, String message, boolean warning) {
    }

    /**
     * The migration status to plan from: the resource's, unless this process wrote a later cut-over that the informer's
     * copy does not show yet (the reconcile right after a cut-over may read the copy from before its status write). A
     * completed cut-over is later than any copy not completed; a failed one is later than a copy without that failure
     * or with an older one. Planned from the stale copy, a pod that is now a master would be linked to the source again,
     * or a failed cut-over tried again at once, holding the source's writes a second time.
     *
     * @param fromResource the status the reconcile read, or null
     * @param written      the last cut-over status this process wrote (completed or failed), or null
     */
    public static MigrationStatus lastStatus(MigrationStatus fromResource, MigrationStatus written) {
        if (written == null || (fromResource != null && COMPLETED.equals(fromResource.getPhase()))) {
            return fromResource;
        }
        if (COMPLETED.equals(written.getPhase())) {
            return written;
        }
        if (written.getCutoverFailedAt() != null && (fromResource == null || fromResource.getCutoverFailedAt() == null
                || Instant.parse(fromResource.getCutoverFailedAt()).isBefore(Instant.parse(written.getCutoverFailedAt())))) {
            return written;
        }
        return fromResource;
    }

    /** Whether {@code status} records a cut-over ({@link #lastStatus} prefers it to an older copy): completed, or failed. */
    public static boolean recordsCutover(MigrationStatus status) {
        return COMPLETED.equals(status.getPhase()) || status.getCutoverFailedAt() != null;
    }

    /**
     * @param status     the status to record
     * @param action     what the glue does now
     * @param migrated   the {@code Migrated} condition's status, reason and message
     */
    public record Decision(MigrationStatus status, Action action, List<Event> events, boolean migrated, String reason, String message,
                           Duration requeue) {
    }

    /**
     * @param databases the databases the service is configured with (what the operator renders into the pods, else
     *                  {@link #DEFAULT_DATABASES}); the target's own answer, when it gave one, counts instead
     */
    public record Input(MigrateFrom spec, SourceView source, TargetView target, MigrationStatus previous, Instant now, int databases) {
        public Input(MigrateFrom spec, SourceView source, TargetView target, MigrationStatus previous, Instant now) {
            this(spec, source, target, previous, now, DEFAULT_DATABASES);
        }

        /** The databases the service holds: the target's answer, else the configured count. */
        int serviceDatabases() {
            return target.databases() != null && target.databases() > 0 ? target.databases() : databases;
        }
    }

    public static Decision decide(Input in) {
        MigrationStatus before = in.previous() == null ? new MigrationStatus() : in.previous();
        MigrationStatus s = before.copy();
        String sourceName = in.spec().getHost() + ":" + in.spec().portOrDefault();
        List<Event> events = new ArrayList<>();
        if (COMPLETED.equals(before.getPhase())) {
            // Done is done: the service is the primary; the source (its writes held, then left) is not touched again.
            s.setLagBytes(null);
            s.setLagSeconds(null);
            return new Decision(s, Action.NONE, events, true, "CutOver", "cut over from " + before.getSource() + " at " + before.getCutoverAt()
                    + ": writes paused " + before.getWritesPausedMillis() + " ms", null);
        }
        if (s.getSource() != null && !s.getSource().equals(sourceName)) {
            // another source: a new move
            s = new MigrationStatus();
        }
        s.setSource(sourceName);
        if (s.getStartedAt() == null) {
            s.setStartedAt(in.now().toString());
        }

        String refusal = refusal(in.spec(), in.source(), in.serviceDatabases());
        if (refusal != null) {
            s.setPhase(REFUSED);
            s.setMessage(refusal);
            if (!REFUSED.equals(before.getPhase()) || !refusal.equals(before.getMessage())) {
                events.add(new Event("MigrationRefused", refusal, true));
            }
            return new Decision(s, Action.NONE, events, false, "MigrationRefused", refusal, PERIOD);
        }
        if (in.source().error() == null) {
            s.setSourceVersion(in.source().version());
            s.setSourceKeys(in.source().keys());
        }
        TargetView t = in.target();
        if (t.pod() == null || t.error() != null) {
            s.setPhase(s.getPhase() == null || REFUSED.equals(s.getPhase()) ? LINKING : s.getPhase());
            String why = t.pod() == null ? t.error() : t.pod() + " did not answer: " + t.error();
            s.setMessage("waiting for the service's primary: " + why);
            return new Decision(s, Action.NONE, events, false, s.getPhase(), s.getMessage(), Duration.ofSeconds(1));
        }
        HostPort source = new HostPort(in.spec().getHost(), in.spec().portOrDefault());
        boolean follows = source.equals(t.following());
        s.setKeysLoaded(t.keys());
        if (!follows) {
            s.setPhase(LINKING);
            s.setLinkStatus("down");
            s.setMessage(t.pod() + " is made a replica of " + sourceName);
            // linkStatus is first set here: before it, the move has only waited for a pod
            events.add(new Event(before.getLinkStatus() == null ? "MigrationStarted" : "MigrationRelinked",
                    t.pod() + " replicates from " + sourceName + (t.following() == null ? "" : " (it followed " + t.following().host()
                            + ":" + t.following().port() + ")"), false));
            return new Decision(s, Action.LINK, events, false, LINKING, s.getMessage(), Duration.ofSeconds(1));
        }
        boolean firstCopy = before.getPhase() == null || LINKING.equals(before.getPhase()) || SYNCING.equals(before.getPhase())
                || (FAILING.equals(before.getPhase()) && (before.getFullSyncs() == null || before.getFullSyncs() == 0));
        if (!t.linkUp()) {
            s.setPhase(t.syncing() || firstCopy ? SYNCING : REPLICATING);
            s.setLinkStatus("down");
            if (t.syncing()) {
                s.setSyncBytesLoaded(t.syncRead());
                s.setSyncBytesTotal(t.syncTotal());
            }
            LinkFailure f = t.failure();
            String why = f != null ? f.reason() : in.source().error();
            boolean lost = "up".equals(before.getLinkStatus());
            if (lost) {
                events.add(new Event("MigrationLinkLost", t.pod() + " lost its link to " + sourceName + (why == null ? "" : ": " + why), true));
            }
            if (f != null) {
                return failing(s, before, t, f, sourceName, in.source().error(), lost, events);
            }
            clearLinkError(s);
            s.setMessage(in.source().error() != null ? "source unreachable: " + in.source().error()
                    : t.syncing() ? "full sync: " + t.syncRead() + " of " + t.syncTotal() + " bytes" : "linking to " + sourceName);
            return new Decision(s, Action.NONE, events, false, in.source().error() != null ? "SourceUnreachable" : s.getPhase(),
                    s.getMessage(), Duration.ofSeconds(1));
        }

        // In sync and following the source's writes.
        boolean wasReplicating = REPLICATING.equals(before.getPhase()) && "up".equals(before.getLinkStatus());
        clearLinkError(s);
        if (!wasReplicating) {
            boolean afterFullSync = firstCopy;
            s.setFullSyncs((s.getFullSyncs() == null ? 0 : s.getFullSyncs()) + (afterFullSync ? 1 : 0));
            events.add(afterFullSync
                    ? new Event("MigrationSynced", t.pod() + " holds a copy of " + sourceName + " (" + t.keys() + " keys) and follows its writes", false)
                    : new Event("MigrationResynced", t.pod() + " follows " + sourceName + " again", false));
        }
        s.setPhase(REPLICATING);
        s.setLinkStatus("up");
        s.setSyncBytesLoaded(null);
        s.setSyncBytesTotal(null);
        if (in.source().error() == null) {
            lag(s, in.source().offset(), t.offset(), in.now());
        }
        s.setMessage("replicating from " + sourceName + ": " + t.keys() + " keys, " + s.getLagBytes() + " bytes and " + s.getLagSeconds()
                + " s behind");
        if (!in.spec().cutoverRequested()) {
            // asking again (cutover: false, then true) retries a failed cut-over at once
            s.setCutoverFailedAt(null);
            s.setCutoverFailure(null);
            return new Decision(s, Action.NONE, events, false, REPLICATING, s.getMessage(), PERIOD);
        }
        if (s.getCutoverFailedAt() != null) {
            Instant next = Instant.parse(s.getCutoverFailedAt()).plus(CUTOVER_RETRY);
            if (in.now().isBefore(next)) {
                String why = "cut-over failed at " + s.getCutoverFailedAt() + ", the source is unpaused and stays the primary: "
                        + s.getCutoverFailure() + "; next attempt at " + next + " (or set cutover to false, then true)";
                s.setMessage(why);
                return new Decision(s, Action.NONE, events, false, "CutoverFailed", why, Duration.between(in.now(), next));
            }
        }
        if (in.source().error() != null) {
            return new Decision(s, Action.NONE, events, false, "SourceUnreachable", "cut-over waits: the source does not answer: "
                    + in.source().error(), Duration.ofSeconds(1));
        }
        if (!atLeast(in.source().version(), PAUSE_WRITE_SINCE)) {
            String why = "cut-over refused: the source is Redis " + in.source().version() + ", which has no CLIENT PAUSE WRITE (6.2+):"
                    + " its writes could not be held while the service catches up, and some would be lost; upgrade the source, or move"
                    + " your clients yourself after stopping their writes";
            if (!why.equals(before.getMessage())) {
                events.add(new Event("CutoverRefused", why, true));
            }
            s.setMessage(why);
            return new Decision(s, Action.NONE, events, false, "CutoverRefused", why, PERIOD);
        }
        Duration timeout = in.spec().cutoverTimeoutOrDefault();
        if (s.getLagSeconds() != null && s.getLagSeconds() >= Math.max(1, timeout.toSeconds())) {
            // the cut-over holds the source's writes until the service has caught up, at most cutoverTimeout: this far behind
            // it would hold them that long for nothing and fail (then wait CUTOVER_RETRY); it waits for the lag instead
            String why = "cut-over waits: " + t.pod() + " is " + s.getLagBytes() + " bytes and " + s.getLagSeconds() + " s behind " + sourceName
                    + "; the source's writes are paused once it is less than cutoverTimeout (" + timeout.toSeconds() + " s) behind";
            s.setMessage(why);
            return new Decision(s, Action.NONE, events, false, "CutoverWaiting", why, Duration.ofSeconds(1));
        }
        return new Decision(s, Action.CUTOVER, events, false, "CuttingOver", "cutting over from " + sourceName, Duration.ZERO);
    }

    /**
     * The target's tries fail: phase {@code Failing} with the target's reason, since when and how many tries; a Warning
     * event the first time this reason appears, and again only when it changes (the lost link's event says it, when the
     * link was up). The copy's progress stays shown while a new try is under way.
     */
    private static Decision failing(MigrationStatus s, MigrationStatus before, TargetView t, LinkFailure f, String sourceName,
                                    String sourceError, boolean lostEventSaysIt, List<Event> events) {
        s.setPhase(FAILING);
        s.setLinkError(f.reason());
        s.setLinkErrorSince(f.since() == null ? null : f.since().toString());
        s.setLinkFailures(f.attempts());
        String message = t.pod() + " cannot replicate from " + sourceName + ": " + f.reason() + " (" + f.attempts() + " tries failed"
                + (f.since() == null ? "" : ", this way since " + f.since()) + "; it tries again every few seconds)"
                + (sourceError == null ? "" : "; the source does not answer the operator either: " + sourceError)
                + (t.syncing() ? "; a new try is copying: " + t.syncRead() + " of " + t.syncTotal() + " bytes" : "");
        s.setMessage(message);
        if (!lostEventSaysIt && !f.reason().equals(before.getLinkError())) {
            events.add(new Event(SYNC_FAILED, t.pod() + " cannot replicate from " + sourceName + ": " + f.reason(), true));
        }
        return new Decision(s, Action.NONE, events, false, SYNC_FAILED, message, Duration.ofSeconds(1));
    }

    private static void clearLinkError(MigrationStatus s) {
        s.setLinkError(null);
        s.setLinkErrorSince(null);
        s.setLinkFailures(null);
    }

    /** Why this source cannot be moved in at all, or null; {@code databases}: how many the service holds. */
    static String refusal(MigrateFrom spec, SourceView source, int databases) {
        if (Boolean.TRUE.equals(spec.getTls())) {
            return "spec.migrateFrom.tls: the service replicates over plain RESP only; a TLS source cannot be moved in yet";
        }
        if (source.error() != null) {
            return null;
        }
        if (source.replica()) {
            return "the source is itself a replica (of " + source.replicaOf() + "): move its primary in, which has every write";
        }
        if (source.clusterEnabled()) {
            return "the source is a Redis Cluster node: only a single Redis can be moved in (a cluster's slots would each need moving"
                    + " to the primary that owns them: docs/how-to/moving-from-redis.md)";
        }
        if (!source.modules().isEmpty()) {
            return "the source runs modules (" + some(source.modules()) + "): the service runs none, so the keys of their types"
                    + " and the data they keep in the copy cannot be loaded; move those keys out and unload the modules (MODULE UNLOAD)"
                    + " first, or keep that data in Redis";
        }
        if (source.version() != null && atLeast(source.version(), NEWER_RDB_SINCE)) {
            return "the source is Redis " + source.version() + ", which sends its copy in a newer RDB format than the service reads"
                    + " (Redis 7.2 writes format 11, 7.4 format 12; the service reads 1 to " + RDB_FORMAT_READ + ", up to Redis 7.0's):"
                    + " move from Redis 7.0 or older";
        }
        SortedMap<Integer, Long> beyond = source.keysByDatabase().tailMap(databases);
        if (!beyond.isEmpty()) {
            List<String> which = new ArrayList<>();
            beyond.forEach((db, keys) -> which.add(db + " (" + keys + " keys)"));
            return "the source has keys in database" + (which.size() > 1 ? "s " : " ") + some(which) + "; the service holds "
                    + (databases == 1 ? "database 0 only" : databases + " databases, 0 to " + (databases - 1)) + ": move those keys to a"
                    + " lower database on the source (MOVE, SWAPDB) first" + (databases == 1 ? "" : ", or give the service more databases"
                    + " (env PERCORE_DEMO_RESP_DATABASES)");
        }
        return null;
    }

    /** The first few of {@code items} (the source's INFO names them: a status message stays short), and how many more. */
    static String some(List<String> items) {
        int shown = Math.min(items.size(), LISTED);
        return String.join(", ", items.subList(0, shown)) + (items.size() > shown ? " and " + (items.size() - shown) + " more" : "");
    }

    /** The lag in bytes now; in seconds, how long the target has trailed the earliest source offset it has not reached. */
    static void lag(MigrationStatus s, long sourceOffset, long targetOffset, Instant now) {
        s.setLagBytes(Math.max(0, sourceOffset - targetOffset));
        Long seen = s.getSourceOffsetSeen();
        Instant seenAt = s.getSourceOffsetSeenAt() == null ? null : Instant.parse(s.getSourceOffsetSeenAt());
        if (seen == null || seenAt == null || targetOffset >= seen) {
            // it has reached what the source had at the last look: less than a look behind; sample the source again
            s.setLagSeconds(0L);
            s.setSourceOffsetSeen(sourceOffset);
            s.setSourceOffsetSeenAt(now.toString());
        } else {
            s.setLagSeconds(Math.max(0, Duration.between(seenAt, now).toSeconds()));
        }
    }

    /** "7.0.15" at least {@code since}; an unparsable version is not. */
    static boolean atLeast(String version, int[] since) {
        if (version == null) {
            return false;
        }
        String[] parts = version.split("\\.");
        for (int i = 0; i < since.length; i++) {
            int v;
            try {
                v = i < parts.length ? Integer.parseInt(parts[i].replaceAll("[^0-9].*$", "")) : 0;
            } catch (NumberFormatException e) {
                return false;
            }
            if (v != since[i]) {
                return v > since[i];
            }
        }
        return true;
    }
}
