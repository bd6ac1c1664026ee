package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 67: Redis 7.0's ACLs beside redis-server 7.0.15, in RESP2 and RESP3: ACL SETUSER with every rule
 * form and every malformed one (Redis's text, nothing changed), GETUSER, LIST, USERS, WHOAMI, CAT, DRYRUN
 * (the command path's check: commands, subcommands, first arguments, categories, keys read and written,
 * channels, selectors), GENPASS, LOG, HELP; AUTH and HELLO AUTH, RESET, CLIENT KILL USER, ACL DELUSER
 * closing the user's connections, ACL SETUSER closing its subscribers, requirepass as the default user's
 * password, and the ACL parameters of CONFIG. Replies are compared after {@link AclReplies#normalized}
 * (the order of single command rules, a client's line in the log, an entry's age).
 */
@SuppressWarnings("unchecked")
class AclParityTest {

    private static RealRedis redis;
    private static TestServices demo;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    /** Both servers as they start: the default user alone, on, nopass, every command, key and channel; an empty log. */
    @BeforeEach
    void fresh() throws IOException {
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient c = new RespTestClient(port)) {
                for (Object user : (List<?>) c.cmd("ACL", "USERS")) {
                    if (!"default".equals(user)) {
                        c.cmd("ACL", "DELUSER", (String) user);
                    }
                }
                assertThat(c.cmd("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all")).isEqualTo("OK");
                assertThat(c.cmd("CONFIG", "SET", "requirepass", "", "acllog-max-len", "128", "acl-pubsub-default", "resetchannels"))
                        .isEqualTo("OK");
                assertThat(c.cmd("ACL", "LOG", "RESET")).isEqualTo("OK");
            }
        }
    }

    private static String[] c(String... args) {
        return args;
    }

    private static void same(String[]... commands) throws IOException {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, AclReplies::normalized));
    }

    @Test
    void setuserOfEveryRuleFormAndGetuserListUsersWhoami() throws IOException {
        same(c("ACL", "WHOAMI"),
                c("ACL", "SETUSER", "u1"),
                c("ACL", "GETUSER", "u1"),
                c("ACL", "SETUSER", "u1", "on", ">p1", ">p2", "#34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6", "~a*",
                        "%R~r*", "%W~w*", "%RW~rw*", "&ch*", "+@all", "-@dangerous", "+debug|object"),
                c("ACL", "GETUSER", "u1"),
                c("ACL", "SETUSER", "u1", "<p1", "!34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6"),
                c("ACL", "GETUSER", "u1"),
                c("ACL", "SETUSER", "u2", "reset", "(~a +get)", "(~b", "+set)", "clearselectors", "(%R~c &d +@read)", "()"),
                c("ACL", "GETUSER", "u2"),
                c("ACL", "SETUSER", "u3", "+@all", "-@string", "+incr", "-debug", "+debug|digest"),
                c("ACL", "GETUSER", "u3"),
                c("ACL", "SETUSER", "u4", "-@all", "+@string", "-incr", "+acl", "+debug|digest", "+debug|segfault"),
                c("ACL", "SETUSER", "u5", "+memory|doctor"),
                c("ACL", "GETUSER", "u5"),
                c("ACL", "SETUSER", "u5", "+memory"),
                c("ACL", "GETUSER", "u5"),
                c("ACL", "SETUSER", "u5", "+@all", "+client|id"),
                c("ACL", "GETUSER", "u5"),
                c("ACL", "SETUSER", "u6", "+@all", "-memory|doctor"),
                c("ACL", "GETUSER", "u6"),
                c("ACL", "SETUSER", "u6", "-memory"),
                c("ACL", "GETUSER", "u6"),
                c("ACL", "SETUSER", "u7", "on", "nopass", "skip-sanitize-payload"),
                c("ACL", "SETUSER", "u8", "ON", "ALLKEYS", "ALLCHANNELS", "ALLCOMMANDS", "NOPASS"),
                c("ACL", "SETUSER", "u9", "+GET", "+Config|Get", "-CONFIG|SET", "+@READ", "-@Write", ""),
                c("ACL", "SETUSER", "u9", "~a", "%R~a", "%W~b", "%RW~b", "%wr~c", "~a", "&a", "&a", "&b*", "resetchannels", "&c"),
                c("ACL", "SETUSER", "u9", "+select|0", "+select|0", "+select|1", "+SELECT|1"),
                c("ACL", "GETUSER", "u9"),
                c("ACL", "SETUSER", "u9", "+select"),
                c("ACL", "GETUSER", "u9"),
                c("ACL", "SETUSER", "u9", "-select", "+select|2"),
                c("ACL", "GETUSER", "u9"),
                c("ACL", "SETUSER", "u9", "-@all", "+select|0", "+@keyspace"),
                c("ACL", "GETUSER", "u9"),
                c("ACL", "SETUSER", "u9", ">a", ">a", ">b", "<a"),
                c("ACL", "GETUSER", "u9"),
                c("ACL", "SETUSER", "u10", "allcommands", "-@keyspace", "-@read", "-@write", "+get"),
                c("ACL", "SETUSER", "u11", "-@all", "+@admin", "+@dangerous"),
                c("ACL", "SETUSER", "u12", "+@all", "-@admin", "-@dangerous", "-@slow", "+client|id"),
                c("ACL", "SETUSER", "u13", "(+@all ~*)", "(-@all +get ~k)"),
                c("ACL", "GETUSER", "u13"),
                c("ACL", "SETUSER", "u13", "clearselectors", "(~a \"b\")", "(~a \"b)", "(+@all ~* &*)"),
                c("ACL", "GETUSER", "u13"),
                c("ACL", "LIST"),
                c("ACL", "USERS"),
                c("ACL", "GETUSER", "nosuch"));
    }

    /** Names, passwords and patterns are bytes (Redis's sds): sent and answered byte for byte. */
    @Test
    void binaryNamesAndPatterns() throws IOException {
        String name = "us\u00e9r\u00ff";
        String[][] commands = {c("ACL", "SETUSER", name, "on", ">p\u00e4ss", "~k\u00e9y*", "%R~\u0080", "&ch\u00ff", "+@all"),
                c("ACL", "GETUSER", name), c("ACL", "LIST"), c("ACL", "USERS"), c("ACL", "DRYRUN", name, "get", "k\u00e9y1"),
                c("ACL", "DRYRUN", name, "set", "\u0080", "v"), c("AUTH", name, "p\u00e4ss"), c("ACL", "WHOAMI"), c("AUTH", "default", "x")};
        redis.inBothProtocols(demo.respPort(), true, (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, AclReplies::normalized));
    }

    /** Every rule Redis refuses, refused with its text, and the user as it was (ACL SETUSER is all its rules or none). */
    @Test
    void malformedRulesAreRefusedWithRedisTextsAndChangeNothing() throws IOException {
        List<String[]> commands = new ArrayList<>();
        commands.add(c("ACL", "SETUSER", "m", "on", ">pw", "~k*", "&c", "+get"));
        String[] malformed = {"#ABC", "#34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e",
                "#34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4eZ", "<nope",
                "!34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6", "+nosuch", "-nosuch", "+@nosuch", "-@nosuch", "+",
                "-", "+@", "+config|nosuch", "+config|get|x", "+select|", "+get|a|b", "-select|0", "-config|", "foo", ")", " () ", "(on)",
                "(>pw)", "(\"\")", "%X~a", "%RR~a", "%~a", "%", "~a b", "&a b", "~a\tb", "(~x", "(~x +get) (~y"};
        for (String rule : malformed) {
            commands.add(c("ACL", "SETUSER", "m", "off", rule));
            commands.add(c("ACL", "SETUSER", "m", "off", "resetkeys", rule));
        }
        commands.add(c("ACL", "SETUSER", "m", "allkeys", "~more"));
        commands.add(c("ACL", "SETUSER", "m", "allchannels", "&more"));
        commands.add(c("ACL", "SETUSER", "m", "(allkeys ~more)"));
        commands.add(c("ACL", "SETUSER", "m", "(~a", "+get)", "(~b"));
        commands.add(c("ACL", "SETUSER", "a b"));
        commands.add(c("ACL", "SETUSER", "nul\0name"));
        commands.add(c("ACL", "SETUSER", "m2", "on", "+nosuch"));
        commands.add(c("ACL", "GETUSER", "m"));
        commands.add(c("ACL", "GETUSER", "m2"));
        commands.add(c("ACL", "LIST"));
        same(commands.toArray(new String[0][]));
    }

    /**
     * Two refusals at once, answered as processCommand orders them: SAVE may not run in MULTI, and this user may not run
     * it; redis-server says the first (its no-multi check comes before the ACL), logs no denial, and aborts the EXEC.
     */
    @Test
    void aNoMultiCommandTheUserMayNotRunIsRefusedAsNoMultiBeforeTheAcl() throws IOException {
        same(c("ACL", "SETUSER", "saver", "on", "nopass", "~*", "&*", "+@all", "-save"),
                c("AUTH", "saver", "any"),
                c("MULTI"),
                c("SAVE"),
                c("EXEC"),
                c("ACL", "LOG"));
    }

    @Test
    void dryrunIsTheCheckOfCommandsKeysChannelsAndSelectors() throws IOException {
        List<String[]> commands = new ArrayList<>(List.of(
                c("ACL", "SETUSER", "w", "%R~r*", "%W~w*", "%RW~rw*", "&ch*", "+@all", "-@dangerous", "+debug|object", "-config|set",
                        "+select|0"),
                c("ACL", "SETUSER", "s", "-@all", "(+@write ~write::*)", "(+@read ~read::*)", "(+mget ~key ~otherkey)"),
                c("ACL", "SETUSER", "none", "nocommands"),
                c("ACL", "DRYRUN", "nosuch", "get", "x"),
                c("ACL", "DRYRUN", "w", "nosuch", "x"),
                c("ACL", "DRYRUN", "w", "get"),
                c("ACL", "DRYRUN", "w", "config", "nosuch"),
                c("ACL", "DRYRUN", "none", "get", "x"),
                c("ACL", "DRYRUN", "none", "auth", "x"),
                c("ACL", "DRYRUN", "none", "hello", "3"),
                c("ACL", "DRYRUN", "s", "set", "write::a", "v"),
                c("ACL", "DRYRUN", "s", "get", "write::a"),
                c("ACL", "DRYRUN", "s", "get", "read::a"),
                c("ACL", "DRYRUN", "s", "set", "read::a", "v"),
                c("ACL", "DRYRUN", "s", "ping"),
                c("ACL", "DRYRUN", "s", "mget", "key", "otherkey", "someotherkey"),
                c("ACL", "DRYRUN", "s", "mget", "otherkey", "someotherkey"),
                c("ACL", "DRYRUN", "s", "copy", "read::a", "write::b")));
        String[][] calls = {
                {"get", "r1"}, {"get", "w1"}, {"get", "rw1"}, {"get", "x"}, {"get", ""}, {"set", "w1", "v"}, {"set", "r1", "v"},
                {"set", "w1", "v", "get"}, {"set", "rw1", "v", "get"}, {"set", "w1", "v", "ex", "10"}, {"copy", "r1", "w1"},
                {"copy", "w1", "r1"}, {"flushall"}, {"config", "get", "x"}, {"config", "set", "x", "y"}, {"debug", "object", "k"},
                {"debug", "segfault"}, {"select", "0"}, {"select", "1"}, {"publish", "ch1", "m"}, {"publish", "x", "m"},
                {"spublish", "x", "m"}, {"subscribe", "ch1", "x"}, {"ssubscribe", "ch1"}, {"psubscribe", "ch*", "x"},
                {"psubscribe", "ch1"}, {"unsubscribe", "x"}, {"punsubscribe", "x"}, {"sunsubscribe", "x"}, {"pubsub", "channels"},
                {"sort", "r1", "by", "x", "store", "w1"}, {"sort", "r1", "store", "r1"}, {"sort_ro", "r1"}, {"bitfield", "r1", "get", "u4", "0"},
                {"bitfield", "w1", "get", "u4", "0"}, {"bitfield", "w1", "set", "u4", "0", "1"}, {"bitfield", "rw1", "set", "u4", "0", "1"},
                {"bitfield_ro", "r1", "get", "u4", "0"}, {"zunionstore", "w1", "2", "r1", "r2"}, {"zunionstore", "w1", "2", "r1", "w2"},
                {"zunionstore", "w1", "x", "r1", "r2"}, {"zinter", "2", "r1", "w1"}, {"eval", "", "1", "r1"}, {"eval", "", "1", "rw1"},
                {"eval", "", "3", "rw1", "r1"}, {"eval", "", "-1", "x"}, {"eval", "", "0", "x"}, {"eval_ro", "", "1", "r1"},
                {"fcall", "f", "1", "x"}, {"xread", "streams", "r1", "w1", "0", "0"}, {"xread", "count", "1", "streams", "r1", "0"},
                {"xreadgroup", "group", "g", "c", "streams", "w1", "0"}, {"xreadgroup", "group", "g", "c", "streams", "r1", "0"},
                {"georadius", "r1", "0", "0", "1", "m", "store", "w1"}, {"georadius", "r1", "0", "0", "1", "m", "storedist", "r2"},
                {"georadiusbymember", "w1", "m", "1", "m"}, {"geosearchstore", "w1", "r1", "frommember", "m", "byradius", "1", "m"},
                {"lmpop", "2", "r1", "w1", "left"}, {"lmpop", "2", "rw1", "rw2", "left"}, {"lmpop", "0", "x", "left"},
                {"blmpop", "0", "1", "rw1", "left"}, {"migrate", "h", "p", "rw1", "0", "5"}, {"migrate", "h", "p", "r1", "0", "5"},
                {"migrate", "h", "p", "", "0", "5", "keys", "rw1", "w1"}, {"migrate", "h", "p", "", "0", "5", "auth2", "keys", "keys", "keys", "rw1"},
                {"object", "encoding", "r1"}, {"object", "encoding", "x"}, {"memory", "usage", "w1"}, {"touch", "x"}, {"touch", "w1"},
                {"del", "r1"}, {"del", "w1"}, {"exists", "r1", "w1"}, {"exists", "x"}, {"rename", "r1", "w1"}, {"rename", "rw1", "w1"},
                {"mset", "w1", "1", "r1", "2"}, {"mget", "r1", "w1"}, {"getdel", "w1"}, {"getdel", "rw1"}, {"hset", "w1", "f", "v"},
                {"hexists", "w1", "f"}, {"lmove", "rw1", "w1", "left", "right"}, {"smove", "rw1", "w1", "m"}, {"xadd", "w1", "*", "f", "v"},
                {"xgroup", "create", "rw1", "g", "$"}, {"xinfo", "stream", "r1"}, {"pfcount", "r1"}, {"pfcount", "w1"}, {"pfmerge", "w1", "r1"},
                {"keys", "*"}, {"scan", "0"}, {"restore", "w1", "0", "x"}, {"dump", "r1"}, {"wait", "0", "0"}, {"client", "list"},
                {"command", "getkeys", "get", "x"}, {"function", "load", "x"}, {"module", "list"}, {"sintercard", "2", "r1", "r2"},
                {"zcount", "w1", "0", "1"}, {"strlen", "w1"}, {"type", "x"}};
        for (String[] call : calls) {
            String[] dry = new String[call.length + 3];
            dry[0] = "ACL";
            dry[1] = "DRYRUN";
            dry[2] = "w";
            System.arraycopy(call, 0, dry, 3, call.length);
            commands.add(dry);
        }
        same(commands.toArray(new String[0][]));
    }

    /**
     * ACL CAT: the categories in Redis's order; a category's commands and subcommands, compared as sets (Redis lists
     * them in its command dictionary's order, which a random hash seed changes from run to run).
     */
    @Test
    void catListsRedisCategoriesAndTheirCommands() throws IOException {
        same(c("ACL", "CAT"), c("ACL", "CAT", "nosuch"), c("ACL", "CAT", "a", "b"));
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            for (Object category : (List<?>) r.cmd("ACL", "CAT")) {
                List<Object> ours = new ArrayList<>((List<?>) d.cmd("ACL", "CAT", (String) category));
                List<Object> theirs = new ArrayList<>((List<?>) r.cmd("ACL", "CAT", (String) category));
                // this server's own commands (not Redis 7.0.15's) have categories too: from their flags, as Redis derives them
                ours.removeAll(Set.of("client|setinfo", "cluster|setlayout", "cluster|getlayout", "cluster|heldslots", "cluster|migrations"));
                ours.sort(null);
                theirs.sort(null);
                assertThat(ours).as("ACL CAT %s", category).isEqualTo(theirs);
            }
            assertThat((List<Object>) d.cmd("ACL", "CAT", "dangerous")).contains("cluster|setlayout", "cluster|heldslots", "cluster|migrations");
        }
    }

    @Test
    void genpassAndHelp() throws IOException {
        same(c("ACL", "GENPASS", "0"), c("ACL", "GENPASS", "4097"), c("ACL", "GENPASS", "-236"), c("ACL", "GENPASS", "x"),
                c("ACL", "GENPASS", "1", "2"), c("ACL", "HELP"), c("ACL", "HELP", "x"), c("ACL", "NOSUCH"), c("ACL"),
                c("ACL", "LOAD"), c("ACL", "SAVE"), c("ACL", "WHOAMI", "x"), c("ACL", "LOG", "x"), c("ACL", "LOG", "1", "2"),
                c("ACL", "GETUSER"), c("ACL", "DELUSER"), c("ACL", "DELUSER", "default"), c("ACL", "DELUSER", "nosuch", "default"),
                c("ACL", "DELUSER", "nosuch"));
        try (RespTestClient d = new RespTestClient(demo.respPort())) {
            for (String[] bitsAndLength : new String[][] {{null, "64"}, {"1", "1"}, {"4", "1"}, {"5", "2"}, {"255", "64"}, {"4096", "1024"}}) {
                Object pass = bitsAndLength[0] == null ? d.cmd("ACL", "GENPASS") : d.cmd("ACL", "GENPASS", bitsAndLength[0]);
                assertThat((String) pass).matches("[0-9a-f]{" + bitsAndLength[1] + "}");
            }
            assertThat(d.cmd("ACL", "GENPASS")).isNotEqualTo(d.cmd("ACL", "GENPASS"));
        }
    }

    @Test
    void configParameters() throws IOException {
        same(c("CONFIG", "GET", "aclfile"), c("CONFIG", "GET", "acllog-max-len"), c("CONFIG", "GET", "acl-pubsub-default"),
                c("CONFIG", "SET", "acl-pubsub-default", "AllChannels"),
                c("CONFIG", "GET", "acl-pubsub-default"),
                c("ACL", "SETUSER", "y"),
                c("ACL", "SETUSER", "y", "(~z)", "&foo"),
                c("ACL", "GETUSER", "y"),
                c("ACL", "SETUSER", "y", "reset"),
                c("ACL", "GETUSER", "y"),
                c("CONFIG", "SET", "acl-pubsub-default", "resetchannels"),
                c("ACL", "GETUSER", "y"),
                c("ACL", "SETUSER", "y2", "(~z)"),
                c("ACL", "GETUSER", "y2"),
                c("CONFIG", "SET", "acl-pubsub-default", "x"),
                c("CONFIG", "SET", "acllog-max-len", "-1"),
                c("CONFIG", "SET", "acllog-max-len", "9223372036854775808"),
                c("CONFIG", "SET", "acllog-max-len", "x"),
                c("CONFIG", "SET", "acllog-max-len", "0"),
                c("CONFIG", "GET", "acllog-max-len"),
                c("CONFIG", "SET", "acllog-max-len", "128"),
                c("CONFIG", "SET", "aclfile", "/tmp/x"),
                c("CONFIG", "GET", "aclfile"));
    }

    // ------------------------------------------------------------------ connections: the same steps on both servers

    /** Named connections to redis-server and to the demo, driven step by step, each reply compared. */
    private static final class Both implements AutoCloseable {
        private final Map<String, RespTestClient[]> connections = new HashMap<>();
        private final Set<String> closedByServers = new java.util.HashSet<>();

        private RespTestClient[] connection(String name) throws IOException {
            RespTestClient[] pair = connections.get(name);
            if (pair == null) {
                pair = new RespTestClient[] {new RespTestClient(redis.port()), new RespTestClient(demo.respPort())};
                connections.put(name, pair);
            }
            return pair;
        }

        /** Sends {@code args} on connection {@code name} to both; their replies must be the same. @return the demo's */
        Object step(String name, String... args) throws IOException {
            RespTestClient[] pair = connection(name);
            Object theirs = AclReplies.normalized(pair[0].cmd(args));
            Object ours = AclReplies.normalized(pair[1].cmd(args));
            assertThat(ours).as("%s: %s", name, String.join(" ", args)).isEqualTo(theirs);
            return ours;
        }

        /** Connection {@code name} was closed by both servers. */
        void closed(String name) throws IOException {
            RespTestClient[] pair = connection(name);
            assertThat(pair[0].closedByServer()).as("redis-server closed %s", name).isTrue();
            assertThat(pair[1].closedByServer()).as("the demo closed %s", name).isTrue();
            closedByServers.add(name);
        }

        /**
         * Waits until each server lists exactly the connections still open here. A connection closed by the client
         * (an earlier test's, {@link #fresh}'s) leaves its server's list only once the server has read the close,
         * a moment later on either server; CLIENT LIST compared before that differs by a line.
         */
        void settled() throws IOException {
            RespTestClient[] admin = connection("admin");
            long open = connections.size() - closedByServers.size();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            for (int server = 0; server < 2; server++) {
                while (true) {
                    String list = (String) admin[server].cmd("CLIENT", "LIST");
                    if (list.lines().count() == open) {
                        break;
                    }
                    assertThat(System.nanoTime()).as("%s still lists closed connections:%n%s",
                            server == 0 ? "redis-server" : "the demo", list).isLessThan(deadline);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            for (RespTestClient[] pair : connections.values()) {
                pair[0].close();
                pair[1].close();
            }
        }
    }

    @Test
    void authHelloResetAndClientKillUser() throws IOException {
        try (Both b = new Both()) {
            b.step("admin", "ACL", "SETUSER", "bob", "on", ">pw", "~*", "+@all");
            b.step("admin", "ACL", "SETUSER", "off", "off", ">pw", "+@all");
            b.step("bob", "AUTH", "bob", "wrong");
            b.step("bob", "AUTH", "off", "pw");
            b.step("bob", "AUTH", "nosuch", "pw");
            b.step("bob", "AUTH", "a", "b", "c");
            b.step("bob", "AUTH", "pw");
            b.step("bob", "AUTH", "bob", "pw");
            b.step("bob", "ACL", "WHOAMI");
            b.step("bob", "CLIENT", "SETNAME", "bobconn");
            b.settled();
            b.step("admin", "CLIENT", "LIST");
            b.step("bob", "CLIENT", "INFO");
            b.step("admin", "CLIENT", "KILL", "USER", "nosuch");
            b.step("admin", "CLIENT", "KILL", "USER", "off");
            b.step("admin", "CLIENT", "KILL", "USER", "bob");
            b.closed("bob");
            b.step("h", "HELLO", "3", "AUTH", "bob", "wrong");
            b.step("h", "HELLO", "3", "AUTH", "bob", "pw", "BADOPTION");
            b.step("h", "ACL", "WHOAMI");
            b.step("h", "HELLO", "2", "AUTH", "default", "x", "SETNAME", "n");
            b.step("h", "CLIENT", "INFO");
            b.step("h", "RESET");
            b.step("h", "ACL", "WHOAMI");
            b.step("h", "CLIENT", "INFO");
            b.step("admin", "ACL", "LOG");
        }
    }

    @Test
    void deletingAUserClosesItsConnectionsAfterTheReply() throws IOException {
        try (Both b = new Both()) {
            b.step("admin", "ACL", "SETUSER", "using", "on", ">pw", "+acl", "+ping");
            b.step("u1", "AUTH", "using", "pw");
            b.step("u2", "AUTH", "using", "pw");
            b.step("other", "PING");
            // a user turned off logs nobody in any more, and, in Redis 7.0.15, its connections stay
            b.step("admin", "ACL", "SETUSER", "using", "off");
            b.step("u2", "PING");
            b.step("u3", "AUTH", "using", "pw");
            b.step("admin", "ACL", "SETUSER", "using", "on");
            b.step("u1", "ACL", "DELUSER", "using");
            b.closed("u1");
            b.closed("u2");
            b.step("other", "PING");
            b.step("admin", "ACL", "SETUSER", "using", "on", ">pw", "+@all");
            b.step("u3", "AUTH", "using", "pw");
            b.step("admin", "ACL", "DELUSER", "using", "nosuch", "using");
            b.closed("u3");
            b.settled();
            b.step("admin", "CLIENT", "LIST", "TYPE", "pubsub");
        }
    }

    @Test
    void subscribersWhoseChannelsWereTakenAwayAreClosed() throws IOException {
        try (Both b = new Both()) {
            b.step("admin", "ACL", "SETUSER", "ps", "on", "nopass", "+@all", "resetchannels", "&foo:1", "&bar:*", "&orders");
            b.step("kept", "AUTH", "ps", "x");
            b.step("kept", "SUBSCRIBE", "foo:1");
            b.step("kept2", "AUTH", "ps", "x");
            b.step("kept2", "PSUBSCRIBE", "bar:*");
            b.step("admin", "ACL", "SETUSER", "ps", "&baz", "&zoo:*");
            b.step("admin", "ACL", "SETUSER", "ps", "allchannels");
            b.settled();
            b.step("admin", "CLIENT", "LIST", "TYPE", "pubsub");
            b.step("gone", "AUTH", "ps", "x");
            b.step("gone", "SSUBSCRIBE", "orders");
            b.step("other", "SUBSCRIBE", "foo:1");
            b.step("admin", "ACL", "SETUSER", "ps", "resetchannels", "&foo:1", "&bar:*");
            b.closed("gone");
            b.step("admin", "ACL", "SETUSER", "ps", "resetchannels", "&foo:*");
            b.closed("kept2");
            b.step("kept", "PING");
            b.step("admin", "ACL", "SETUSER", "ps", "resetchannels");
            b.closed("kept");
            b.settled();
            b.step("admin", "CLIENT", "LIST", "TYPE", "pubsub");
        }
    }

    @Test
    void requirepassIsTheDefaultUsersPassword() throws IOException {
        try (Both b = new Both()) {
            b.step("admin", "CONFIG", "SET", "requirepass", "secret");
            b.step("admin", "ACL", "LIST");
            b.step("admin", "CONFIG", "GET", "requirepass");
            b.step("admin", "PING");
            b.step("new", "PING");
            b.step("new", "HELLO", "3");
            b.step("new", "AUTH", "wrong");
            b.step("new", "AUTH", "secret");
            b.step("new", "ACL", "SETUSER", "default", "resetpass", ">other");
            b.step("new", "CONFIG", "GET", "requirepass");
            b.step("p", "AUTH", "secret");
            b.step("p", "AUTH", "other");
            b.step("p", "ACL", "SETUSER", "default", "off");
            b.step("q", "PING");
            b.step("q", "AUTH", "other");
            b.step("q", "AUTH", "default", "other");
            b.step("p", "ACL", "SETUSER", "default", "on", "nopass");
            b.step("r", "PING");
            b.step("r", "AUTH", "x");
            b.step("r", "AUTH", "default", "x");
            b.step("admin", "CONFIG", "SET", "requirepass", "");
            b.step("admin", "ACL", "LIST");
            b.step("admin", "CONFIG", "GET", "requirepass");
            b.step("admin", "ACL", "LOG");
        }
    }

    /** The slow log shows no secret: ACL SETUSER's user and rules, AUTH's and HELLO AUTH's user and password are redacted. */
    @Test
    void theSlowLogRedactsWhatRedisRedacts() throws IOException {
        String[][] calls = {c("ACL", "SETUSER", "sl", "on", ">secret", "+@all"), c("AUTH", "sl", "secret"), c("AUTH", "secret"),
                c("HELLO", "2", "AUTH", "sl", "secret", "SETNAME", "n"), c("ACL", "GETUSER", "sl"), c("CONFIG", "SET", "requirepass", "")};
        List<Object> logged = new ArrayList<>();
        for (int port : new int[] {redis.port(), demo.respPort()}) {
            try (RespTestClient admin = new RespTestClient(port); RespTestClient client = new RespTestClient(port)) {
                admin.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0");
                admin.cmd("SLOWLOG", "RESET");
                for (String[] call : calls) {
                    client.cmd(call);
                }
                admin.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000");
                List<Object> args = new ArrayList<>();
                for (Object entry : (List<Object>) admin.cmd("SLOWLOG", "GET", "-1")) {
                    Object arguments = ((List<Object>) entry).get(3);
                    if (!((List<Object>) arguments).get(0).toString().equalsIgnoreCase("config")) {
                        args.add(arguments);
                    }
                }
                logged.add(args);
            }
        }
        assertThat(logged.get(1)).isEqualTo(logged.get(0));
        assertThat(logged.get(1).toString()).doesNotContain("secret").contains("(redacted)");
    }

    @Test
    void logEntriesOfFailedLoginsGroupedAndBounded() throws IOException {
        try (Both b = new Both()) {
            b.step("admin", "ACL", "SETUSER", "antirez", "on", ">foo", "+@all");
            b.step("x", "AUTH", "antirez", "wrong");
            b.step("x", "AUTH", "antirez", "wrong");
            b.step("x", "auth", "antirez", "wrong");
            b.step("x", "HELLO", "2", "AUTH", "nosuch", "wrong");
            b.step("admin", "ACL", "LOG");
            b.step("admin", "ACL", "LOG", "1");
            b.step("admin", "ACL", "LOG", "-1");
            b.step("admin", "CONFIG", "SET", "acllog-max-len", "2");
            b.step("admin", "ACL", "LOG");
            for (int i = 0; i < 4; i++) {
                b.step("x", "AUTH", "user" + i, "wrong");
            }
            b.step("admin", "ACL", "LOG");
            b.step("admin", "ACL", "LOG", "RESET");
            b.step("admin", "ACL", "LOG");
        }
    }
}
