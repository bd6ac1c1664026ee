package io.percore.operator.backupplan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackupScheduleTest {

    private static final Cron EVERY_MINUTE = Cron.parse("* * * * *");
    private static final Cron DAILY = Cron.parse("0 3 * * *");
    private static final Instant SINCE = Instant.parse("2026-11-27T00:00:30Z");

    private static BackupSchedule.Decision decide(Cron cron, Instant lastScheduled, String request, String lastRequest, boolean running,
                                                  String now) {
        return BackupSchedule.decide(new BackupSchedule.Input(cron, false, SINCE, lastScheduled, request, lastRequest, running, Instant.parse(now)));
    }

    @Test
    void aDueTimeStartsOneBackupAndTheNextIsSaid() {
        BackupSchedule.Decision d = decide(DAILY, null, null, null, false, "2026-11-27T03:00:20Z");
        assertThat(d.start()).isTrue();
        assertThat(d.trigger()).isEqualTo(BackupSchedule.SCHEDULE);
        assertThat(d.scheduledTime()).isEqualTo(Instant.parse("2026-11-27T03:00:00Z"));
        assertThat(d.next()).isEqualTo(Instant.parse("2026-11-28T03:00:00Z"));
        assertThat(d.requeue()).isEqualTo(BackupSchedule.LONGEST_WAIT);

        BackupSchedule.Decision after = decide(DAILY, d.scheduledTime(), null, null, false, "2026-11-27T03:01:00Z");
        assertThat(after.start()).as("that time is answered").isFalse();
    }

    @Test
    void timesMissedRunOnceNotOnceEach() {
        // the operator was down from 00:01 to 10:17: 616 minutes of an every-minute schedule missed
        BackupSchedule.Decision d = decide(EVERY_MINUTE, Instant.parse("2026-11-27T00:01:00Z"), null, null, false, "2026-11-27T10:17:42Z");
        assertThat(d.start()).isTrue();
        assertThat(d.scheduledTime()).as("the latest missed time only").isEqualTo(Instant.parse("2026-11-27T10:17:00Z"));
        assertThat(decide(EVERY_MINUTE, d.scheduledTime(), null, null, false, "2026-11-27T10:17:59Z").start()).isFalse();
        // a daily backup missed for three days: one backup, for the last 03:00
        BackupSchedule.Decision days = decide(DAILY, Instant.parse("2026-11-24T03:00:00Z"), null, null, false, "2026-11-27T12:00:00Z");
        assertThat(days.scheduledTime()).isEqualTo(Instant.parse("2026-11-27T03:00:00Z"));
    }

    @Test
    void nothingBeforeTheFirstTimeAfterBackupsWereConfigured() {
        assertThat(decide(DAILY, null, null, null, false, "2026-11-27T02:59:59Z").start()).isFalse();
        // configured at 00:00:30: the 00:00 time of that day is before it
        assertThat(BackupSchedule.decide(new BackupSchedule.Input(Cron.parse("0 0 * * *"), false, SINCE, null, null, null, false,
                Instant.parse("2026-11-27T12:00:00Z"))).start()).isFalse();
    }

    @Test
    void oneAtATime() {
        BackupSchedule.Decision d = decide(EVERY_MINUTE, Instant.parse("2026-11-27T10:00:00Z"), "now", null, true, "2026-11-27T10:05:10Z");
        assertThat(d.start()).as("a backup runs: neither the due time nor the request starts another").isFalse();
        assertThat(d.next()).isEqualTo(Instant.parse("2026-11-27T10:06:00Z"));
        assertThat(d.requeue()).isEqualTo(Duration.ofSeconds(51));
        BackupSchedule.Decision later = decide(EVERY_MINUTE, Instant.parse("2026-11-27T10:00:00Z"), "now", null, false, "2026-11-27T10:09:10Z");
        assertThat(later.start()).as("once it ended: one backup answers the request and the latest time").isTrue();
        assertThat(later.trigger()).isEqualTo(BackupSchedule.REQUEST);
        assertThat(later.request()).isEqualTo("now");
        assertThat(later.scheduledTime()).isEqualTo(Instant.parse("2026-11-27T10:09:00Z"));
    }

    @Test
    void aRequestRunsOnceForEachNewValueEvenSuspendedOrWithoutSchedule() {
        assertThat(decide(null, null, "2026-11-27T10:00", null, false, "2026-11-27T10:00:05Z").start()).isTrue();
        assertThat(decide(null, null, "2026-11-27T10:00", "2026-11-27T10:00", false, "2026-11-27T10:00:05Z").start()).as("answered").isFalse();
        assertThat(decide(null, null, "again", "2026-11-27T10:00", false, "2026-11-27T10:00:05Z").start()).as("a new value").isTrue();
        BackupSchedule.Decision suspended = BackupSchedule.decide(new BackupSchedule.Input(EVERY_MINUTE, true, SINCE, null, "x", null, false,
                Instant.parse("2026-11-27T10:00:05Z")));
        assertThat(suspended.start()).isTrue();
        assertThat(suspended.scheduledTime()).as("suspended: no time is due").isNull();
        assertThat(suspended.next()).isNull();
        BackupSchedule.Decision none = decide(null, null, null, null, false, "2026-11-27T10:00:05Z");
        assertThat(none.start()).isFalse();
        assertThat(none.next()).isNull();
    }
}
