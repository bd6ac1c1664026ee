package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import io.percore.demo.support.TornReads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 28 part 3: a script whose declared keys live on several shards holds those shards, as a
 * transaction holds them, runs on its first key's shard, and its {@code redis.call}s on keys of the
 * other held shards run there and answer at once. Compared with redis-server 7.0.15 byte for byte in
 * RESP2 and RESP3 on 2 and 3 shards (before this, each of these scripts got {@code -CROSSSLOT}); an
 * undeclared key on a shard the script does not hold, once it wrote, keeps its error; a script writing on 3 shards is
 * never seen half done by MGET readers.
 */
class CrossShardScriptTest {

    private static String[] c(String... args) {
        return args;
    }

    /** Keys on shards 0, 1 and (with 3 shards) 2, with the first key on shard 1 so the script runs away from shard 0 too. */
    private static String[] keys(TestServices demo, int shards, String prefix) {
        List<String> k = new ArrayList<>();
        k.add(demo.keyOn(1, prefix + "a"));
        k.add(demo.keyOn(0, prefix + "b"));
        k.add(shards > 2 ? demo.keyOn(2, prefix + "c") : demo.keyOn(0, prefix + "c"));
        return k.toArray(new String[0]);
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {2, 3})
    void repliesAndErrorsAreRedises(int shards) throws Exception {
        try (RealRedis redis = RealRedis.start(); TestServices demo = TestServices.start(shards, DemoSettings.forTests())) {
            String[] k = keys(demo, shards, "x:");
            String a = k[0];
            String b = k[1];
            String d = k[2];
            String undeclared = demo.keyOn(0, "x:undeclared");
            String[][] commands = {
                    c("DEL", a, b, d),
                    // reads and writes on every declared key, each on its own shard
                    c("EVAL", "redis.call('set', KEYS[1], 'va') redis.call('set', KEYS[2], 'vb') redis.call('rpush', KEYS[3], 1, 2, 3)"
                            + " return {redis.call('get', KEYS[1]), redis.call('get', KEYS[2]), redis.call('lrange', KEYS[3], 0, -1)}",
                            "3", a, b, d),
                    c("MGET", a, b), c("LRANGE", d, "0", "-1"),
                    // multi-key commands whose keys span the held shards
                    c("EVAL", "return redis.call('mget', KEYS[1], KEYS[2], KEYS[3])", "3", a, b, d),
                    c("EVAL", "return {redis.call('lmove', KEYS[3], KEYS[1] .. ':l', 'LEFT', 'RIGHT'), redis.call('exists', KEYS[1], KEYS[2], KEYS[3])}",
                            "4", a, b, d, a + ":l"),
                    c("EVAL", "redis.call('del', KEYS[1], KEYS[2]) return redis.call('mset', KEYS[1], 1, KEYS[2], 2)", "2", a, b),
                    c("EVAL", "return redis.call('incrby', KEYS[2], redis.call('incr', KEYS[1]))", "2", a, b),
                    c("MGET", a, b),
                    // an error half way keeps what came before it; pcall's error is a value
                    c("EVAL", "redis.call('set', KEYS[1], 'before') redis.call('incr', KEYS[3]) redis.call('set', KEYS[2], 'after')", "3", a, b, d),
                    c("MGET", a, b),
                    c("EVAL", "local e = redis.pcall('incr', KEYS[3]) redis.call('set', KEYS[2], 'after') return {e['err'], redis.call('get', KEYS[2])}",
                            "3", a, b, d),
                    c("EVAL", "return redis.pcall('hset', KEYS[2])", "2", a, b),
                    c("EVAL", "return redis.call('nosuch', KEYS[2])", "2", a, b),
                    // undeclared keys of a held shard are served, as a cluster node serves its own slots
                    c("SET", undeclared, "u"), c("EVAL", "return redis.call('get', ARGV[1])", "2", a, b, undeclared),
                    c("EVAL_RO", "return redis.call('set', KEYS[2], 'x')", "2", a, b),
                    c("EVAL_RO", "return {redis.call('get', KEYS[1]), redis.call('get', KEYS[2])}", "2", a, b),
                    c("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[2])", "2", a, b),
                    c("EVAL", "redis.setresp(3) redis.call('hset', KEYS[2], 'f', 'v') return {redis.call('hgetall', KEYS[2]), redis.call('get', KEYS[1])}",
                            "3", a, b + "h", d),
                    // inside MULTI: the transaction holds the shards, the script joins it
                    c("MULTI"), c("EVAL", "return redis.call('set', KEYS[2], KEYS[1])", "2", a, b), c("GET", b), c("EXEC"),
                    // a function's keys span shards as a script's do
                    c("FUNCTION", "LOAD", "REPLACE", "#!lua name=xlib\n"
                            + "redis.register_function('xset', function(keys, args) redis.call('set', keys[1], args[1])"
                            + " redis.call('set', keys[2], args[1]) return redis.call('mget', keys[1], keys[2]) end)\n"
                            + "redis.register_function{function_name='xget', callback=function(keys) return redis.call('mget', keys[1], keys[2]) end,"
                            + " flags={'no-writes'}}"),
                    c("FCALL", "xset", "2", a, b, "f1"), c("MGET", a, b),
                    c("FCALL_RO", "xget", "2", a, b), c("FCALL_RO", "xset", "2", a, b, "f2"),
                    c("FUNCTION", "DELETE", "xlib"),
                    c("DEL", a, b, d, a + ":l", b + "h", undeclared),
            };
            redis.inBothProtocols(demo.respPort(), (r, o, proto) -> RealRedis.sameReplies(r, o, proto, commands, reply -> reply));
        }
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {2, 3})
    void anUndeclaredKeyOnAShardNotHeldIsRefused(int shards) throws Exception {
        try (TestServices demo = TestServices.start(shards, DemoSettings.forTests()); RespTestClient c = new RespTestClient(demo.respPort())) {
            String a = demo.keyOn(0, "u:a");
            String b = shards > 2 ? demo.keyOn(1, "u:b") : demo.keyOn(0, "u:b");
            String elsewhere = demo.keyOn(shards - 1, "u:z");
            // once it wrote (before that it would run again holding every shard: ScriptWideningTest)
            assertThat(((Err) c.cmd("EVAL", "redis.call('set', KEYS[1], 'v') return redis.call('get', ARGV[1])", "2", a, b, elsewhere)).text())
                    .startsWith("ERR Script attempted to access a non local key in a cluster node");
            // as are keyless commands that need every shard
            assertThat(((Err) c.cmd("EVAL", "redis.call('set', KEYS[1], 'v') return redis.call('flushall')", "1", a)).text())
                    .startsWith("ERR Script attempted to access a non local key in a cluster node");
            assertThat(c.cmd("EVAL", "return redis.call('set', KEYS[2], 'v')", "2", a, demo.keyOn(1, "u:c"))).isEqualTo("OK");
        }
    }

