package io.percore.operator.backupplan;

import io.percore.operator.crd.ClusterStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A cluster's backup sources (pure): one group per primary of the layout in force (its {@code status.cluster}), the
 * primary's pod and its replicas' pods that are ready to be read, in the order of the groups' first slots; or why no
 * backup can start now. A backup starts only on a settled layout: every slot assigned and no slot moving (a moving
 * slot's keys are on two pods, and each group's snapshot is its own point in time).
 */
public final class ClusterBackupSources {

    /**
     * @param groups each group's sources ({@code host:port}), in order
     * @param slots  each group's slots ({@code 0-5460,...}), in the same order
     * @param pods   each group's pods, primary first, for the event
     */
    public record Groups(List<List<String>> groups, List<String> slots, List<List<String>> pods) {
    }

    /** Either the groups or why not. */
    public record Result(Groups groups, String notNow) {
    }

    private ClusterBackupSources() {
    }

    /**
     * @param cluster the status's cluster section (the layout in force)
     * @param ready   the ready pods' addresses by pod name ({@code host:port}); a pod absent is not read
     */
    public static Result plan(ClusterStatus cluster, Map<String, String> ready) {
        if (cluster == null || cluster.getConfigEpoch() == null || cluster.getConfigEpoch() == 0 || cluster.getPods().isEmpty()) {
            return new Result(null, "the cluster has no layout yet: a backup reads each primary's slots once the operator has laid them out");
        }
        if (!cluster.getMigrations().isEmpty()) {
            return new Result(null, cluster.getMigrations().size() + " slot migration(s) under way (keys of a moving slot are on two pods):"
                    + " the backup waits for the layout to settle");
        }
        if (cluster.getSlotsAssigned() == null || cluster.getSlotsAssigned() < 16384) {
            return new Result(null, "only " + cluster.getSlotsAssigned() + " of 16384 slots are assigned: a backup of every slot waits"
                    + " for the layout to cover them");
        }
        List<ClusterStatus.PodSlots> primaries = new ArrayList<>();
        for (ClusterStatus.PodSlots p : cluster.getPods()) {
            if (p.getReplicaOf() == null && p.getSlotCount() != null && p.getSlotCount() > 0) {
                primaries.add(p);
            }
        }
        primaries.sort(Comparator.comparingInt(p -> firstSlot(p.getSlots())));
        List<List<String>> groups = new ArrayList<>();
        List<String> slots = new ArrayList<>();
        List<List<String>> pods = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        for (ClusterStatus.PodSlots primary : primaries) {
            List<String> members = new ArrayList<>();
            members.add(primary.getPod());
            if (primary.getReplicas() != null) {
                members.addAll(primary.getReplicas());
            }
            List<String> sources = new ArrayList<>();
            List<String> named = new ArrayList<>();
            for (String pod : members) {
                String at = pod == null ? null : ready.get(pod);
                if (at != null) {
                    sources.add(at);
                    named.add(pod);
                }
            }
            if (sources.isEmpty()) {
                unread.add(primary.getPod() + " (slots " + primary.getSlots() + ")");
            }
            groups.add(sources);
            slots.add(primary.getSlots());
            pods.add(named);
        }
        if (!unread.isEmpty()) {
            return new Result(null, "no ready pod holds the slots of " + String.join(", ", unread) + ": every group must be read");
        }
        return new Result(new Groups(groups, slots, pods), null);
    }

    private static int firstSlot(String ranges) {
        if (ranges == null || ranges.isEmpty()) {
            return Integer.MAX_VALUE;
        }
        int end = 0;
        while (end < ranges.length() && Character.isDigit(ranges.charAt(end))) {
            end++;
        }
        return end == 0 ? Integer.MAX_VALUE : Integer.parseInt(ranges.substring(0, end));
    }
}
