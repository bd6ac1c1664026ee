package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.percore.demo.command.CommandMetadata;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.table.RespCommands;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.Resp3Text;

/**
 * Issue 14, COMMAND: the recorded metadata ({@code redis-commands.resp3}) is what redis-server
 * 7.0.15 answers; every row of the command table (subcommands included) has Redis's arity, flags
 * and key positions; and the demo's COMMAND INFO, DOCS and LIST answer as redis-server's for the
 * commands it has, in RESP2 and RESP3, key specifications included (SET, MSET, LMPOP-like movable
 * keys, every container's subcommands).
 */
class CommandMetadataTest {

    private static RealRedis redis;
    private static TestServices demo;
    private static final CommandTable TABLE = RespCommands.table(6380);
    /** Rows of the table that Redis 7.0.15 does not have: Redis 7.2's CLIENT SETINFO, the cluster control plane's commands. */
    private static final Set<String> NOT_IN_REDIS_7_0 = Set.of("client|setinfo", "cluster|setlayout", "cluster|getlayout", "cluster|heldslots", "cluster|migrations");

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

    private static byte[] text(RedisMessage m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Resp3Text.write(m, out);
        return out.toByteArray();
    }

    @Test
    void theRecordingIsWhatRedisServerAnswers() throws IOException {
        Map<String, RedisMessage[]> live = CommandMetadataRecorder.read(redis.port());
        CommandMetadata recorded = CommandMetadata.redis7();
        assertThat(live).hasSizeGreaterThan(200);
        for (Map.Entry<String, RedisMessage[]> e : live.entrySet()) {
            // Redis orders a container's subcommands by its dict's randomly seeded hash: compared sorted
            assertThat(new String(text(sortedSubcommands(recorded.recordedInfo(e.getKey()))), StandardCharsets.UTF_8))
                    .as("COMMAND INFO " + e.getKey())
                    .isEqualTo(new String(text(sortedSubcommands(e.getValue()[0])), StandardCharsets.UTF_8));
        }
    }

    private static RedisMessage sortedSubcommands(RedisMessage info) {
        List<RedisMessage> children = new ArrayList<>(((ArrayRedisMessage) info).children());
        List<RedisMessage> subs = new ArrayList<>(CommandMetadata.members(children.get(9)));
        subs.sort(java.util.Comparator.comparing(sub -> Resp3Text.text(((ArrayRedisMessage) sub).children().get(0))));
        children.set(9, new Resp3Replies.SetReply(subs));
        return new ArrayRedisMessage(children);
    }

    @Test
    void everyRowOfTheTableHasRedisesArityFlagsAndKeyPositions() {
        CommandMetadata metadata = CommandMetadata.redis7();
        List<String> checked = new ArrayList<>();
        for (int id = 0; id < TABLE.size(); id++) {
            String name = TABLE.fullName(id);
            CommandSpec spec = TABLE.spec(id);
            if (!TABLE.runs(id) || NOT_IN_REDIS_7_0.contains(name)) {
                continue; // Redis 7.2's CLIENT SETINFO, the cluster control plane's own (README)
            }
            ArrayRedisMessage info = metadata.recordedInfo(name);
            assertThat(info).as("Redis 7.0.15 has " + name).isNotNull();
            List<RedisMessage> c = info.children();
            assertThat(spec.arity()).as(name + " arity").isEqualTo(((io.netty.handler.codec.redis.IntegerRedisMessage) c.get(1)).value());
            // may_replicate and protected are flags COMMAND INFO hides on purpose (Redis's addReplyFlagsForCommand); CLIENT
            // PAUSE WRITE reads the one, enable-debug-command guards the other
            assertThat(spec.flags().stream().filter(f -> !f.equals("may_replicate") && !f.equals("protected")).toList()).as(name + " flags")
                    .containsExactlyInAnyOrderElementsOf(metadata.flags(name));
            assertThat(new long[] {spec.firstKey(), spec.lastKey(), spec.step()}).as(name + " key positions").containsExactly(
                    ((io.netty.handler.codec.redis.IntegerRedisMessage) c.get(3)).value(),
                    ((io.netty.handler.codec.redis.IntegerRedisMessage) c.get(4)).value(),
                    ((io.netty.handler.codec.redis.IntegerRedisMessage) c.get(5)).value());
            checked.add(name);
        }
        assertThat(checked).contains("get", "set", "mset", "client|list", "config|set", "memory|usage", "sintercard", "debug", "memory|stats");
        assertThat(TABLE.spec(TABLE.find("debug".getBytes(StandardCharsets.US_ASCII))).flags()).contains("protected");
    }

