package io.percore.demo.acl;

import static io.percore.demo.acl.Catalogs.CATALOG;
import static io.percore.demo.acl.Catalogs.check;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.resp.RespError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The users as every shard sees them: changes published whole (copy on write), read without a lock from
 * other threads; a connection's identity follows its user's changes and ends with it; the ACL LOG's
 * grouping and bound; the ACL file's refusals without a server.
 */
class UserRegistryTest {

    @Test
    void setuserIsAllOrNothingAndItsIdentityFollowsTheUser() {
        UserRegistry users = new UserRegistry(CATALOG);
        UserIdentity bob = users.setUser("bob", List.of("on", ">pw", "+get", "~k"), false).identity();
        User first = bob.current();
        assertThat(check(first, "get", "k")).isNull();
        assertThatThrownBy(() -> users.setUser("bob", List.of("-get", "+nosuch"), false)).isInstanceOf(RespError.class)
                .hasMessage("ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
        assertThat(bob.current()).as("a refused SETUSER changes nothing").isSameAs(first);
        users.setUser("bob", List.of("-get"), false);
        assertThat(check(bob.current(), "get", "k").reason()).as("the next command sees the change").isEqualTo(Denial.Reason.COMMAND);
        assertThat(first.unrestricted()).isFalse();
        assertThat(check(first, "get", "k")).as("a version is never changed in place").isNull();
        assertThat(users.authenticate("bob", "pw".getBytes())).isSameAs(bob);
        assertThat(users.authenticate("bob", "no".getBytes())).isNull();
        assertThat(users.authenticate("nosuch", "pw".getBytes())).isNull();
        assertThatThrownBy(() -> users.setUser("x", List.of("(~a", "+get"), false))
                .hasMessage("ERR Unmatched parenthesis in acl selector starting at '(~a'.");
    }

    @Test
    void deletingEndsTheIdentityAndANewUserOfTheSameNameIsAnother() {
        UserRegistry users = new UserRegistry(CATALOG);
        UserIdentity alice = users.setUser("alice", List.of("on", "nopass", "+@all", "~*", "&*"), false).identity();
        assertThat(alice.current().unrestricted()).isTrue();
        assertThatThrownBy(() -> users.deleteUsers(List.of("alice", "default"))).hasMessage("ERR The 'default' user cannot be removed");
        assertThat(users.users().find("alice")).as("none deleted").isSameAs(alice);
        assertThat(users.deleteUsers(List.of("alice", "nosuch", "alice"))).containsExactly(alice);
        assertThat(alice.ended()).isTrue();
        assertThat(check(alice.current(), "ping").reason()).as("an ended identity runs nothing").isEqualTo(Denial.Reason.COMMAND);
        assertThat(check(alice.current(), "auth", "x")).isNull();
        UserIdentity again = users.setUser("alice", List.of("on", "nopass"), false).identity();
        assertThat(again).isNotSameAs(alice);
        assertThat(users.users().all()).extracting(UserIdentity::name).containsExactly("alice", "default");
    }

    @Test
    void requirepassIsTheDefaultUsersPasswordAndDecidesWhetherLoginIsRequired() {
        UserRegistry users = new UserRegistry(CATALOG);
        assertThat(users.authRequired()).isFalse();
        users.defaultPassword("secret");
        assertThat(users.authRequired()).isTrue();
        assertThat(users.defaultUser().current().description()).isEqualTo("on #" + Passwords.hash("secret") + " ~* &* +@all");
        users.defaultPassword(null);
        assertThat(users.authRequired()).isFalse();
        users.setUser("default", List.of("off"), false);
        assertThat(users.authRequired()).as("a default user that is off logs nobody in").isTrue();
    }

    @Test
    void namesAreInRedisesOrder() {
        UserRegistry users = new UserRegistry(CATALOG);
        for (String name : List.of("b", "a", "ab", "B", "\u00e9", "")) {
            users.setUser(name, List.of(), false);
        }
        assertThat(users.users().all()).extracting(UserIdentity::name).containsExactly("", "B", "a", "ab", "b", "default", "\u00e9");
    }

    /** Another thread reads every change whole: a version with all of its rules or the previous one, never a mix. */
    @Test
    void anotherThreadReadsEveryChangeWhole() throws Exception {
        UserRegistry users = new UserRegistry(CATALOG);
        UserIdentity who = users.setUser("u", List.of("+get", "~k0"), false).identity();
        AtomicReference<String> torn = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            while (done.getCount() > 0) {
                User u = who.current();
                // each version allows GET on exactly one key kN and SET on exactly the same kN
                int gets = 0;
                int sets = 0;
                String getKey = null;
                for (int i = 0; i < 50; i++) {
                    if (check(u, "get", "k" + i) == null) {
                        gets++;
                        getKey = "k" + i;
                    }
                }
                if (getKey != null && check(u, "set", getKey, "v") == null) {
                    sets++;
                }
                if (gets > 1 || (getKey != null && sets == 0 && u.root().allows(CATALOG.named("set")))) {
                    torn.set(u.description());
                }
            }
        });
        reader.start();
        for (int i = 1; i < 2000; i++) {
            users.setUser("u", List.of("resetkeys", "~k" + (i % 50), "+set"), false);
        }
        done.countDown();
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(torn.get()).isNull();
    }

    @Test
    void theLogGroupsLikeEntriesAndKeepsItsBound() {
        AclLog log = new AclLog();
        log.add(Denial.Reason.COMMAND, Denial.Context.TOPLEVEL, "get", "u", "info1", 1_000);
        log.add(Denial.Reason.COMMAND, Denial.Context.TOPLEVEL, "get", "u", "info2", 30_000);
        log.add(Denial.Reason.COMMAND, Denial.Context.MULTI, "get", "u", "info3", 30_000);
        log.add(Denial.Reason.COMMAND, Denial.Context.TOPLEVEL, "get", "u", "info4", 200_000);
        List<AclLog.Entry> entries = log.newest(10);
        assertThat(entries).extracting(AclLog.Entry::count).containsExactly(1L, 1L, 2L);
        assertThat(entries.get(2).clientInfo()).as("a grouped entry takes the latest client").isEqualTo("info2");
        log.maxLength(2);
        assertThat(log.newest(10)).as("trimmed when the next entry comes, as Redis").hasSize(3);
        log.add(Denial.Reason.KEY, Denial.Context.LUA, "k", "u", "info", 200_000);
        assertThat(log.newest(10)).hasSize(2);
        // a flood of distinct refusals stays within the bound, each entry within its own
        log.maxLength(128);
        for (int i = 0; i < 100_000; i++) {
            log.add(Denial.Reason.KEY, Denial.Context.TOPLEVEL, "key" + i, "u", "info", i);
        }
        assertThat(log.newest(Long.MAX_VALUE)).hasSize(128);
        log.add(Denial.Reason.KEY, Denial.Context.TOPLEVEL, "k".repeat(1 << 20), "u".repeat(1 << 20), "info", 0);
        AclLog.Entry big = log.newest(1).get(0);
        assertThat(big.object()).hasSizeLessThan(AclLog.MAX_TEXT + 64).endsWith("... (" + ((1 << 20) - AclLog.MAX_TEXT) + " more bytes)");
        assertThat(big.username()).hasSizeLessThan(AclLog.MAX_TEXT + 64);
        log.reset();
        assertThat(log.newest(10)).isEmpty();
    }

    @Test
    void theFileIsAllOrNothingAndItsProblemsNamed(@TempDir Path dir) throws Exception {
        assertThat(AclFile.parse("user a on nopass ~* +@all\r\n\n  \nuser b off\n", "f", CATALOG, false))
                .extracting(User::name).containsExactly("a", "b");
        assertThatThrownBy(() -> AclFile.parse("user a on (~x +get\nuser a on\n", "f", CATALOG, false)).isInstanceOf(AclFile.Invalid.class)
                .hasMessage("f:1: Unmatched parenthesis in selector definition.WARNING: Duplicate user 'a' found on line 2. "
                        + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
        assertThatThrownBy(() -> AclFile.parse("user a on >secret1 ~a allkeys ~b <nope +nosuch\n", "f", CATALOG, false))
                .as("only the first problem that is no unknown command: it may hold a password")
                .hasMessage("f:1: Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try "
                        + "'resetkeys' to start with an empty list of patterns. f:1: Error in applying operation '+nosuch': Unknown command or "
                        + "category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
        assertThat(AclFile.parse("user a on\0user b on\n", "f", CATALOG, false)).as("read as one C string").extracting(User::name)
                .containsExactly("a");
        Path huge = dir.resolve("huge.acl");
        try (var out = Files.newOutputStream(huge)) {
            byte[] line = ("user x" + " ~k".repeat(1000) + "\n").getBytes();
            for (long written = 0; written <= AclFile.MAX_BYTES; written += line.length) {
                out.write(line);
            }
        }
        assertThatThrownBy(() -> AclFile.read(huge, "huge.acl", CATALOG, false)).hasMessageStartingWith("Error loading ACLs, opening file "
                + "'huge.acl': File too large");
        // a save writes what ACL LIST says, and reads back the same users
        UserRegistry users = new UserRegistry(CATALOG);
        users.setUser("alice", List.of("on", ">pw", "%R~r*", "(+get ~x)", "+@read", "-@dangerous", "+select|0"), false);
        Path file = dir.resolve("users.acl");
        AclFile.write(file, users.users());
        List<String> saved = Files.readAllLines(file);
        assertThat(saved).hasSize(2).allMatch(line -> line.startsWith("user "));
        List<User> back = AclFile.read(file, "users.acl", CATALOG, false);
        List<String> descriptions = new ArrayList<>();
        back.forEach(u -> descriptions.add("user " + u.name() + " " + u.description()));
        assertThat(descriptions).isEqualTo(saved);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactlyInAnyOrder("huge.acl", "users.acl");
        }
    }
}
