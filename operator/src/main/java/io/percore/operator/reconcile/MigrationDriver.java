package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.percore.operator.crd.MigrateFrom;
import io.percore.operator.crd.MigrationStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import io.percore.operator.migration.InfoFields;
import io.percore.operator.migration.MigrationPlanner;
import io.percore.operator.migration.MigrationPlanner.Decision;
import io.percore.operator.migration.MigrationPlanner.SourceView;
import io.percore.operator.migration.MigrationPlanner.TargetView;
import io.percore.operator.migration.MigrationSpecs;
import io.percore.operator.migration.TargetInfo;
import io.percore.operator.migration.SourceProbe;
import io.percore.operator.replication.PodAddresses;
import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes and RESP glue around {@link MigrationPlanner} ({@code spec.migrateFrom}): finds the service's primary (the
 * pod labelled primary with replication, the one pod without), asks the source and that pod where they stand, and
 * carries the decision out: links the pod to the source ({@code CONFIG SET masterauth}, {@code REPLICAOF}), or runs the
 * cut-over. On the pod it speaks as the operator's own user, except for the two {@code CONFIG SET}s of the link, which
 * only the default user may send (Redis 7.0 cannot grant {@code CONFIG SET} for one parameter). The cut-over, in one reconcile, bounded by {@code cutoverTimeout}:
 * <ol>
 *   <li>{@code CLIENT PAUSE <timeout + 2 s> WRITE} on the source (should the operator die here, the source unpauses
 *       itself);</li>
 *   <li>the source's offset, then the pod's until it has reached it;</li>
 *   <li>{@code REPLICAOF NO ONE} on the pod (its own link to a primary back as its masteruser and masterauth): the service is the primary, and its
 *       primary Service, which selects that pod, takes writes;</li>
 *   <li>the source's writes held a minute longer ({@code CLIENT PAUSE 60000 WRITE}): a client still pointed at it
 *       times out instead of writing where nobody reads.</li>
 * </ol>
 * Any failure before the promotion: {@code CLIENT UNPAUSE} and the source stays the primary.
 */
final class MigrationDriver {

    static final String CONDITION = "Migrated";
    /** How long the source's writes stay held after a cut-over: clients still pointed at it time out rather than write there. */
    static final Duration HOLD_AFTER_CUTOVER = Duration.ofSeconds(60);
    /** What the first pause adds to the wait, so that the source unpauses itself if the operator dies mid-way. */
    static final Duration PAUSE_MARGIN = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(MigrationDriver.class);

    private final KubernetesClient client;
    private final PodReplicationProbe probe;
    private final SourceProbe source;
    private final PodAddresses addresses;
    private final PlanEvents events;
    private final ReplicaLink podLink;

    /** @param podLink the pods' own masteruser and masterauth, given back to the pod after the cut-over */
    MigrationDriver(KubernetesClient client, PodReplicationProbe probe, PodAddresses addresses, PlanEvents events, ReplicaLink podLink) {
        this.client = client;
        this.probe = probe;
        this.source = new SourceProbe(probe);
        this.addresses = addresses;
        this.events = events;
        this.podLink = podLink;
    }

    record Outcome(MigrationStatus status, Duration requeue) {
    }

    /**
     * What the source and the service's primary said, and what the planner decided of it.
     *
     * @param done a completed migration: nothing was asked, nothing is done
     */
    record Observation(Decision decision, boolean done, Credentials credentials, HostPort sourceAddress, PodPassword own,
                       HostPort target, TargetView targetView) {
    }

    Outcome run(PercoreService s, MigrationStatus previous, StatusConditions conditions) {
        return act(s, observe(s, previous), conditions);
    }

    /** Asks the source and the pod the source is copied into where they stand, and the planner what to do. */
    Observation observe(PercoreService s, MigrationStatus previous) {
        MigrateFrom spec = s.getSpec().getMigrateFrom();
        if (previous != null && MigrationPlanner.COMPLETED.equals(previous.getPhase())) {
            // done: neither the source nor the pod is asked anything again
            Decision d = MigrationPlanner.decide(new MigrationPlanner.Input(spec, SourceView.unreachable("not asked"), TargetView.missing("not asked"),
                    previous, Instant.now()));
            return new Observation(d, true, null, null, null, null, null);
        }
        Credentials credentials = credentials(s, spec);
        HostPort sourceAddress = new HostPort(spec.getHost(), spec.portOrDefault());
        SourceView sourceView = credentials.problem() != null ? SourceView.unreachable(credentials.problem())
                : source.observe(sourceAddress, credentials.user(), credentials.password());
        PodPassword own = PodPassword.read(client, s);
        int port = s.getSpec().respPort().getPort();
        Pod pod = primaryPod(s);
        HostPort target = pod == null ? null : addresses.of(pod, port);
        TargetView targetView = pod == null ? TargetView.missing("no primary pod yet")
                : target == null ? TargetView.missing(pod.getMetadata().getName() + " has no address yet")
                : observe(pod.getMetadata().getName(), target, own);

        Decision d = MigrationPlanner.decide(new MigrationPlanner.Input(spec, sourceView, targetView, previous, Instant.now(),
                MigrationSpecs.databases(s.getSpec())));
        return new Observation(d, false, credentials, sourceAddress, own, target, targetView);
    }

