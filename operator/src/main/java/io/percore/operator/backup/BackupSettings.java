package io.percore.operator.backup;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a backup needs, read from the environment of its Job ({@link #fromEnv}):
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>variable</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code PERCORE_BACKUP_SOURCES}</td><td>{@code host:port} of the pods to read from, comma-separated: a
 *       replica in sync is read when there is one, else the primary. A cluster's groups (a primary and its replicas)
 *       are separated by {@code ;}: one snapshot per group, one manifest for all</td><td>required</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_SLOTS}</td><td>a cluster's groups' slots ({@code 0-5460;5461-10922;...}), one per group
 *       in the sources' order, for the manifest</td><td>none</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_PASSWORD}, {@code PERCORE_BACKUP_USERNAME}</td><td>AUTH to the sources (from the
 *       service's Secret)</td><td>none</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_NAMESPACE}, {@code PERCORE_BACKUP_SERVICE}</td><td>whose backup: the folder under
 *       the prefix</td><td>required</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_ID}</td><td>the backup's id in its name (a DNS label: the Job's name)</td><td>8 random
 *       characters</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_PART_SIZE}</td><td>the upload's part size (5Mi to 5Gi); memory held is at most
 *       (in flight + 1) parts</td><td>16Mi</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_PARTS_IN_FLIGHT}</td><td>parts sent at once (1 to 16)</td><td>2</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_GROUPS_IN_FLIGHT}</td><td>a cluster's groups read at once (1 to 16); memory held is
 *       that many times the parts' above</td><td>3</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_MAX_SIZE}</td><td>the largest snapshot taken; also raises the part size so that
 *       10,000 parts hold it</td><td>150Gi</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_CONNECT_TIMEOUT}, {@code PERCORE_BACKUP_STALL_TIMEOUT},
 *       {@code PERCORE_BACKUP_START_TIMEOUT}</td><td>to connect to a source; the longest silence of a source; the
 *       longest wait for its snapshot to begin (keep-alives do not extend it)</td><td>10s, 60s, 10m</td></tr>
 *   <tr><td>{@code PERCORE_BACKUP_KEEP}, {@code PERCORE_BACKUP_MAX_AGE}</td><td>retention applied after a successful
 *       backup ({@link Retention})</td><td>none: nothing deleted</td></tr>
 *   <tr><td>{@code PERCORE_S3_*}</td><td>the store: see {@link StorageSettings} and the README</td><td></td></tr>
 *   <tr><td>{@code PERCORE_TERMINATION_LOG}</td><td>where the one-line outcome goes</td><td>{@code /dev/termination-log}
 *       when it exists</td></tr>
 * </table>
 */
