package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client tracking (issue 27, part 4) against a real redis-server 7.0.15, byte for byte, with the
 * tracking client in RESP2 and in RESP3: CLIENT TRACKING/CACHING/GETREDIR/TRACKINGINFO's replies and
 * errors in Redis's order, and every push and message an invalidation makes (to the client itself,
 * to a redirection in RESP2 pub/sub or RESP3, BCAST prefixes, NOLOOP, OPTIN/OPTOUT, FLUSHALL's null,
 * a broken redirection), in the order they arrive among the replies. The demo runs on two shards and
 * the keys lie on both ({@code k0} on shard 0, {@code k1} on shard 1), so invalidations cross shards.
 * Client ids differ between the servers: they are compared as {@code <x>} where a reply names one.
 */
class TrackingParityTest {

    private static RealRedis redis;
    private static TestServices demo;
    /** Keys on shard 0 and on shard 1 of the demo (any slot on redis-server). */
    private static String k0;
    private static String k1;
    private static String k1b;

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        k0 = demo.keyOn(0, "key");
        k1 = demo.keyOn(1, "key");
        k1b = demo.keyOn(1, "other");
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    private enum Role { T, W, X }

    /** One server's connections: the tracking client, a writer, the redirection target. */
    private static final class Side implements AutoCloseable {
        final RespTestClient t;
        final RespTestClient w;
        RespTestClient x;
        final long xId;

        Side(int port, String trackingProto, String targetProto) throws IOException {
            t = new RespTestClient(port);
            w = new RespTestClient(port);
            x = new RespTestClient(port);
            t.cmd("HELLO", trackingProto);
            x.cmd("HELLO", targetProto);
            xId = (Long) x.cmd("CLIENT", "ID");
            if (targetProto.equals("2")) {
                x.cmd("SUBSCRIBE", "__redis__:invalidate");
            }
        }

        RespTestClient of(Role role) {
            return role == Role.T ? t : role == Role.W ? w : x;
        }

        @Override
        public void close() throws IOException {
            t.close();
            w.close();
            if (x != null) {
                x.close();
            }
        }
    }

    /** The same connections on both servers, and the checks that their answers are the same. */
    private static final class Both implements AutoCloseable {
        final Side r;
        final Side d;
        final String label;

        Both(String trackingProto, String targetProto) throws IOException {
            r = new Side(redis.port(), trackingProto, targetProto);
            d = new Side(demo.respPort(), trackingProto, targetProto);
            label = "tracking client RESP" + trackingProto + ", redirection target RESP" + targetProto;
            cmd(Role.W, "FLUSHALL");
        }

        /** Sends {@code args} from {@code role} to both servers; the replies must be the same bytes. */
        Both cmd(Role role, String... args) throws IOException {
            String ours = raw(d, role, args);
            assertThat(ours).as(label + ": " + role + " " + String.join(" ", args)).isEqualTo(raw(r, role, args));
            return this;
        }

        private String raw(Side s, Role role, String... args) throws IOException {
            RespTestClient c = s.of(role);
            c.send(RespTestClient.encode(withTarget(s, args)));
            return normalized(s, c.readRawReply());
        }

        private static String[] withTarget(Side s, String[] args) {
            String[] out = args.clone();
            for (int i = 0; i < out.length; i++) {
                if (out[i].equals("<x>")) {
                    out[i] = Long.toString(s.xId);
                }
            }
            return out;
        }

        /** Sends {@code args} from {@code role} to both servers and reads the replies without comparing them (HELLO names the server). */
        Both quiet(Role role, String... args) throws IOException {
            raw(r, role, args);
            raw(d, role, args);
            return this;
        }

        /**
         * As {@link #drain}, the invalidations compared as a set: a command that changes keys on
         * several shards of the demo tells their readers from each shard, so they may come in another
         * order than Redis's (its argument order).
         */
        Both drainAnyOrder(Role role) throws IOException {
            List<String> ours = new ArrayList<>(untilPong(d, role));
            List<String> theirs = new ArrayList<>(untilPong(r, role));
            ours.sort(null);
            theirs.sort(null);
            assertThat(ours).as(label + ": " + role + " PING and what came before its PONG, in any order").isEqualTo(theirs);
            return this;
        }

        /** The next message {@code role} reads (a push, a pub/sub message) must be the same on both. */
        Both next(Role role) throws IOException {
            assertThat(normalized(d, d.of(role).readRawReply())).as(label + ": next message of " + role)
                    .isEqualTo(normalized(r, r.of(role).readRawReply()));
            return this;
        }

        /** {@code role} sends PING: what it reads until the PONG (invalidations waiting for it, in order) must be the same. */
        Both drain(Role role) throws IOException {
            assertThat(untilPong(d, role)).as(label + ": " + role + " PING and what came before its PONG").isEqualTo(untilPong(r, role));
            return this;
        }