    /** Carries the decision out (the link, or the cut-over), with its events and the condition. */
    Outcome act(PercoreService s, Observation o, StatusConditions conditions) {
        Decision d = o.decision();
        if (o.done()) {
            conditions.set(CONDITION, true, d.reason(), d.message());
            return new Outcome(d.status(), null);
        }
        MigrateFrom spec = s.getSpec().getMigrateFrom();
        Credentials credentials = o.credentials();
        HostPort sourceAddress = o.sourceAddress();
        PodPassword own = o.own();
        HostPort target = o.target();
        TargetView targetView = o.targetView();
        d.events().forEach(e -> {
            if (e.warning()) {
                events.warning(s, e.reason(), e.message());
            } else {
                events.normal(s, e.reason(), e.message());
            }
        });
        MigrationStatus status = d.status();
        boolean migrated = d.migrated();
        String reason = d.reason();
        String message = d.message();
        if (d.action() == MigrationPlanner.Action.LINK) {
            try {
                link(target, own, sourceAddress, credentials);
            } catch (IOException e) {
                message = "linking " + targetView.pod() + " to " + status.getSource() + " failed: " + e.getMessage() + "; retrying";
                reason = "LinkFailed";
                status.setMessage(message);
            }
        } else if (d.action() == MigrationPlanner.Action.CUTOVER) {
            CutoverResult result = cutover(s, spec, sourceAddress, credentials, target, own, targetView.pod());
            status.setWritesPausedMillis(result.pausedMillis());
            if (result.error() == null) {
                status.setPhase(MigrationPlanner.COMPLETED);
                status.setCutoverAt(Instant.now().toString());
                status.setCutoverFailedAt(null);
                status.setCutoverFailure(null);
                status.setLagBytes(0L);
                status.setLagSeconds(0L);
                message = "cut over from " + status.getSource() + ": " + targetView.pod() + " is the primary; the source's writes were"
                        + " paused " + result.pausedMillis() + " ms and are held " + HOLD_AFTER_CUTOVER.toSeconds() + " s more: point its"
                        + " clients at the service";
                status.setMessage(message);
                migrated = true;
                reason = "CutOver";
                events.normal(s, "MigrationCutOver", message);
            } else {
                message = "cut-over failed, the source is unpaused and stays the primary: " + result.error() + "; next attempt in "
                        + MigrationPlanner.CUTOVER_RETRY.toSeconds() + " s";
                status.setMessage(message);
                status.setCutoverFailedAt(Instant.now().toString());
                status.setCutoverFailure(result.error());
                reason = "CutoverFailed";
                events.warning(s, "CutoverFailed", message);
            }
        }
        conditions.set(CONDITION, migrated, reason, message);
        return new Outcome(status, d.requeue() == null ? MigrationPlanner.PERIOD : d.requeue());
    }

    /** The pod the source is copied into: the labelled primary with replication, the only pod without. */
    private Pod primaryPod(PercoreService s) {
        List<Pod> pods = client.pods().inNamespace(s.getMetadata().getNamespace()).withLabels(Labels.selector(s)).list().getItems()
                .stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
        if (Replication.enabled(s.getSpec())) {
            return pods.stream().filter(p -> p.getMetadata().getLabels() != null
                    && Replication.PRIMARY.equals(p.getMetadata().getLabels().get(Replication.ROLE_LABEL))).findFirst().orElse(null);
        }
        return pods.size() == 1 ? pods.get(0) : null;
    }

    private TargetView observe(String pod, HostPort target, PodPassword own) {
        PodAuth password = own.auth();
        try {
            Object reply = probe.command(target, password, 64 * 1024, "INFO", "replication");
            Object keyspace = probe.command(target, password, 64 * 1024, "INFO", "keyspace");
            Map<String, String> f = InfoFields.of(String.valueOf(reply));
            long keys = InfoFields.keys(String.valueOf(keyspace));
            HostPort following = "slave".equals(f.get("role")) && f.get("master_host") != null
                    ? new HostPort(f.get("master_host"), (int) InfoFields.number(f.get("master_port"))) : null;
            long offset = InfoFields.number(following != null ? f.get("slave_repl_offset") : f.get("master_repl_offset"));
            return new TargetView(pod, null, following, "up".equals(f.get("master_link_status")), "1".equals(f.get("master_sync_in_progress")),
                    offset, InfoFields.number(f.get("master_sync_read_bytes")),
                    InfoFields.number(f.get("master_sync_total_bytes")), keys, TargetInfo.linkFailure(f), databases(target, own));
        } catch (IOException e) {
            return new TargetView(pod, e.getMessage(), null, false, false, 0, 0, 0, 0);
        }
    }

