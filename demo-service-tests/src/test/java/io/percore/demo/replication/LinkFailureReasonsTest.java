package io.percore.demo.replication;

import static io.percore.demo.replication.PrimaryLinkFaultTest.concat;
import static io.percore.demo.replication.PrimaryLinkTest.linkInfo;
import static io.percore.demo.replication.PrimaryLinkTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.replication.PrimaryLinkFaultTest.FakePrimary;
import io.percore.demo.replication.PrimaryLinkTest.RecordingHost;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestPorts;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why a replica's link fails, as INFO replication says it ({@code master_link_last_error}, {@code _since},
 * {@code master_link_failed_attempts}): one stable text per cause, against a real redis-server where one can play the
 * cause (a database this server does not hold, a refused password or user, its maxclients) and a fake primary where it
 * cannot (a newer RDB version, module data, an unknown type, a refused PSYNC, silence). A retry with the same cause keeps
 * the text and its since and counts one more attempt; a link that comes up clears them.
 */
class LinkFailureReasonsTest {

    private static final String ID = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private RecordingHost host() throws IOException {
        return new RecordingHost(Files.createDirectories(dir.resolve("tmp")));
    }

    private PrimaryLink link(int port, RecordingHost host, int timeoutSeconds) {
        PrimaryLink l = closing(new PrimaryLink("127.0.0.1", port, host, timeoutSeconds, LinkPhases.standalone()));
        l.start();
        return l;
    }

    /** The link's INFO lines once a try failed with a reason that {@code reason} accepts. */
    private static Map<String, String> failedWith(PrimaryLink link, String reason) throws InterruptedException {
        waitFor(() -> reason.equals(linkInfo(link).get("master_link_last_error")), "the link's last error is '" + reason + "' (INFO: "
                + linkInfo(link) + ")");
        return linkInfo(link);
    }

    // ------------------------------------------------------------------ against a real redis-server

