package io.percore.demo.admin;

import io.percore.demo.resp.RespNumbers;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/**
 * A CONFIG parameter's type (Redis's {@code config.c} types: bool, numeric with its bounds, memory,
 * enum, and the special ones): how a value's text is read, with Redis 7.0.15's error texts, and
 * how the table describes it. The same reading serves CONFIG SET, the start's
 * {@code percore.demo.*} values and their live changes.
 *
 * @param description what the configuration table says the values are
 * @param reader      reads a value's text; throws {@link Invalid} with Redis's reason
 */
record ConfigType<T>(String description, Function<String, T> reader) {

    /** A value the type refuses; CONFIG SET names the parameter as it was asked for (Redis: the alias too). */
    static final class Invalid extends RuntimeException {
        Invalid(String why) {
            super(why, null, false, false);
        }
    }

    /** Redis's bool configs: {@code yes} or {@code no}, any case. */
    static final ConfigType<Boolean> YES_NO = new ConfigType<>("yes / no", ConfigType::yesNo);

    /** Any text; what it must be is the parameter's own check. */
    static ConfigType<String> text(String description) {
        return new ConfigType<>(description, Function.identity());
    }

    /** Text a parameter reads with {@code reader} (its own syntax), described as {@code description}. */
    static <T> ConfigType<T> of(String description, Function<String, T> reader) {
        return new ConfigType<>(description, reader);
    }

    /** A signed integer (Redis's int and long long configs) within [min, max]. */
    static ConfigType<Long> signed(long min, long max) {
        return new ConfigType<>("integer " + bound(min) + " to " + bound(max), value -> {
            long n = integer(value);
            if (n < min || n > max) {
                throw invalid("argument must be between " + min + " and " + max + " inclusive");
            }
            return n;
        });
    }

    /**
     * An unsigned integer (Redis's uint, size_t and unsigned long configs): a negative number is
     * read as the huge unsigned value it is in C, so it fails the upper bound.
     */
    static ConfigType<Long> unsigned(long min, long max) {
        return new ConfigType<>("integer " + bound(min) + " to " + bound(max), value -> {
            long n = integer(value);
            if (n < 0 || n < min || n > max) {
                throw invalid("argument must be between " + min + " and " + Long.toUnsignedString(max) + " inclusive");
            }
            return n;
        });
    }

    /** A memory value (Redis's memtoull, units k, kb, m, mb, g, gb) within [min, max]. */
    static ConfigType<Long> memory(long min, long max) {
        String range = min == 0 && max == Long.MAX_VALUE ? "" : " " + bound(min) + " to " + bound(max);
        return new ConfigType<>("memory" + range, value -> {
            long n = memory(value);
            if (n < min || n > max) {
                throw invalid("argument must be between " + min + " and " + max + " inclusive");
            }
            return n;
        });
    }

    /** One of a closed list of names (Redis's enum configs); {@code lookup} throws IllegalArgumentException for others. */
    static <E> ConfigType<E> oneOf(String names, Function<String, E> lookup) {
        return new ConfigType<>("one of " + names, value -> {
            try {
                return lookup.apply(value);
            } catch (IllegalArgumentException e) {
                throw invalid("argument(s) must be one of the following: " + names);
            }
        });
    }

    /** The value {@code text} stands for. @throws Invalid with Redis's reason */
    T read(String text) {
        return reader.apply(text);
    }

    static Invalid invalid(String why) {
        return new Invalid(why);
    }

    private static String bound(long n) {
        if (n == Long.MAX_VALUE) {
            return "LLONG_MAX";
        }
        if (n == Integer.MAX_VALUE) {
            return "INT_MAX";
        }
        if (n == Integer.MIN_VALUE) {
            return "INT_MIN";
        }
        if (n == 0xFFFFFFFFL) {
            return "UINT_MAX";
        }
        return Long.toString(n);
    }

    private static long integer(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        if (!RespNumbers.isLong(bytes)) {
            throw invalid("argument couldn't be parsed into an integer");
        }
        return RespNumbers.parseLong(bytes);
    }

    /** Redis's memtoull: digits with an optional unit, k/m/g (powers of 1000) or kb/mb/gb (powers of 1024), b. */
    static long memory(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < t.length() && Character.isDigit(t.charAt(digits))) {
            digits++;
        }
        long unit = switch (t.substring(digits)) {
            case "", "b" -> 1;
            case "k" -> 1000;
            case "kb" -> 1024;
            case "m" -> 1000 * 1000;
            case "mb" -> 1024 * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> -1;
        };
        if (unit < 0 || digits == 0 || digits > 128) {
            throw invalid("argument must be a memory value");
        }
        try {
            return Math.multiplyExact(Long.parseLong(t.substring(0, digits)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid("argument must be a memory value");
        }
    }

    /** Redis's yesnotoi. @return true for yes */
    static boolean yesNo(String value) {
        if (value.equalsIgnoreCase("yes")) {
            return true;
        }
        if (value.equalsIgnoreCase("no")) {
            return false;
        }
        throw invalid("argument must be 'yes' or 'no'");
    }
}
