package io.percore.operator.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.percore.operator.backupplan.BackupOutcomes;
import io.percore.operator.crd.BackupRecord;
import io.percore.operator.crd.BackupsStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backups of every service with {@code spec.backup}, for alerts and the dashboard, tagged with the service's
 * {@code namespace} and {@code name} (an alert must say which service has no backup): the last success's time (until the
 * first one: when backups were configured, so that "no backup for a day" counts from there), its duration, size and keys,
 * the failures, whether one runs. Set from the status at each reconcile, so an operator restarted shows them again at
 * once; removed with the service or its {@code spec.backup}.
 *
 * <pre>
 * percore_backup_last_success_timestamp_seconds{namespace,name}
 * percore_backup_last_duration_seconds{namespace,name}
 * percore_backup_last_size_bytes{namespace,name}
 * percore_backup_last_keys{namespace,name}
 * percore_backup_running{namespace,name}
 * percore_backup_failures_total{namespace,name,reason}
 * </pre>
 */
final class BackupMeters {

    static final String LAST_SUCCESS = "percore.backup.last.success.timestamp";
    static final String LAST_DURATION = "percore.backup.last.duration";
    static final String LAST_SIZE = "percore.backup.last.size";
    static final String LAST_KEYS = "percore.backup.last.keys";
    static final String RUNNING = "percore.backup.running";
    static final String FAILURES = "percore.backup.failures";

    private final MeterRegistry registry;
    private final Map<String, Figures> services = new ConcurrentHashMap<>();

    BackupMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One service's figures, read by its gauges. */
    private static final class Figures {
        volatile double lastSuccess = Double.NaN;
        volatile double duration = Double.NaN;
        volatile double size = Double.NaN;
        volatile double keys = Double.NaN;
        volatile double running;
        final List<Meter> meters = new ArrayList<>();
    }

    /** The figures of {@code status}, for service {@code namespace/name}. */
    void show(String namespace, String name, BackupsStatus status) {
        Figures f = services.computeIfAbsent(namespace + "/" + name, k -> register(namespace, name));
        Instant success = BackupOutcomes.lastSuccessOrSince(status);
        f.lastSuccess = success == null ? Double.NaN : success.toEpochMilli() / 1000.0;
        BackupRecord ok = status.getLastSuccessful();
        f.duration = ok == null || ok.getDurationMillis() == null ? Double.NaN : ok.getDurationMillis() / 1000.0;
        f.size = ok == null || ok.getBytes() == null ? Double.NaN : ok.getBytes();
        f.keys = ok == null || ok.getKeys() == null ? Double.NaN : ok.getKeys();
        f.running = status.getRunning() == null ? 0 : 1;
    }

    /** A backup of {@code namespace/name} failed for {@code reason}. */
    void failed(String namespace, String name, String reason) {
        Counter c = Counter.builder(FAILURES).tags(Tags.of("namespace", namespace, "name", name, "reason", reason == null ? "unknown" : reason))
                .description("Backups that failed, by service and reason (the backup program's: StorageUnreachable, AccessDenied ...)")
                .register(registry);
        services.computeIfAbsent(namespace + "/" + name, k -> register(namespace, name)).meters.add(c);
        c.increment();
    }

    /** The service is gone, or has no backups any more: its series go too. */
    void forget(String namespace, String name) {
        Figures f = services.remove(namespace + "/" + name);
        if (f != null) {
            f.meters.forEach(registry::remove);
        }
    }

    private Figures register(String namespace, String name) {
        Figures f = new Figures();
        Tags tags = Tags.of("namespace", namespace, "name", name);
        f.meters.add(Gauge.builder(LAST_SUCCESS, f, x -> x.lastSuccess).tags(tags).baseUnit("seconds")
                .description("When the last backup of the service completed (Unix time); before the first, when backups were configured")
                .register(registry));
        f.meters.add(Gauge.builder(LAST_DURATION, f, x -> x.duration).tags(tags).baseUnit("seconds")
                .description("How long the last successful backup took").register(registry));
        f.meters.add(Gauge.builder(LAST_SIZE, f, x -> x.size).tags(tags).baseUnit("bytes")
                .description("The size of the last successful backup's snapshot").register(registry));
        f.meters.add(Gauge.builder(LAST_KEYS, f, x -> x.keys).tags(tags)
                .description("The keys of the last successful backup").register(registry));
        f.meters.add(Gauge.builder(RUNNING, f, x -> x.running).tags(tags)
                .description("1 while a backup of the service runs").register(registry));
        return f;
    }
}
