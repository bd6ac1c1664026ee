package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Least privilege, checked as the effective permissions of the operator's ServiceAccount:
 * every binding that names it is followed to its role, and the union of the rules per scope
 * (cluster-wide or one namespace) must equal exactly what the operator was recorded doing during
 * its mock-server suite ({@link OperatorRequestRecord}): everything it does is allowed, nothing
 * it never does is granted.
 */
class RbacTest {

    private static final String CLUSTER = "(cluster-wide)";
    private static final String RELEASE_NS = ChartUnderTest.RELEASE_NAMESPACE;
    private static final List<String> WRITE_VERBS = List.of("create", "update", "patch", "delete", "deletecollection",
            "escalate", "bind", "impersonate");
    /**
     * Requests the operator makes only on a path a test run may or may not take, so a record can
     * lack them: JOSDK re-reads its primary resource ({@code GET percoreservices/<name>}) when a
     * finalizer or status patch meets a conflict (HTTP 409), which depends on how the test's own
     * edits interleave with the reconcile; and it counts an event it wrote moments ago on that event (the client reads
     * it, then {@code PATCH events/<name>} with the count) instead of writing it again when a second reconcile repeats it
     * before the first one's status is seen. Granted, and listed here with why; nothing else is.
     */
    static final Set<String> TIMING_DEPENDENT = Set.of("percore.io/percoreservices get", "/events get", "/events patch");

    /** What the operator does in a namespace it watches, as recorded (any watch mode), plus {@link #TIMING_DEPENDENT}. */
    private static final Set<String> NAMESPACED_CONTRACT = withTimingDependent(OperatorRequestRecord.load().permissions(null, "watched"));

    /** Cluster-scoped requests (and, in all-namespaces mode, the cluster-wide list/watch), per mode. */
    private static final Set<String> CLUSTER_ALL_NAMESPACES = OperatorRequestRecord.load().permissions("all-namespaces", "cluster");
    private static final Set<String> CLUSTER_LISTED_NAMESPACES = OperatorRequestRecord.load().permissions("listed-namespaces", "cluster");

    /** The Lease requests, with the Lease name where the request names it. */
    private static final Set<String> LEADER_ELECTION_CONTRACT = OperatorRequestRecord.load().permissions(null, "lease");

    @TempDir
    Path dir;

    private static Set<String> withTimingDependent(Set<String> recorded) {
        Set<String> contract = new TreeSet<>(recorded);
        contract.addAll(TIMING_DEPENDENT);
        return contract;
    }

