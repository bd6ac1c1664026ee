package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestPorts;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 67, the ACL file and the users declared at start, beside redis-server 7.0.15 started with the
 * same file ({@code aclfile}, relative to each server's data directory, so the messages name the same
 * file) or the same {@code user} lines: what is loaded, ACL LOAD's errors for every kind of bad line (the
 * users in force stay), ACL SAVE's file read back, ACL LOAD closing the connections of the users it
 * replaced, and the start refused with Redis's text for a bad file, a bad declaration, or both at once.
 */
class AclFileParityTest {

    private static final String USERS = "user alice on allcommands allkeys &* >alice\n"
            + "user bob on -@all +@set +acl ~set* &* >bob\n"
            + "user default on nopass ~* &* +@all\n";

    /** redis-server and the demo, each with its own data directory holding {@code users.acl}. */
    private record Pair(RealRedis redis, TestServices demo, Path redisDir, Path demoDir) implements AutoCloseable {

        static Pair withFile(String content) throws Exception {
            Path redisDir = Files.createTempDirectory("acl-redis-");
            Path demoDir = Files.createTempDirectory("acl-demo-");
            Files.writeString(redisDir.resolve("users.acl"), content, StandardCharsets.ISO_8859_1);
            Files.writeString(demoDir.resolve("users.acl"), content, StandardCharsets.ISO_8859_1);
            RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--aclfile", "users.acl");
            TestServices demo = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(demoDir))
                    .withConfig("aclfile", "users.acl"));
            return new Pair(redis, demo, redisDir, demoDir);
        }

        void write(String content) throws IOException {
            Files.writeString(redisDir.resolve("users.acl"), content, StandardCharsets.ISO_8859_1);
            Files.writeString(demoDir.resolve("users.acl"), content, StandardCharsets.ISO_8859_1);
        }

        void same(String[]... commands) throws IOException {
            redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, AclReplies::normalized));
        }

        @Override
        public void close() throws Exception {
            demo.close();
            redis.close();
            for (Path dir : List.of(redisDir, demoDir)) {  // the files they saved, gone with them (not left in /tmp)
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    private static String[] c(String... args) {
        return args;
    }

    @Test
    void theFileIsLoadedAtStartAndSavedAsAclListWritesIt() throws Exception {
        try (Pair p = Pair.withFile(USERS)) {
            p.same(c("ACL", "LIST"), c("ACL", "USERS"), c("ACL", "GETUSER", "bob"), c("CONFIG", "GET", "aclfile"));
            p.same(c("ACL", "SETUSER", "eve", "+get", "allkeys", ">eve", "on", "(~x +set)"),
                    c("ACL", "SETUSER", "harry", "on", "nopass", "resetchannels", "&test", "+@all", "-@dangerous", "~*"),
                    c("ACL", "SAVE"));
            List<String> theirs = lines(p.redisDir.resolve("users.acl"));
            List<String> ours = lines(p.demoDir.resolve("users.acl"));
            assertThat(ours).as("the saved file").isEqualTo(theirs);
            assertThat(ours).hasSize(5);
            try (RespTestClient r = new RespTestClient(p.redis.port()); RespTestClient d = new RespTestClient(p.demo.respPort())) {
                // ACL LOAD replaces every user but the default one: the connections of those it replaced close, the caller's after its reply
                for (RespTestClient client : new RespTestClient[] {r, d}) {
                    assertThat(client.cmd("AUTH", "bob", "bob")).isEqualTo("OK");
                    assertThat(client.cmd("ACL", "LOAD")).isEqualTo("OK");
                    assertThat(client.closedByServer()).isTrue();
                }
            }
            p.same(c("ACL", "LIST"));
            try (RespTestClient r = new RespTestClient(p.redis.port()); RespTestClient d = new RespTestClient(p.demo.respPort())) {
                for (RespTestClient client : new RespTestClient[] {r, d}) {
                    assertThat(client.cmd("AUTH", "eve", "eve")).isEqualTo("OK");
                    assertThat(client.cmd("GET", "x")).isNull();
                }
            }
        }
    }

    /** A file read back is exactly the users written, single command rules in any order (see {@link AclReplies}). */
    private static List<String> lines(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            out.add(AclReplies.rules(line));
        }
        return out;
    }

    @Test
    void aBadLineRefusesAclLoadNamingItAndTheUsersStay() throws Exception {
        String[] bad = {
                USERS + "user alice on nopass ~* -@all\n",
                USERS + "user default on nopass ~* -@all\n",
                "user\n",
                "users alice on\n",
                "user x\ton nopass\n",
                "user x on +nosuch >pw +@nosuch foo bar -nosuch2\n",
                "user x on #badhash\n",
                "user x on ~a ~b allkeys ~c\n",
                "\n\n  user ok on nopass ~* +@all  \r\n\nnot a user line\r\n",
                "user x on nopass ~* +@all\nuser x on\nuser y off +nosuch\n",
                "# a comment is no line of a user\nuser x on\n",
        };
        try (Pair p = Pair.withFile(USERS)) {
            for (String content : bad) {
                p.write(content);
                p.same(c("ACL", "LOAD"), c("ACL", "LIST"));
            }
            // redis-server 7.0.15 crashes on a selector left open in the file (ACLLoadFromFile after ACLMergeSelectorArguments
            // failed); the demo refuses the file with Redis's message for it
            Files.writeString(p.demoDir.resolve("users.acl"), "user x on (~a +get\nuser y on\n");
            try (RespTestClient d = new RespTestClient(p.demo.respPort())) {
                assertThat(d.cmd("ACL", "LOAD")).isEqualTo(new RespTestClient.Err("ERR users.acl:1: Unmatched parenthesis in selector definition."
                        + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"));
            }
            Files.delete(p.redisDir.resolve("users.acl"));
            Files.delete(p.demoDir.resolve("users.acl"));
            p.same(c("ACL", "LOAD"), c("ACL", "LIST"));
            // a good file with CRLF lines, blank lines and no default user: the default user is Redis's own again
            p.write("\r\nuser ok on nopass ~* +@all\r\n\r\n");
            p.same(c("ACL", "LOAD"), c("ACL", "LIST"));
        }
    }

    /** What redis-server prints when it refuses to start with {@code options}. */
    private static String redisRefuses(Path dir, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(TestPorts.free()), "--bind", "127.0.0.1",
                "--save", "", "--dir", dir.toString()));
        command.addAll(Arrays.asList(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("redis-server refused to start").isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String demoRefuses(DemoSettings settings) {
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> TestServices.start(2, settings).close()).satisfies(e -> thrown[0] = e);
        Throwable root = thrown[0];
        while (!(root instanceof IllegalArgumentException) && root.getCause() != null) {
            root = root.getCause();
        }
        assertThat(root).isInstanceOf(IllegalArgumentException.class);
        return root.getMessage();
    }

    @Test
    void aBadFileOrDeclarationRefusesTheStartWithRedisText(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("users.acl"), "user alice on\nuser bob on +nosuch\nfoo\n");
        DemoSettings inDir = DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir));
        String ours = demoRefuses(inDir.withConfig("aclfile", "users.acl"));
        assertThat(ours).startsWith("Aborting Redis startup because of ACL errors: users.acl:2: Error in applying operation '+nosuch'");
        assertThat(redisRefuses(dir, "--aclfile", "users.acl")).contains(ours);

        ours = demoRefuses(inDir.withConfig("aclfile", "users.acl").withConfig("user", "alice", "on"));
        assertThat(redisRefuses(dir, "--aclfile", "users.acl", "--user", "alice", "on")).contains(ours);

        ours = demoRefuses(inDir.withConfig("user", "alice", "on").withConfig("user", "alice", "off"));
        assertThat(ours).isEqualTo("Error in user declaration 'alice': Duplicate user found. A user can only be defined once in config files");
        assertThat(redisRefuses(dir, "--user", "alice", "on", "--user", "alice", "off")).contains(ours);

        ours = demoRefuses(inDir.withConfig("user", "alice", "on", "~a", "allkeys", "~b"));
        assertThat(redisRefuses(dir, "--user", "alice", "on", "~a", "allkeys", "~b")).contains(ours);

        ours = demoRefuses(inDir.withConfig("user", "alice", "on", "+nosuch"));
        assertThat(ours).isEqualTo("Error loading ACL rule '+nosuch' for the user named 'alice': Unknown command or category name in ACL");
        assertThat(redisRefuses(dir, "--user", "alice", "on", "+nosuch")).contains(ours);

        Files.delete(dir.resolve("users.acl"));
        ours = demoRefuses(inDir.withConfig("aclfile", "users.acl"));
        assertThat(ours).isEqualTo("Aborting Redis startup because of ACL errors: Error loading ACLs, opening file 'users.acl': "
                + "No such file or directory");
        assertThat(redisRefuses(dir, "--aclfile", "users.acl")).contains(ours);
    }

    @Test
    void usersDeclaredAtStartAreRedises() throws Exception {
        String[][] users = {{"default", "on", ">secret", "~*", "&*", "+@all", "-flushdb"}, {"app", "on", ">pw", "~app:*", "+@all", "-@dangerous"},
                {"ro", "on", "nopass", "%R~*", "(+get ~x)", "+@read"}};
        List<String> options = new ArrayList<>();
        DemoSettings settings = DemoSettings.forTests();
        for (String[] user : users) {
            options.add("--user");
            options.addAll(Arrays.asList(user));
            String[] line = new String[user.length + 1];
            line[0] = "user";
            System.arraycopy(user, 0, line, 1, user.length);
            settings = settings.withConfig(line);
        }
        RealRedis redis = RealRedis.start(options.toArray(new String[0]));
        try (TestServices demo = TestServices.start(2, settings)) {
            redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
                assertThat(d.cmd("PING")).isEqualTo(r.cmd("PING"));
                assertThat(d.cmd("AUTH", "secret")).isEqualTo(r.cmd("AUTH", "secret"));
                RealRedis.sameReplies(r, d, proto, new String[][] {c("ACL", "LIST"), c("ACL", "WHOAMI"), c("ACL", "DRYRUN", "default", "flushdb"),
                        c("ACL", "DRYRUN", "app", "flushall"), c("ACL", "DRYRUN", "app", "set", "app:1", "v"),
                        c("ACL", "DRYRUN", "ro", "set", "x", "v"), c("ACL", "DRYRUN", "ro", "get", "x"), c("CONFIG", "GET", "requirepass")},
                        AclReplies::normalized);
            });
        } finally {
            redis.close();
        }
    }
}
