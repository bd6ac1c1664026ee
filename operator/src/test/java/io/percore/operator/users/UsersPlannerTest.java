package io.percore.operator.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.users.UsersPlanner.AclSupport;
import io.percore.operator.users.UsersPlanner.DeleteUser;
import io.percore.operator.users.UsersPlanner.Input;
import io.percore.operator.users.UsersPlanner.Plan;
import io.percore.operator.users.UsersPlanner.PodUsers;
import io.percore.operator.users.UsersPlanner.Report;
import io.percore.operator.users.UsersPlanner.Sent;
import io.percore.operator.users.UsersPlanner.SetUser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The planning of users: spec (the users wanted) + the record of what pods took + each pod's {@code ACL LIST} → what
 * each pod is sent and what {@code UsersApplied} says. Pure: the pods' lines are written here as redis-server 7.0.15 prints
 * them ({@code PodAclTest} checks that against a real one).
 */
class UsersPlannerTest {

    private static final String H1 = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
    private static final String H2 = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    private final AclUser operator = OperatorUsers.operator(H2, false);
    private final AclUser app = AclUser.of("app", List.of(H1), List.of("~app:*", "+@all", "-@dangerous"));
    private final AclUser report = AclUser.of("report", List.of(H1), List.of("~report:*", "+@read"));
    private static final String OPERATOR_LINE = "user percore-operator on sanitize-payload #" + H2 + " resetchannels -@all +replicaof +acl|list +info";
    private static final String APP_LINE = "user app on sanitize-payload #" + H1 + " ~app:* resetchannels +@all -@dangerous";
    private static final String REPORT_LINE = "user report on sanitize-payload #" + H1 + " ~report:* resetchannels -@all +@read";
    private static final String DEFAULT_LINE = "user default on #" + H2 + " ~* &* +@all";