public record BackupSettings(List<List<SourceAddress>> groups, List<String> slots, String username, String password, String namespace, String service,
                             String id, StorageSettings storage, int partSize, int partsInFlight, long maxBytes,
                             Duration connectTimeout, Duration stallTimeout, Duration startTimeout, Retention retention,
                             int groupsInFlight) {

    /** How many of a cluster's groups are read at once by default: each holds (parts in flight + 1) parts of memory. */
    static final int DEFAULT_GROUPS_IN_FLIGHT = 3;

    static final int DEFAULT_PART = 16 << 20;
    /** The largest snapshot taken by default: 10,000 parts of 16 MiB hold it (S3's limit on parts). */
    static final long DEFAULT_MAX = 150L << 30;

    /** The settings, or {@link Failure#INVALID_SETTINGS} naming every problem. */
    public static BackupSettings fromEnv(Map<String, String> environment) throws BackupException {
        Env env = new Env(environment);
        List<List<SourceAddress>> groups = new ArrayList<>();
        String list = env.required("PERCORE_BACKUP_SOURCES", "host:port of the pods to read from, comma-separated (a cluster's groups"
                + " separated by ';')");
        if (list != null) {
            String[] parts = list.split(";", -1);
            if (parts.length > BackupNames.MAX_GROUPS) {
                env.problem("PERCORE_BACKUP_SOURCES: " + parts.length + " groups, at most " + BackupNames.MAX_GROUPS);
                parts = new String[0];
            }
            for (String group : parts) {
                List<SourceAddress> sources = new ArrayList<>();
                for (String a : group.split(",")) {
                    if (a.isBlank()) {
                        continue;
                    }
                    try {
                        sources.add(SourceAddress.parse(a));
                    } catch (IllegalArgumentException e) {
                        env.problem("PERCORE_BACKUP_SOURCES: " + e.getMessage());
                    }
                }
                if (sources.isEmpty() && parts.length > 1) {
                    env.problem("PERCORE_BACKUP_SOURCES: group " + groups.size() + " names no source");
                }
                groups.add(List.copyOf(sources));
            }
        }
        List<String> slots = List.of();
        String slotList = env.optional("PERCORE_BACKUP_SLOTS");
        if (slotList != null) {
            slots = List.of(slotList.split(";", -1));
            if (slots.size() != groups.size()) {
                env.problem("PERCORE_BACKUP_SLOTS: " + slots.size() + " groups' slots for " + groups.size() + " groups of sources");
            }
            for (String ranges : slots) {
                if (!ranges.matches("[0-9,-]{0,200000}")) {
                    env.problem("PERCORE_BACKUP_SLOTS: '" + RespConnection.shorten(ranges) + "' is not slot ranges (0-5460,5462)");
                }
            }
        }
        String namespace = env.label("PERCORE_BACKUP_NAMESPACE", "the service's namespace");
        String service = env.label("PERCORE_BACKUP_SERVICE", "the service's name");
        String id = env.optional("PERCORE_BACKUP_ID");
        if (id == null) {
            id = randomId();
        } else if (!BackupNames.ID.matcher(id).matches()) {
            env.problem("PERCORE_BACKUP_ID=" + id + ": a DNS label (a-z, 0-9, '-', at most 63)");
        }
        long maxBytes = env.size("PERCORE_BACKUP_MAX_SIZE", DEFAULT_MAX, 1, 50L << 40);
        long part = env.size("PERCORE_BACKUP_PART_SIZE", DEFAULT_PART, MultipartUpload.MIN_PART, 5L << 30);
        // S3 takes at most 10,000 parts: the part grows with the largest snapshot allowed, in whole MiB
        long needed = ((maxBytes + MultipartUpload.MAX_PARTS - 1) / MultipartUpload.MAX_PARTS + (1 << 20) - 1) >> 20 << 20;
        part = Math.min(Integer.MAX_VALUE - 8, Math.max(part, needed));
        int inFlight = env.integer("PERCORE_BACKUP_PARTS_IN_FLIGHT", 2, 1, 16);
        Integer keep = env.integer("PERCORE_BACKUP_KEEP", null, 1, 100_000);
        Duration maxAge = env.duration("PERCORE_BACKUP_MAX_AGE", null);
        StorageSettings storage = env.storage();
        BackupSettings s = new BackupSettings(groups, slots, env.optional("PERCORE_BACKUP_USERNAME"), env.secret("PERCORE_BACKUP_PASSWORD"),
                namespace, service, id, storage, (int) part, inFlight, maxBytes,
                env.duration("PERCORE_BACKUP_CONNECT_TIMEOUT", Duration.ofSeconds(10)),
                env.duration("PERCORE_BACKUP_STALL_TIMEOUT", Duration.ofSeconds(60)),
                env.duration("PERCORE_BACKUP_START_TIMEOUT", Duration.ofMinutes(10)),
                keep == null && maxAge == null ? null : new Retention(keep, maxAge),
                env.integer("PERCORE_BACKUP_GROUPS_IN_FLIGHT", DEFAULT_GROUPS_IN_FLIGHT, 1, 16));
        env.check();
        return s;
    }

    /** Where the outcome line goes, and whether it was set on purpose. */
    static Path terminationLog(Map<String, String> environment) {
        String p = environment.get("PERCORE_TERMINATION_LOG");
        return Path.of(p == null || p.isBlank() ? "/dev/termination-log" : p);
    }

    /** The sources of a backup of one data set (the first group's). */
    public List<SourceAddress> sources() {
        return groups.isEmpty() ? List.of() : groups.get(0);
    }

    /** Several groups: a cluster's backup, one snapshot per group. */
    public boolean cluster() {
        return groups.size() > 1;
    }

    ReplicationSnapshot.Options sourceOptions() {
        return new ReplicationSnapshot.Options(username, password, connectTimeout, stallTimeout, startTimeout, maxBytes);
    }

    /** Without the password. */
    @Override
    public String toString() {
        return "BackupSettings[groups=" + groups + ", slots=" + slots + ", username=" + username + ", password=" + (password == null ? "none" : "(set)")
                + ", namespace=" + namespace + ", service=" + service + ", id=" + id + ", storage=" + storage + ", partSize=" + partSize
                + ", partsInFlight=" + partsInFlight + ", groupsInFlight=" + groupsInFlight + ", maxBytes=" + maxBytes + ", retention=" + retention
                + "]";
    }

    static String randomId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