        private static List<String> untilPong(Side s, Role role) throws IOException {
            RespTestClient c = s.of(role);
            c.send(RespTestClient.encode("PING"));
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String m = normalized(s, c.readRawReply());
                seen.add(m);
                if (m.equals("+PONG\r\n") || m.equals("*2\r\n$4\r\npong\r\n$0\r\n\r\n") || m.equals(">2\r\n$4\r\npong\r\n$0\r\n\r\n")) {
                    return seen;
                }
            }
            throw new AssertionError("no PONG among " + seen);
        }

        /** CLIENT INFO's flags and redir of {@code role}: the same on both. */
        Both flags(Role role) throws IOException {
            assertThat(flagsOf(d, role)).as(label + ": CLIENT INFO flags/redir of " + role).isEqualTo(flagsOf(r, role));
            return this;
        }

        private static String flagsOf(Side s, Role role) throws IOException {
            String line = String.valueOf(s.of(role).cmd("CLIENT", "INFO"));
            Matcher m = Pattern.compile("flags=(\\S+) .* redir=(\\S+)").matcher(line);
            assertThat(m.find()).as(line).isTrue();
            return "flags=" + m.group(1) + " redir=" + (m.group(2).equals(Long.toString(s.xId)) ? "<x>" : m.group(2));
        }

        /** The redirection target closes (its id stays what the tracking client names). */
        void closeTarget() throws IOException {
            for (Side s : new Side[] {r, d}) {
                s.x.close();
                s.x = null;
            }
        }

        /** A reply naming the target's id compares as {@code <x>}. */
        private static String normalized(Side s, String raw) {
            return raw.replace(":" + s.xId + "\r\n", ":<x>\r\n");
        }

