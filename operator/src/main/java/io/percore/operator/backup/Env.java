package io.percore.operator.backup;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The programs' settings from environment variables: every problem collected, so one run names them all
 * ({@link #check()}).
 */
final class Env {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti)?");

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    Env(Map<String, String> env) {
        this.env = env;
    }

    /** The value, trimmed; null when unset or blank. */
    String optional(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    String required(String name, String what) {
        String v = optional(name);
        if (v == null) {
            problems.add(name + " is required: " + what);
        }
        return v;
    }

    /** A secret's value as given (a password may begin or end with a space). */
    String secret(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    boolean bool(String name, boolean def) {
        String v = optional(name);
        if (v == null) {
            return def;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> {
                return true;
            }
            case "false" -> {
                return false;
            }
            default -> {
                problems.add(name + "=" + v + ": true or false");
                return def;
            }
        }
    }

    Integer integer(String name, Integer def, int min, int max) {
        String v = optional(name);
        if (v == null) {
            return def;
        }
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                problems.add(name + "=" + v + ": " + min + " to " + max);
                return def;
            }
            return i;
        } catch (NumberFormatException e) {
            problems.add(name + "=" + v + ": a whole number");
            return def;
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}. */
    Duration duration(String name, Duration def) {
        String v = optional(name);
        if (v == null) {
            return def;
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            problems.add(name + "=" + v + ": a duration such as 500ms, 30s, 5m, 2h or 7d");
            return def;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero()) {
            problems.add(name + "=" + v + ": must be more than 0");
            return def;
        }
        return d;
    }

    /** Bytes: {@code 16777216}, {@code 16Mi}, {@code 100Gi} (Kubernetes' binary suffixes). */
    long size(String name, long def, long min, long max) {
        String v = optional(name);
        if (v == null) {
            return def;
        }
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            problems.add(name + "=" + v + ": a size in bytes, or with Ki, Mi, Gi or Ti");
            return def;
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            case "Gi" -> 30;
            default -> 40;
        };
        long n = Long.parseLong(m.group(1));
        if (n > (max >> shift) || (n << shift) < min) {
            problems.add(name + "=" + v + ": " + min + " to " + max + " bytes");
            return def;
        }
        return n << shift;
    }

    URI uri(String name) {
        String v = optional(name);
        if (v == null) {
            return null;
        }
        try {
            URI u = new URI(v);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                problems.add(name + "=" + v + ": an http:// or https:// URL with a host");
                return null;
            }
            return u;
        } catch (URISyntaxException e) {
            problems.add(name + "=" + v + ": " + e.getMessage());
            return null;
        }
    }

    void problem(String text) {
        problems.add(text);
    }

    /** Throws every problem found, one per line's part. */
    void check() throws BackupException {
        if (!problems.isEmpty()) {
            throw new BackupException(Failure.INVALID_SETTINGS, String.join("; ", problems));
        }
    }

    /** The object store's settings, shared by both programs. */
    StorageSettings storage() {
        URI endpoint = uri("PERCORE_S3_ENDPOINT");
        String bucket = required("PERCORE_S3_BUCKET", "the bucket the backups are in");
        String access = optional("PERCORE_S3_ACCESS_KEY_ID");
        String secret = secret("PERCORE_S3_SECRET_ACCESS_KEY");
        if ((access == null) != (secret == null)) {
            problem("PERCORE_S3_ACCESS_KEY_ID and PERCORE_S3_SECRET_ACCESS_KEY go together (neither: the SDK's default credentials)");
        }
        String sse = optional("PERCORE_S3_SSE");
        if (sse != null && !sse.equals("AES256") && !sse.equals("aws:kms")) {
            problem("PERCORE_S3_SSE=" + sse + ": AES256 (SSE-S3) or aws:kms (SSE-KMS)");
        }
        String kms = optional("PERCORE_S3_SSE_KMS_KEY_ID");
        if (kms != null && !"aws:kms".equals(sse)) {
            problem("PERCORE_S3_SSE_KMS_KEY_ID needs PERCORE_S3_SSE=aws:kms");
        }
        String prefix = optional("PERCORE_S3_PREFIX");
        return new StorageSettings(endpoint, optional("PERCORE_S3_REGION") == null ? "us-east-1" : optional("PERCORE_S3_REGION"),
                bucket, prefix == null ? "" : BackupNames.stripSlashes(prefix), bool("PERCORE_S3_PATH_STYLE", false), access, secret, sse, kms,
                duration("PERCORE_S3_CONNECT_TIMEOUT", Duration.ofSeconds(10)), duration("PERCORE_S3_TIMEOUT", Duration.ofSeconds(60)));
    }

    /** A Kubernetes name (namespace, service): a DNS label. */
    String label(String name, String what) {
        String v = required(name, what);
        if (v != null && !BackupNames.ID.matcher(v).matches()) {
            problem(name + "=" + v + ": a DNS label (a-z, 0-9, '-', at most 63)");
        }
        return v;
    }
}
