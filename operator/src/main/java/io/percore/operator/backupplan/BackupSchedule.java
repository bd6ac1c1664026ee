package io.percore.operator.backupplan;

import java.time.Duration;
import java.time.Instant;

/**
 * When a backup starts: a pure function of the schedule, what ran last and the time. A scheduled time passed since the
 * last one run starts one backup, for the latest such time only: times missed while the operator was down or a backup
 * was running are run once, not once each. A new value of the request annotation starts one backup; a request and a due
 * time together are one backup that answers both. Nothing starts while a backup runs (one at a time), nor a scheduled one
 * while suspended (a request still does).
 */
public final class BackupSchedule {

    /** Looked at again at least this often while nothing is due (the reconciler's own resync is 5 minutes). */
    public static final Duration LONGEST_WAIT = Duration.ofMinutes(5);

    private BackupSchedule() {
    }

    /**
     * @param schedule      the cron, or null (requests only)
     * @param suspended     scheduled backups stopped
     * @param since         when backups were first configured: the schedule's times count from there
     * @param lastScheduled the scheduled time whose backup was started last (null: none yet)
     * @param request       the request annotation's value (null: none)
     * @param lastRequest   the request value whose backup was started last
     * @param running       a backup runs now
     */
    public record Input(Cron schedule, boolean suspended, Instant since, Instant lastScheduled, String request, String lastRequest,
                        boolean running, Instant now) {
    }

    /**
     * @param start         start a backup now
     * @param trigger       {@code schedule} or {@code request} (a request that also answers a due time says {@code request})
     * @param scheduledTime the scheduled time the backup answers (null: a request alone): the next {@code lastScheduled}
     * @param request       the request value it answers (null: none): the next {@code lastRequest}
     * @param next          the next scheduled time after now (null: none, or suspended)
     * @param requeue       when to look again at the latest
     */
    public record Decision(boolean start, String trigger, Instant scheduledTime, String request, Instant next, Duration requeue) {
    }

    public static final String SCHEDULE = "schedule";
    public static final String REQUEST = "request";

    public static Decision decide(Input in) {
        Instant next = in.schedule() == null || in.suspended() ? null : in.schedule().next(in.now()).orElse(null);
        Duration requeue = next == null ? LONGEST_WAIT : min(Duration.between(in.now(), next).plusSeconds(1), LONGEST_WAIT);
        if (in.running()) {
            return new Decision(false, null, null, null, next, requeue);
        }
        Instant due = null;
        if (in.schedule() != null && !in.suspended()) {
            Instant after = in.lastScheduled() != null && in.lastScheduled().isAfter(in.since()) ? in.lastScheduled() : in.since();
            due = in.schedule().latest(in.now(), after).orElse(null);
        }
        boolean requested = in.request() != null && !in.request().equals(in.lastRequest());
        if (!requested && due == null) {
            return new Decision(false, null, null, null, next, requeue);
        }
        return new Decision(true, requested ? REQUEST : SCHEDULE, due, requested ? in.request() : null, next, requeue);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
