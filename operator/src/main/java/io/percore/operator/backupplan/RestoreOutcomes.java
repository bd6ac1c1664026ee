package io.percore.operator.backupplan;

import io.percore.operator.backup.TerminationMessage;
import io.percore.operator.crd.RestoreStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the restoring pod's init container says, as {@code status.restore} and the condition {@value #CONDITION} show it:
 * pure. Its termination line is the restore program's ({@code Restored}, {@code Skipped}, {@code Failed} with a reason); a
 * restore once done stays done (the init container runs at every start of the pod and skips a volume that holds data).
 */
public final class RestoreOutcomes {

    public static final String CONDITION = "Restored";
    public static final String RESTORING = "Restoring";
    public static final String RESTORED = "Restored";
    public static final String SKIPPED = "Skipped";
    public static final String FAILED = "Failed";
    public static final String RESTORE_FAILED = "RestoreFailed";

    private RestoreOutcomes() {
    }

    /**
     * The restoring pod's init container as seen now.
     *
     * @param pod         the pod (null: none yet)
     * @param running     the init container has not ended yet (waiting, pulling, running)
     * @param termination its last termination message (the current or the last state's), or null
     * @param exitCode    its exit code, or null
     */
    public record Observed(String pod, boolean running, String termination, Integer exitCode) {
        public static final Observed NO_POD = new Observed(null, true, null, null);
    }

    public record Result(RestoreStatus status, boolean conditionStatus, String reason, String message, boolean changed) {
    }

    public static Result read(RestoreStatus previous, Observed observed, String wanted, Instant now) {
        return read(previous, List.of(observed), wanted, now);
    }

    /**
     * A cluster's restoring pods (one per primary, each its group of the backup) as one status: failed when one failed
     * (its reason), restored once every pod ended and one restored (keys and bytes summed, the object the cluster's
     * backup), else restoring. One pod: that pod's.
     */
    public static Result read(RestoreStatus previous, List<Observed> observed, String wanted, Instant now) {
        if (previous != null && (RESTORED.equals(previous.getPhase()) || SKIPPED.equals(previous.getPhase()))) {
            return result(previous, false);
        }
        List<RestoreStatus> each = observed.stream().map(o -> one(o, wanted, now)).toList();
        RestoreStatus s = each.size() == 1 ? each.get(0) : combined(each, now);
        boolean changed = previous == null || !previous.equals(s);
        return result(s, changed);
    }

    private static RestoreStatus combined(List<RestoreStatus> each, Instant now) {
        for (RestoreStatus one : each) {
            if (FAILED.equals(one.getPhase())) {
                return one;
            }
        }
        List<RestoreStatus> restored = each.stream().filter(x -> RESTORED.equals(x.getPhase())).toList();
        List<RestoreStatus> ended = each.stream().filter(x -> RESTORED.equals(x.getPhase()) || SKIPPED.equals(x.getPhase())).toList();
        if (ended.size() < each.size()) {
            RestoreStatus s = new RestoreStatus();
            s.setPhase(RESTORING);
            s.setPod(String.join(", ", each.stream().map(RestoreStatus::getPod).filter(p -> p != null).toList()));
            s.setMessage(restored.size() + " of " + each.size() + " pods restored; " + String.join("; ", each.stream()
                    .filter(x -> RESTORING.equals(x.getPhase())).map(RestoreStatus::getMessage).toList()));
            return s;
        }
        if (restored.isEmpty()) {
            return each.get(0);
        }
        RestoreStatus s = new RestoreStatus();
        s.setPhase(RESTORED);
        s.setPod(String.join(", ", restored.stream().map(RestoreStatus::getPod).toList()));
        s.setObject(restored.get(0).getObject());
        s.setBytes(restored.stream().mapToLong(x -> x.getBytes() == null ? 0 : x.getBytes()).sum());
        s.setKeys(restored.stream().mapToLong(x -> x.getKeys() == null ? 0 : x.getKeys()).sum());
        s.setVerifiedAgainst(restored.get(0).getVerifiedAgainst());
        s.setDurationMillis(restored.stream().mapToLong(x -> x.getDurationMillis() == null ? 0 : x.getDurationMillis()).max().orElse(0));
        s.setCompletedAt(now.toString());
        if (restored.size() < each.size()) {
            s.setMessage(String.join("; ", each.stream().filter(x -> SKIPPED.equals(x.getPhase()))
                    .map(x -> x.getPod() + ": " + x.getMessage()).toList()));
        }
        return s;
    }

    private static RestoreStatus one(Observed observed, String wanted, Instant now) {
        RestoreStatus s = new RestoreStatus();
        s.setPod(observed.pod());
        Map<String, Object> line = observed.termination() == null ? Map.of() : TerminationMessage.parse(observed.termination().trim());
        Object outcome = line.get("outcome");
        if ("Restored".equals(outcome)) {
            s.setPhase(RESTORED);
            // a cluster's pod restored one group: the backup it is of names what was restored
            s.setObject(text(line.get("backup") != null ? line.get("backup") : line.get("object")));
            s.setBytes(number(line.get("bytes")));
            s.setKeys(number(line.get("keys")));
            s.setVerifiedAgainst(text(line.get("verifiedAgainst")));
            s.setDurationMillis(number(line.get("durationMillis")));
            s.setCompletedAt(now.toString());
        } else if ("Skipped".equals(outcome)) {
            s.setPhase(SKIPPED);
            s.setMessage(text(line.get("message")));
            s.setCompletedAt(now.toString());
        } else if ("Failed".equals(outcome) || observed.exitCode() != null && observed.exitCode() != 0) {
            s.setPhase(FAILED);
            s.setReason(outcome == null ? "InitContainerFailed" : text(line.get("reason")));
            s.setMessage(outcome == null ? "the restore container exited " + observed.exitCode() + " without its outcome line"
                    : text(line.get("message")));
        } else {
            s.setPhase(RESTORING);
            s.setMessage(observed.pod() == null ? "waiting for the primary's pod" : observed.pod() + " is restoring " + wanted);
        }
        return s;
    }

    private static Result result(RestoreStatus s, boolean changed) {
        return switch (s.getPhase()) {
            case RESTORED -> new Result(s, true, RESTORED, s.getPod() + " restored " + s.getObject() + ": " + s.getKeys() + " keys, "
                    + s.getBytes() + " bytes (checked against its " + s.getVerifiedAgainst() + ")", changed);
            case SKIPPED -> new Result(s, true, SKIPPED, s.getPod() + ": " + s.getMessage(), changed);
            case FAILED -> new Result(s, false, RESTORE_FAILED, s.getPod() + " refused the restore, " + s.getReason() + ": " + s.getMessage()
                    + "; the pod does not start and the service stays empty", changed);
            default -> new Result(s, false, RESTORING, s.getMessage(), changed);
        };
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static Long number(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        return null;
    }
}