    /**
     * A container's COMMAND INFO lists only the subcommands the demo has: compared with Redis's entry
     * whose subcommand list is cut to the same names.
     */
    private static Object withSubcommandsOf(Object redisEntry, Object ourEntry) {
        if (!(redisEntry instanceof List<?> theirs) || !(ourEntry instanceof List<?> ours) || theirs.size() < 10) {
            return redisEntry;
        }
        Set<Object> names = new HashSet<>();
        for (Object sub : members(ours.get(9))) {
            names.add(((List<?>) sub).get(0));
        }
        List<Object> kept = new ArrayList<>();
        for (Object sub : members(theirs.get(9))) {
            if (names.contains(((List<?>) sub).get(0))) {
                kept.add(sub);
            }
        }
        List<Object> copy = new ArrayList<>(theirs);
        copy.set(9, theirs.get(9) instanceof RespTestClient.Set3 ? new RespTestClient.Set3(bySubcommandName(kept)) : bySubcommandName(kept));
        return copy;
    }

    /** A COMMAND INFO entry with its subcommands sorted by name (Redis's order is its dict's, randomly seeded). */
    private static Object sortedEntry(Object entry) {
        if (!(entry instanceof List<?> list) || list.size() < 10) {
            return entry;
        }
        List<Object> copy = new ArrayList<>(list);
        List<Object> subs = bySubcommandName(members(list.get(9)));
        subs.removeIf(sub -> NOT_IN_REDIS_7_0.contains(((List<?>) sub).get(0))); // Redis 7.2's, the control plane's (README)
        copy.set(9, list.get(9) instanceof RespTestClient.Set3 ? new RespTestClient.Set3(subs) : subs);
        return copy;
    }

    private static List<Object> bySubcommandName(List<?> subs) {
        List<Object> sorted = new ArrayList<>(subs);
        sorted.sort(java.util.Comparator.comparing(sub -> String.valueOf(((List<?>) sub).get(0))));
        return sorted;
    }

    private static List<?> members(Object aggregate) {
        return aggregate instanceof RespTestClient.Set3 set ? set.members() : (List<?>) aggregate;
    }

