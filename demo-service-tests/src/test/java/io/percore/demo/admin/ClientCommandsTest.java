package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: CLIENT's subcommands, RESET and QUIT on a 2-shard server, with the facts of Redis
 * 7.0.15's {@code unit/introspection}, {@code unit/other} and {@code unit/quit}: CLIENT LIST's fields
 * in Redis's order, filters, CLIENT KILL's forms and errors reaching clients on every shard, CLIENT
 * REPLY, CLIENT PAUSE holding commands on every shard and running them in order when it ends.
 */
class ClientCommandsTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    private static RespTestClient client() throws IOException {
        return new RespTestClient(demo.respPort());
    }

    /** Clients until there is one on each shard (the kernel spreads connections; CLIENT INFO's shard= tells). */
    private static List<RespTestClient> onEveryShard(List<RespTestClient> opened) throws IOException {
        Map<String, RespTestClient> byShard = new HashMap<>();
        for (int i = 0; i < 64 && byShard.size() < 2; i++) {
            RespTestClient c = client();
            opened.add(c);
            byShard.putIfAbsent(field(info(c), "shard"), c);
        }
        assertThat(byShard).as("connections on both shards").hasSize(2);
        return new ArrayList<>(List.of(byShard.get("0"), byShard.get("1")));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    private static String info(RespTestClient c) throws IOException {
        return (String) c.cmd("CLIENT", "INFO");
    }

    static String field(String line, String name) {
        for (String kv : line.trim().split(" ")) {
            int eq = kv.indexOf('=');
            if (kv.substring(0, eq).equals(name)) {
                return kv.substring(eq + 1);
            }
        }
        throw new AssertionError("no field " + name + " in " + line);
    }

    private static void closeAll(List<RespTestClient> clients) throws IOException {
        for (RespTestClient c : clients) {
            c.close();
        }
    }

    /** A condition that may do I/O. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    static void eventually(Check condition, String what) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void clientListAndInfoHaveRedisesFieldsInRedisesOrder() throws IOException {
        try (RespTestClient c = client()) {
            String myId = "id=" + c.cmd("CLIENT", "ID") + " ";
            String list = (String) c.cmd("CLIENT", "LIST");
            String mine = Arrays.stream(list.split("\n")).filter(l -> l.startsWith(myId)).findFirst().orElseThrow();
            // Redis 7.0.15's catClientInfoString, then CLIENT SETINFO's two (as 7.2) and the shard
            assertThat(Arrays.stream(mine.split(" ")).map(kv -> kv.substring(0, kv.indexOf('='))).toList()).containsExactly(
                    "id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub", "multi", "qbuf",
                    "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events", "cmd", "user",
                    "redir", "resp", "lib-name", "lib-ver", "shard");
            assertThat(mine).matches("id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:" + demo.respPort()
                    + " fd=-?\\d+ name= age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=\\d+ "
                    + "argv-mem=10 multi-mem=0 rbs=\\d+ rbp=\\d+ obl=0 oll=0 omem=0 tot-mem=\\d+ events=r cmd=client\\|list "
                    + "user=default redir=-1 resp=2 lib-name= lib-ver= shard=[01]");
            assertThat(list).endsWith("\n");
            String info = info(c);
            assertThat(info).endsWith("\n").contains(" cmd=client|info ").contains(" qbuf=26 ").contains("id=" + c.cmd("CLIENT", "ID") + " ");
            c.cmd("HELLO", "3");
            assertThat(c.cmd("CLIENT", "INFO")).isInstanceOfSatisfying(RespTestClient.Verbatim.class,
                    v -> assertThat(v.text()).contains(" resp=3 "));
            c.cmd("HELLO", "2");
            c.cmd("CLIENT", "SETNAME", "myname");
            c.cmd("CLIENT", "SETINFO", "LIB-NAME", "jedis");
            assertThat(info(c)).contains(" name=myname ").contains(" lib-name=jedis ").contains(" cmd=client|info ");
            c.cmd("GET", "k");
            assertThat((String) c.cmd("CLIENT", "LIST", "ID", c.cmd("CLIENT", "ID").toString())).contains(" cmd=client|list ");
        }
    }

    @Test
    void clientListSeesEveryShardsClientsInIdOrderAndFilters() throws IOException {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient me = client()) {
            List<RespTestClient> two = onEveryShard(opened);
            long id0 = (Long) two.get(0).cmd("CLIENT", "ID");
            long id1 = (Long) two.get(1).cmd("CLIENT", "ID");
            String all = (String) me.cmd("CLIENT", "LIST");
            assertThat(all).contains("id=" + id0 + " ", "id=" + id1 + " ");
            List<Long> ids = Arrays.stream(all.split("\n")).map(l -> Long.parseLong(field(l, "id"))).toList();
            assertThat(ids).isSorted();
            // ID: the given order, repeats kept, unknown ids left out
            String byId = (String) me.cmd("CLIENT", "LIST", "ID", Long.toString(id1), "999999", Long.toString(id0), Long.toString(id1));
            assertThat(Arrays.stream(byId.split("\n")).map(l -> Long.parseLong(field(l, "id"))).toList()).containsExactly(id1, id0, id1);
            assertThat((String) me.cmd("CLIENT", "LIST", "TYPE", "NORMAL")).contains("id=" + id0 + " ", "id=" + id1 + " ");
            assertThat(me.cmd("CLIENT", "LIST", "TYPE", "pubsub")).isEqualTo("");
            assertThat(me.cmd("CLIENT", "LIST", "TYPE", "replica")).isEqualTo("");
            assertThat(me.cmd("CLIENT", "LIST", "TYPE", "master")).isEqualTo("");
            assertThat(me.cmd("CLIENT", "LIST", "TYPE", "foo")).isEqualTo(new Err("ERR Unknown client type 'foo'"));
            assertThat(me.cmd("CLIENT", "LIST", "ID", "abc")).isEqualTo(new Err("ERR Invalid client ID"));
            assertThat(me.cmd("CLIENT", "LIST", "foo")).isEqualTo(new Err("ERR syntax error"));
        } finally {
            closeAll(opened);
        }
    }

    @Test
    void closedClientsLeaveTheList() throws Exception {
        try (RespTestClient me = client()) {
            RespTestClient other = client();
            assertThat(other.cmd("CLIENT", "SETNAME", "foobar")).isEqualTo("OK");
            assertThat((String) me.cmd("CLIENT", "LIST")).contains("name=foobar");
            other.close();
            eventually(() -> !((String) me.cmd("CLIENT", "LIST")).contains("name=foobar"), "the closed client to leave CLIENT LIST");
        }
    }

    @Test
    void clientKillErrorsAreRedises() throws IOException {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("CLIENT", "KILL")).isEqualTo(new Err("ERR wrong number of arguments for 'client|kill' command"));
            assertThat(c.cmd("CLIENT", "KILL", "id", "10", "wrong_arg")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.cmd("CLIENT", "KILL", "id", "str")).isEqualTo(new Err("ERR client-id should be greater than 0"));
            assertThat(c.cmd("CLIENT", "KILL", "id", "-1")).isEqualTo(new Err("ERR client-id should be greater than 0"));
            assertThat(c.cmd("CLIENT", "KILL", "id", "0")).isEqualTo(new Err("ERR client-id should be greater than 0"));
            assertThat(c.cmd("CLIENT", "KILL", "type", "wrong_type")).isEqualTo(new Err("ERR Unknown client type 'wrong_type'"));
            assertThat(c.cmd("CLIENT", "KILL", "user", "wrong_user")).isEqualTo(new Err("ERR No such user 'wrong_user'"));
            assertThat(c.cmd("CLIENT", "KILL", "skipme", "yes_or_no")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.cmd("CLIENT", "KILL", "1.2.3.4:5")).isEqualTo(new Err("ERR No such client"));
            assertThat(c.cmd("CLIENT", "KILL", "maxage", "x")).isEqualTo(new Err("ERR value is not an integer or out of range"));
            assertThat(c.cmd("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void clientKillReachesClientsOnEveryShard() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient me = client()) {
            List<RespTestClient> two = onEveryShard(opened);
            // by id, on whichever shard the client is
            for (RespTestClient target : two) {
                String id = target.cmd("CLIENT", "ID").toString();
                assertThat(me.cmd("CLIENT", "KILL", "ID", id)).isEqualTo(1L);
                assertThat(target.closedByServer()).isTrue();
            }
            // the old form by address, and ADDR / LADDR
            two = onEveryShard(opened);
            String addr = field(info(two.get(1)), "addr");
            assertThat(me.cmd("CLIENT", "KILL", addr)).isEqualTo("OK");
            assertThat(two.get(1).closedByServer()).isTrue();
            String addr0 = field(info(two.get(0)), "addr");
            assertThat(me.cmd("CLIENT", "KILL", "ADDR", addr0, "SKIPME", "yes")).isEqualTo(1L);
            assertThat(two.get(0).closedByServer()).isTrue();
            assertThat(me.cmd("CLIENT", "KILL", "ADDR", addr0)).isEqualTo(0L);
            two = onEveryShard(opened);
            String laddr = field(info(me), "laddr");
            String myId = me.cmd("CLIENT", "ID").toString();
            long others = ((String) me.cmd("CLIENT", "LIST")).split("\n").length - 1;
            assertThat(me.cmd("CLIENT", "KILL", "LADDR", laddr, "TYPE", "normal", "USER", "default")).isEqualTo(others);
            for (RespTestClient c : two) {
                assertThat(c.closedByServer()).isTrue();
            }
            assertThat((String) me.cmd("CLIENT", "LIST")).startsWith("id=" + myId + " ");
            // MAXAGE (Redis 7.4): only clients older than that
            try (RespTestClient young = client()) {
                assertThat(me.cmd("CLIENT", "KILL", "MAXAGE", "1000")).isEqualTo(0L);
                assertThat(young.cmd("PING")).isEqualTo("PONG");
            }
        } finally {
            closeAll(opened);
        }
    }

    /**
     * As Redis's freeClient: once CLIENT KILL has answered, the clients it killed are gone from CLIENT LIST and INFO, though
     * their sockets close a moment later (Netty fires the close's inactive event as a task of its own). The two commands
     * go in one write, with the killed client on the caller's shard, so the list runs in the same turn as the kill.
     */
    @Test
    void aKilledClientLeavesTheListWithTheKillsReply() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient me = client()) {
            String myShard = field(info(me), "shard");
            RespTestClient target = null;
            for (int i = 0; i < 64 && target == null; i++) {
                RespTestClient c = client();
                opened.add(c);
                if (field(info(c), "shard").equals(myShard)) {
                    target = c;
                }
            }
            assertThat(target).as("a client on the caller's shard").isNotNull();
            String id = target.cmd("CLIENT", "ID").toString();
            for (int round = 0; round < 2; round++) {
                me.send(concat(RespTestClient.encode("CLIENT", "KILL", "ID", id), RespTestClient.encode("CLIENT", "LIST"),
                        RespTestClient.encode("CLIENT", "KILL", "ID", id)));
                assertThat(me.read()).isEqualTo(round == 0 ? 1L : 0L);
                assertThat((String) me.read()).doesNotContain("id=" + id + " ");
                assertThat(me.read()).as("a second kill finds nothing").isEqualTo(0L);
            }
            assertThat(target.closedByServer()).isTrue();
        } finally {
            closeAll(opened);
        }
    }

    @Test
    void clientKillSkipmeNoKillsTheCallerAfterItsReply() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient me = client()) {
            onEveryShard(opened);
            long others = opened.size();
            eventually(() -> connected(me) == others + 1, "the clients connected");
            assertThat(me.cmd("CLIENT", "KILL", "SKIPME", "yes")).isEqualTo(others);
            for (RespTestClient c : opened) {
                assertThat(c.closedByServer()).isTrue();
            }
            opened.clear();
            onEveryShard(opened);
            long all = opened.size() + 1;
            eventually(() -> connected(me) == all, "the clients connected");
            // the caller counts itself, gets its reply, then the connection closes
            me.send(RespTestClient.encode("CLIENT", "KILL", "SKIPME", "no"));
            me.send(RespTestClient.encode("PING"));
            assertThat(me.read()).isEqualTo(all);
            assertThat(me.closedByServer()).as("closed after the reply; the pipelined PING not run").isTrue();
        } finally {
            closeAll(opened);
        }
    }

    private static long connected(RespTestClient c) throws IOException {
        return Long.parseLong(((String) c.cmd("INFO", "clients")).lines().filter(l -> l.startsWith("connected_clients:"))
                .findFirst().orElseThrow().substring("connected_clients:".length()));
    }

    @Test
    void clientReplyOffOnAndSkip() throws IOException {
        try (RespTestClient c = client()) {
            // OFF: nothing, not even its own reply, until ON (whose OK is written)
            c.send(RespTestClient.encode("CLIENT", "REPLY", "OFF"));
            c.send(RespTestClient.encode("PING", "pong"));
            c.send(RespTestClient.encode("GET", "{x}missing"));
            c.send(RespTestClient.encode("NOSUCHCOMMAND"));
            c.send(RespTestClient.encode("CLIENT", "REPLY", "ON"));
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.cmd("PING", "pong3")).isEqualTo("pong3");
            // SKIP: its own reply and the next command's
            c.send(RespTestClient.encode("CLIENT", "REPLY", "SKIP"));
            c.send(RespTestClient.encode("PING", "pong"));
            assertThat(c.cmd("PING", "pong2")).isEqualTo("pong2");
            // ON after SKIP unsets it
            c.send(RespTestClient.encode("CLIENT", "REPLY", "SKIP"));
            assertThat(c.cmd("CLIENT", "REPLY", "ON")).isEqualTo("OK");
            assertThat(c.cmd("PING")).isEqualTo("PONG");
            // replies from other shards are silenced too, and the order of the rest is kept
            c.send(RespTestClient.encode("SET", demo.keyOn(1, "r"), "1"));
            c.send(RespTestClient.encode("CLIENT", "REPLY", "OFF"));
            c.send(RespTestClient.encode("GET", demo.keyOn(0, "r")));
            c.send(RespTestClient.encode("GET", demo.keyOn(1, "r")));
            c.send(RespTestClient.encode("CLIENT", "REPLY", "ON"));
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.cmd("CLIENT", "REPLY", "MAYBE")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.cmd("CLIENT", "REPLY")).isEqualTo(new Err("ERR wrong number of arguments for 'client|reply' command"));
        }
    }

    @Test
    void setnameGetnameAndTheirErrors() throws IOException {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("CLIENT", "GETNAME")).isNull();
            assertThat((String) c.cmd("CLIENT", "LIST")).contains(" name= ");
            assertThat(c.cmd("CLIENT", "SETNAME", "foo bar")).isEqualTo(new Err("ERR Client names cannot contain spaces, newlines or special characters."));
            assertThat(c.cmd("CLIENT", "SETNAME", "foo\nbar")).isEqualTo(new Err("ERR Client names cannot contain spaces, newlines or special characters."));
            assertThat(c.cmd("CLIENT", "SETNAME", "myname")).isEqualTo("OK");
            assertThat((String) c.cmd("CLIENT", "LIST")).contains("name=myname");
            assertThat(c.cmd("CLIENT", "SETNAME", "someothername")).isEqualTo("OK");
            assertThat(c.cmd("CLIENT", "GETNAME")).isEqualTo("someothername");
            assertThat(c.cmd("CLIENT", "SETNAME", "")).isEqualTo("OK");
            assertThat(c.cmd("CLIENT", "GETNAME")).isNull();
            assertThat(c.cmd("CLIENT", "NO-EVICT", "on")).isEqualTo("OK");
            assertThat(field(info(c), "flags")).isEqualTo("e");
            assertThat(c.cmd("CLIENT", "NO-EVICT", "off")).isEqualTo("OK");
            assertThat(field(info(c), "flags")).isEqualTo("N");
            assertThat(c.cmd("CLIENT", "NO-EVICT", "maybe")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.cmd("CLIENT", "TRACKING", "on")).isEqualTo("OK");
            assertThat(field(info(c), "flags")).isEqualTo("t");
            assertThat(c.cmd("CLIENT", "TRACKING", "off")).isEqualTo("OK");
            assertThat(c.cmd("CLIENT", "NOSUCH", "on")).isEqualTo(new Err("ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP."));
            assertThat(c.cmd("CLIENT")).isEqualTo(new Err("ERR wrong number of arguments for 'client' command"));
            assertThat(c.cmd("client|list")).isInstanceOf(Err.class);
            assertThat(((Err) c.cmd("CONFIG|GET", "GET_XX")).text()).startsWith("ERR unknown command 'CONFIG|GET'");
            assertThat(c.cmd("CONFIG", "GET_XX")).isEqualTo(new Err("ERR unknown subcommand 'GET_XX'. Try CONFIG HELP."));
        }
    }

    @Test
    void resetClearsTheConnectionsState() throws Exception {
        try (RespTestClient c = client(); RespTestClient monitor = client()) {
            c.cmd("CLIENT", "SETNAME", "test-client");
            c.cmd("HELLO", "3");
            c.cmd("CLIENT", "NO-EVICT", "on");
            assertThat(c.cmd("RESET")).isEqualTo("RESET");
            assertThat(c.cmd("CLIENT", "GETNAME")).isNull(); // RESP2 again: a nil bulk, not RESP3's null
            String me = info(c);
            assertThat(me).contains(" name= ", " flags=N ", " resp=2 ");
            // RESET leaves MONITOR
            assertThat(monitor.cmd("MONITOR")).isEqualTo("OK");
            assertThat((String) c.cmd("CLIENT", "LIST")).contains("flags=O");
            assertThat(monitor.cmd("RESET")).isEqualTo("RESET");
            assertThat((String) c.cmd("CLIENT", "LIST")).doesNotContain("flags=O");
            assertThat(monitor.cmd("GET", "x")).isNull();
            // CLIENT REPLY OFF is undone (RESET's own reply is written)
            c.send(RespTestClient.encode("CLIENT", "REPLY", "OFF"));
            assertThat(c.cmd("RESET")).isEqualTo("RESET");
            assertThat(c.cmd("RESET", "x")).isEqualTo(new Err("ERR wrong number of arguments for 'reset' command"));
        }
    }

    @Test
    void subscriptionsAndTransactionsShowInClientListAndResetEndsThem() throws Exception {
        try (RespTestClient admin = client(); RespTestClient sub = client(); RespTestClient tx = client()) {
            String subId = sub.cmd("CLIENT", "ID").toString();
            String txId = tx.cmd("CLIENT", "ID").toString();
            sub.send(RespTestClient.encode("SUBSCRIBE", "intro-a", "intro-b"));
            sub.read();
            sub.read();
            sub.send(RespTestClient.encode("PSUBSCRIBE", "intro-*"));
            sub.read();
            String line = (String) admin.cmd("CLIENT", "LIST", "TYPE", "pubsub");
            assertThat(line).startsWith("id=" + subId + " ").contains(" flags=P ", " sub=2 ", " psub=1 ", " ssub=0 ");
            Map<String, String> stats = infoFields((String) admin.cmd("INFO", "stats"));
            assertThat(stats).containsEntry("pubsub_channels", "2").containsEntry("pubsub_patterns", "1");
            assertThat(sub.cmd("RESET")).isEqualTo("RESET");
            assertThat(admin.cmd("CLIENT", "LIST", "TYPE", "pubsub")).isEqualTo("");
            assertThat(sub.cmd("SET", "{intro}k", "v")).isEqualTo("OK"); // no longer in subscribed mode

            assertThat(tx.cmd("MULTI")).isEqualTo("OK");
            assertThat(tx.cmd("SET", "{intro}k", "w")).isEqualTo("QUEUED");
            String txLine = (String) admin.cmd("CLIENT", "LIST", "ID", txId);
            assertThat(txLine).contains(" flags=x ", " multi=1 ");
            assertThat(Long.parseLong(field(txLine, "multi-mem"))).isPositive();
            assertThat(tx.cmd("RESET")).isEqualTo("RESET");
            assertThat(tx.cmd("EXEC")).isEqualTo(new Err("ERR EXEC without MULTI"));
            assertThat(admin.cmd("GET", "{intro}k")).isEqualTo("v");
        }
    }

    @Test
    void quitAnswersAndPipelinedCommandsAfterItAreNotRun() throws IOException {
        try (RespTestClient c = client()) {
            String key = demo.keyOn(1, "quit");
            c.send(RespTestClient.encode("QUIT"));
            c.send(RespTestClient.encode("SET", key, "x".repeat(1024)));
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RespTestClient c = client()) {
            assertThat(c.cmd("GET", demo.keyOn(1, "quit"))).isNull();
        }
    }

    @Test
    void clientPauseWriteHoldsWritesOnEveryShardAndRunsThemInOrder() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient admin = client()) {
            List<RespTestClient> two = onEveryShard(opened);
            String k0 = demo.keyOn(0, "pause");
            String k1 = demo.keyOn(1, "pause");
            assertThat(admin.cmd("CLIENT", "PAUSE", "100000", "WRITE")).isEqualTo("OK");
            // reads are not held, on either shard
            for (RespTestClient c : two) {
                assertThat(c.cmd("GET", k0)).isNull();
                assertThat(c.cmd("PING")).isEqualTo("PONG");
            }
            // writes are held, and what follows them waits in order
            for (RespTestClient c : two) {
                c.send(RespTestClient.encode("SET", k0, "a"));
                c.send(RespTestClient.encode("INCR", k1));
                c.send(RespTestClient.encode("GET", k1));
            }
            eventually(() -> blocked(admin) == 2, "2 blocked clients");
            assertThat((String) admin.cmd("CLIENT", "LIST")).contains("flags=b");
            assertThat(admin.cmd("GET", k1)).isNull();
            assertThat(admin.cmd("CLIENT", "UNPAUSE")).isEqualTo("OK");
            List<Object> replies = new ArrayList<>();
            for (RespTestClient c : two) {
                replies.add(c.read());
                replies.add(c.read());
                replies.add(c.read());
            }
            assertThat(replies.subList(0, 2)).containsExactly("OK", replies.get(1));
            assertThat(Set.of(replies.get(1), replies.get(4))).containsExactlyInAnyOrder(1L, 2L);
            assertThat(replies.get(2)).isEqualTo(String.valueOf(replies.get(1)));
            assertThat(admin.cmd("GET", k1)).isEqualTo("2");
            assertThat(blocked(admin)).isZero();
        } finally {
            closeAll(opened);
        }
    }

    @Test
    void clientPauseAllHoldsEverythingUntilItsTimeout() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try (RespTestClient admin = client()) {
            List<RespTestClient> two = onEveryShard(opened);
            long start = System.nanoTime();
            assertThat(admin.cmd("CLIENT", "PAUSE", "500")).isEqualTo("OK");
            for (RespTestClient c : two) {
                c.send(RespTestClient.encode("PING", "held"));
            }
            for (RespTestClient c : two) {
                assertThat(c.read()).isEqualTo("held");
            }
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the held PINGs ran").isGreaterThanOrEqualTo(450);
        } finally {
            closeAll(opened);
        }
    }

    @Test
    void aSecondPauseKeepsTheLaterEndAndTheStricterMode() throws Exception {
        try (RespTestClient admin = client(); RespTestClient writer = client()) {
            String key = demo.keyOn(1, "pause2");
            assertThat(admin.cmd("CLIENT", "PAUSE", "100000", "WRITE")).isEqualTo("OK");
            assertThat(admin.cmd("CLIENT", "PAUSE", "10", "WRITE")).isEqualTo("OK");
            Thread.sleep(200);
            writer.send(RespTestClient.encode("SET", key, "1"));
            eventually(() -> blocked(admin) == 1, "the write held past the shorter pause's end");
            assertThat(admin.cmd("CLIENT", "UNPAUSE")).isEqualTo("OK");
            assertThat(writer.read()).isEqualTo("OK");

            long start = System.nanoTime();
            assertThat(admin.cmd("CLIENT", "PAUSE", "400", "WRITE")).isEqualTo("OK");
            assertThat(admin.cmd("CLIENT", "PAUSE", "100", "ALL")).isEqualTo("OK");
            assertThat(writer.cmd("PING")).isEqualTo("PONG"); // held by ALL until the later end
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(350);
        }
    }

    @Test
    void clientPauseErrorsAreRedises() throws IOException {
        try (RespTestClient c = client()) {
            assertThat(c.cmd("CLIENT", "PAUSE", "abc")).isEqualTo(new Err("ERR timeout is not an integer or out of range"));
            assertThat(c.cmd("CLIENT", "PAUSE", "-1")).isEqualTo(new Err("ERR timeout is negative"));
            assertThat(c.cmd("CLIENT", "PAUSE", "10", "foo")).isEqualTo(new Err("ERR CLIENT PAUSE mode must be WRITE or ALL"));
            assertThat(c.cmd("CLIENT", "PAUSE", "100", "write", "extra"))
                    .isEqualTo(new Err("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."));
            assertThat(c.cmd("CLIENT", "PAUSE")).isEqualTo(new Err("ERR wrong number of arguments for 'client|pause' command"));
            assertThat(c.cmd("CLIENT", "UNPAUSE")).isEqualTo("OK");
        }
    }

    private static long blocked(RespTestClient c) throws IOException {
        return Long.parseLong(((String) c.cmd("INFO", "clients")).lines().filter(l -> l.startsWith("blocked_clients:"))
                .findFirst().orElseThrow().substring("blocked_clients:".length()));
    }

    static Map<String, String> infoFields(String info) {
        return info.lines().filter(l -> l.contains(":") && !l.startsWith("#"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1), (a, b) -> a,
                        java.util.LinkedHashMap::new));
    }
}
