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
 *
 *   [prefix/]namespace/service/20261127T174135.123Z-k3x9q2ab.0.rdb  a cluster's backup: group 0's snapshot (a primary's slots)
 *   [prefix/]namespace/service/20261127T174135.123Z-k3x9q2ab.1.rdb  group 1's ...
 *   [prefix/]namespace/service/20261127T174135.123Z-k3x9q2ab.json   one manifest naming every group's snapshot
 * </pre>
 *
 * The UTC time the backup began, to the millisecond, in a fixed width, so keys sort as the backups' times do (S3 lists
 * in key order); then an id (a DNS label: the Job's or a random one) that keeps two backups of one millisecond
 * apart. Every name of one service is directly under its prefix, which ends in a slash: {@code kv/} never lists
 * {@code kv-2/}.
 */
public final class BackupNames {

    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("(\\d{8}T\\d{6}\\.\\d{3}Z)-([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)"
            + "(?:\\.(0|[1-9]\\d{0,3}))?\\.(rdb|json)");
    /** The most groups a cluster's backup has: a cluster of 16,384 slots has at most that many primaries, far fewer in practice. */
    public static final int MAX_GROUPS = 1000;
    /** What an id may be: a DNS label (a Job's name fits). */
    public static final Pattern ID = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    /**
     * A name of ours: when the backup began, its id, whether it is the snapshot or the manifest, and a cluster's group
     * (-1: a backup of one data set, or the manifest).
     */
    public record Name(Instant time, String id, boolean manifest, int group) {
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

    /** Group {@code group}'s snapshot key of a cluster's backup begun at {@code time} with {@code id}. */
    public static String groupKey(String servicePrefix, Instant time, String id, int group) {
        if (group < 0 || group >= MAX_GROUPS) {
            throw new IllegalArgumentException("group " + group + ": 0 to " + (MAX_GROUPS - 1));
        }
        String data = dataKey(servicePrefix, time, id);
        return data.substring(0, data.length() - 4) + "." + group + ".rdb";
    }

    /** The manifest's key beside a snapshot's key. */
    public static String manifestKey(String dataKey) {
        if (!dataKey.endsWith(".rdb")) {
            throw new IllegalArgumentException(dataKey + " is not a snapshot's key (.rdb)");
        }
        return dataKey.substring(0, dataKey.length() - 4) + ".json";
    }

    /** The manifest's key of the backup {@code name} (a snapshot's, a group's or the manifest's own) belongs to, under {@code servicePrefix}. */
    public static String manifestKey(String servicePrefix, Name name) {
        return servicePrefix + STAMP.format(name.time()) + "-" + name.id() + ".json";
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
            boolean manifest = m.group(4).equals("json");
            if (manifest && m.group(3) != null) {
                return Optional.empty(); // a manifest is one per backup: 'x.0.json' is not ours
            }
            return Optional.of(new Name(Instant.from(STAMP.parse(m.group(1))), m.group(2), manifest,
                    m.group(3) == null ? -1 : Integer.parseInt(m.group(3))));
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
