package io.percore.operator.backupplan;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Map;
import java.util.Optional;

/**
 * A cron expression of five fields, in UTC: minute (0-59), hour (0-23), day of month (1-31), month (1-12), day of week
 * (0-7, 0 and 7 Sunday). Each field is {@code *} or a list of numbers, ranges {@code a-b} and steps ({@code * /n},
 * {@code a-b/n}, {@code a/n}); or one of {@code @yearly}, {@code @annually}, {@code @monthly}, {@code @weekly},
 * {@code @daily}, {@code @midnight}, {@code @hourly}. As Vixie cron and Kubernetes' CronJob: when both day fields are
 * restricted (neither is {@code *}), a day matches either. Names (JAN, MON) and {@code ?}, {@code L}, {@code W} are not
 * taken. Pure; times are whole minutes.
 */
public final class Cron {

    /** How far {@link #next} and {@link #latest} look: leap days on a given weekday repeat within 28 years. */
    static final int SEARCH_YEARS = 29;

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean daysRestricted;
    private final boolean weekdaysRestricted;

    private Cron(String text, BitSet minutes, BitSet hours, BitSet days, BitSet months, BitSet weekdays, boolean daysRestricted,
                 boolean weekdaysRestricted) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.days = days;
        this.months = months;
        this.weekdays = weekdays;
        this.daysRestricted = daysRestricted;
        this.weekdaysRestricted = weekdaysRestricted;
    }

    /** @throws IllegalArgumentException naming the field and what is wrong with it */
    public static Cron parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("empty");
        }
        if (expression.length() > 200) {
            throw new IllegalArgumentException("longer than 200 characters");
        }
        String text = expression.trim();
        String fields = text.startsWith("@") ? MACROS.get(text) : text;
        if (fields == null) {
            throw new IllegalArgumentException("'" + text + "' is not one of " + String.join(", ", new java.util.TreeSet<>(MACROS.keySet())));
        }
        String[] f = fields.split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("'" + text + "' has " + f.length + " fields, not 5 (minute hour day-of-month month day-of-week)");
        }
        BitSet weekdays = field(f[4], "day of week", 0, 7);
        if (weekdays.get(7)) {
            weekdays.set(0); // 7 is Sunday too
            weekdays.clear(7);
        }
        return new Cron(text, field(f[0], "minute", 0, 59), field(f[1], "hour", 0, 23), field(f[2], "day of month", 1, 31),
                field(f[3], "month", 1, 12), weekdays, !f[2].equals("*"), !f[4].equals("*"));
    }

    private static BitSet field(String field, String name, int min, int max) {
        BitSet set = new BitSet(max + 1);
        for (String item : field.split(",", -1)) {
            if (item.isEmpty()) {
                throw new IllegalArgumentException(name + " '" + field + "': an empty item");
            }
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), name, item, 1, max);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else {
                int dash = range.indexOf('-');
                if (dash >= 0) {
                    from = number(range.substring(0, dash), name, item, min, max);
                    to = number(range.substring(dash + 1), name, item, min, max);
                    if (to < from) {
                        throw new IllegalArgumentException(name + " '" + item + "': the range ends before it starts");
                    }
                } else {
                    from = number(range, name, item, min, max);
                    to = slash >= 0 ? max : from; // a/n: from a to the end, every n
                }
            }
            for (int v = from; v <= to; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int number(String s, String name, String item, int min, int max) {
        if (s.isEmpty() || s.length() > 2 || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(name + " '" + item + "': '" + s + "' is not a number of " + min + ".." + max);
        }
        int v = Integer.parseInt(s);
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " '" + item + "': " + v + " is outside " + min + ".." + max);
        }
        return v;
    }

    /** The first time strictly after {@code after} (to the minute) the schedule names; empty when it names none (30 February). */
    public Optional<Instant> next(Instant after) {
        LocalDateTime t = LocalDateTime.ofInstant(after, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDateTime end = t.plusYears(SEARCH_YEARS);
        while (t.isBefore(end)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.withHour(0).withMinute(0).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.withMinute(0).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return Optional.of(t.toInstant(ZoneOffset.UTC));
            }
        }
        return Optional.empty();
    }

    /** The last time at or before {@code atOrBefore} and strictly after {@code after} the schedule names; empty when none. */
    public Optional<Instant> latest(Instant atOrBefore, Instant after) {
        LocalDateTime t = LocalDateTime.ofInstant(atOrBefore, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        LocalDateTime floor = LocalDateTime.ofInstant(after, ZoneOffset.UTC);
        LocalDateTime end = t.minusYears(SEARCH_YEARS);
        if (floor.isBefore(end)) {
            floor = end;
        }
        while (t.isAfter(floor)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).withHour(0).withMinute(0).minusMinutes(1); // the last minute of the month before
            } else if (!dayMatches(t)) {
                t = t.withHour(0).withMinute(0).minusMinutes(1);
            } else if (!hours.get(t.getHour())) {
                t = t.withMinute(0).minusMinutes(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.minusMinutes(1);
            } else {
                return Optional.of(t.toInstant(ZoneOffset.UTC));
            }
        }
        return Optional.empty();
    }

    /** Whether the schedule names this minute. */
    boolean matches(Instant minute) {
        LocalDateTime t = LocalDateTime.ofInstant(minute, ZoneOffset.UTC);
        return t.getSecond() == 0 && t.getNano() == 0 && months.get(t.getMonthValue()) && dayMatches(t) && hours.get(t.getHour())
                && minutes.get(t.getMinute());
    }

    private boolean dayMatches(LocalDateTime t) {
        boolean day = days.get(t.getDayOfMonth());
        boolean weekday = weekdays.get(t.getDayOfWeek().getValue() % 7);
        if (daysRestricted && weekdaysRestricted) {
            return day || weekday;
        }
        return day && weekday;
    }

    @Override
    public String toString() {
        return text;
    }
}
