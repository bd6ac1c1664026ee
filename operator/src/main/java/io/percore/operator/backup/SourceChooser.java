package io.percore.operator.backup;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which source a backup reads (pure): a replica in sync when there is one (the primary's clients do not share it
 * with the snapshot's work, and a replica's full sync is what the service already does), the one with the highest
 * offset; else the primary. One data set per backup: several primaries among the sources are refused, since they
 * hold different data (independent pods, cluster shards: one backup each) or a failover is under way (the next run
 * finds one).
 */
public final class SourceChooser {

    /** The source chosen and why, for the log and the report. */
    public record Choice(SourceState source, String why) {
    }

    private SourceChooser() {
    }

    /** The source to read, or the failure that says why none can be. */
    public static Choice choose(List<SourceState> states) throws BackupException {
        if (states.isEmpty()) {
            throw new BackupException(Failure.INVALID_SETTINGS, "no source given");
        }
        if (states.stream().noneMatch(SourceState::reachable)) {
            // one kind for all (every source refused our password): that kind; else they are out of reach
            List<Failure> kinds = states.stream().map(SourceState::failure).distinct().toList();
            Failure kind = kinds.size() == 1 && kinds.get(0) != null ? kinds.get(0) : Failure.SOURCE_UNREACHABLE;
            throw new BackupException(kind, states.size() == 1 ? states.get(0).error() : "no source answered: " + describe(states));
        }
        Optional<SourceState> replica = states.stream().filter(SourceState::replicaInSync)
                .max(Comparator.comparingLong(SourceState::offset).thenComparing(s -> -states.indexOf(s)));
        if (replica.isPresent()) {
            return new Choice(replica.get(), "a replica in sync" + (states.size() > 1 ? " with the highest offset" : ""));
        }
        List<SourceState> primaries = states.stream().filter(SourceState::primary).toList();
        if (primaries.size() > 1) {
            throw new BackupException(Failure.NO_SOURCE_IN_SYNC, "several primaries among the sources, each a data set of its own: "
                    + describe(primaries) + "; back up each with its own run");
        }
        if (primaries.size() == 1) {
            return new Choice(primaries.get(0), states.size() > 1 ? "no replica in sync: the primary" : "the only source, a primary");
        }
        throw new BackupException(Failure.NO_SOURCE_IN_SYNC, "no primary and no replica in sync among the sources: " + describe(states));
    }

    private static String describe(List<SourceState> states) {
        return states.stream().map(SourceState::describe).collect(Collectors.joining(", "));
    }
}
