package io.percore.operator.replication;

import java.time.Instant;

/**
 * When the planner's failover clock starts, and what it takes for a pod's readiness meanwhile: the driver's inputs to
 * {@link ReplicationPlanner.Input#unavailableSince} and {@link ReplicationPlanner.PodState#ready}, pure.
 */
public final class FailoverClock {

    private FailoverClock() {
    }

    /**
     * What the planner takes for a pod's readiness: the kubelet's; and for the labelled primary elected while unready (a
     * cold start: none is Ready until one is primary), its own answer as a master, until the kubelet has seen it (its
     * probes say so seconds later under load; the operator's probe judges it meanwhile, as any pod it reaches, and the
     * primary Service is the operator's EndpointSlice). Taken for unavailable, it was failed over while it served, and what
     * its replicas had acknowledged was lost with it (the campaign on the real node).
     *
     * @param unready    when Kubernetes marked the pod unready (no earlier than it did: plus a second for the API's truncation)
     * @param labelledAt when the operator made it primary (the annotation beside the label), null if not labelled or not known
     */
    public static boolean readiness(boolean kubeletReady, Instant unready, Instant labelledAt, boolean answersAsMaster) {
        return kubeletReady || answersAsMaster && labelledAt != null && unready != null && unready.isBefore(labelledAt);
    }

    /**
     * The failover clock a look starts from: the recorded one (the status) while no pod is labelled primary, or while the
     * labelled pod is the recorded primary and was labelled before the clock started; else the labelled primary's own
     * ({@code labelledUnready}, its readiness, null when it is ready). A clock recorded for an earlier primary belongs to
     * that one's outage, not to a pod promoted since, even under the same name (an operator stopped between the label and
     * the status applied it to the new primary, and failed that over at once).
     *
     * @param labelledAt when the labelled pod was made primary (null: not known, as on a pod labelled by an older operator)
     */
    public static Instant failoverClock(Instant recorded, String recordedPrimary, String labelled, Instant labelledAt,
                                        Instant labelledUnready) {
        boolean itsOwn = labelled == null
                || labelled.equals(recordedPrimary) && (labelledAt == null || recorded == null || !recorded.isBefore(labelledAt));
        return recorded != null && itsOwn ? recorded : labelledUnready;
    }

    /**
     * When the failover clock of the labelled primary starts while nothing else started it: when its pod turned unready,
     * never after now; not at all (null) when it has been unready since before it was made primary. Such a pod was
     * elected unready (every pod back at once: none is Ready until one is primary), and its readiness is the kubelet's
     * next probes' to tell, seconds later under load; the operator's own probe judges it meanwhile, as any pod it reaches.
     * Counted from the pod's start, the next look failed it over while it served, and the writes the replicas had
     * acknowledged since were lost with it (the campaign on the real node: six promotions in five seconds, then acknowledged
     * writes missing after a failover 14 s after the election).
     *
     * @param unready    when Kubernetes marked the pod unready
     * @param labelledAt when the operator labelled it primary (null: not known, as on a pod labelled by an older operator)
     */
    public static Instant primaryUnreadySince(Instant unready, Instant labelledAt, Instant now) {
        if (labelledAt != null && unready.isBefore(labelledAt)) {
            return null;
        }
        return unready.isBefore(now) ? unready : now;
    }
}