    @Test
    void commandInfoAndDocsAreRedisesForEveryCommandOfTheDemo() throws IOException {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (int id = 0; id < TABLE.size(); id++) {
                String name = TABLE.fullName(id);
                if (!TABLE.runs(id) || NOT_IN_REDIS_7_0.contains(name)) {
                    continue;
                }
                Object ours = ((List<?>) d.cmd("COMMAND", "INFO", name)).get(0);
                Object theirs = ((List<?>) r.cmd("COMMAND", "INFO", name)).get(0);
                assertThat(sortedEntry(ours)).as("RESP" + proto + " COMMAND INFO " + name).isEqualTo(withSubcommandsOf(theirs, ours));
                // a container's DOCS lists only the subcommands the demo has; each of those is compared on its own
                if (CommandMetadata.members(CommandMetadata.redis7().recordedInfo(name).children().get(9)).isEmpty()) {
                    assertThat(d.cmd("COMMAND", "DOCS", name)).as("RESP" + proto + " COMMAND DOCS " + name)
                            .isEqualTo(r.cmd("COMMAND", "DOCS", name));
                }
            }
            for (String[] command : new String[][] {
                    {"COMMAND", "INFO", "nosuchcommand", "get"},
                    {"COMMAND", "INFO", "get|x"},
                    {"COMMAND", "INFO", "client|list|x"},
                    {"COMMAND", "DOCS", "nosuchcommand"},
                    {"COMMAND", "COUNT", "x"},
                    {"COMMAND", "LIST", "FILTERBY", "ACLCAT"},
                    {"COMMAND", "LIST", "FILTERBY", "FOO", "bar"},
                    {"COMMAND", "LIST", "x"},
                    {"COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmodule"},
                    {"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcategory"},
                    {"COMMAND", "HELP"},
                    {"COMMAND", "FOO"}}) {
                assertThat(d.cmd(command)).as("RESP" + proto + " " + String.join(" ", command)).isEqualTo(r.cmd(command));
            }
        });
    }

    @Test
    void keySpecsOfCommandsWithSeveralKeysOrMovableKeys() throws IOException {
        try (RespTestClient d = new RespTestClient(demo.respPort()); RespTestClient r = new RespTestClient(redis.port())) {
            for (String name : List.of("set", "mset", "sintercard", "rpoplpush", "lmove", "sinterstore", "memory|usage", "rename")) {
                List<?> ours = (List<?>) ((List<?>) d.cmd("COMMAND", "INFO", name)).get(0);
                assertThat(ours.get(8)).as(name + " key specs").isEqualTo(((List<?>) ((List<?>) r.cmd("COMMAND", "INFO", name)).get(0)).get(8));
                assertThat((List<?>) ours.get(8)).as(name + " has key specs").isNotEmpty();
            }
        }
    }

    /**
     * One registry: the categories COMMAND INFO gives a command are those ACL CAT lists it under, for every command the demo
     * runs, its own included (which once showed their group, {@code @cluster}, to COMMAND and Redis's categories to ACL).
     */
    @Test
    void commandInfoGivesEveryCommandTheCategoriesAclRulesUse() throws IOException {
        try (RespTestClient d = new RespTestClient(demo.respPort())) {
            Map<String, Set<String>> byAcl = new HashMap<>();
            for (String category : strings(d.cmd("ACL", "CAT"))) {
                for (String name : strings(d.cmd("ACL", "CAT", category))) {
                    byAcl.computeIfAbsent(name, n -> new HashSet<>()).add("@" + category);
                }
            }
            for (String name : strings(d.cmd("COMMAND", "LIST"))) {
                List<?> info = (List<?>) ((List<?>) d.cmd("COMMAND", "INFO", name)).get(0);
                assertThat(new HashSet<>((List<?>) info.get(6))).as("COMMAND INFO %s's categories", name)
                        .isEqualTo(byAcl.getOrDefault(name, Set.of()));
            }
            try (RespTestClient r = new RespTestClient(redis.port())) {
                List<?> setslot = (List<?>) ((List<?>) ((List<?>) r.cmd("COMMAND", "INFO", "cluster|setslot")).get(0)).get(6);
                assertThat(strings(((List<?>) ((List<?>) d.cmd("COMMAND", "INFO", "cluster|setlayout")).get(0)).get(6)))
                        .as("an admin command of the control plane's, as redis-server's CLUSTER SETSLOT").isEqualTo(setslot)
                        .containsExactly("@admin", "@slow", "@dangerous");
            }
            assertThat(strings(((List<?>) ((List<?>) d.cmd("COMMAND", "INFO", "client|setinfo")).get(0)).get(6)))
                    .as("Redis 7.2's CLIENT SETINFO").containsExactly("@slow", "@connection");
        }
    }

    @Test
    void commandListFiltersAsRedisForTheDemosCommands() throws IOException {
        try (RespTestClient d = new RespTestClient(demo.respPort()); RespTestClient r = new RespTestClient(redis.port())) {
            Set<String> ours = new HashSet<>(strings(d.cmd("COMMAND", "LIST")));
            for (String[] filter : new String[][] {{"ACLCAT", "string"}, {"ACLCAT", "dangerous"}, {"PATTERN", "client*"},
                    {"PATTERN", "*get*"}, {"PATTERN", "CONFIG|*"}, {"ACLCAT", "SET"}}) {
                List<String> theirs = new ArrayList<>(strings(r.cmd("COMMAND", "LIST", "FILTERBY", filter[0], filter[1])));
                theirs.retainAll(ours);
                if (filter[1].equals("client*")) {
                    theirs.add("client|setinfo"); // Redis 7.2's, which the demo accepts
                }
                if (filter[1].equals("*get*")) {
                    theirs.add("cluster|getlayout"); // the control plane's
                }
                if (filter[1].equals("dangerous")) {
                    // the control plane's, admin commands as Redis's CLUSTER SETSLOT: @admin @slow @dangerous
                    theirs.addAll(List.of("cluster|setlayout", "cluster|getlayout", "cluster|heldslots", "cluster|migrations"));
                }
                assertThat(strings(d.cmd("COMMAND", "LIST", "FILTERBY", filter[0], filter[1]))).as(String.join(" ", filter))
                        .containsExactlyInAnyOrderElementsOf(theirs).isNotEmpty();
            }
            assertThat(ours).contains("get", "client", "client|list", "config|get", "slowlog|get", "command|docs", "reset", "monitor");
            assertThat(d.cmd("COMMAND", "COUNT")).isEqualTo((long) TABLE.all().size());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object reply) {
        return (List<String>) reply;
    }
}
