package io.percore.operator.users;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which {@code ACL SETUSER}/{@code ACL DELUSER} each pod gets, and what the condition {@value #CONDITION} says: a pure
 * function of the users wanted, the {@link AclRecord} of what pods took, and each pod's {@code ACL LIST}.
 *
 * <p>Rules. A pod whose line for a wanted user is one the record holds for exactly those rules is left alone (its clients
 * keep their connections); one that lacks the user or prints anything else gets {@code ACL SETUSER <name> reset on
 * #<hash> ... <rules>}, which Redis applies whole or not at all. A user a pod has and nobody wants is deleted ({@code ACL
 * DELUSER}: Redis disconnects its clients), but never {@code default}, and none of {@code spec.users}' while that list is
 * refused ({@code kept}): the users are the spec's, as an aclfile is Redis's, and a user made by hand would be gone at
 * the pod's next start anyway. The pods are done one after another; rules one pod refuses go to no later pod
 * ({@link Plan#actionsFor}), so a rule Redis refuses is applied nowhere and every pod keeps the user's previous rules.
 * {@code ACL LOAD} is not used: in 7.0 it disconnects every client of every user.
 */
public final class UsersPlanner {

    public static final String CONDITION = "UsersApplied";
    public static final String APPLIED = "Applied";
    public static final String RULE_REFUSED = "RuleRefused";
    public static final String PODS_NOT_REACHED = "PodsNotReached";
    public static final String ACL_UNSUPPORTED = "AclUnsupported";
    public static final String WAITING_FOR_PODS = "WaitingForPods";

    private UsersPlanner() {
    }

    /**
     * A pod's users as {@code ACL LIST} gave them (user → line), or why they could not be read.
     *
     * @param unsupported the pod answered that it has no {@code ACL} command (an image without ACLs)
     */
    public record PodUsers(String pod, Map<String, String> users, String error, boolean unsupported) {
        public static PodUsers listed(String pod, Map<String, String> users) {
            return new PodUsers(pod, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(users)), null, false);
        }

        public static PodUsers failed(String pod, String error, boolean unsupported) {
            return new PodUsers(pod, Map.of(), error, unsupported);
        }
    }

    /**
     * @param live      every user applied live, in order: the operator's own, then {@code spec.users}' (not {@code default},
     *                  which only the aclfile sets)
     * @param keepOthers {@code spec.users} was refused: every user but the operator's own stays as the pods have it
     * @param pods      the ready pods, in ordinal order
     */
    public record Input(List<AclUser> live, boolean keepOthers, AclRecord record, List<PodUsers> pods) {

        /** Whether the pods keep {@code user} as they have it (neither changed nor deleted). */
        boolean kept(String user) {
            return user.equals(OperatorUsers.DEFAULT) || keepOthers && !OperatorUsers.RESERVED.contains(user);
        }
    }

    public sealed interface Action permits SetUser, DeleteUser {
        String user();
    }

    public record SetUser(AclUser wanted) implements Action {
        @Override
        public String user() {
            return wanted.name();
        }
    }

    public record DeleteUser(String user) implements Action {
    }

    /** What each pod is sent, in pod order. */
    public record Plan(Map<String, List<Action>> byPod) {

        /** {@code pod}'s actions without the users whose rules an earlier pod refused. */
        public List<Action> actionsFor(String pod, Set<String> refusedEarlier) {
            return byPod.getOrDefault(pod, List.of()).stream()
                    .filter(a -> !(a instanceof SetUser && refusedEarlier.contains(a.user()))).toList();
        }

        public boolean empty() {
            return byPod.values().stream().allMatch(List::isEmpty);
        }
    }

    public static Plan plan(Input in) {
        Map<String, List<Action>> byPod = new LinkedHashMap<>();
        Set<String> wanted = in.live().stream().map(AclUser::name).collect(Collectors.toSet());
        for (PodUsers pod : in.pods()) {
            if (pod.error() != null) {
                continue;
            }
            List<Action> actions = new ArrayList<>();
            for (AclUser u : in.live()) {
                String line = pod.users().get(u.name());
                if (line == null || !in.record().holds(u, line)) {
                    actions.add(new SetUser(u));
                }
            }
            for (String user : pod.users().keySet()) {
                if (!wanted.contains(user) && !in.kept(user)) {
                    actions.add(new DeleteUser(user));
                }
            }
            byPod.put(pod.pod(), actions);
        }
        return new Plan(byPod);
    }

    /**
     * What was sent to one pod and what it answered.
     *
     * @param refusals  user → the pod's error reply, for the actions it refused
     * @param done      the actions it took
     * @param linesAfter its {@code ACL LIST} after them (user → line), or null when not read back
     * @param error     the pod failed in the middle (a connection lost): what it took before is in {@code done}
     */
    public record Sent(String pod, List<Action> done, Map<String, String> refusals, Map<String, String> linesAfter, String error) {
    }

    /**
     * The condition and the record after the pods were sent their plan.
     *
     * @param status     the condition's status
     * @param changes    what was applied, for an event (empty: nothing changed)
     * @param refusals   user → "pod: error", the rules a pod refused (for a Warning event)
     */
    public record Report(boolean status, String reason, String message, AclRecord record, List<String> changes,
                         Map<String, String> refusals) {
    }

    /**
     * @param specProblems  why {@code spec.users} was refused (empty when it was not)
     * @param specReason    the reason for those problems
     * @param specUsers     how many of the live users are {@code spec.users}'
     */
    public static Report report(Input in, List<Sent> sent, List<String> specProblems, String specReason, int specUsers) {
        AclRecord record = in.record();
        Set<String> live = in.live().stream().map(AclUser::name).collect(Collectors.toSet());
        for (String user : record.entries().keySet()) {
            if (!live.contains(user) && !in.kept(user)) {
                record = record.without(user);
            }
        }
        List<String> changes = new ArrayList<>();
        Map<String, String> refusals = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Sent s : sent) {
            List<String> set = new ArrayList<>();
            List<String> deleted = new ArrayList<>();
            for (Action a : s.done()) {
                if (a instanceof SetUser su) {
                    record = record.taken(su.wanted(), s.linesAfter() == null ? null : s.linesAfter().get(su.user()));
                    set.add(su.user());
                } else {
                    deleted.add(a.user());
                }
            }
            if (!set.isEmpty()) {
                changes.add(s.pod() + ": set " + String.join(", ", set));
            }
            if (!deleted.isEmpty()) {
                changes.add(s.pod() + ": deleted " + String.join(", ", deleted));
            }
            s.refusals().forEach((user, error) -> refusals.putIfAbsent(user, s.pod() + ": " + error));
            if (s.error() != null) {
                failures.add(s.pod() + ": " + s.error());
            }
        }
        List<String> unreached = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        int reached = 0;
        for (PodUsers p : in.pods()) {
            if (p.unsupported()) {
                unsupported.add(p.pod() + ": " + p.error());
            } else if (p.error() != null) {
                unreached.add(p.pod() + ": " + p.error());
            } else {
                reached++;
            }
        }
        unreached.addAll(failures);
        String counts = in.live().size() + 1 + " users (" + specUsers + " from spec.users; default and the operator's own)";
        if (!specProblems.isEmpty()) {
            return new Report(false, specReason, String.join("; ", specProblems) + "; spec.users not applied, the pods keep the users"
                    + " they have" + (unreached.isEmpty() ? "" : "; not reached: " + String.join("; ", unreached)), record, changes, refusals);
        }
        if (!refusals.isEmpty()) {
            String text = refusals.entrySet().stream().map(e -> "user " + e.getKey() + " refused by " + e.getValue())
                    .collect(Collectors.joining("; "));
            return new Report(false, RULE_REFUSED, text + "; sent to no other pod: every pod keeps its previous rules"
                    + (unreached.isEmpty() ? "" : "; not reached: " + String.join("; ", unreached)), record, changes, refusals);
        }
        if (!unsupported.isEmpty()) {
            return new Report(false, ACL_UNSUPPORTED, "the pods' image has no ACL users (" + String.join("; ", unsupported)
                    + "): the operator and the replicas use the default user's password, and spec.users cannot be applied", record,
                    changes, refusals);
        }
        if (!unreached.isEmpty()) {
            return new Report(false, PODS_NOT_REACHED, counts + " on " + reached + " pod(s); not reached: " + String.join("; ", unreached),
                    record, changes, refusals);
        }
        if (reached == 0) {
            return new Report(false, WAITING_FOR_PODS, "no pod is ready: the pods read " + counts + " from their aclfile at start",
                    record, changes, refusals);
        }
        return new Report(true, APPLIED, counts + " on " + reached + " pod(s)", record, changes, refusals);
    }

    /** Whether every ready pod answered {@code ACL LIST}: then they all have ACLs (and at least one is ready). */
    public enum AclSupport { ALL, NONE, UNKNOWN }

    public static AclSupport support(List<PodUsers> pods) {
        if (pods.stream().anyMatch(PodUsers::unsupported)) {
            return AclSupport.NONE;
        }
        return !pods.isEmpty() && pods.stream().allMatch(p -> p.error() == null) ? AclSupport.ALL : AclSupport.UNKNOWN;
    }

    /**
     * Whether the pod template reads the users from the aclfile (and a replica links as {@value OperatorUsers#REPLICA}).
     * Once it does, it keeps doing so. A new service does. A running one whose pods predate it switches only once every
     * ready pod has shown it has ACLs ({@code ACL LIST} answered, and by then the operator's users applied to it live): a
     * replica started with the new template links as the replicas' user, which its primary must know, and an image
     * without ACLs knows no user (it ignores the aclfile's setting). Until then the template stays as it was, and the
     * operator uses the default user's password wherever its own user is refused.
     */
    public static boolean aclFileInTemplate(boolean liveHasIt, boolean workloadExists, AclSupport support) {
        return liveHasIt || !workloadExists || support == AclSupport.ALL;
    }
}