        @Override
        public void close() throws IOException {
            r.close();
            d.close();
        }
    }

    @Test
    void subcommandsRepliesAndErrorsAreRedises() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            try (Both b = new Both(proto, "2")) {
                b.cmd(Role.T, "CLIENT", "TRACKING")
                        .cmd(Role.T, "CLIENT", "TRACKING", "maybe")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "FOO")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "PREFIX", "a")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "OPTIN")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "OPTOUT")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "REDIRECT", "987654321")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "REDIRECT", "abc")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "REDIRECT", "987654321", "FOO")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "FOO", "REDIRECT", "987654321")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "REDIRECT", "<x>", "REDIRECT", "<x>")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "REDIRECT", "<x>", "PREFIX", "p")
                        .cmd(Role.T, "CLIENT", "TRACKING", "off", "REDIRECT", "987654321")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "REDIRECT")
                        .cmd(Role.T, "CLIENT", "CACHING")
                        .cmd(Role.T, "CLIENT", "CACHING", "yes")
                        .cmd(Role.T, "CLIENT", "GETREDIR")
                        .cmd(Role.T, "CLIENT", "GETREDIR", "x")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO", "x")
                        .flags(Role.T);
                // OPTIN, CACHING, switching modes
                b.cmd(Role.T, "CLIENT", "TRACKING", "on", "OPTIN")
                        .cmd(Role.T, "CLIENT", "CACHING", "no")
                        .cmd(Role.T, "CLIENT", "CACHING", "maybe")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .cmd(Role.T, "CLIENT", "CACHING", "yes")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "OPTOUT")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "NOLOOP", "REDIRECT", "<x>")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .cmd(Role.T, "CLIENT", "GETREDIR")
                        .flags(Role.T)
                        .cmd(Role.T, "CLIENT", "TRACKING", "off")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "OPTOUT")
                        .cmd(Role.T, "CLIENT", "CACHING", "yes")
                        .cmd(Role.T, "CLIENT", "CACHING", "no")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .cmd(Role.T, "CLIENT", "TRACKING", "off")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .cmd(Role.T, "CLIENT", "GETREDIR");
                // BCAST prefixes accumulate and may not overlap
                b.cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOO", "PREFIX", "BAR")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FO")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "BARB")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ZED")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .flags(Role.T)
                        .cmd(Role.T, "RESET")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .flags(Role.T)
                        .quiet(Role.T, "HELLO", proto)
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .cmd(Role.T, "CLIENT", "TRACKING", "off");
                // the table's limit
                b.cmd(Role.W, "CONFIG", "GET", "tracking-table-max-keys")
                        .cmd(Role.W, "CONFIG", "SET", "tracking-table-max-keys", "-1")
                        .cmd(Role.W, "CONFIG", "SET", "tracking-table-max-keys", "abc")
                        .cmd(Role.W, "CONFIG", "SET", "tracking-table-max-keys", "10mb")
                        .cmd(Role.W, "CONFIG", "SET", "tracking-table-max-keys", "5")
                        .cmd(Role.W, "CONFIG", "GET", "tracking-*")
                        .cmd(Role.W, "CONFIG", "SET", "tracking-table-max-keys", "1000000")
                        .cmd(Role.W, "COMMAND", "INFO", "client|tracking", "client|caching", "client|getredir", "client|trackinginfo");
            }
        }
    }

    @Test
    void invalidationsOfTheClientsOwnKeysArriveAsRedisSendsThem() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            try (Both b = new Both(proto, "2")) {
                b.cmd(Role.W, "MSET", k0, "1", k1, "1")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on")
                        .cmd(Role.T, "MGET", k0, k1, "missing")
                        .cmd(Role.W, "SET", k0, "2").drain(Role.T)
                        .cmd(Role.W, "SET", k1, "2").drain(Role.T)
                        .cmd(Role.W, "SET", k0, "3").drain(Role.T) // no longer tracked: nothing
                        .cmd(Role.W, "SET", "missing", "x").drain(Role.T)
                        // its own write of a key it read: the reply first, then the invalidation
                        .cmd(Role.T, "GET", k1)
                        .cmd(Role.T, "INCR", k1).drain(Role.T)
                        .cmd(Role.T, "HSET", "h", "f", "1")
                        .cmd(Role.T, "HGET", "h", "f")
                        .cmd(Role.T, "HDEL", "h", "f").drain(Role.T)
                        // in a transaction: after EXEC's reply (keys of one shard: see drainAnyOrder)
                        .cmd(Role.T, "GET", k1)
                        .cmd(Role.T, "GET", k1b)
                        .cmd(Role.T, "MULTI").cmd(Role.T, "INCR", k1).cmd(Role.T, "GET", k0).cmd(Role.T, "INCR", k1b)
                        .cmd(Role.T, "EXEC").drain(Role.T)
                        .cmd(Role.T, "GET", k0)
                        .cmd(Role.T, "MULTI").cmd(Role.T, "INCR", k0).cmd(Role.T, "INCR", k1)
                        .cmd(Role.T, "EXEC").drainAnyOrder(Role.T)
                        // a key that expires, and keys gone with FLUSHALL and FLUSHDB: a null for all
                        .cmd(Role.W, "SET", "soon", "v", "PX", "100")
                        .cmd(Role.T, "GET", "soon");
                Thread.sleep(600);
                b.drain(Role.T)
                        .cmd(Role.T, "GET", k0)
                        .cmd(Role.W, "FLUSHALL").drain(Role.T)
                        .cmd(Role.T, "FLUSHDB").drain(Role.T)
                        .cmd(Role.T, "MULTI").cmd(Role.T, "FLUSHDB").cmd(Role.T, "EXEC").drain(Role.T)
                        // reads of every kind remember their keys
                        .cmd(Role.W, "RPUSH", "l", "a").cmd(Role.W, "SADD", "s", "m").cmd(Role.W, "ZADD", "z", "1", "m")
                        .cmd(Role.T, "LRANGE", "l", "0", "-1").cmd(Role.T, "SMEMBERS", "s").cmd(Role.T, "ZSCORE", "z", "m")
                        .cmd(Role.T, "EXISTS", k0, k1).cmd(Role.T, "TTL", k0).cmd(Role.T, "STRLEN", k1)
                        .cmd(Role.W, "DEL", "l", "s", "z").drainAnyOrder(Role.T)
                        .cmd(Role.W, "MSET", k0, "a", k1, "b").drainAnyOrder(Role.T)
                        .flags(Role.T)
                        .cmd(Role.T, "CLIENT", "TRACKING", "off")
                        .cmd(Role.T, "GET", k0)
                        .cmd(Role.W, "SET", k0, "z").drain(Role.T);
            }
        }
    }

    @Test
    void noloopOptinAndOptoutAreRedises() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            try (Both b = new Both(proto, "2")) {
                b.cmd(Role.T, "CLIENT", "TRACKING", "on", "NOLOOP")
                        .cmd(Role.T, "MGET", k0, k1)
                        .cmd(Role.T, "SET", k0, "mine").drain(Role.T) // its own change: nothing
                        .cmd(Role.W, "SET", k1, "theirs").drain(Role.T)
                        .cmd(Role.T, "CLIENT", "TRACKING", "off")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "OPTIN")
                        .cmd(Role.T, "GET", k0)
                        .cmd(Role.W, "SET", k0, "1").drain(Role.T) // not remembered without CACHING yes
                        .cmd(Role.T, "CLIENT", "CACHING", "yes")
                        .cmd(Role.T, "GET", k1)
                        .cmd(Role.T, "GET", k0) // CACHING yes lasted one command
                        .cmd(Role.W, "MSET", k0, "2", k1, "2").drainAnyOrder(Role.T)
                        .cmd(Role.T, "CLIENT", "CACHING", "yes")
                        .cmd(Role.T, "MULTI").cmd(Role.T, "GET", k0).cmd(Role.T, "EXEC")
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                        .cmd(Role.T, "CLIENT", "TRACKING", "off")
                        .cmd(Role.T, "CLIENT", "TRACKING", "on", "OPTOUT")
                        .cmd(Role.T, "CLIENT", "CACHING", "no")
                        .cmd(Role.T, "GET", k0) // not remembered
                        .cmd(Role.T, "GET", k1)
                        .cmd(Role.W, "MSET", k0, "3", k1, "3").drainAnyOrder(Role.T)
                        .cmd(Role.T, "CLIENT", "TRACKINGINFO");
            }
        }
    }

    @Test
    void redirectedInvalidationsFlushesAndABrokenRedirectionAreRedises() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            for (String target : new String[] {"2", "3"}) {
                try (Both b = new Both(proto, target)) {
                    b.cmd(Role.T, "CLIENT", "TRACKING", "on", "REDIRECT", "<x>")
                            .flags(Role.T)
                            .cmd(Role.T, "CLIENT", "GETREDIR")
                            .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                            .cmd(Role.W, "MSET", k0, "1", k1, "1")
                            .cmd(Role.T, "MGET", k0, k1)
                            .cmd(Role.W, "SET", k0, "x").next(Role.X)
                            .cmd(Role.W, "DEL", k1).next(Role.X)
                            .drain(Role.T)
                            // the flush's null is written in the tracking client's protocol, wherever it goes
                            .cmd(Role.W, "FLUSHALL").next(Role.X)
                            .cmd(Role.T, "GET", k1);
                    b.closeTarget();
                    Thread.sleep(200); // the close reaches each server
                    b.cmd(Role.W, "SET", k1, "after").drain(Role.T)
                            .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                            .flags(Role.T)
                            .cmd(Role.T, "GET", k0)
                            .cmd(Role.W, "SET", k0, "again").drain(Role.T)
                            .cmd(Role.T, "CLIENT", "TRACKING", "on")
                            .cmd(Role.T, "CLIENT", "TRACKINGINFO");
                }
            }
        }
    }

    @Test
    void broadcastPrefixesAreRedises() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            for (String target : new String[] {"2", "3"}) {
                try (Both b = new Both(proto, target)) {
                    // keys of one hash slot: one shard of the demo, so one message per prefix as in Redis
                    b.cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", "<x>", "PREFIX", "b:", "PREFIX", "a:")
                            .flags(Role.T)
                            .cmd(Role.W, "MSET", "a:2{t}", "1", "a:1{t}", "1", "b:1{t}", "1", "c:1{t}", "1").next(Role.X).next(Role.X)
                            .cmd(Role.W, "INCR", "c:1{t}").cmd(Role.W, "INCR", "b:1{t}").next(Role.X)
                            .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", "<x>", "PREFIX", "c:", "NOLOOP")
                            .cmd(Role.T, "SET", "c:9", "mine")
                            .cmd(Role.W, "SET", "c:8", "theirs").next(Role.X)
                            .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                            .cmd(Role.T, "CLIENT", "TRACKING", "off")
                            .cmd(Role.T, "CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", "<x>")
                            .cmd(Role.W, "SET", "anything", "1").next(Role.X)
                            .cmd(Role.W, "SET", "soon", "1", "PX", "50");
                    b.next(Role.X); // its SET
                    Thread.sleep(600);
                    b.next(Role.X) // and its expiry
                            .cmd(Role.T, "CLIENT", "TRACKINGINFO")
                            .cmd(Role.T, "CLIENT", "TRACKING", "off")
                            .drain(Role.X);
                }
            }
        }
    }

    @Test
    void infoFiguresAreRedises() throws Exception {
        try (Both b = new Both("3", "2")) {
            b.cmd(Role.T, "CLIENT", "TRACKING", "on", "REDIRECT", "<x>")
                    .cmd(Role.T, "MGET", k0, k1, "k2", "k3")
                    .cmd(Role.W, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:", "PREFIX", "q:")
                    .cmd(Role.X, "PING");
            for (Side s : new Side[] {b.r, b.d}) {
                s.t.cmd("PING"); // every shard has what the commands before did
            }
            assertThat(tracking(b.d)).isEqualTo(tracking(b.r));
            b.cmd(Role.W, "SET", k0, "v").next(Role.X).cmd(Role.W, "CLIENT", "TRACKING", "off");
            assertThat(tracking(b.d)).isEqualTo(tracking(b.r)).contains("tracking_total_keys:3");
        }
    }

    /** INFO's tracking lines, in Redis's order. */
    private static List<String> tracking(Side s) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : String.valueOf(s.w.cmd("INFO", "everything")).split("\r\n")) {
            if (line.startsWith("tracking_")) {
                lines.add(line);
            }
        }
        return lines;
    }
}