    /**
     * What a write does on its own shard a script's write on another held shard does too: the
     * tracking client reading that key has its invalidation before it can see the EVAL's reply, a
     * subscriber gets the keyspace event, a WATCH on it fails the EXEC, a client blocked on the list
     * the script pushed to is served (after the script, with what it left), MONITOR shows the call as
     * the script's, and commandstats count it.
     */
    @org.junit.jupiter.api.Test
    void aWriteOnAnotherHeldShardDoesWhatAWriteDoes() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient writer = demo.clientOn(1);
             RespTestClient tracker = demo.clientOn(1);
             RespTestClient subscriber = new RespTestClient(demo.respPort());
             RespTestClient watcher = new RespTestClient(demo.respPort());
             RespTestClient blocked = new RespTestClient(demo.respPort());
             RespTestClient monitor = new RespTestClient(demo.respPort())) {
            String a = demo.keyOn(1, "fx:a"); // the script runs on shard 1
            String b = demo.keyOn(0, "fx:b");
            String list = demo.keyOn(0, "fx:l");
            writer.cmd("CONFIG", "SET", "notify-keyspace-events", "KA");
            writer.cmd("SET", b, "0");
            tracker.cmd("HELLO", "3");
            assertThat(tracker.cmd("CLIENT", "TRACKING", "on")).isEqualTo("OK");
            assertThat(tracker.cmd("GET", b)).isEqualTo("0");
            subscriber.cmd("SUBSCRIBE", "__keyspace@0__:" + b);
            assertThat(watcher.cmd("WATCH", b)).isEqualTo("OK");
            blocked.send(RespTestClient.encode("BLPOP", list, "0"));
            long setsBefore = setCalls(writer);
            assertThat(monitor.cmd("MONITOR")).isEqualTo("OK");
            Thread.sleep(100); // the BLPOP is blocked
            // the script's shard, 1, feeds the monitor once it heard of it: a PING sent there shows when it has
            AtomicBoolean heard = new AtomicBoolean();
            ExecutorService pinger = Executors.newSingleThreadExecutor();
            try {
                Future<?> pings = pinger.submit(() -> {
                    while (!heard.get()) {
                        writer.cmd("PING", "heard");
                        Thread.sleep(20);
                    }
                    return null;
                });
                while (!((String) monitor.read()).contains("heard")) {
                    Thread.onSpinWait(); // the setup's commands
                }
                heard.set(true);
                pings.get(30, TimeUnit.SECONDS);
            } finally {
                pinger.shutdownNow();
            }
            writer.cmd("PING", "last");
            while (!((String) monitor.read()).contains("last")) {
                Thread.onSpinWait(); // the pings sent before the pinger stopped
            }
            assertThat(writer.cmd("EVAL", "redis.call('set', KEYS[2], 'x') redis.call('rpush', KEYS[3], 'e1', 'e2') return redis.call('get', KEYS[1])",
                    "3", a, b, list)).isNull();
            // the tracking client's next reply comes after the invalidation
            Object first = tracker.cmd("PING");
            assertThat(first).isEqualTo(new RespTestClient.Push3(List.of("invalidate", List.of(b))));
            assertThat(tracker.read()).isEqualTo("PONG");
            assertThat(subscriber.read()).isEqualTo(List.of("message", "__keyspace@0__:" + b, "set"));
            assertThat(watcher.cmd("MULTI")).isEqualTo("OK");
            assertThat(watcher.cmd("GET", b)).isEqualTo("QUEUED");
            assertThat(watcher.cmd("EXEC")).isNull();
            assertThat(blocked.read()).isEqualTo(List.of(list, "e1"));
            assertThat(writer.cmd("LRANGE", list, "0", "-1")).isEqualTo(List.of("e2"));
            List<String> lines = new ArrayList<>();
            String line;
            do {
                line = (String) monitor.read();
                lines.add(line);
            } while (!line.contains("LRANGE"));
            assertThat(lines.get(0)).contains("\"EVAL\"");
            assertThat(lines.subList(1, 4)).anySatisfy(l -> assertThat(l).contains("[0 lua] \"set\" \"" + b + "\" \"x\""));
            assertThat(setCalls(writer) - setsBefore).isEqualTo(1);
        }
    }

    /**
     * Redis refuses a script's first write when the server was over maxmemory as it began: here when
     * any shard the script holds was over its part, the other held shards included (asked at the
     * first write); reads still run, and a script holding only the shard within its budget writes.
     */
    @org.junit.jupiter.api.Test
    void theFirstWriteIsRefusedWhenAnyHeldShardIsOverItsBudget() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests()); RespTestClient c = new RespTestClient(demo.respPort())) {
            String a = demo.keyOn(1, "oom:a"); // the script runs on shard 1, within its budget
            String b = demo.keyOn(0, "oom:b");
            long used = Math.max(shardUsedMemory(c, 0), shardUsedMemory(c, 1));
            try {
                assertThat(c.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction")).isEqualTo("OK");
                assertThat(c.cmd("CONFIG", "SET", "maxmemory", Long.toString(2 * (used + 300_000)))).isEqualTo("OK");
                String big = "v".repeat(50_000);
                for (int i = 0; !(c.cmd("SET", demo.keyOn(0, "oom:fill" + i + ":"), big) instanceof Err); i++) {
                    assertThat(i).as("shard 0 never filled").isLessThan(1000);
                }
                assertThat(((Err) c.cmd("EVAL", "return redis.call('set', KEYS[1], 'x')", "2", a, b)).text())
                        .startsWith("OOM command not allowed when used memory > 'maxmemory'");
                assertThat(c.cmd("EVAL", "return redis.call('get', KEYS[1])", "2", a, b)).isNull();
                assertThat(c.cmd("EVAL", "return redis.call('set', KEYS[1], 'x')", "1", a)).isEqualTo("OK");
                assertThat(((Err) c.cmd("EVAL", "#!lua\nreturn redis.call('set', KEYS[1], 'x')", "2", a, b)).text())
                        .startsWith("OOM allow-oom flag is not set on the script");
            } finally {
                c.cmd("CONFIG", "SET", "maxmemory", "0");
            }
        }
    }

    private static long shardUsedMemory(RespTestClient c, int shard) throws Exception {
        for (String line : ((String) c.cmd("INFO", "memory")).split("\r\n")) {
            if (line.startsWith("shard_" + shard + ":used_memory=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        throw new AssertionError("no line of shard " + shard);
    }

    private static long setCalls(RespTestClient c) throws Exception {
        String info = (String) c.cmd("INFO", "commandstats");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_set:calls=(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static final String BUSY = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    /**
     * A read-only script looping over calls on the other held shard's key, past busy-reply-threshold:
     * a command sent to the held shard before the script went busy waited behind its hold and is
     * answered -BUSY once it is, as are clients of the script's shard; SCRIPT KILL ends it (it may
     * be waiting for the other shard's answer then); a script that wrote on both shards is
     * UNKILLABLE, and closing the service ends it.
     */
    @org.junit.jupiter.api.Test
    void aBusyScriptAcrossShardsAnswersBusyOnBothAndIsKilled() throws Exception {
        String loop = "redis.call(ARGV[1], KEYS[1], 'x') while true do redis.call('get', KEYS[2]) end";
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient runner = new RespTestClient(demo.respPort());
             RespTestClient held = demo.clientOn(0);
             RespTestClient running = demo.clientOn(1)) {
            String a = demo.keyOn(1, "busy:a"); // the script runs on its first key's shard, 1
            String b = demo.keyOn(0, "busy:b");
            assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "300")).isEqualTo("OK");
            runner.send(RespTestClient.encode("EVAL", loop, "2", a, b, "exists"));
            Thread.sleep(50);
            held.send(RespTestClient.encode("GET", b)); // parked behind the script's hold on shard 0
            assertThat(held.read()).isEqualTo(new Err(BUSY));
            assertThat(running.cmd("GET", a)).isEqualTo(new Err(BUSY));
            assertThat(held.cmd("SCRIPT", "KILL")).isEqualTo("OK");
            assertThat(runner.read()).isEqualTo(new Err("ERR Script killed by user with SCRIPT KILL... script: "
                    + Scripting.sha1hex(loop.getBytes()) + ", on @user_script:1."));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Object reply;
            while ((reply = held.cmd("GET", b)) instanceof Err) {
                assertThat(System.nanoTime() - deadline).as("still busy: " + reply).isNegative();
                Thread.sleep(10);
            }
            assertThat(reply).isNull();

            runner.send(RespTestClient.encode("EVAL", loop, "2", a, b, "set"));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!((reply = held.cmd("PING")) instanceof Err)) {
                assertThat(System.nanoTime() - deadline).as("not busy yet: " + reply).isNegative();
                Thread.sleep(10);
            }
            assertThat(held.cmd("SCRIPT", "KILL")).isEqualTo(new Err("UNKILLABLE Sorry the script already executed write commands "
                    + "against the dataset. You can either wait the script termination or kill the server in a hard way using the "
                    + "SHUTDOWN NOSAVE command."));
            java.util.concurrent.CompletableFuture.runAsync(demo::close).get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * A script writes one value to a key on each of 3 shards (and a list on the script's own shard)
     * while readers MGET them: as with MSET, no reader ever sees some keys written and others not.
     */
    @org.junit.jupiter.api.Test
    void noReaderSeesHalfOfAScriptOnThreeShards() throws Exception {
        try (TestServices demo = TestServices.start(3, DemoSettings.forTests())) {
            String a = demo.keyOn(0, "iso:a");
            String b = demo.keyOn(1, "iso:b");
            String d = demo.keyOn(2, "iso:c");
            String script = "for i = 1, #KEYS do redis.call('set', KEYS[i], ARGV[1]) end return #KEYS";
            try (RespTestClient setup = new RespTestClient(demo.respPort())) {
                setup.cmd("MSET", a, "0", b, "0", d, "0");
            }
            TornReads.check(demo, () -> new RespTestClient(demo.respPort()),
                    i -> new String[] {"EVAL", script, "3", d, b, a, Integer.toString(i)}, 3L, a, b, d);
        }
    }

}
