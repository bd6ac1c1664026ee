package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.percore.operator.backupplan.BackupOutcomes;
import io.percore.operator.backupplan.BackupSchedule;
import io.percore.operator.backupplan.BackupSpecs;
import io.percore.operator.backupplan.ClusterBackupSources;
import io.percore.operator.backupplan.Cron;
import io.percore.operator.backupplan.RestoreOutcomes;
import io.percore.operator.crd.Backup;
import io.percore.operator.crd.BackupDestination;
import io.percore.operator.crd.BackupsStatus;
import io.percore.operator.crd.Cluster;
import io.percore.operator.crd.ClusterStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.PercoreServiceStatus;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.RestoreFrom;
import io.percore.operator.crd.RestoreStatus;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code spec.backup} and {@code spec.restoreFrom}: backups to object storage, each a Job of the operator's image running
 * the data path's {@code BackupMain} (one at a time, on the cron schedule and on request), their outcome read back from
 * the Job and its container's termination line into {@code status.backups}, the condition {@value BackupOutcomes#CONDITION},
 * events and metrics; and a new service's restore, an init container of its first pod running {@code PodRestoreMain},
 * whose outcome becomes {@code status.restore} and the condition {@value RestoreOutcomes#CONDITION}. The decisions are the
 * pure {@code backupplan}'s ({@code BackupSchedule}, {@code BackupOutcomes}, {@code RestoreOutcomes}); the data path is
 * {@code io.percore.operator.backup}'s. It acts after the children: a backup reads pods the workload runs, with the user
 * the aclfile gives them.
 */
final class BackupScenario implements Scenario {

    /** How often a running backup's Job is looked at besides its own events. */
    static final Duration RUNNING_LOOK = Duration.ofSeconds(30);
    /** How often a restore not yet done is looked at (an init container's end sends the operator no event of its own). */
    static final Duration RESTORE_LOOK = Duration.ofSeconds(5);

    @Override
    public List<String> specProblems(PercoreServiceSpec spec) {
        return BackupSpecs.specProblems(spec);
    }

    /** The restore: an init container on the pods (only the first restores), before the server starts. */
    @Override
    public void shapePods(PercoreService s, PodShape pod) {
        if (s.getSpec().getRestoreFrom() != null && Persistence.enabled(s.getSpec())) {
            pod.initContainer(BackupJobs.restoreContainer(s, pod.plan(), pod.operatorImage()));
        }
    }

    @Override
    public void carryStatus(PercoreServiceStatus previous, PercoreServiceStatus next) {
        next.setBackups(previous.getBackups());
        next.setRestore(previous.getRestore());
    }

    @Override
    public boolean actsAfterChildren() {
        return true;
    }

    @Override
    public List<Class<? extends HasMetadata>> watchedChildren() {
        return List.of(Job.class);
    }

    @Override
    public Set<String> triggerAnnotations() {
        return Set.of(Backup.REQUEST_ANNOTATION);
    }

    @Override
    public void forget(PercoreService s, ScenarioMemory memory) {
        BackupMeters meters = memory.peek(BackupMeters.class);
        if (meters != null) {
            meters.forget(s.getMetadata().getNamespace(), s.getMetadata().getName());
        }
        Written written = memory.peek(Written.class);
        if (written != null) {
            written.byUid.remove(s.getMetadata().getUid());
        }
    }

    /**
     * The backups' status this process wrote last, by the PercoreService's uid. The reconcile right after a status write
     * may read the informer's copy from before it: without this, a request or a due time already answered would start a
     * second Job (BackupTest found it). The operator is the only writer of the status, so what it wrote is never behind.
     */
    static final class Written {
        final Map<String, BackupsStatus> byUid = new java.util.concurrent.ConcurrentHashMap<>();
    }

    @Override
    public Scenario.Run start(ScenarioContext context) {
        return new Run(context);
    }

    private static final class Run implements Scenario.Run {

        private final ScenarioContext context;
        private final PercoreService s;
        private final String ns;
        private final String name;
        private BackupOutcomes.Observed job;
        private Duration requeue;

        Run(ScenarioContext context) {
            this.context = context;
            this.s = context.resource();
            this.ns = s.getMetadata().getNamespace();
            this.name = s.getMetadata().getName();
        }

        /** The restore's outcome (before the children: a refused restore is why the service is not Ready), the running backup's Job. */
        @Override
        public void observe() {
            if (context.spec().getRestoreFrom() != null) {
                restore();
            } else {
                context.status().setRestore(null);
            }
            BackupsStatus previous = last();
            if (context.spec().getBackup() != null && previous != null && previous.getRunning() != null) {
                job = observeJob(previous.getRunning().getJob());
            }
        }

        /** The backups' status as it stands: what this process wrote last, else the resource's. */
        private BackupsStatus last() {
            BackupsStatus written = context.memory().of(Written.class, Written::new).byUid.get(s.getMetadata().getUid());
            return written != null ? written : context.previous().getBackups();
        }

        @Override
        public void act() {
            Backup backup = context.spec().getBackup();
            BackupMeters meters = context.memory().of(BackupMeters.class, () -> new BackupMeters(context.registry()));
            Map<String, BackupsStatus> written = context.memory().of(Written.class, Written::new).byUid;
            if (backup == null) {
                context.status().setBackups(null);
                meters.forget(ns, name);
                written.remove(s.getMetadata().getUid());
                return;
            }
            Instant now = context.now();
            BackupsStatus last = last();
            BackupsStatus status = last == null ? new BackupsStatus() : last.copy();
            if (status.getSince() == null) {
                status.setSince(now.toString());
            }
            if (job != null) {
                BackupOutcomes.Result r = BackupOutcomes.read(status, job, now);
                emit(r.events());
                if (r.finished() && r.outcome().getReason() != null) {
                    meters.failed(ns, name, r.outcome().getReason());
                }
                status = r.status();
            }
            Cron cron = backup.getSchedule() == null ? null : Cron.parse(backup.getSchedule());
            String request = requestKey(s.getMetadata().getAnnotations() == null ? null
                    : s.getMetadata().getAnnotations().get(Backup.REQUEST_ANNOTATION));
            BackupSchedule.Decision d = BackupSchedule.decide(new BackupSchedule.Input(cron, backup.suspended(),
                    BackupOutcomes.parse(status.getSince()), BackupOutcomes.parse(status.getLastScheduled()), request, status.getLastRequest(),
                    status.getRunning() != null, now));
            if (d.start()) {
                if (d.scheduledTime() != null) {
                    status.setLastScheduled(d.scheduledTime().toString());
                }
                if (d.request() != null) {
                    status.setLastRequest(d.request());
                }
                status = startBackup(status, d.trigger(), now, meters);
            }
            status.setNextScheduled(d.next() == null ? null : d.next().toString());
            BackupOutcomes.Condition c = BackupOutcomes.condition(status);
            context.conditions().set(BackupOutcomes.CONDITION, c.status(), c.reason(), c.message());
            meters.show(ns, name, status);
            context.status().setBackups(status);
            written.put(s.getMetadata().getUid(), status);
            requeue = status.getRunning() != null ? min(RUNNING_LOOK, d.requeue()) : d.requeue();
        }

        @Override
        public Duration report() {
            RestoreStatus restore = context.status().getRestore();
            if (restore != null && !RestoreOutcomes.RESTORED.equals(restore.getPhase()) && !RestoreOutcomes.SKIPPED.equals(restore.getPhase())) {
                return requeue == null ? RESTORE_LOOK : min(requeue, RESTORE_LOOK);
            }
            return requeue;
        }

        /** A Job for a backup now, or the reason none could start (a failure like any: the next time tries again). */
        private BackupsStatus startBackup(BackupsStatus status, String trigger, Instant now, BackupMeters meters) {
            String why = cannotStart();
            List<List<String>> groups = List.of();
            List<String> slots = List.of();
            String from = null;
            if (why == null && Cluster.enabled(context.spec())) {
                ClusterStatus cluster = context.status().getCluster() != null ? context.status().getCluster() : context.previous().getCluster();
                ClusterBackupSources.Result r = ClusterBackupSources.plan(cluster, readyAddresses());
                why = r.notNow();
                if (why == null) {
                    groups = r.groups().groups();
                    slots = r.groups().slots();
                    from = groups.size() + " groups (" + String.join("; ", r.groups().pods().stream().map(g -> String.join(", ", g)).toList()) + ")";
                }
            } else if (why == null) {
                List<String> sources = List.copyOf(readyAddresses().values());
                if (sources.isEmpty()) {
                    why = "no ready pod of the service to read from";
                } else {
                    groups = List.of(sources);
                    from = String.join(", ", sources);
                }
            }
            if (why != null) {
                BackupOutcomes.Result r = BackupOutcomes.notStarted(status, trigger, BackupOutcomes.NOT_STARTED, why, now);
                emit(r.events());
                meters.failed(ns, name, BackupOutcomes.NOT_STARTED);
                return r.status();
            }
            String jobName = BackupJobs.jobName(s, now);
            boolean backupUser = context.workload() != null && context.workload().access().aclFile();
            Job job = BackupJobs.job(s, jobName, context.operatorImage(), groups, slots, backupUser);
            try {
                context.client().batch().v1().jobs().inNamespace(ns).resource(job).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // a Job of that name (this second's) exists: it is ours from a reconcile whose status was not written
            }
            status.setRunning(BackupOutcomes.started(jobName, trigger, now));
            context.events().normal(s, BackupOutcomes.STARTED, "Job " + jobName + " backs up " + name + " (" + trigger + ") to "
                    + destination(context.spec().getBackup().getDestination()) + " from " + from);
            return status;
        }

        /** Why no backup can start now, or null. */
        private String cannotStart() {
            PercoreServiceSpec spec = context.spec();
            int pods = context.plan() == null ? 0 : context.plan().replicas();
            if (!Replication.enabled(spec) && !Cluster.enabled(spec) && pods > 1) {
                return "the service runs " + pods + " independent pods, each with its own data; a backup reads one data set: set"
                        + " spec.replication (one primary and its replicas) or plan one pod";
            }
            BackupDestination d = spec.getBackup().getDestination();
            if (d.getCredentialsSecretName() != null) {
                Secret secret = context.client().secrets().inNamespace(ns).withName(d.getCredentialsSecretName()).get();
                Map<String, String> data = secret == null || secret.getData() == null ? Map.of() : secret.getData();
                if (!data.containsKey(BackupDestination.ACCESS_KEY_ID_KEY) || !data.containsKey(BackupDestination.SECRET_ACCESS_KEY_KEY)) {
                    return "Secret " + d.getCredentialsSecretName() + " with keys " + BackupDestination.ACCESS_KEY_ID_KEY + " and "
                            + BackupDestination.SECRET_ACCESS_KEY_KEY + " not found (spec.backup.destination.credentialsSecretName)";
                }
            }
            return null;
        }

        /** The ready pods' addresses ({@code host:port}) by pod name, in name order. */
        private Map<String, String> readyAddresses() {
            int port = context.spec().respPort().getPort();
            Map<String, String> ready = new java.util.TreeMap<>();
            context.client().pods().inNamespace(ns).withLabels(Labels.selector(s)).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null && Pods.ready(p))
                    .forEach(p -> {
                        HostPort at = context.addresses().of(p, port);
                        if (at != null) {
                            ready.put(p.getMetadata().getName(), at.host().contains(":") ? "[" + at.host() + "]:" + at.port() : at.host() + ":" + at.port());
                        }
                    });
            return ready;
        }

        /** The running backup's Job: its state, when it ended, its container's termination line. */
        private BackupOutcomes.Observed observeJob(String jobName) {
            Job j = jobName == null ? null : context.client().batch().v1().jobs().inNamespace(ns).withName(jobName).get();
            if (j == null || j.getStatus() == null && j.getMetadata().getDeletionTimestamp() != null) {
                return new BackupOutcomes.Observed(BackupOutcomes.JobState.MISSING, null, null, null, null);
            }
            var st = j.getStatus();
            JobCondition failed = st == null || st.getConditions() == null ? null : st.getConditions().stream()
                    .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus())).findFirst().orElse(null);
            boolean succeeded = st != null && st.getSucceeded() != null && st.getSucceeded() > 0;
            boolean failedNow = failed != null || st != null && st.getFailed() != null && st.getFailed() > 0;
            if (!succeeded && !failedNow) {
                return new BackupOutcomes.Observed(BackupOutcomes.JobState.ACTIVE, null, null, null, null);
            }
            Instant end = BackupOutcomes.parse(succeeded && st.getCompletionTime() != null ? st.getCompletionTime()
                    : failed != null ? failed.getLastTransitionTime() : null);
            return new BackupOutcomes.Observed(succeeded ? BackupOutcomes.JobState.SUCCEEDED : BackupOutcomes.JobState.FAILED, end,
                    terminationOf(jobName), failed == null ? null : failed.getReason(), failed == null ? null : failed.getMessage());
        }

        private String terminationOf(String jobName) {
            return context.client().pods().inNamespace(ns).withLabel(BackupJobs.JOB_NAME_LABEL, jobName).list().getItems().stream()
                    .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp())
                            .reversed())
                    .map(p -> terminated(p.getStatus() == null ? null : p.getStatus().getContainerStatuses(), BackupJobs.CONTAINER))
                    .filter(t -> t != null && t.getMessage() != null).map(ContainerStateTerminated::getMessage)
                    .findFirst().orElse(null);
        }

        /** The restoring pod's init container, as status, condition and events. */
        private void restore() {
            RestoreFrom from = context.spec().getRestoreFrom();
            RestoreStatus previous = context.previous().getRestore();
            RestoreOutcomes.Observed observed = RestoreOutcomes.Observed.NO_POD;
            boolean done = previous != null && (RestoreOutcomes.RESTORED.equals(previous.getPhase())
                    || RestoreOutcomes.SKIPPED.equals(previous.getPhase()));
            List<RestoreOutcomes.Observed> all = new ArrayList<>();
            if (!done) {
                List<String> restoring = Cluster.enabled(context.spec()) && context.plan() != null
                        ? BackupJobs.restorePods(s, context.plan().replicas()) : List.of(BackupJobs.restorePod(s));
                for (String pod : restoring) {
                    all.add(observeRestore(context.client().pods().inNamespace(ns).withName(pod).get()));
                }
            } else {
                all.add(observed);
            }
            String wanted = from.objectOrLatest().equals(RestoreFrom.LATEST) ? "the latest backup of "
                    + (from.getNamespace() == null ? ns : from.getNamespace()) + "/" + (from.getService() == null ? name : from.getService())
                    : from.getObject();
            RestoreOutcomes.Result r = RestoreOutcomes.read(previous, all, wanted, context.now());
            context.status().setRestore(r.status());
            var before = StatusConditions.find(context.previous().getConditions(), RestoreOutcomes.CONDITION);
            boolean newMessage = before == null || !r.reason().equals(before.getReason()) || !r.message().equals(before.getMessage());
            context.conditions().set(RestoreOutcomes.CONDITION, r.conditionStatus(), r.reason(), r.message());
            if (RestoreOutcomes.RESTORE_FAILED.equals(r.reason())) {
                context.degrade(RestoreOutcomes.RESTORE_FAILED, r.message());
                if (newMessage) {
                    context.events().warning(s, RestoreOutcomes.RESTORE_FAILED, r.message());
                }
            } else if (r.changed() && RestoreOutcomes.RESTORED.equals(r.status().getPhase())) {
                context.events().normal(s, "RestoreSucceeded", r.message());
            }
        }

        private static RestoreOutcomes.Observed observeRestore(Pod pod) {
            if (pod == null || pod.getStatus() == null) {
                return RestoreOutcomes.Observed.NO_POD;
            }
            List<ContainerStatus> inits = pod.getStatus().getInitContainerStatuses();
            ContainerStatus c = inits == null ? null : inits.stream().filter(x -> BackupJobs.RESTORE_CONTAINER.equals(x.getName()))
                    .findFirst().orElse(null);
            if (c == null) {
                return new RestoreOutcomes.Observed(pod.getMetadata().getName(), true, null, null);
            }
            ContainerStateTerminated t = c.getState() != null && c.getState().getTerminated() != null ? c.getState().getTerminated()
                    : c.getLastState() != null ? c.getLastState().getTerminated() : null;
            if (t == null) {
                return new RestoreOutcomes.Observed(pod.getMetadata().getName(), true, null, null);
            }
            return new RestoreOutcomes.Observed(pod.getMetadata().getName(), false, t.getMessage(), t.getExitCode());
        }

        private static ContainerStateTerminated terminated(List<ContainerStatus> statuses, String container) {
            if (statuses == null) {
                return null;
            }
            return statuses.stream().filter(c -> container.equals(c.getName()) && c.getState() != null)
                    .map(c -> c.getState().getTerminated()).filter(t -> t != null).findFirst().orElse(null);
        }

        private void emit(List<BackupOutcomes.Event> events) {
            for (BackupOutcomes.Event e : events) {
                if (e.warning()) {
                    context.events().warning(s, e.reason(), e.message());
                } else {
                    context.events().normal(s, e.reason(), e.message());
                }
            }
        }

        /**
         * The request as the status keeps it: the annotation's value, or past 128 characters its SHA-256 (an annotation may
         * hold 256 KiB; the status keeps what tells one request from the next, not the text).
         */
        static String requestKey(String value) {
            if (value == null || value.length() <= 128) {
                return value;
            }
            return "sha256:" + WorkloadRenderer.sha256(value);
        }

        private static String destination(BackupDestination d) {
            return "s3://" + d.getBucket() + "/" + (d.getPrefix() == null || d.getPrefix().isEmpty() ? "" : d.getPrefix() + "/");
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }
    }
}