    private static Map<String, String> users(String... lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : lines) {
            m.put(l.split(" ")[1], l);
        }
        return m;
    }

    private AclRecord taken(AclUser u, String line) {
        return AclRecord.EMPTY.taken(u, line);
    }

    @Test
    void aPodWithoutTheUsersGetsEachAndOnlyThem() {
        Input in = new Input(List.of(operator, app, report), false, AclRecord.EMPTY,
                List.of(PodUsers.listed("kv-0", users(DEFAULT_LINE)), PodUsers.listed("kv-1", users(DEFAULT_LINE))));
        Plan plan = UsersPlanner.plan(in);
        assertThat(plan.byPod().get("kv-0")).containsExactly(new SetUser(operator), new SetUser(app), new SetUser(report));
        assertThat(plan.byPod().get("kv-1")).containsExactly(new SetUser(operator), new SetUser(app), new SetUser(report));
    }

    @Test
    void aUserThePodHasAsTakenIsNotTouchedAndAChangedOneIsSetAgain() {
        AclRecord record = taken(operator, OPERATOR_LINE).taken(app, APP_LINE).taken(report, REPORT_LINE);
        List<PodUsers> pods = List.of(PodUsers.listed("kv-0", users(DEFAULT_LINE, OPERATOR_LINE, APP_LINE, REPORT_LINE)));
        assertThat(UsersPlanner.plan(new Input(List.of(operator, app, report), false, record, pods)).empty())
                .as("nothing to do: no SETUSER, so no client of any user is touched").isTrue();

        // app's rule changed in its Secret: another digest; report unchanged
        AclUser changed = AclUser.of("app", List.of(H1), List.of("~app:*", "+@read"));
        Plan plan = UsersPlanner.plan(new Input(List.of(operator, changed, report), false, record, pods));
        assertThat(plan.byPod().get("kv-0")).containsExactly(new SetUser(changed));

        // a pod that prints something else for the same rules (edited by hand) is set again
        List<PodUsers> edited = List.of(PodUsers.listed("kv-0", users(DEFAULT_LINE, OPERATOR_LINE,
                "user app on sanitize-payload #" + H1 + " ~* resetchannels +@all", REPORT_LINE)));
        assertThat(UsersPlanner.plan(new Input(List.of(operator, app, report), false, record, edited)).byPod().get("kv-0"))
                .containsExactly(new SetUser(app));
    }

    @Test
    void aUserNobodyWantsIsDeletedButNeverDefaultNorOthersWhileTheSpecIsRefused() {
        AclRecord record = taken(operator, OPERATOR_LINE).taken(app, APP_LINE);
        List<PodUsers> pods = List.of(PodUsers.listed("kv-0", users(DEFAULT_LINE, OPERATOR_LINE, APP_LINE,
                "user byhand on nopass ~* &* +@all", "user percore-replica on #" + H1 + " resetchannels -@all +psync")));
        Plan plan = UsersPlanner.plan(new Input(List.of(operator), false, record, pods));
        assertThat(plan.byPod().get("kv-0")).containsExactly(new DeleteUser("app"), new DeleteUser("byhand"), new DeleteUser("percore-replica"));
        // spec.users refused: the pods keep every user but the operator's own as they are
        Plan kept = UsersPlanner.plan(new Input(List.of(operator), true, record, pods));
        assertThat(kept.byPod().get("kv-0")).containsExactly(new DeleteUser("percore-replica"));
    }

    @Test
    void rulesRefusedByOnePodGoToNoLaterPod() {
        Input in = new Input(List.of(operator, app, report), false, taken(operator, OPERATOR_LINE),
                List.of(PodUsers.listed("kv-0", users(DEFAULT_LINE, OPERATOR_LINE)), PodUsers.listed("kv-1", users(DEFAULT_LINE, OPERATOR_LINE))));
        Plan plan = UsersPlanner.plan(in);
        assertThat(plan.actionsFor("kv-1", Set.of("app"))).containsExactly(new SetUser(report));
        assertThat(plan.actionsFor("kv-1", Set.of())).containsExactly(new SetUser(app), new SetUser(report));

        String error = "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL";
        Report r = UsersPlanner.report(in, List.of(
                new Sent("kv-0", List.of(new SetUser(report)), Map.of("app", error), users(DEFAULT_LINE, OPERATOR_LINE, REPORT_LINE), null),
                new Sent("kv-1", List.of(new SetUser(report)), Map.of(), null, null)), List.of(), null, 2);
        assertThat(r.status()).isFalse();
        assertThat(r.reason()).isEqualTo(UsersPlanner.RULE_REFUSED);
        assertThat(r.message()).startsWith("user app refused by kv-0: " + error).contains("every pod keeps its previous rules");
        assertThat(r.refusals()).containsOnlyKeys("app");
        assertThat(r.record().get("app")).as("a refused rule is not recorded").isNull();
        assertThat(r.record().get("report").seen()).containsExactly(AclRecord.normalized(REPORT_LINE));
        assertThat(r.changes()).containsExactly("kv-0: set report", "kv-1: set report");
    }

    @Test
    void whatAPodTookIsLearnedInRedisFormAndTheNextPlanLeavesIt() {
        Input in = new Input(List.of(operator, app), false, AclRecord.EMPTY, List.of(PodUsers.listed("kv-0", users(DEFAULT_LINE))));
        Report r = UsersPlanner.report(in, List.of(new Sent("kv-0", List.of(new SetUser(operator), new SetUser(app)), Map.of(),
                users(DEFAULT_LINE, OPERATOR_LINE, APP_LINE), null)), List.of(), null, 1);
        assertThat(r.status()).isTrue();
        assertThat(r.reason()).isEqualTo(UsersPlanner.APPLIED);
        assertThat(r.message()).isEqualTo("3 users (1 from spec.users; default and the operator's own) on 1 pod(s)");
        Plan next = UsersPlanner.plan(new Input(List.of(operator, app), false, r.record(),
                List.of(PodUsers.listed("kv-0", users(DEFAULT_LINE, OPERATOR_LINE, APP_LINE)))));
        assertThat(next.empty()).isTrue();
        // the record survives its text
        assertThat(AclRecord.parse(r.record().text()).holds(app, APP_LINE)).isTrue();
    }

    @Test
    void removedUsersLeaveTheRecordButKeptOnesStay() {
        AclRecord record = taken(operator, OPERATOR_LINE).taken(app, APP_LINE);
        Report gone = UsersPlanner.report(new Input(List.of(operator), false, record, List.of()), List.of(), List.of(), null, 0);
        assertThat(gone.record().entries()).containsOnlyKeys("percore-operator");
        Report kept = UsersPlanner.report(new Input(List.of(operator), true, record, List.of()), List.of(),
                List.of("spec.users[0] (app): Secret s not found"), UserSpecs.SECRET_MISSING, 0);
        assertThat(kept.record().entries()).containsOnlyKeys("percore-operator", "app");
        assertThat(kept.reason()).isEqualTo(UserSpecs.SECRET_MISSING);
        assertThat(kept.message()).contains("Secret s not found").contains("the pods keep the users they have");
    }

    @Test
    void podsWithoutAclsOrOutOfReachAreReported() {
        PodUsers old = PodUsers.failed("kv-0", "ERR unknown command 'ACL', with args beginning with: 'LIST' ", true);
        PodUsers silent = PodUsers.failed("kv-1", "connect timed out", false);
        PodUsers fine = PodUsers.listed("kv-2", users(DEFAULT_LINE, OPERATOR_LINE));
        Input in = new Input(List.of(operator), false, taken(operator, OPERATOR_LINE), List.of(old, silent, fine));
        assertThat(UsersPlanner.plan(in).byPod()).containsOnlyKeys("kv-2");
        Report r = UsersPlanner.report(in, List.of(), List.of(), null, 0);
        assertThat(r.reason()).isEqualTo(UsersPlanner.ACL_UNSUPPORTED);
        assertThat(UsersPlanner.support(in.pods())).isEqualTo(AclSupport.NONE);

        Input unreached = new Input(List.of(operator), false, taken(operator, OPERATOR_LINE), List.of(silent, fine));
        Report u = UsersPlanner.report(unreached, List.of(), List.of(), null, 0);
        assertThat(u.reason()).isEqualTo(UsersPlanner.PODS_NOT_REACHED);
        assertThat(u.message()).isEqualTo("2 users (0 from spec.users; default and the operator's own) on 1 pod(s); not reached: kv-1: connect timed out");
        assertThat(UsersPlanner.support(unreached.pods())).isEqualTo(AclSupport.UNKNOWN);

        assertThat(UsersPlanner.report(new Input(List.of(operator), false, AclRecord.EMPTY, List.of()), List.of(), List.of(), null, 0).reason())
                .isEqualTo(UsersPlanner.WAITING_FOR_PODS);
        assertThat(UsersPlanner.support(List.of(fine))).isEqualTo(AclSupport.ALL);
        assertThat(UsersPlanner.support(List.of())).isEqualTo(AclSupport.UNKNOWN);
    }

    @Test
    void theTemplateReadsTheAclFileOnceThePodsShowAclsAndKeepsDoingSo() {
        // a new service: yes; a running one: once every ready pod answered ACL LIST; once switched: for good
        assertThat(UsersPlanner.aclFileInTemplate(false, false, AclSupport.UNKNOWN)).isTrue();
        assertThat(UsersPlanner.aclFileInTemplate(false, true, AclSupport.ALL)).isTrue();
        assertThat(UsersPlanner.aclFileInTemplate(false, true, AclSupport.UNKNOWN)).isFalse();
        assertThat(UsersPlanner.aclFileInTemplate(false, true, AclSupport.NONE)).isFalse();
        assertThat(UsersPlanner.aclFileInTemplate(true, true, AclSupport.NONE)).isTrue();
    }

    @Test
    void theAclFileHasOnlyRulesAPodTookForTheSpecsUsers() {
        AclUser defaultUser = OperatorUsers.defaultUser(H2);
        AclUser replica = OperatorUsers.replica(H1);
        AclRecord record = taken(app, APP_LINE);
        AclUser changed = AclUser.of("app", List.of(H1), List.of("~app:*", "+@read"));
        String file = record.aclFile(defaultUser, List.of(operator, replica, changed, report), Set.of());
        // default first; the operator's as wanted; app's last taken rules until a pod takes the new ones; report never taken
        assertThat(file.split("\n")).containsExactly(defaultUser.fileLine(), operator.fileLine(), replica.fileLine(), app.fileLine());
        assertThat(record.taken(changed, null).aclFile(defaultUser, List.of(operator, changed), Set.of()).split("\n"))
                .containsExactly(defaultUser.fileLine(), operator.fileLine(), changed.fileLine());
        // spec.users refused: app stays as it was taken
        assertThat(record.aclFile(defaultUser, List.of(operator), Set.of("app")).split("\n"))
                .containsExactly(defaultUser.fileLine(), operator.fileLine(), app.fileLine());
    }

    @Test
    void twoPodsPrintingTheSameRulesInTwoOrdersHoldTheSameUserAndOtherRulesDoNot() {
        // the order of single commands is the server's command dictionary's, seeded at random per process
        String a = "user app on sanitize-payload #" + H1 + " ~app:* resetchannels -@all +info +acl|list +replicaof (~x* resetchannels -@all +get +set)";
        String b = "user app on sanitize-payload #" + H1 + " ~app:* resetchannels -@all +replicaof +info +acl|list (~x* resetchannels -@all +set +get)";
        assertThat(AclRecord.normalized(a)).isEqualTo(AclRecord.normalized(b)).startsWith("user app ");
        assertThat(AclRecord.EMPTY.taken(app, a).holds(app, b)).isTrue();
        // the words of a selector stay in it, and selectors in their order
        String moved = "user app on sanitize-payload #" + H1 + " ~app:* resetchannels -@all +info +acl|list +replicaof +get (~x* resetchannels -@all +set)";
        assertThat(AclRecord.normalized(moved)).isNotEqualTo(AclRecord.normalized(a));
        String twoSelectors = "user app on #" + H1 + " -@all (~a* +get) (~b* +set)";
        String swapped = "user app on #" + H1 + " -@all (~b* +set) (~a* +get)";
        assertThat(AclRecord.normalized(twoSelectors)).isNotEqualTo(AclRecord.normalized(swapped));
        // another user's line, or another rule, is not held
        assertThat(AclRecord.EMPTY.taken(app, a).holds(app, a.replace("+get", "+del"))).isFalse();
    }

    @Test
    void aRecordEditedByHandOrALineAPodPrintedAcrossTwoLinesIsNotTrusted() {
        AclRecord record = taken(app, "user app on\nuser default nopass");
        assertThat(record.get("app").seen()).as("a printed line with a line break is not kept").isEmpty();
        String text = taken(app, APP_LINE).text() + "junk\napp notadigest rules +@all\n" + "report " + report.digest() + " seen user app on\n";
        AclRecord parsed = AclRecord.parse(text);
        assertThat(parsed.entries()).containsOnlyKeys("app");
        assertThat(parsed.holds(app, APP_LINE)).isTrue();
        assertThat(AclRecord.parse(null)).isSameAs(AclRecord.EMPTY);
        // at most a few forms per user: a roll between versions shows two
        AclRecord many = AclRecord.EMPTY;
        for (int i = 0; i < 10; i++) {
            many = many.taken(app, APP_LINE + " +get" + i);
        }
        assertThat(many.get("app").seen()).hasSize(AclRecord.MAX_FORMS).contains(AclRecord.normalized(APP_LINE + " +get9"));
    }
}
