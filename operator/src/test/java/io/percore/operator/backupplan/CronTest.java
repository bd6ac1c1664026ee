package io.percore.operator.backupplan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CronTest {

    private static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void theNextTimeOfCommonSchedules() {
        assertThat(Cron.parse("0 3 * * *").next(t("2026-11-27T02:59:00Z"))).contains(t("2026-11-27T03:00:00Z"));
        assertThat(Cron.parse("0 3 * * *").next(t("2026-11-27T03:00:00Z"))).as("strictly after").contains(t("2026-11-28T03:00:00Z"));
        assertThat(Cron.parse("* * * * *").next(t("2026-11-27T10:15:30Z"))).contains(t("2026-11-27T10:16:00Z"));
        assertThat(Cron.parse("*/15 * * * *").next(t("2026-11-27T10:15:00Z"))).contains(t("2026-11-27T10:30:00Z"));
        assertThat(Cron.parse("30 2 1 * *").next(t("2026-11-27T00:00:00Z"))).contains(t("2026-12-01T02:30:00Z"));
        assertThat(Cron.parse("0 0 1 1 *").next(t("2026-11-27T00:00:00Z"))).contains(t("2027-01-01T00:00:00Z"));
        assertThat(Cron.parse("@hourly").next(t("2026-11-27T10:00:00Z"))).contains(t("2026-11-27T11:00:00Z"));
        assertThat(Cron.parse("@daily").next(t("2026-11-27T10:00:00Z"))).contains(t("2026-11-28T00:00:00Z"));
        // 2026-11-27 is a Friday: the next Sunday midnight
        assertThat(Cron.parse("@weekly").next(t("2026-11-27T10:00:00Z"))).contains(t("2026-11-29T00:00:00Z"));
        assertThat(Cron.parse("0 9 * * 1-5").next(t("2026-11-27T10:00:00Z"))).as("weekdays").contains(t("2026-11-30T09:00:00Z"));
        assertThat(Cron.parse("0 9 * * 7").next(t("2026-11-27T10:00:00Z"))).as("7 is Sunday").contains(t("2026-11-29T09:00:00Z"));
        assertThat(Cron.parse("5,35 1-3/2 * * *").next(t("2026-11-27T01:35:00Z"))).contains(t("2026-11-27T03:05:00Z"));
        assertThat(Cron.parse("10/20 * * * *").next(t("2026-11-27T10:31:00Z"))).as("a/n: from a every n").contains(t("2026-11-27T10:50:00Z"));
    }

    @Test
    void bothDayFieldsRestrictedMatchEitherAsCronDoes() {
        // the 13th, or any Friday
        Cron c = Cron.parse("0 0 13 * 5");
        assertThat(c.next(t("2026-11-27T00:00:00Z"))).as("Friday 2026-12-04").contains(t("2026-12-04T00:00:00Z"));
        assertThat(c.next(t("2026-12-11T00:00:00Z"))).as("the 13th, a Sunday").contains(t("2026-12-13T00:00:00Z"));
    }

    @Test
    void leapDaysAndImpossibleDates() {
        assertThat(Cron.parse("0 0 29 2 *").next(t("2026-03-01T00:00:00Z"))).contains(t("2028-02-29T00:00:00Z"));
        assertThat(Cron.parse("0 0 30 2 *").next(t("2026-03-01T00:00:00Z"))).isEmpty();
        assertThat(Cron.parse("0 0 31 4 *").next(t("2026-03-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void latestIsTheLastTimeAtOrBeforeAndAfterTheFloor() {
        Cron c = Cron.parse("0 * * * *");
        assertThat(c.latest(t("2026-11-27T10:59:59Z"), t("2026-11-27T00:00:00Z"))).contains(t("2026-11-27T10:00:00Z"));
        assertThat(c.latest(t("2026-11-27T10:00:00Z"), t("2026-11-27T00:00:00Z"))).as("at").contains(t("2026-11-27T10:00:00Z"));
        assertThat(c.latest(t("2026-11-27T10:30:00Z"), t("2026-11-27T10:00:00Z"))).as("the floor excluded").isEmpty();
        assertThat(Cron.parse("0 3 1 * *").latest(t("2026-11-27T10:00:00Z"), t("2026-01-01T00:00:00Z"))).contains(t("2026-11-01T03:00:00Z"));
        assertThat(Cron.parse("0 0 29 2 *").latest(t("2026-11-27T10:00:00Z"), t("2020-01-01T00:00:00Z"))).contains(t("2024-02-29T00:00:00Z"));
    }

    /** next and latest agree with a minute-by-minute walk checking each field, over random schedules and times. */
    @Test
    void nextAndLatestAgreeWithAWalkOfEveryMinute() {
        Random random = new Random(70);
        String[][] fields = {{"*", "0", "*/7", "5-20", "1,31,59", "10/25"}, {"*", "0", "23", "*/5", "3-5", "1,12"},
                {"*", "1", "15", "28-31", "*/10"}, {"*", "2", "1-3", "*/4", "12"}, {"*", "0", "1-5", "6,0", "7"}};
        for (int i = 0; i < 300; i++) {
            List<String> f = new ArrayList<>();
            for (String[] choices : fields) {
                f.add(choices[random.nextInt(choices.length)]);
            }
            Cron c = Cron.parse(String.join(" ", f));
            Instant start = t("2026-01-01T00:00:00Z").plusSeconds(random.nextInt(365 * 86400));
            Instant walked = null;
            for (Instant m = start.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(60);
                 m.isBefore(start.plusSeconds(3L * 366 * 86400)); m = m.plusSeconds(60)) {
                if (c.matches(m)) {
                    walked = m;
                    break;
                }
            }
            assertThat(c.next(start).orElse(null)).as("%s after %s", c, start).isEqualTo(walked);
            if (walked != null) {
                assertThat(c.latest(walked.plusSeconds(59), start)).as("%s", c).contains(walked);
            }
        }
    }

    @Test
    void everyMistakeIsNamed() {
        assertThatThrownBy(() -> Cron.parse("0 3 * *")).hasMessageContaining("4 fields, not 5");
        assertThatThrownBy(() -> Cron.parse("60 * * * *")).hasMessageContaining("minute '60': 60 is outside 0..59");
        assertThatThrownBy(() -> Cron.parse("0 24 * * *")).hasMessageContaining("hour");
        assertThatThrownBy(() -> Cron.parse("0 0 0 * *")).hasMessageContaining("day of month '0'");
        assertThatThrownBy(() -> Cron.parse("0 0 * 13 *")).hasMessageContaining("month");
        assertThatThrownBy(() -> Cron.parse("0 0 * * 8")).hasMessageContaining("day of week");
        assertThatThrownBy(() -> Cron.parse("5-1 * * * *")).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> Cron.parse("*/0 * * * *")).hasMessageContaining("0 is outside 1..59");
        assertThatThrownBy(() -> Cron.parse("0 0 * JAN *")).hasMessageContaining("'JAN' is not a number");
        assertThatThrownBy(() -> Cron.parse("0,,5 * * * *")).hasMessageContaining("an empty item");
        assertThatThrownBy(() -> Cron.parse("@often")).hasMessageContaining("'@often' is not one of");
        assertThatThrownBy(() -> Cron.parse("9".repeat(300))).hasMessageContaining("longer than 200");
        assertThatThrownBy(() -> Cron.parse("99999999999 * * * *")).hasMessageContaining("is not a number");
    }
}
