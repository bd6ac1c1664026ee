package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import io.percore.demo.support.TornReads;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 28 part 3, keys a script does not declare: a script that touches a key on a shard it does
 * not hold before it had any effect runs again holding every shard, so it answers as redis-server
 * does (BullMQ's scripts build key names from a declared prefix; Redis's own suite uses undeclared
 * keys throughout). Before this each such call got "Script attempted to access a non local key".
 * One that already wrote is refused once, keeping its writes as Redis keeps a failed script's, and
 * holds every shard from then on; inside an EXEC nothing widens.
 */
class ScriptWideningTest {

    private static String[] c(String... args) {
        return args;
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {2, 3})
    void undeclaredKeysOnOtherShardsAnswerAsRedisServer(int shards) throws Exception {
        try (RealRedis redis = RealRedis.start(); TestServices demo = TestServices.start(shards, DemoSettings.forTests())) {
            String k0 = demo.keyOn(0, "w:a");
            String k1 = demo.keyOn(1, "w:b");
            String k2 = demo.keyOn(shards - 1, "w:c");
            String reads = "local v = {redis.call('get', ARGV[1]), redis.call('get', ARGV[2])}"
                    + " redis.call('set', ARGV[1], 'x' .. ARGV[3]) redis.call('rpush', ARGV[2] .. ':l', ARGV[3]) return v";
            String[][] commands = {
                    c("DEL", k0, k1, k2, k1 + ":l", k0 + ":l"),
                    c("SET", k1, "one"),
                    // no declared key: reads first on both shards, then writes on both
                    c("EVAL", reads, "0", k0, k1, "1"), c("EVAL", reads, "0", k1, k0, "2"),
                    c("MGET", k0, k1), c("LRANGE", k1 + ":l", "0", "-1"), c("LRANGE", k0 + ":l", "0", "-1"),
                    // by SHA, and read-only
                    c("SCRIPT", "LOAD", reads), c("EVALSHA", Scripting.sha1hex(reads.getBytes()), "0", k1, k0, "3"),
                    c("EVAL_RO", "return redis.call('mget', ARGV[1], ARGV[2], ARGV[3])", "0", k0, k1, k2),
                    c("EVAL_RO", "return redis.call('set', ARGV[1], 'no')", "0", k1),
                    // a declared key's shard and an undeclared one; declared keys on two shards and a third undeclared
                    c("EVAL", "return {redis.call('get', KEYS[1]), redis.call('incr', ARGV[1])}", "1", k0, k2 + ":n"),
                    c("EVAL", "return {redis.call('get', KEYS[1]), redis.call('get', KEYS[2]), redis.call('get', ARGV[1])}", "2", k0, k1, k2),
                    // pcall cannot catch the second try: the script sees the value, as on redis-server
                    c("EVAL", "local ok, v = pcall(redis.call, 'get', ARGV[1]) return {tostring(ok), v}", "0", k1),
                    c("EVAL", "local v = redis.pcall('get', ARGV[1]) return v", "0", k0),
                    // an error after the widening is the script's own
                    c("EVAL", "redis.call('get', ARGV[1]) redis.call('set', ARGV[2], 'e') return redis.call('incr', ARGV[2])", "0", k1, k0),
                    c("GET", k0),
                    // a function that builds its keys' names from its arguments
                    c("FUNCTION", "LOAD", "REPLACE", "#!lua name=wlib\n"
                            + "redis.register_function('wcopy', function(keys, args) local v = redis.call('get', args[1])"
                            + " redis.call('set', args[2], v) return {v, redis.call('get', args[2])} end)"),
                    c("FCALL", "wcopy", "0", k1, k2 + ":copy"), c("FCALL", "wcopy", "0", k0, k1 + ":copy"),
                    c("MGET", k2 + ":copy", k1 + ":copy"),
                    c("FUNCTION", "DELETE", "wlib"),
                    // commands without keys that need every shard
                    c("EVAL", "return redis.call('dbsize')", "0"),
                    c("EVAL", "local n = redis.call('dbsize') redis.call('flushdb') return {n, redis.call('dbsize'), redis.call('randomkey')}", "0"),
            };
            redis.inBothProtocols(demo.respPort(), (r, o, proto) -> RealRedis.sameReplies(r, o, proto, commands, reply -> reply));
        }
    }

    @Test
    void aScriptThatWroteFirstIsRefusedOnceKeepingItsWriteThenHoldsEveryShard() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests()); RespTestClient c = demo.clientOn(0)) {
            String own = demo.keyOn(0, "wf:own");
            String other = demo.keyOn(1, "wf:other");
            c.cmd("SET", other, "there");
            String script = "redis.call('incr', ARGV[1]) return redis.call('get', ARGV[2])";
            assertThat(((Err) c.cmd("EVAL", script, "0", own, other)).text())
                    .startsWith("ERR Script attempted to access a non local key in a cluster node");
            assertThat(c.cmd("GET", own)).as("a failed script keeps what it wrote").isEqualTo("1");
            assertThat(c.cmd("EVAL", script, "0", own, other)).isEqualTo("there");
            assertThat(c.cmd("EVALSHA", Scripting.sha1hex(script.getBytes()), "0", own, other)).isEqualTo("there");
            assertThat(c.cmd("GET", own)).isEqualTo("3");
        }
    }

    @Test
    void insideAnExecAScriptDoesNotWiden() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests()); RespTestClient c = demo.clientOn(0)) {
            String own = demo.keyOn(0, "wx:own");
            String other = demo.keyOn(1, "wx:other");
            assertThat(c.cmd("MULTI")).isEqualTo("OK");
            c.cmd("EVAL", "return redis.call('get', KEYS[1])", "1", own);
            c.cmd("EVAL", "return redis.call('get', ARGV[1])", "1", own, other);
            List<?> replies = (List<?>) c.cmd("EXEC");
            assertThat(replies.get(0)).isNull();
            assertThat(((Err) replies.get(1)).text()).startsWith("ERR Script attempted to access a non local key in a cluster node");
        }
    }

    /**
     * A script naming no key writes one value to a key on each of 3 shards while readers MGET them:
     * it widened at its first call and holds every shard, so no reader sees it half done.
     */
    @Test
    void noReaderSeesHalfOfAWidenedScript() throws Exception {
        try (TestServices demo = TestServices.start(3, DemoSettings.forTests())) {
            String a = demo.keyOn(0, "wi:a");
            String b = demo.keyOn(1, "wi:b");
            String d = demo.keyOn(2, "wi:c");
            // the writer's connection is on shard 0 and the script's first key on shard 2: its first run widens before writing
            String script = "for i = 1, #ARGV - 1 do redis.call('set', ARGV[i], ARGV[#ARGV]) end return #ARGV - 1";
            try (RespTestClient setup = new RespTestClient(demo.respPort())) {
                setup.cmd("MSET", a, "0", b, "0", d, "0");
            }
            TornReads.check(demo, () -> demo.clientOn(0),
                    i -> new String[] {"EVAL", script, "0", d, b, a, Integer.toString(i)}, 3L, a, b, d);
            try (RespTestClient check = new RespTestClient(demo.respPort())) {
                List<?> last = (List<?>) check.cmd("MGET", a, b, d);
                assertThat(Arrays.asList(last.get(0), last.get(1))).containsOnly(last.get(2));
            }
        }
    }
}
