package io.percore.operator.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.operator.crd.User;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code spec.users} checked before anything is sent, and turned into the users' {@code ACL SETUSER} arguments. */
class UserSpecsTest {

    private static final Set<String> OPERATOR_SECRETS = Set.of("kv-users", "kv-operator", "kv-replica");
    private static final String SHA_PW = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"; // sha256("password")
    private static final String SHA_OTHER = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"; // sha256("secret")

    private final Map<String, Map<String, byte[]>> secrets = new HashMap<>();

    private void secret(String name, String... keyValues) {
        Map<String, byte[]> data = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            data.put(keyValues[i], keyValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        secrets.put(name, data);
    }

    private UserSpecs.Desired desired(User... users) {
        return UserSpecs.desired(List.of(users), OPERATOR_SECRETS, secrets::get);
    }

    @Test
    void twoUsersFromTheirSecretsBecomeResetOnTheirHashesAndTheirRules() {
        secret("app-user", "password", "password");
        // kubectl create secret --from-file keeps the file's last newline; a rotation is a second line (CRLF too)
        secret("report-user", "password", "secret\r\npassword\n\n", "rules", "~report:* +@read");
        UserSpecs.Desired d = desired(new User("app", "app-user", "~app:*  +@all -@dangerous"), new User("report", "report-user", null));
        assertThat(d.problems()).isEmpty();
        assertThat(d.users()).hasSize(2);
        assertThat(d.users().get(0).name()).isEqualTo("app");
        assertThat(d.users().get(0).rules()).containsExactly("reset", "on", "#" + SHA_PW, "~app:*", "+@all", "-@dangerous");
        assertThat(d.users().get(1).rules()).containsExactly("reset", "on", "#" + SHA_OTHER, "#" + SHA_PW, "~report:*", "+@read");
        assertThat(d.users().get(0).fileLine()).isEqualTo("user app reset on #" + SHA_PW + " ~app:* +@all -@dangerous");
    }

    @Test
    void theDigestChangesWithARuleOrAPasswordAndNotWithSpacing() {
        secret("s", "password", "password");
        String before = desired(new User("app", "s", "~app:* +@all")).users().get(0).digest();
        assertThat(desired(new User("app", "s", " ~app:*\t +@all ")).users().get(0).digest()).isEqualTo(before);
        assertThat(desired(new User("app", "s", "~app:* +@read")).users().get(0).digest()).isNotEqualTo(before);
        secret("s", "password", "secret");
        assertThat(desired(new User("app", "s", "~app:* +@all")).users().get(0).digest()).isNotEqualTo(before);
    }

    @Test
    void badNamesAreRefusedAndTheWholeListWithThem() {
        secret("s", "password", "password");
        for (String bad : List.of("default", "Default", "percore-operator", "percore-replica", "percore-anything", "with space", "",
                "-dash", "x".repeat(65))) {
            UserSpecs.Desired d = desired(new User("app", "s", "+get"), new User(bad, "s", "+get"));
            assertThat(d.refused()).as(bad).isTrue();
            assertThat(d.reason()).isEqualTo(UserSpecs.INVALID);
            assertThat(d.users()).as("nothing of a refused list is applied").isEmpty();
            assertThat(d.problems()).singleElement().asString().startsWith("spec.users[1]");
        }
        assertThat(desired(new User("app", "s", "+get"), new User("app", "s", "+set")).problems())
                .singleElement().asString().contains("listed twice");
        assertThat(desired(new User("a.b_c@d-1", "s", "+get")).problems()).isEmpty();
    }

    @Test
    void aRuleThatTouchesAPasswordOrResetsIsRefusedWithoutRepeatingIt() {
        secret("s", "password", "password");
        for (String rules : List.of("~* +@all >hunter2", "<hunter2 +get", "#" + SHA_PW + " +get", "!" + SHA_PW, "+get NOPASS", "resetpass +get",
                "+get reset", "~a* (+get >hunter2)", "(>hunter2 ~x*)")) {
            UserSpecs.Desired d = desired(new User("app", "s", rules));
            assertThat(d.reason()).as(rules).isEqualTo(UserSpecs.INVALID);
            assertThat(String.join(" ", d.problems())).as(rules).doesNotContain("hunter2").doesNotContain(SHA_PW);
        }
        // the same from the Secret's key rules
        secret("t", "password", "password", "rules", "~* +@all >hunter2");
        UserSpecs.Desired d = desired(new User("app", "t", null));
        assertThat(d.problems()).singleElement().asString().contains("Secret t key rules").doesNotContain("hunter2");
    }

    @Test
    void rulesAreOneLineOfBoundedLength() {
        secret("s", "password", "password");
        assertThat(desired(new User("app", "s", "+get\nuser default nopass")).problems()).singleElement().asString().contains("control character");
        assertThat(desired(new User("app", "s", "+get\r")).problems()).singleElement().asString().contains("control character");
        assertThat(desired(new User("app", "s", "~a ".repeat(1366))).problems()).singleElement().asString().contains("longer than 4096");
        // selectors and key permissions are Redis's to judge
        assertThat(desired(new User("app", "s", "%R~ro:* %RW~rw:* &chan:* (+get ~x*) +@read")).problems()).isEmpty();
    }

    @Test
    void aMissingSecretOrKeyRefusesTheListAsUserSecretMissing() {
        secret("app-user", "password", "password");
        secret("no-key", "passwd", "password");
        UserSpecs.Desired d = desired(new User("app", "app-user", "+get"), new User("b", "nowhere", "+get"), new User("c", "no-key", "+get"));
        assertThat(d.reason()).isEqualTo(UserSpecs.SECRET_MISSING);
        assertThat(d.users()).isEmpty();
        assertThat(d.problems()).containsExactly("spec.users[1] (b): Secret nowhere not found", "spec.users[2] (c): Secret no-key has no key password");
    }

    @Test
    void passwordsAndRulesComeFromOnePlaceEach() {
        secret("both", "password", "password", "rules", "+get");
        secret("none", "password", "password");
        secret("empty", "password", "\n\r\n");
        assertThat(desired(new User("a", "both", "+set")).problems()).singleElement().asString().contains("keep one");
        assertThat(desired(new User("a", "none", null)).problems()).singleElement().asString().contains("no rules");
        assertThat(desired(new User("a", "empty", "+get")).problems()).singleElement().asString().contains("no password");
        secret("many", "password", "a\n".repeat(17));
        assertThat(desired(new User("a", "many", "+get")).problems()).singleElement().asString().contains("more than 16");
    }

    @Test
    void aUserMayNotShareTheOperatorsSecrets() {
        secret("kv-operator", "password", "password");
        assertThat(desired(new User("a", "kv-operator", "+get")).problems()).singleElement().asString().contains("the operator's own");
    }

    @Test
    void theOperatorsUsersHaveOnlyWhatItSends() {
        assertThat(OperatorUsers.operator(SHA_PW, false).rules()).containsExactly("reset", "on", "#" + SHA_PW, "+info", "+replicaof", "+acl|list",
                "+client|pause");
        assertThat(OperatorUsers.operator(SHA_PW, true).rules()).endsWith("+cluster", "+dbsize", "+client|unpause");
        assertThat(OperatorUsers.replica(SHA_PW).rules()).containsExactly("reset", "on", "#" + SHA_PW, "+psync", "+replconf", "+ping");
        assertThat(OperatorUsers.defaultUser(SHA_PW).fileLine()).isEqualTo("user default reset on #" + SHA_PW + " ~* &* +@all");
        assertThat(OperatorUsers.operator(SHA_PW, false).toString()).doesNotContain(SHA_PW);
    }
}