    /**
     * The pod's {@code CONFIG GET databases}, or null when it does not say (an error, not a number). Asked as the
     * default user: the operator's own user has no CONFIG (CONFIG GET would show every password), as the link's
     * CONFIG SET below.
     */
    private Integer databases(HostPort target, PodPassword own) {
        try {
            return TargetInfo.configValue(probe.command(target, own.asDefault(), 1024, "CONFIG", "GET", "databases"));
        } catch (IOException e) {
            return null;
        }
    }

    private void link(HostPort target, PodPassword own, HostPort sourceAddress, Credentials credentials) throws IOException {
        probe.command(target, own.asDefault(), 1024, "CONFIG", "SET", "masteruser", credentials.user() == null ? "" : credentials.user());
        probe.command(target, own.asDefault(), 1024, "CONFIG", "SET", "masterauth", credentials.password() == null ? "" : credentials.password());
        probe.replicaOf(target, own.auth(), sourceAddress);
    }

    record CutoverResult(String error, Long pausedMillis) {
    }

    private CutoverResult cutover(PercoreService s, MigrateFrom spec, HostPort sourceAddress, Credentials c, HostPort target, PodPassword own,
                                  String pod) {
        Duration timeout = spec.cutoverTimeoutOrDefault();
        long began = System.nanoTime();
        try {
            source.pauseWrites(sourceAddress, c.user(), c.password(), timeout.plus(PAUSE_MARGIN).toMillis());
        } catch (IOException e) {
            // nothing paused: a source without CLIENT PAUSE WRITE answers an error here
            return new CutoverResult("CLIENT PAUSE WRITE refused by the source (" + e.getMessage() + "): no write was held", null);
        }
        try {
            long wanted = source.offset(sourceAddress, c.user(), c.password());
            long deadline = began + timeout.toNanos();
            long reached = offsetOf(target, own.auth());
            while (reached < wanted) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(pod + " reached offset " + reached + " of the source's " + wanted + " within " + timeout);
                }
                Thread.sleep(10);
                reached = offsetOf(target, own.auth());
            }
            probe.promote(target, own.auth());
        } catch (IOException | RuntimeException e) {
            return unpaused(sourceAddress, c, began, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unpaused(sourceAddress, c, began, "interrupted");
        }
        long paused = (System.nanoTime() - began) / 1_000_000;
        try {
            probe.command(target, own.asDefault(), 1024, "CONFIG", "SET", "masteruser", podLink.user() == null ? "" : podLink.user());
            probe.command(target, own.asDefault(), 1024, "CONFIG", "SET", "masterauth", podLink.password() == null ? "" : podLink.password());
        } catch (IOException e) {
            LOG.warn("{}: masterauth of {} not restored after the cut-over: {}", s.getMetadata().getName(), pod, e.getMessage());
        }
        try {
            source.pauseWrites(sourceAddress, c.user(), c.password(), HOLD_AFTER_CUTOVER.toMillis());
        } catch (IOException e) {
            LOG.warn("{}: the source's writes not held after the cut-over: {}", s.getMetadata().getName(), e.getMessage());
        }
        return new CutoverResult(null, paused);
    }

    private CutoverResult unpaused(HostPort sourceAddress, Credentials c, long began, String why) {
        try {
            source.unpause(sourceAddress, c.user(), c.password());
        } catch (IOException e) {
            why += "; CLIENT UNPAUSE failed too (" + e.getMessage() + "): the source unpauses itself when its pause ends";
        }
        return new CutoverResult(why, (System.nanoTime() - began) / 1_000_000);
    }

    private long offsetOf(HostPort target, PodAuth own) throws IOException {
        return probe.info(target, own).offset();
    }

    record Credentials(String user, String password, String problem) {
        @Override
        public String toString() {
            return "Credentials[" + (problem != null ? problem : password == null ? "none" : "set") + "]";
        }
    }

    private Credentials credentials(PercoreService s, MigrateFrom spec) {
        if (spec.getAuthSecretName() == null) {
            return new Credentials(null, null, null);
        }
        Secret secret = client.secrets().inNamespace(s.getMetadata().getNamespace()).withName(spec.getAuthSecretName()).get();
        if (secret == null || secret.getData() == null || secret.getData().get(Replication.PASSWORD_KEY) == null) {
            return new Credentials(null, null, "Secret " + spec.getAuthSecretName() + " with key password not found");
        }
        String user = secret.getData().get("username");
        return new Credentials(user == null ? null : decode(user), decode(secret.getData().get(Replication.PASSWORD_KEY)), null);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
