package io.percore.operator.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.operator.replication.FakeRedis;
import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.PodReplicationProbe.AuthRefusedException;
import io.percore.operator.replication.PodReplicationProbe.ErrorReplyException;
import io.percore.operator.replication.PodReplicationProbe.ProbeException;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ServiceProcess;
import io.percore.operator.replication.TestResp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The users' RESP against a real redis-server 7.0.15 (what the pods answer: the demo replies byte for byte as it does),
 * and the claims the planner rests on: the aclfile the operator writes loads, a pod that read it prints each user as
 * one that was given the same rules by {@code ACL SETUSER} does, the operator's own user can do what it sends and
 * nothing else, and a refusal is Redis's own text.
 */
class PodAclTest {

    private static final String DEFAULT_PW = "default-pw-5f1";
    private static final String OPERATOR_PW = "operator-pw-9c2";
    private static final String APP_PW = "app-pw-77d";

    private final PodReplicationProbe probe = new PodReplicationProbe(Duration.ofSeconds(5));
    private final PodAcl acl = new PodAcl(probe);
    private final AclUser operator = OperatorUsers.operator(hash(OPERATOR_PW), false);
    private final AclUser replica = OperatorUsers.replica(hash("replica-pw"));
    private final AclUser app = AclUser.of("app", List.of(hash(APP_PW)), List.of("~app:*", "+@all", "-@dangerous"));

    @TempDir
    Path dir;

    private static String hash(String password) {
        return AclUser.passwordHash(password.getBytes(StandardCharsets.UTF_8));
    }

    private ServiceProcess withAclFile(String file) throws Exception {
        Path acl = Files.writeString(dir.resolve("users-" + System.nanoTime() + ".acl"), file);
        return ServiceProcess.startRedis(dir, List.of("--aclfile", acl.toString()), null, DEFAULT_PW);
    }

    @Test
    void theAclFileLoadsAndItsUsersPrintAsTheSameRulesSetLive() throws Exception {
        AclRecord record = AclRecord.EMPTY.taken(app, null);
        String file = record.aclFile(OperatorUsers.defaultUser(hash(DEFAULT_PW)), List.of(operator, replica, app), Set.of());
        try (ServiceProcess fromFile = withAclFile(file);
             ServiceProcess live = ServiceProcess.startRedis(dir, List.of("--requirepass", DEFAULT_PW), null, DEFAULT_PW)) {
            HostPort filed = new HostPort("127.0.0.1", fromFile.port);
            HostPort set = new HostPort("127.0.0.1", live.port);
            for (AclUser u : List.of(operator, replica, app)) {
                acl.setUser(set, PodAuth.password(DEFAULT_PW), u);
            }
            Map<String, String> a = acl.list(filed, new PodAuth(OperatorUsers.OPERATOR, OPERATOR_PW, null));
            Map<String, String> b = acl.list(set, PodAuth.password(DEFAULT_PW));
            assertThat(a).containsOnlyKeys("default", "percore-operator", "percore-replica", "app");
            for (String user : List.of("percore-operator", "percore-replica", "app")) {
                // the same words; their order is the server's command dictionary's, seeded at random in each process
                assertThat(AclRecord.normalized(a.get(user))).as(user).isEqualTo(AclRecord.normalized(b.get(user)));
            }
            assertThat(a.get("percore-operator")).startsWith("user percore-operator on sanitize-payload #" + hash(OPERATOR_PW)
                    + " resetchannels -@all +").contains(" +replicaof").contains(" +acl|list").contains(" +info");
            // so what one pod took, learned from its line, holds for the other's
            assertThat(AclRecord.EMPTY.taken(app, b.get("app")).taken(operator, b.get("percore-operator")).holds(operator,
                    a.get("percore-operator"))).isTrue();
            // the default user of the file has spec.auth's password: AUTH <password> as before users
            try (TestResp c = new TestResp(fromFile.port, DEFAULT_PW)) {
                assertThat(c.call("PING")).isEqualTo("PONG");
            }
        }
    }

