package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.math.RoundingMode;

/** Kubernetes quantity conversions the planner needs. */
public final class Quantities {

    private static final long MI = 1024L * 1024L;

    private Quantities() {
    }

    /** CPU quantity ("3500m", "4", "0.5") in millicores, rounded down. */
    public static long cpuMillis(Quantity quantity) {
        if (quantity == null) {
            return 0;
        }
        return quantity.getNumericalAmount().multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** Parses a CPU quantity string ("250m", "0.5", "1"), naming {@code field} in the error. */
    public static long cpuMillis(String value, String field) {
        try {
            return cpuMillis(new Quantity(value));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not a CPU quantity (e.g. 250m, 0.5, 1)", e);
        }
    }

    /** Millicores as the API server stores a CPU quantity: whole CPUs without a suffix ("2"), else "1500m". */
    public static String formatCpu(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
    }

    /** Memory quantity ("512Mi", "2G", "1000000") in bytes, rounded down. */
    public static long bytes(Quantity quantity) {
        if (quantity == null) {
            return 0;
        }
        return Quantity.getAmountInBytes(quantity).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** Parses a memory quantity string, naming {@code field} in the error. */
    public static long bytes(String value, String field) {
        try {
            return bytes(new Quantity(value));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not a Kubernetes quantity (e.g. 512Mi, 2Gi)", e);
        }
    }

    private static final java.util.regex.Pattern QUANTITY =
            java.util.regex.Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$");
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final String[] DECIMAL_SUFFIXES = {"", "k", "M", "G", "T", "P", "E"};

    /**
     * A whole number of bytes written the way the API server stores it ({@code resource.Quantity}'s
     * canonical form): "1024Mi" becomes "1Gi", "1000M" becomes "1G", "1536Mi" stays. The server
     * rewrites every quantity it stores into this form, so the operator renders it this way; a
     * rendered "2048Mi" would never equal the stored "2Gi" and every reconcile would write again
     * (and a StatefulSet's claim template, which cannot change, would be refused).
     *
     * <p>Like the server: a binary suffix (Ki ... Ei) keeps the binary form with the largest suffix
     * that divides the value exactly, except below 1024 where the decimal form is used; a decimal
     * suffix or none keeps the decimal form with the largest power of 1000 that divides exactly.
     *
     * @throws IllegalArgumentException naming {@code field} when the value is not a quantity or not a whole number of bytes
     */
    public static String canonicalBytes(String value, String field) {
        java.util.regex.Matcher m = value == null ? null : QUANTITY.matcher(value.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not a Kubernetes quantity (e.g. 512Mi, 10Gi)");
        }
        String suffix = m.group(2) == null ? "" : m.group(2);
        BigDecimal amount = new BigDecimal(m.group(1)).multiply(multiplier(suffix));
        BigInteger bytes;
        try {
            bytes = amount.stripTrailingZeros().toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not a whole number of bytes", e);
        }
        if (suffix.endsWith("i") && bytes.compareTo(BigInteger.valueOf(1024)) >= 0) {
            String binary = strip(bytes, BigInteger.valueOf(1024), BINARY_SUFFIXES);
            // A binary value with no 1024 factor comes out as plain digits, which the server reads
            // back as decimal: write the decimal form at once, so the result is stable.
            if (!Character.isDigit(binary.charAt(binary.length() - 1))) {
                return binary;
            }
        }
        return strip(bytes, BigInteger.valueOf(1000), DECIMAL_SUFFIXES);
    }

    /** A byte count (a memory limit) in canonical form, binary when it is a whole number of KiB ("3840Mi", "2Gi"). */
    public static String canonicalBytes(long bytes) {
        return canonicalBytes(bytes % 1024 == 0 ? (bytes / 1024) + "Ki" : Long.toString(bytes), "bytes");
    }

    private static String strip(BigInteger value, BigInteger base, String[] suffixes) {
        int exponent = 0;
        while (exponent < suffixes.length - 1 && value.signum() != 0 && value.mod(base).signum() == 0) {
            value = value.divide(base);
            exponent++;
        }
        return value + suffixes[exponent];
    }

    private static BigDecimal multiplier(String suffix) {
        return switch (suffix) {
            case "" -> BigDecimal.ONE;
            case "m" -> new BigDecimal("0.001");
            case "k" -> BigDecimal.TEN.pow(3);
            case "M" -> BigDecimal.TEN.pow(6);
            case "G" -> BigDecimal.TEN.pow(9);
            case "T" -> BigDecimal.TEN.pow(12);
            case "P" -> BigDecimal.TEN.pow(15);
            case "E" -> BigDecimal.TEN.pow(18);
            default -> new BigDecimal(BigInteger.valueOf(1024).pow(List.of(BINARY_SUFFIXES).indexOf(suffix)));
        };
    }

    /** Bytes as a quantity string, in Mi when exact ("1536Mi"), else plain bytes. */
    public static String formatBytes(long bytes) {
        if (bytes % MI == 0) {
            return (bytes / MI) + "Mi";
        }
        return Long.toString(bytes);
    }
}
