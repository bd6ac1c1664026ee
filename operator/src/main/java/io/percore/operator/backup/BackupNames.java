package io.percore.operator.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How backups are named, so that a listing says everything retention and "latest" need without reading an object:
 *
 * <pre>
 *   [prefix/]namespace/service/20261127T174135.123Z-k3x9q2ab.rdb    the snapshot (RDB)
 *   [prefix/]namespace/service/20261127T174135.123Z-k3x9q2ab.json   its manifest: written last, so it marks a complete backup
 * </pre>
 *
 * The UTC time the backup began, to the millisecond, in a fixed width, so keys sort as the backups' times do (S3 lists
 * in key order); then an id (a DNS label: the Job's or a random one) that keeps two backups of one millisecond
 * apart. Every name of one service is directly under its prefix, which ends in a slash: {@code kv/} never lists
 * {@code kv-2/}.
 */
public final class BackupNames {

    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("(\\d{8}T\\d{6}\\.\\d{3}Z)-([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\\.(rdb|json)");
    /** What an id may be: a DNS label (a Job's name fits). */
    public static final Pattern ID = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    /** A name of ours: when the backup began, its id, and whether it is the snapshot or the manifest. */
    public record Name(Instant time, String id, boolean manifest) {
    }

    private BackupNames() {
    }

    /** The folder of one service's backups: {@code [prefix/]namespace/service/}. */
    public static String servicePrefix(String prefix, String namespace, String service) {
        String p = prefix == null ? "" : stripSlashes(prefix);
        return (p.isEmpty() ? "" : p + "/") + namespace + "/" + service + "/";
    }

    /** The snapshot's key of a backup begun at {@code time} with {@code id}. */
    public static String dataKey(String servicePrefix, Instant time, String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("backup id '" + id + "' is not a DNS label (a-z, 0-9, '-', at most 63)");
        }
        return servicePrefix + STAMP.format(time) + "-" + id + ".rdb";
    }

    /** The manifest's key beside a snapshot's key. */
    public static String manifestKey(String dataKey) {
        if (!dataKey.endsWith(".rdb")) {
            throw new IllegalArgumentException(dataKey + " is not a snapshot's key (.rdb)");
        }
        return dataKey.substring(0, dataKey.length() - 4) + ".json";
    }

    /** The snapshot's key beside a manifest's key. */
    public static String dataKeyOf(String manifestKey) {
        return manifestKey.substring(0, manifestKey.length() - 5) + ".rdb";
    }

    /** The name of {@code key} if it is one of ours directly under {@code servicePrefix}; empty for any other key. */
    public static Optional<Name> parse(String servicePrefix, String key) {
        if (!key.startsWith(servicePrefix)) {
            return Optional.empty();
        }
        Matcher m = NAME.matcher(key.substring(servicePrefix.length()));
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Name(Instant.from(STAMP.parse(m.group(1))), m.group(2), m.group(3).equals("json")));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static String stripSlashes(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '/') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '/') {
            to--;
        }
        return s.substring(from, to);
    }
}
