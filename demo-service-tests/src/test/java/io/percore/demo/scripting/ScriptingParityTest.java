package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 28: EVAL, EVALSHA, their _RO forms and SCRIPT compared with redis-server 7.0.15 in RESP2 and
 * RESP3, on a demo of two shards (the keys share a hash tag, so each script's keys live on one
 * shard): the conversions both ways, errors with their positions, the environment (read-only
 * globals, Lua 5.1's numbers and string.format, Redis's math.random, bit), shebang flags, the script
 * cache.
 */
class ScriptingParityTest {

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

    private static String[] c(String... args) {
        return args;
    }

    @Test
    void repliesAndErrorsAreRedises() throws IOException {
        String[][] commands = {
                c("SET", "{t}s", "abc"), c("DEL", "{t}n", "{t}h", "{t}l"),
                c("EVAL", "return redis.call('incr', KEYS[1])", "1", "{t}n"),
                c("EVAL", "return redis.call('incr', KEYS[1])", "1"),
                c("EVAL", "return 1", "-1"), c("EVAL", "return 1", "x"),
                c("EVAL", "return redis.call('incr', KEYS[1])", "1", "{t}s"),
                c("EVAL", "return redis.pcall('incr', KEYS[1])", "1", "{t}s"),
                c("EVAL", "local ok, e = pcall(redis.call, 'incr', KEYS[1]) return {tostring(ok), e}", "1", "{t}s"),
                c("EVAL", "return a", "0"), c("EVAL", "error('boom')", "0"), c("EVAL", "error({err='MY boom'})", "0"),
                c("EVAL", "\n\nerror('line three')", "0"),
                c("EVAL", "return redis.error_reply('E1 x')", "0"), c("EVAL", "return redis.error_reply('-E2 y')", "0"),
                c("EVAL", "return redis.status_reply('fine')", "0"), c("EVAL", "return {ok='fine'}", "0"), c("EVAL", "return {err='bad'}", "0"),
                c("EVAL", "return {pcall(function() error('x') end)}", "0"),
                c("EVAL", "return redis.call('nosuch')", "0"), c("EVAL", "local t = redis.call('get')", "0"),
                // a command with subcommands, alone: COMMAND runs (its arity allows it), CONFIG has the wrong number of args
                c("EVAL", "return #redis.call('command') > 100", "0"), c("EVAL", "return redis.call('config')", "0"),
                c("EVAL", "return redis.call()", "0"), c("EVAL", "return redis.call('get', {})", "0"),
                c("EVAL", "return redis.call('eval', 'return 1', 0)", "0"),
                c("EVAL", "return {1, 2, 3.7, 'x', {1, {2}}, nil, 5}", "0"), c("EVAL", "return {true, false}", "0"),
                c("EVAL", "return 3.99", "0"), c("EVAL", "return -3.99", "0"), c("EVAL", "return true", "0"), c("EVAL", "return false", "0"),
                c("EVAL", "return nil", "0"), c("EVAL", "return 'bin\\0ary'", "0"),
                c("EVAL", "return redis.call('hgetall', KEYS[1])", "1", "{t}h"),
                c("EVAL", "redis.call('hset', KEYS[1], 'a', '1', 'b', '2') return redis.call('hgetall', KEYS[1])", "1", "{t}h"),
                c("EVAL", "return redis.call('get', KEYS[1])", "1", "{t}none"),
                // a SORT long enough to be sliced over tasks outside a script answers within the script
                c("DEL", "{t}big"),
                c("EVAL", "for i = 1, 100000 do redis.call('rpush', KEYS[1], i) end local s = redis.call('sort', KEYS[1], 'desc')"
                        + " local a = redis.call('sort', KEYS[1], 'alpha', 'limit', 0, 3) return {#s, s[1], s[100000], a}", "1", "{t}big"),
                c("EVAL", "return type(redis.call('get', KEYS[1]))", "1", "{t}none"),
                c("EVAL", "redis.call('rpush', KEYS[1], 'a', 'b') return redis.call('lrange', KEYS[1], 0, -1)", "1", "{t}l"),
                c("EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "{t}k"), c("EVAL", "return redis.call('ping')", "0"),
                c("EVAL", "redis.setresp(3) return redis.call('hgetall', KEYS[1])", "1", "{t}h"),
                c("EVAL", "redis.setresp(3) return redis.call('get', KEYS[1])", "1", "{t}none"),
                c("EVAL", "redis.setresp(3) return {true, false}", "0"), c("EVAL", "redis.setresp(4)", "0"),
                c("EVAL", "return {double=3.5}", "0"), c("EVAL", "return {map={a=1}}", "0"), c("EVAL", "return {set={a=true}}", "0"),
                c("EVAL", "return {big_number='123456789012345678901234567890'}", "0"),
                c("EVAL", "return {verbatim_string={format='txt', string='hello'}}", "0"),
                c("EVAL", "redis = 1", "0"), c("EVAL", "x = 1", "0"), c("EVAL", "redis.call = function() end", "0"),
                c("EVAL", "setmetatable(_G, {})", "0"), c("EVAL", "local g = getmetatable(_G) g.__index = {}", "0"),
                c("EVAL", "string.len = nil", "0"), c("EVAL", "bit.band = nil", "0"),
                c("EVAL", "return loadfile", "0"), c("EVAL", "return print", "0"), c("EVAL", "return dofile", "0"),
                c("EVAL", "return loadstring('return 7')()", "0"),
                c("EVAL", "return tostring(1/3) .. ' ' .. tostring(1e15) .. ' ' .. tostring(2^63) .. ' ' .. tostring(-0.5)", "0"),
                c("EVAL", "return string.format('%5.2f|%d|%x|%X|%o|%e|%g|%s|%q|%-4s|%04d', 1/3, 7.9, 255, 255, 8, 12345.678, 1e20, 1/3, 'a\\nb', 'x', 42)", "0"),
                c("EVAL", "return {tonumber('0x10'), tonumber(' 12 '), tonumber('1e2'), tonumber('z', 36), tonumber('10', 2), tonumber(''), tonumber('0x')}", "0"),
                c("EVAL", "return {bit.band(7, 3), bit.bor(1, 2), bit.bxor(5, 1), bit.lshift(1, 4), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.tohex(255), bit.tohex(-1, -4), bit.bnot(0), bit.tobit(2^32 + 5)}", "0"),
                c("EVAL", "math.randomseed(10) return {math.random(100), math.random(5, 10), tostring(math.random())}", "0"),
                c("EVAL", "return redis.sha1hex('')", "0"), c("EVAL", "return redis.sha1hex('Pizza & Mandolino')", "0"),
                c("EVAL", "return {unpack({1, 2, 3})}", "0"), c("EVAL", "return select('#', 1, 2, 3)", "0"),
                c("EVAL", "return redis.REDIS_VERSION", "0"),
                c("EVAL", "return redis.call('incrbyfloat', KEYS[1], 0.1)", "1", "{t}f"),
                c("EVAL", "return redis.call('set', KEYS[1], 3.14159265358979)", "1", "{t}pi"), c("GET", "{t}pi"),
                c("EVAL", "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'x')", "1", "{t}k"),
                c("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "{t}k"),
                c("EVAL", "#!lua flags=bogus\nreturn 1", "0"), c("EVAL", "#!lua name=x\nreturn 1", "0"), c("EVAL", "#!python\nreturn 1", "0"),
                c("EVAL", "#!lua\nreturn redis.call('set', KEYS[1], 'x')", "1", "{t}k"),
                c("EVAL_RO", "return redis.call('set', KEYS[1], 'x')", "1", "{t}k"),
                c("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "{t}k"),
                c("EVAL_RO", "#!lua\nreturn 1", "0"),
                c("SCRIPT", "FLUSH"), c("SCRIPT", "LOAD", "return 'loaded'"),
                c("EVALSHA", "18b1a7d8e6fb5fe90f1b7d8c0c7a6b9a3b0c0e21", "0"),
                c("SCRIPT", "EXISTS", "b534286061d4b9e4026607613b95c06c06015ae8", "18b1a7d8e6fb5fe90f1b7d8c0c7a6b9a3b0c0e21"),
                c("EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"), c("EVALSHA", "B534286061D4B9E4026607613B95C06C06015AE8", "0"),
                c("EVALSHA_RO", "b534286061d4b9e4026607613b95c06c06015ae8", "0"), c("EVALSHA", "short", "0"),
                c("EVAL", "return 'cached'", "0"), c("EVALSHA", "952f49ffc8f7b098d8ab5da45d3164ca36ed18b1", "0"),
                c("SCRIPT", "FLUSH", "ASYNC"), c("SCRIPT", "FLUSH", "BAD"),
                c("SCRIPT", "EXISTS", "b534286061d4b9e4026607613b95c06c06015ae8"), c("SCRIPT", "KILL"),
                c("FUNCTION", "KILL"),
                // BLOCK refused in a script, as Redis keeps it for Lua; an unsorted set's SORT in a script is ALPHA
                c("EVAL", "return redis.call('xread', 'BLOCK', 0, 'STREAMS', KEYS[1], '$')", "1", "{t}x"),
                c("EVAL", "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 10, 'STREAMS', KEYS[1], '>')", "1", "{t}x"),
                c("DEL", "{t}set"), c("SADD", "{t}set", "b", "a", "aaa", "z", "azz", "aa", "1", "10", "2"),
                c("EVAL", "return redis.call('sort', KEYS[1], 'by', 'nosort')", "1", "{t}set"),
                c("EVAL", "return redis.call('sort', KEYS[1], 'by', 'nosort', 'desc', 'limit', 1, 4)", "1", "{t}set"),
                // a command a script may not run, named by its subcommand (Redis's own suite: CLUSTER RESET)
                c("EVAL", "return redis.pcall('cluster', 'reset', 'hard')", "0"), c("CLUSTER", "RESET"),
                // error_reply's code: its own, or ERR when it has none
                c("EVAL", "return redis.error_reply('')", "0"), c("EVAL", "return redis.error_reply('-')", "0"),
                c("EVAL", "return redis.error_reply('-FOO')", "0"), c("EVAL", "return redis.error_reply('-FOO bar')", "0"),
                c("EVAL", "return redis.error_reply('no code')", "0"),
                // below min-replicas-to-write: a script that may write is refused, a flagless one's write fails
                c("SET", "{t}x", "v"), c("CONFIG", "SET", "min-replicas-to-write", "1"),
                c("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "{t}x"),
                c("EVAL", "return redis.call('get', KEYS[1])", "1", "{t}x"),
                c("EVAL", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "{t}x"),
                c("EVAL", "return redis.call('set', KEYS[1], 1)", "1", "{t}x"),
                c("EVAL", "return redis.pcall('set', KEYS[1], 1)", "1", "{t}x"),
                c("CONFIG", "SET", "min-replicas-to-write", "0"),
        };
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, commands, reply -> reply));
    }

    /**
     * A script touches only the keys of the shards it holds: those of its declared keys
     * (CrossShardScriptTest: several), or every shard once it touched another's key before any
     * effect (ScriptWideningTest); one that wrote first is refused.
     */
    @Test
    void aScriptTouchesOnlyItsShardsKeys() throws IOException {
        String here = demo.keyOn(0, "s0:");
        String there = demo.keyOn(1, "s1:");
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("EVAL", "return 1", "2", here, there)).isEqualTo(1L);
            assertThat(((Err) c.cmd("EVAL", "redis.call('set', KEYS[1], 'w') return redis.call('get', ARGV[1])", "1", here, there)).text())
                    .startsWith("ERR Script attempted to access a non local key in a cluster node");
            assertThat(c.cmd("EVAL", "return redis.call('set', KEYS[1], 'v')", "1", there)).isEqualTo("OK");
            assertThat(c.cmd("GET", there)).isEqualTo("v");
        }
    }
}