    static Stream<String> variants() {
        return ChartUnderTest.variants();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void noRuleUsesWildcardsOrNonResourceUrls(String variant) {
        RenderedManifests manifests = ChartUnderTest.renderVariant(variant);
        List<PolicyRule> rules = Stream.concat(
                manifests.typed(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
                manifests.typed(Role.class).stream().flatMap(r -> r.getRules().stream())).toList();
        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getVerbs()).isNotEmpty().doesNotContain("*");
            assertThat(rule.getResources()).isNotEmpty().doesNotContain("*").noneMatch(r -> r.endsWith("/*"));
            assertThat(rule.getApiGroups()).isNotEmpty().doesNotContain("*");
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            assertThat(rule.getVerbs()).doesNotContain("escalate", "bind", "impersonate", "deletecollection");
        });
        assertThat(manifests.typed(ClusterRole.class))
                .allSatisfy(r -> assertThat(r.getAggregationRule()).isNull());
    }

    @Test
    void allNamespacesModeGrantsExactlyTheContractClusterWide() {
        Map<String, Set<String>> effective = effectivePermissions(ChartUnderTest.renderDefaults(), ChartUnderTest.FULLNAME);

        Set<String> clusterWide = new TreeSet<>(NAMESPACED_CONTRACT); // already holds TIMING_DEPENDENT
        clusterWide.addAll(CLUSTER_ALL_NAMESPACES);
        assertThat(effective.keySet()).containsExactlyInAnyOrder(CLUSTER, RELEASE_NS);
        assertThat(effective.get(CLUSTER)).containsExactlyInAnyOrderElementsOf(clusterWide);
        assertThat(effective.get(RELEASE_NS)).containsExactlyInAnyOrderElementsOf(LEADER_ELECTION_CONTRACT);
    }

    @Test
    void namespacedModeGrantsRolesPerWatchedNamespaceAndOnlyReadsClusterWide() {
        RenderedManifests manifests = ChartUnderTest.renderWith("namespaced.yaml");
        Map<String, Set<String>> effective = effectivePermissions(manifests, ChartUnderTest.FULLNAME);

        assertThat(effective.keySet()).containsExactlyInAnyOrder(CLUSTER, RELEASE_NS, "team-a", "team-b");
        assertThat(effective.get("team-a")).containsExactlyInAnyOrderElementsOf(NAMESPACED_CONTRACT);
        assertThat(effective.get("team-b")).containsExactlyInAnyOrderElementsOf(NAMESPACED_CONTRACT);
        assertThat(effective.get(CLUSTER)).containsExactlyInAnyOrderElementsOf(CLUSTER_LISTED_NAMESPACES);
        assertThat(effective.get(CLUSTER)).noneMatch(p -> WRITE_VERBS.stream().anyMatch(v -> p.contains(" " + v)));
        assertThat(effective.get(RELEASE_NS)).containsExactlyInAnyOrderElementsOf(LEADER_ELECTION_CONTRACT);

        assertThat(manifests.ofKind("Role")).extracting(r -> r.at("/metadata/namespace").asText())
                .containsExactlyInAnyOrder("team-a", "team-b", RELEASE_NS);
        assertThat(manifests.typed(ClusterRole.class)).allSatisfy(role -> assertThat(role.getRules())
                .allSatisfy(rule -> assertThat(rule.getVerbs()).isSubsetOf("get", "list", "watch")));
    }

    @Test
    void theReleaseNamespaceCanAlsoBeWatched() {
        Map<String, Set<String>> effective = effectivePermissions(
                ChartUnderTest.renderWithYaml(dir, "watchNamespaces: [" + RELEASE_NS + "]"), ChartUnderTest.FULLNAME);
        Set<String> both = new TreeSet<>(NAMESPACED_CONTRACT);
        both.addAll(LEADER_ELECTION_CONTRACT);
        assertThat(effective.get(RELEASE_NS)).containsExactlyInAnyOrderElementsOf(both);
    }

    /**
     * The StatefulSet controller makes the volume claims of a persistent service; the operator never
     * reads or deletes one, and is not allowed to: a bug in it cannot delete the data.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theOperatorHasNoAccessToVolumeClaims(String variant) {
        Map<String, Set<String>> effective = effectivePermissions(ChartUnderTest.renderVariant(variant), ChartUnderTest.FULLNAME);
        assertThat(effective.values().stream().flatMap(Set::stream)).noneMatch(p -> p.contains("persistentvolumeclaims"));
    }

    @Test
    void withoutLeaderElectionThereIsNoLeaseAccess() {
        Map<String, Set<String>> effective = effectivePermissions(
                ChartUnderTest.renderWithYaml(dir, "replicaCount: 1\nleaderElection: {enabled: false}"), ChartUnderTest.FULLNAME);
        assertThat(effective).doesNotContainKey(RELEASE_NS);
        assertThat(effective.values().stream().flatMap(Set::stream)).noneMatch(p -> p.contains("leases"));
    }

    @Test
    void rbacCanBeLeftToTheAdmin() {
        RenderedManifests manifests = ChartUnderTest.renderWithYaml(dir, "rbac: {create: false}");
        assertThat(manifests.documents()).noneMatch(d -> d.path("apiVersion").asText().startsWith("rbac.authorization.k8s.io"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyBindingPointsAtARoleTheChartCreates(String variant) {
        RenderedManifests manifests = ChartUnderTest.renderVariant(variant);
        Set<String> clusterRoles = new TreeSet<>();
        manifests.typed(ClusterRole.class).forEach(r -> clusterRoles.add(r.getMetadata().getName()));
        Set<String> roles = new TreeSet<>();
        manifests.typed(Role.class).forEach(r -> roles.add(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName()));

        assertThat(manifests.typed(ClusterRoleBinding.class)).isNotEmpty().allSatisfy(b -> {
            assertThat(b.getRoleRef().getKind()).isEqualTo("ClusterRole");
            assertThat(clusterRoles).contains(b.getRoleRef().getName());
        });
        assertThat(manifests.typed(RoleBinding.class)).isNotEmpty().allSatisfy(b -> {
            assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(roles).contains(b.getMetadata().getNamespace() + "/" + b.getRoleRef().getName());
        });
    }

    /** scope → {"group/resource verb [resourceName]"} granted to the ServiceAccount. */
    static Map<String, Set<String>> effectivePermissions(RenderedManifests manifests, String serviceAccount) {
        Map<String, ClusterRole> clusterRoles = new TreeMap<>();
        manifests.typed(ClusterRole.class).forEach(r -> clusterRoles.put(r.getMetadata().getName(), r));
        Map<String, Role> roles = new TreeMap<>();
        manifests.typed(Role.class).forEach(r -> roles.put(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r));

        Map<String, Set<String>> effective = new TreeMap<>();
        for (ClusterRoleBinding binding : manifests.typed(ClusterRoleBinding.class)) {
            if (bindsServiceAccount(binding.getSubjects(), serviceAccount)) {
                ClusterRole role = clusterRoles.get(binding.getRoleRef().getName());
                assertThat(role).as("ClusterRole %s", binding.getRoleRef().getName()).isNotNull();
                effective.computeIfAbsent(CLUSTER, k -> new TreeSet<>()).addAll(expand(role.getRules()));
            }
        }
        for (RoleBinding binding : manifests.typed(RoleBinding.class)) {
            if (bindsServiceAccount(binding.getSubjects(), serviceAccount)) {
                String ns = binding.getMetadata().getNamespace();
                List<PolicyRule> rules = "ClusterRole".equals(binding.getRoleRef().getKind())
                        ? clusterRoles.get(binding.getRoleRef().getName()).getRules()
                        : roles.get(ns + "/" + binding.getRoleRef().getName()).getRules();
                effective.computeIfAbsent(ns, k -> new TreeSet<>()).addAll(expand(rules));
            }
        }
        return effective;
    }

    private static boolean bindsServiceAccount(List<Subject> subjects, String serviceAccount) {
        return subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && serviceAccount.equals(s.getName()) && RELEASE_NS.equals(s.getNamespace()));
    }

    private static Set<String> expand(List<PolicyRule> rules) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule rule : rules) {
            List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                    ? List.of("") : rule.getResourceNames();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        for (String name : names) {
                            out.add((group + "/" + resource + " " + verb + " " + name).trim());
                        }
                    }
                }
            }
        }
        return out;
    }

}