    /** The issue's case: a source with keys in a database beyond this server's (32 configured there, a key in 20). */
    @Test
    void aSnapshotWithADatabaseThisServerDoesNotHoldIsSaidByTheServicesInfoReplication() throws Exception {
        RealRedis redis = closing(RealRedis.start("--databases", "32"));
        try (RespTestClient p = new RespTestClient(redis.port())) {
            p.cmd("SET", "in-zero", "1");
            p.cmd("SELECT", "20");
            p.cmd("SET", "in-twenty", "1");
        }
        TestServices demo = closing(TestServices.start(1, DemoSettings.forTests()));
        try (RespTestClient s = new RespTestClient(demo.respPort())) {
            assertThat(s.cmd("REPLICAOF", "127.0.0.1", Integer.toString(redis.port()))).isEqualTo("OK");
            waitFor(() -> Long.parseLong(replication(s).getOrDefault("master_link_failed_attempts", "0")) >= 2, "two tries failed");
            Map<String, String> info = replication(s);
            assertThat(info).containsEntry("master_link_status", "down");
            assertThat(info.get("master_link_last_error")).startsWith("the primary's snapshot cannot be loaded here: ").contains("database 20")
                    .doesNotContain("temp-").doesNotContain("offset");
            long since = Long.parseLong(info.get("master_link_last_error_since"));
            assertThat(since).isBetween(System.currentTimeMillis() / 1000 - 120, System.currentTimeMillis() / 1000);
            // the fields follow Redis's link fields, as master_link_refused does
            List<String> names = new ArrayList<>(info.keySet());
            assertThat(names.indexOf("master_link_last_error")).isGreaterThan(names.indexOf("master_link_down_since_seconds"));
            assertThat(names.indexOf("master_link_failed_attempts")).isLessThan(names.indexOf("slave_priority"));
            String first = info.get("master_link_last_error");
            waitFor(() -> Long.parseLong(replication(s).get("master_link_failed_attempts")) >= 3, "a third try failed");
            assertThat(replication(s)).as("the same cause: the same text, the same since")
                    .containsEntry("master_link_last_error", first).containsEntry("master_link_last_error_since", Long.toString(since));
            // the link keeps trying, and while a try loads the snapshot a command without the loading flag is answered
            // -LOADING, as Redis's: asked again until a try is not loading
            assertThat(s.cmdOnceLoaded("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
            assertThat(replication(s)).containsEntry("role", "master").doesNotContainKey("master_link_last_error");
        }
    }

    /** INFO replication's fields in order (a LinkedHashMap). */
    private static Map<String, String> replication(RespTestClient c) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        try {
            for (String line : ((String) c.cmd("INFO", "replication")).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) {
                    out.put(line.substring(0, colon), line.substring(colon + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Test
    void aWrongPasswordIsSaidUntilTheRightOneLinks() throws Exception {
        RealRedis redis = closing(RealRedis.start("--requirepass", "right-pw"));
        RecordingHost host = host();
        host.masterAuth = "wrong-pw";
        PrimaryLink link = link(redis.port(), host, 60);
        String wrongpass = "the primary refused AUTH: -WRONGPASS invalid username-password pair or user is disabled.";
        Map<String, String> failed = failedWith(link, wrongpass);
        assertThat(failed).containsEntry("master_link_status", "down").containsKey("master_link_last_error_since");
        waitFor(() -> Long.parseLong(linkInfo(link).get("master_link_failed_attempts")) >= 2, "a second try failed");
        assertThat(linkInfo(link)).containsEntry("master_link_last_error", wrongpass)
                .containsEntry("master_link_last_error_since", failed.get("master_link_last_error_since"));

        host.masterAuth = "right-pw";
        waitFor(link::up, "the link came up with the right password");
        assertThat(linkInfo(link)).doesNotContainKeys("master_link_last_error", "master_link_last_error_since", "master_link_failed_attempts");
    }

    @Test
    void noPasswordIsARefusedPsyncAndAnotherReasonStartsItsOwnSince() throws Exception {
        RealRedis redis = closing(RealRedis.start("--requirepass", "right-pw"));
        RecordingHost host = host();
        PrimaryLink link = link(redis.port(), host, 60);
        Map<String, String> noauth = failedWith(link, "the primary refused PSYNC: -NOAUTH Authentication required.");
        long attempts = Long.parseLong(noauth.get("master_link_failed_attempts"));

        host.masterAuth = "wrong-pw";
        Map<String, String> wrong = failedWith(link, "the primary refused AUTH: -WRONGPASS invalid username-password pair or user is disabled.");
        assertThat(Long.parseLong(wrong.get("master_link_failed_attempts"))).as("counted in a row, whatever the reason").isGreaterThan(attempts);
        assertThat(Long.parseLong(wrong.get("master_link_last_error_since"))).isGreaterThanOrEqualTo(Long.parseLong(noauth.get("master_link_last_error_since")));
        assertThat(link.failures().attempts()).isGreaterThan(attempts);
    }

    @Test
    void aUserWithoutPsyncIsRefusedWithRedisesNoperm() throws Exception {
        RealRedis redis = closing(RealRedis.start());
        try (RespTestClient p = new RespTestClient(redis.port())) {
            assertThat(p.cmd("ACL", "SETUSER", "mover", "on", ">mover-pw", "+@all", "-psync", "-sync", "~*")).isEqualTo("OK");
        }
        RecordingHost host = host();
        host.masterUser = "mover";
        host.masterAuth = "mover-pw";
        PrimaryLink link = link(redis.port(), host, 60);
        failedWith(link, "the primary refused PSYNC: -NOPERM this user has no permissions to run the 'psync' command");
    }

    @Test
    void aPrimaryAtItsMaxclientsRefusesTheConnection() throws Exception {
        RealRedis redis = closing(RealRedis.start("--maxclients", "1"));
        // the one client it takes (the start's PING may still be closing: try until this one holds the place)
        RespTestClient holder = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (holder == null) {
            RespTestClient c = new RespTestClient(redis.port());
            if ("PONG".equals(c.cmd("PING"))) {
                holder = closing(c);
            } else {
                c.close();
                assertThat(System.nanoTime()).as("a client held redis-server's one place").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
        PrimaryLink link = link(redis.port(), host(), 60);
        failedWith(link, "the primary refused the connection: -ERR max number of clients reached");
    }

    @Test
    void nothingListeningIsTheSystemsConnectError() throws Exception {
        int port = TestPorts.free();
        PrimaryLink link = link(port, host(), 60);
        failedWith(link, "cannot connect to 127.0.0.1:" + port + ": Connection refused");
    }

    // ------------------------------------------------------------------ against a fake primary

    /** A primary that answers the handshake and sends {@code snapshot} as its full sync, on every connection. */
    private FakePrimary sending(byte[] snapshot) throws IOException {
        return closing(new FakePrimary(c -> {
            c.handshake();
            c.send(concat(("+FULLRESYNC " + ID + " 0\r\n$" + snapshot.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1), snapshot));
            c.awaitClosed();
        }));
    }

    private static byte[] rdb(String version, int... bytes) {
        byte[] head = ("REDIS" + version).getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[head.length + bytes.length];
        System.arraycopy(head, 0, out, 0, head.length);
        for (int i = 0; i < bytes.length; i++) {
            out[head.length + i] = (byte) bytes[i];
        }
        return out;
    }

    @Test
    void aNewerRdbVersionIsSaid() throws Exception {
        // Redis 7.2's format: version 11, then (here) nothing but the end
        FakePrimary primary = sending(rdb("0011", 0xff, 0, 0, 0, 0, 0, 0, 0, 0));
        failedWith(link(primary.port(), host(), 60), "the primary's snapshot cannot be loaded here: RDB version 11, newer than Redis 7.0's 10");
    }

    @Test
    void aModuleTypesValueOrAModulesAuxiliaryDataIsSaid() throws Exception {
        // SELECTDB 0, a key "k" of type 7 (RDB_TYPE_MODULE_2): its module id and value would follow
        FakePrimary typed = sending(rdb("0010", 0xfe, 0, 7, 1, 'k', 0, 0, 0, 0, 0, 0, 0, 0));
        failedWith(link(typed.port(), host(), 60), "the primary's snapshot cannot be loaded here: a module value: this server loads no modules");
        // RDB_OPCODE_MODULE_AUX (247): a module's own data, written by modules with an aux_save callback
        FakePrimary aux = sending(rdb("0010", 0xf7, 0, 0, 0, 0));
        failedWith(link(aux.port(), host(), 60), "the primary's snapshot cannot be loaded here: module data: this server loads no modules");
    }

    @Test
    void anOpcodeTheReaderDoesNotKnowIsSaid() throws Exception {
        // 0xf4 read where a value's type is: Redis 7.0 writes no such byte there
        FakePrimary primary = sending(rdb("0010", 0xfe, 0, 0xf4, 1, 'k', 0));
        failedWith(link(primary.port(), host(), 60), "the primary's snapshot cannot be loaded here: unknown object type 244");
    }

    @Test
    void aRefusedPsyncIsSaidInThePrimarysWords() throws Exception {
        // what Redis answers when the fork of the full sync's snapshot failed
        FakePrimary primary = closing(new FakePrimary(c -> {
            c.handshake();
            c.send("-ERR BGSAVE failed, replication can't continue\r\n");
            c.awaitClosed();
        }));
        failedWith(link(primary.port(), host(), 60), "the primary refused PSYNC: -ERR BGSAVE failed, replication can't continue");
    }

    @Test
    void aSilentPrimaryOrOneThatClosesInTheSnapshotIsSaid() throws Exception {
        FakePrimary silent = closing(new FakePrimary(c -> {
            c.handshake();
            c.awaitClosed(); // no reply to PSYNC: repl-timeout (1 s here) ends the try
        }));
        failedWith(link(silent.port(), host(), 1), "nothing received from the primary for 1 s (repl-timeout)");

        FakePrimary cut = closing(new FakePrimary(c -> {
            c.handshake();
            c.send("+FULLRESYNC " + ID + " 0\r\n$1000\r\nREDIS0010");
            c.cut();
        }));
        failedWith(link(cut.port(), host(), 60), "the primary closed the connection during the full sync");
    }

    @Test
    void theSystemsErrorsAndAStreamThatCannotBeAppliedAreNamed() {
        assertThat(LinkFailure.reasonOf(new java.net.UnknownHostException("redis.legacy"), "redis.legacy", 6379, false))
                .isEqualTo("cannot resolve redis.legacy");
        assertThat(LinkFailure.reasonOf(new java.net.SocketTimeoutException("Connect timed out"), "10.0.0.9", 6379, false))
                .isEqualTo("cannot connect to 10.0.0.9:6379: Connect timed out");
        assertThat(LinkFailure.reasonOf(new java.net.NoRouteToHostException("No route to host"), "10.0.0.9", 6379, false))
                .isEqualTo("cannot connect to 10.0.0.9:6379: No route to host");
        assertThat(LinkFailure.reasonOf(new java.net.SocketException("Connection reset"), "10.0.0.9", 6379, true))
                .isEqualTo("the connection to the primary failed: Connection reset");
        assertThat(LinkFailure.reasonOf(new io.percore.demo.resp.CommandStreamParser.Corrupt("invalid bulk length -7"), "h", 1, true))
                .isEqualTo("the replication stream cannot be applied here: invalid bulk length -7");
        assertThat(LinkFailure.reasonOf(new io.percore.demo.resp.CommandStreamParser.Corrupt("a reply line longer than 65536 bytes"), "h", 1,
                false)).isEqualTo("the primary's reply cannot be read: a reply line longer than 65536 bytes");
        assertThat(LinkFailure.reasonOf(new LinkFailure("log text 1234", "the reason"), "h", 1, false)).isEqualTo("the reason");
        assertThat(LinkFailure.reasonOf(new IOException(), "h", 1, false)).isEqualTo("IOException");
    }

    @Test
    void aReasonIsOneBoundedLineThatInfoParsersReadAsOneValue() {
        assertThat(LinkFailure.clean("-ERR a\r\nb\u0000c")).isEqualTo("-ERR a  b c");
        assertThat(LinkFailure.clean("x".repeat(5000))).hasSize(LinkFailure.MAX_REASON);
        assertThat(LinkFailure.clean("keys of database 3: this server has one database, 0")).isEqualTo("keys of database 3: this server has one database, 0");
        assertThat(LinkFailure.clean("-ERR key=value, other")).isEqualTo("-ERR key=value; other");
        assertThat(SnapshotReceiver.withoutFile("/tmp/x/temp-1.rdb at offset 1234: keys of database 3", Path.of("/tmp/x/temp-1.rdb")))
                .isEqualTo("keys of database 3");
        assertThat(SnapshotReceiver.withoutFile("/tmp/x/temp-1.rdb: 3 keys in the file", Path.of("/tmp/x/temp-1.rdb"))).isEqualTo("3 keys in the file");
        assertThat(SnapshotReceiver.withoutFile("no file here", Path.of("/tmp/x/temp-1.rdb"))).isEqualTo("no file here");
    }
}
