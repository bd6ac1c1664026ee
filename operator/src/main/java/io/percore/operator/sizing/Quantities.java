package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
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

    /** Bytes as a quantity string, in Mi when exact ("1536Mi"), else plain bytes. */
    public static String formatBytes(long bytes) {
        if (bytes % MI == 0) {
            return (bytes / MI) + "Mi";
        }
        return Long.toString(bytes);
    }
}