    @Test
    void theOperatorsUserMaySendWhatItSendsAndNothingElse() throws Exception {
        AclRecord record = AclRecord.EMPTY;
        String file = record.aclFile(OperatorUsers.defaultUser(hash(DEFAULT_PW)), List.of(OperatorUsers.operator(hash(OPERATOR_PW), true)), Set.of());
        try (ServiceProcess pod = withAclFile(file); TestResp c = new TestResp(pod.port, OperatorUsers.OPERATOR, OPERATOR_PW)) {
            assertThat((String) c.call("INFO", "replication")).contains("role:master");
            assertThat(c.call("DBSIZE")).isEqualTo(0L);
            assertThat(c.call("ACL", "LIST")).isInstanceOf(List.class);
            assertThat(c.call("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
            assertThatThrownBy(() -> c.call("FLUSHALL")).hasMessage("error reply: NOPERM this user has no permissions to run the 'flushall' command");
            assertThatThrownBy(() -> c.call("CONFIG", "SET", "maxmemory", "1"))
                    .hasMessage("error reply: NOPERM this user has no permissions to run the 'config|set' command");
            assertThatThrownBy(() -> c.call("ACL", "SETUSER", OperatorUsers.OPERATOR, "+@all"))
                    .hasMessage("error reply: NOPERM this user has no permissions to run the 'acl|setuser' command");
            assertThatThrownBy(() -> c.call("GET", "k")).hasMessage("error reply: NOPERM this user has no permissions to run the 'get' command");
            assertThatThrownBy(() -> c.call("SET", "k", "v")).hasMessage("error reply: NOPERM this user has no permissions to run the 'set' command");
        }
    }

    @Test
    void aRefusedRuleIsRedisOwnTextAndChangesNothing() throws Exception {
        try (ServiceProcess pod = ServiceProcess.startRedis(dir, List.of("--requirepass", DEFAULT_PW), null, DEFAULT_PW)) {
            HostPort at = new HostPort("127.0.0.1", pod.port);
            PodAuth asDefault = PodAuth.password(DEFAULT_PW);
            acl.setUser(at, asDefault, app);
            String before = acl.list(at, asDefault).get("app");
            AclUser bad = AclUser.of("app", List.of(hash(APP_PW)), List.of("~app:*", "+nosuchcommand"));
            assertThatThrownBy(() -> acl.setUser(at, asDefault, bad)).isInstanceOfSatisfying(ErrorReplyException.class, e ->
                    assertThat(e.reply()).isEqualTo("ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL"));
            AclUser unbalanced = AclUser.of("app", List.of(hash(APP_PW)), List.of("(~x*", "+get"));
            assertThatThrownBy(() -> acl.setUser(at, asDefault, unbalanced)).isInstanceOfSatisfying(ErrorReplyException.class, e ->
                    assertThat(e.reply()).startsWith("ERR Unmatched parenthesis in acl selector"));
            assertThat(acl.list(at, asDefault).get("app")).as("ACL SETUSER applies whole or not at all").isEqualTo(before);
            // the operator's user may list, not change
            acl.setUser(at, asDefault, operator);
            PodAuth asOperator = new PodAuth(OperatorUsers.OPERATOR, OPERATOR_PW, null);
            assertThat(acl.list(at, asOperator)).containsKeys("app", "percore-operator");
            assertThatThrownBy(() -> acl.setUser(at, asOperator, app)).isInstanceOfSatisfying(ErrorReplyException.class,
                    e -> assertThat(e.reply()).isEqualTo("NOPERM this user has no permissions to run the 'acl|setuser' command"));
        }
    }

    @Test
    void aDeletedUsersClientsAreDisconnectedAndAChangedUsersAreNot() throws Exception {
        try (ServiceProcess pod = ServiceProcess.startRedis(dir, List.of("--requirepass", DEFAULT_PW), null, DEFAULT_PW)) {
            HostPort at = new HostPort("127.0.0.1", pod.port);
            PodAuth asDefault = PodAuth.password(DEFAULT_PW);
            AclUser other = AclUser.of("other", List.of(hash(APP_PW)), List.of("~*", "+@all"));
            acl.setUser(at, asDefault, app);
            acl.setUser(at, asDefault, other);
            try (TestResp appClient = new TestResp(pod.port, "app", APP_PW); TestResp otherClient = new TestResp(pod.port, "other", APP_PW)) {
                assertThat(appClient.call("SET", "app:1", "x")).isEqualTo("OK");
                acl.setUser(at, asDefault, AclUser.of("app", List.of(hash(APP_PW)), List.of("~app:*", "+@read")));
                assertThatThrownBy(() -> appClient.call("SET", "app:1", "y")).hasMessageStartingWith("error reply: NOPERM");
                assertThat(appClient.call("GET", "app:1")).as("still connected, with the new rules").isEqualTo("x");
                acl.deleteUser(at, asDefault, "other");
                assertThatThrownBy(() -> otherClient.call("PING")).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void theOperatorFallsBackToTheDefaultPasswordWhereItsUserIsMissing() throws Exception {
        try (ServiceProcess pod = ServiceProcess.startRedis(dir, List.of("--requirepass", DEFAULT_PW), null, DEFAULT_PW)) {
            HostPort at = new HostPort("127.0.0.1", pod.port);
            PodAuth withFallback = new PodAuth(OperatorUsers.OPERATOR, OPERATOR_PW, DEFAULT_PW);
            assertThat(acl.list(at, withFallback)).containsOnlyKeys("default");
            PodAuth noFallback = new PodAuth(OperatorUsers.OPERATOR, OPERATOR_PW, null);
            assertThatThrownBy(() -> acl.list(at, noFallback)).isInstanceOf(AuthRefusedException.class)
                    .hasMessageContaining("WRONGPASS").message().doesNotContain(OPERATOR_PW);
            PodAuth bothWrong = new PodAuth(OperatorUsers.OPERATOR, OPERATOR_PW, "not-it");
            assertThatThrownBy(() -> acl.list(at, bothWrong)).isInstanceOf(AuthRefusedException.class)
                    .hasMessageContaining("as default").message().doesNotContain("not-it").doesNotContain(OPERATOR_PW);
            acl.setUser(at, PodAuth.password(DEFAULT_PW), operator);
            assertThat(acl.list(at, noFallback)).containsKeys("percore-operator");
            assertThat(withFallback.toString()).doesNotContain(OPERATOR_PW).doesNotContain(DEFAULT_PW);
        }
    }

    @Test
    void hostileOrOldPodsAreErrorsNotAllocations() throws Exception {
        try (FakeRedis old = new FakeRedis(c -> "-ERR unknown command 'ACL', with args beginning with: 'LIST' \r\n")) {
            assertThatThrownBy(() -> acl.list(new HostPort("127.0.0.1", old.port()), PodAuth.NONE))
                    .isInstanceOfSatisfying(ErrorReplyException.class, e -> assertThat(PodAcl.unsupported(e)).isTrue());
        }
        try (FakeRedis noPerm = new FakeRedis(c -> "-NOPERM this user has no permissions to run the 'acl|list' command\r\n")) {
            assertThatThrownBy(() -> acl.list(new HostPort("127.0.0.1", noPerm.port()), PodAuth.NONE))
                    .isInstanceOfSatisfying(ErrorReplyException.class, e -> assertThat(PodAcl.unsupported(e)).isFalse());
        }
        for (String reply : List.of("*2000000000\r\n", "*1\r\n" + FakeRedis.bulk("not a user"), "*2\r\n" + FakeRedis.bulk("user a x")
                + FakeRedis.bulk("user a y"), "+OK\r\n", "*1\r\n:5\r\n")) {
            try (FakeRedis hostile = new FakeRedis(c -> reply)) {
                assertThatThrownBy(() -> acl.list(new HostPort("127.0.0.1", hostile.port()), PodAuth.NONE)).as(reply)
                        .isInstanceOf(ProbeException.class);
            }
        }
        try (FakeRedis huge = new FakeRedis(c -> "*1\r\n$" + (PodAcl.MAX_LIST_BYTES + 1) + "\r\n")) {
            assertThatThrownBy(() -> acl.list(new HostPort("127.0.0.1", huge.port()), PodAuth.NONE)).hasMessageContaining("exceeds");
        }
    }
}
