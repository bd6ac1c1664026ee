package io.percore.operator.migration;

import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What a spec with {@code migrateFrom} must satisfy that no schema rule checks, and what the planner reads of the spec. */
public final class MigrationSpecs {

    static final Duration MIN_CUTOVER_TIMEOUT = Duration.ofMillis(100);
    /** The service's {@code percore.demo.resp.databases} in Spring's environment spelling, as {@code spec.env} gives it to the pods. */
    public static final String DATABASES_ENV = "PERCORE_DEMO_RESP_DATABASES";

    private MigrationSpecs() {
    }

    public static List<String> specProblems(PercoreServiceSpec spec) {
        List<String> problems = new ArrayList<>();
        MigrateFrom m = spec.getMigrateFrom();
        if (m == null) {
            return problems;
        }
        if (m.getHost() == null || m.getHost().isBlank()) {
            problems.add("spec.migrateFrom.host: required");
        }
        if (Cluster.enabled(spec)) {
            problems.add("spec.migrateFrom with spec.cluster: a single Redis moves into a service with one primary; its keys would"
                    + " each need moving to the primary owning their slot (move it into a service without cluster, then enable it)");
        }
        try {
            Duration timeout = m.cutoverTimeoutOrDefault();
            if (timeout.compareTo(MIN_CUTOVER_TIMEOUT) < 0 || timeout.compareTo(MigrateFrom.MAX_CUTOVER_TIMEOUT) > 0) {
                problems.add("spec.migrateFrom.cutoverTimeout: " + m.getCutoverTimeout() + " is outside 100ms..60s");
            }
        } catch (IllegalArgumentException e) {
            problems.add("spec.migrateFrom.cutoverTimeout: " + e.getMessage());
        }
        return problems;
    }

    /**
     * Whether a primary that follows {@code following} is the service's primary as a migration has it: it follows the
     * source of a {@code spec.migrateFrom} not yet cut over. The replication planner counts it as a primary.
     */
    public static boolean followsSource(PercoreService s, HostPort following) {
        MigrateFrom m = s.getSpec().getMigrateFrom();
        MigrationStatus status = s.getStatus() == null ? null : s.getStatus().getMigration();
        return m != null && following != null && !(status != null && MigrationPlanner.COMPLETED.equals(status.getPhase()))
                && following.equals(new HostPort(m.getHost(), m.portOrDefault()));
    }

    /**
     * The databases the service's pods are configured with: {@value #DATABASES_ENV} of {@code spec.env} (what the operator
     * renders into their environment), else {@link MigrationPlanner#DEFAULT_DATABASES}. A value that is not a positive
     * number is the pod's to refuse; the check counts the default meanwhile.
     */
    public static int databases(PercoreServiceSpec spec) {
        String value = spec.envOrEmpty().get(DATABASES_ENV);
        try {
            int n = value == null ? 0 : Integer.parseInt(value.trim());
            return n > 0 ? n : MigrationPlanner.DEFAULT_DATABASES;
        } catch (NumberFormatException e) {
            return MigrationPlanner.DEFAULT_DATABASES;
        }
    }
}
