package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.CpuClock;
import io.percore.demo.support.DemoProcess;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * The Lua heap and the script cache in the memory figures and bounds (issue 28): INFO memory's
 * script fields as Redis 7.0 names them; the script cache in its shard's budget (loading scripts
 * takes room from the keys); a script holding more than its shard's Lua heap allows stopped with
 * Lua's memory error (catchable by pcall, as in Lua), in bounded CPU, while a script that allocates
 * far more than the bound but holds little runs to its end.
 */
class ScriptMemoryTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    private static long infoField(RespTestClient c, String name) throws IOException {
        String info = (String) c.cmd("INFO", "memory");
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name + " in " + info);
    }

    private static long shardUsedMemory(RespTestClient c, int shard) throws IOException {
        String info = (String) c.cmd("INFO", "memory");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("shard_" + shard + ":used_memory=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        throw new AssertionError("no shard line in " + info);
    }

    /** A key of shard {@code shard} of two. */
    private static String keyOn(int shard) {
        for (int i = 0; ; i++) {
            if (io.percore.demo.kv.KeyHashing.shardOf(("k" + i).getBytes(), 2) == shard) {
                return "k" + i;
            }
        }
    }

    @Test
    void infoReportsTheLuaStatesAndTheScriptCacheAndTheCacheCountsInTheBudget() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("SCRIPT", "FLUSH")).isEqualTo("OK");
            long vm = infoField(c, "used_memory_vm_eval");
            assertThat(vm).isPositive().isEqualTo(infoField(c, "used_memory_lua")).isLessThan(1024 * 100); // unit/scripting's bound
            assertThat(infoField(c, "number_of_cached_scripts")).isZero();
            assertThat(infoField(c, "used_memory_scripts_eval")).isZero();
            long before0 = shardUsedMemory(c, 0);
            long before1 = shardUsedMemory(c, 1);
            String padding = "-".repeat(100_000);
            for (int i = 0; i < 20; i++) {
                c.cmd("SCRIPT", "LOAD", "return " + i + " --" + padding);
            }
            assertThat(infoField(c, "number_of_cached_scripts")).isEqualTo(20);
            // every shard keeps a copy of each script: the figures add up over the shards
            assertThat(infoField(c, "used_memory_scripts_eval")).isGreaterThan(2 * 20 * 100_000L);
            assertThat(infoField(c, "used_memory_scripts")).isEqualTo(infoField(c, "used_memory_scripts_eval"));
            assertThat(infoField(c, "used_memory_vm_eval")).isGreaterThan(vm);
            assertThat(shardUsedMemory(c, 0) - before0).isGreaterThan(20 * 100_000L);
            assertThat(shardUsedMemory(c, 1) - before1).isGreaterThan(20 * 100_000L);
            // the cache takes room from the keys: over a budget it fills, a write is refused
            long used = shardUsedMemory(c, 0) + shardUsedMemory(c, 1);
            try {
                assertThat(c.cmd("CONFIG", "SET", "maxmemory", Long.toString(used + 1_000_000))).isEqualTo("OK");
                assertThat(c.cmd("SET", "fits", "x")).isEqualTo("OK");
                for (int i = 20; i < 40; i++) {
                    c.cmd("SCRIPT", "LOAD", "return " + i + " --" + padding);
                }
                assertThat(c.cmd("SET", "fits", "y")).isEqualTo(new Err("OOM command not allowed when used memory > 'maxmemory'."));
                assertThat(c.cmd("SCRIPT", "FLUSH")).isEqualTo("OK");
                assertThat(c.cmd("SET", "fits", "z")).isEqualTo("OK");
            } finally {
                c.cmd("CONFIG", "SET", "maxmemory", "0");
            }
            assertThat(infoField(c, "used_memory_scripts_eval")).isZero();
            assertThat(shardUsedMemory(c, 0)).isLessThan(before0 + 100_000);
        }
    }

    @Test
    void aScriptHoldingMoreThanItsShardsLuaHeapIsStopped() throws Exception {
        // a JVM of 256 MB: each of two shards may hold 16 MB in Lua, and runaway scripts on both at once do not end the JVM
        try (DemoProcess small = DemoProcess.start(2, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
             RespTestClient c = new RespTestClient(small.respPort());
             RespTestClient other = new RespTestClient(small.respPort())) {
            long limit = infoField(c, "lua_heap_limit_per_shard");
            assertThat(limit).isEqualTo(16L << 20);
            String both = "local t = {} for i = 1, 1e9 do t[i] = string.rep('w', 1000) .. i end";
            other.send(RespTestClient.encode("EVAL", both, "1", keyOn(1)));
            String table = "local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end return #t";
            long cpuBefore = CpuClock.shardMillis(c);
            assertThat(c.cmd("EVAL", table, "1", keyOn(0)))
                    .isEqualTo(new Err("ERR Error running script " + Scripting.sha1hex(table.getBytes()) + ", not enough memory"));
            // stopped once the table held the bound: the walks cost in proportion to what it allocated
            assertThat(CpuClock.shardMillis(c) - cpuBefore).isLessThan(30_000);
            assertThat(other.read()).isEqualTo(new Err("ERR Error running script " + Scripting.sha1hex(both.getBytes()) + ", not enough memory"));
            String rep = "return #string.rep('x', " + (limit + 1) + ")";
            assertThat(c.cmd("EVAL", rep, "0"))
                    .isEqualTo(new Err("ERR Error running script " + Scripting.sha1hex(rep.getBytes()) + ", not enough memory"));
            assertThat(c.cmd("EVAL", "local parts = {} for i = 1, 300 do parts[i] = string.rep('y', 1e6) end "
                    + "return #table.concat(parts)", "0")).isInstanceOf(Err.class);
            // Lua's memory error is catchable, and once the table is dropped the script goes on
            assertThat(c.cmd("EVAL", "local ok, e = pcall(function() local t = {} for i = 1, 1e9 do t[i] = {string.rep('y', 999) .. i} end end) "
                    + "return {tostring(ok), e}", "0")).isEqualTo(List.of("false", "not enough memory"));
            // allocating many times the bound while holding little is fine: the bound is on what is held
            assertThat(c.cmd("EVAL", "local n = 0 for i = 1, 200 do local s = string.rep('z', 1e6) .. i n = n + #s end return n", "0"))
                    .isEqualTo(200L * 1_000_000 + 9 + 90 * 2 + 101 * 3);
            assertThat(c.cmd("PING")).isEqualTo("PONG");
            assertThat(small.alive()).isTrue();
        }
    }

    @Test
    void theHeapEstimateCountsWhatIsReachableOnce() {
        LuaTable t = new LuaTable();
        for (int i = 1; i <= 10_000; i++) {
            t.set(i, LuaValue.valueOf("value-" + i));
        }
        long bytes = new LuaHeap().add(t).bytes();
        // at least a reference, a string object and its bytes per entry; at most a few times that
        assertThat(bytes).isBetween(10_000L * (4 + 24 + 24), 10_000L * 200);
        LuaTable cycle = new LuaTable();
        cycle.set("self", cycle);
        cycle.set("t", t);
        assertThat(new LuaHeap().add(cycle).bytes()).isBetween(bytes, bytes + 500);
        LuaValue big = LuaValue.valueOf(new byte[1 << 20]);
        LuaTable shared = new LuaTable();
        for (int i = 1; i <= 100; i++) {
            shared.set(i, big);
        }
        assertThat(new LuaHeap().add(shared).bytes()).isBetween(1L << 20, (1L << 20) + 100 * 64L);
    }
}
