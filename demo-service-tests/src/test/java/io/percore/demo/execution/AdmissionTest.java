package io.percore.demo.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.execution.Admission.Stage;
import io.percore.demo.table.RespCommands;
import io.percore.demo.resp.RespError;
import io.percore.demo.server.ServerShard;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admission asks its checks in the stages' order, a stage of the shard's state only while its hook is set. */
class AdmissionTest {

    private final List<String> asked = new ArrayList<>();

    private Admission.Check asks(String name, String refusal) {
        return (c, id, spec, argv) -> {
            asked.add(name);
            return refusal == null ? null : new RespError(refusal);
        };
    }

    private static final int EVERY_HOOK = ServerShard.HOOK_BUSY_SCRIPT | ServerShard.HOOK_CLUSTER | ServerShard.HOOK_PERSISTENCE
            | ServerShard.HOOK_REPLICATION;

    @Test
    void checksAreAskedInTheStagesOrderWhateverTheOrderTheyRegisteredIn() {
        Admission admission = Admission.builder()
                .check(Stage.REPLICA_WRITES, asks("replica", null))
                .check(Stage.CLUSTER, asks("cluster", null))
                .check(Stage.AUTHENTICATION, asks("auth", null))
                .check(Stage.BUSY_SCRIPT, asks("busy", null))
                .check(Stage.LOADING, asks("loading", null))
                .check(Stage.SUBSCRIBED, asks("subscribed", null))
                .check(Stage.AUTHENTICATION, asks("auth2", null))
                .build();
        assertThat(admission.refusal(null, EVERY_HOOK, Admission.NOT_IN_MULTI, 0, null, null)).isNull();
        assertThat(asked).containsExactly("auth", "auth2", "cluster", "replica", "subscribed", "loading", "busy");
    }

    /**
     * The order of Redis 7.0.15's {@code processCommand} (server.c), read there: where two refusals apply at once, the
     * first of these is redis-server's answer (a RESP2 subscriber's GET of another node's slot is -MOVED, a write to a
     * loading replica after a failed save is -MISCONF, a no-multi command a user may not run in MULTI is refused as
     * no-multi). A stage moved or added out of this order fails here.
     */
    @Test
    void theStagesAreProcessCommandsRefusalsInItsOrder() {
        assertThat(Stage.values()).containsExactly(
                Stage.PROTECTED,          // CMD_PROTECTED (DEBUG, MODULE) before anything about the client
                Stage.AUTHENTICATION,     // authRequired: -NOAUTH
                Stage.NO_MULTI,           // CLIENT_MULTI && CMD_NO_MULTI, before the ACL
                Stage.ACL,                // ACLCheckAllPerm: -NOPERM
                Stage.CLUSTER,            // getNodeByQuery: -MOVED, -ASK, -CROSSSLOT, -CLUSTERDOWN, -TRYAGAIN
                Stage.QUEUED_OVER_MEMORY, // maxmemory: -OOM (reject_cmd_on_oom for a command queued in MULTI)
                Stage.WRITE_ERRORS,       // writeCommandsDeniedByDiskError: -MISCONF
                Stage.REPLICA_WRITES,     // checkGoodReplicasStatus: -NOREPLICAS; repl_slave_ro: -READONLY
                Stage.SUBSCRIBED,         // CLIENT_PUBSUB && resp == 2
                Stage.STALE,              // repl_serve_stale_data no: -MASTERDOWN
                Stage.LOADING,            // server.loading: -LOADING
                Stage.BUSY_SCRIPT,        // isInsideYieldingLongCommand: -BUSY
                Stage.EXEC_WHILE_BUSY);   // (EXEC's -BUSY, asked of every shard's state)
    }

    @Test
    void aStageOfTheShardsStateIsAskedOnlyWhileItsHookIsSet() {
        Admission admission = Admission.builder()
                .check(Stage.AUTHENTICATION, asks("auth", null))
                .check(Stage.BUSY_SCRIPT, asks("busy", null))
                .check(Stage.LOADING, asks("loading", null))
                .check(Stage.WRITE_ERRORS, asks("misconf", null))
                .check(Stage.REPLICA_WRITES, asks("replica", null))
                .check(Stage.STALE, asks("stale", null))
                .build();
        admission.refusal(null, 0, Admission.NOT_IN_MULTI, 0, null, null);
        assertThat(asked).containsExactly("auth");
        asked.clear();
        admission.refusal(null, ServerShard.HOOK_PERSISTENCE | ServerShard.HOOK_PAUSE, Admission.NOT_IN_MULTI, 0, null, null);
        assertThat(asked).containsExactly("auth", "misconf", "loading");
        asked.clear();
        admission.refusal(null, ServerShard.HOOK_REPLICATION, Admission.NOT_IN_MULTI, 0, null, null);
        assertThat(asked).containsExactly("auth", "replica", "stale");
    }

    @Test
    void theFirstRefusalIsTheAnswerAndTheLaterStagesAreNotAsked() {
        Admission admission = Admission.builder()
                .check(Stage.AUTHENTICATION, asks("auth", null))
                .check(Stage.SUBSCRIBED, asks("subscribed", "ERR subscribed"))
                .check(Stage.BUSY_SCRIPT, asks("busy", "BUSY"))
                .check(Stage.CLUSTER, asks("cluster", "MOVED 1 host:1"))
                .build();
        assertThat(admission.refusal(null, ServerShard.HOOK_BUSY_SCRIPT, Admission.NOT_IN_MULTI, 0, null, null).getMessage())
                .isEqualTo("ERR subscribed");
        assertThat(asked).containsExactly("auth", "subscribed");
        asked.clear();
        assertThat(admission.refusal(null, EVERY_HOOK, Admission.NOT_IN_MULTI, 0, null, null).getMessage()).isEqualTo("MOVED 1 host:1");
        assertThat(asked).containsExactly("auth", "cluster");
    }

    @Test
    void aTransactionsStagesAreAskedOnlyForTheCommandsTheyApplyTo() {
        Admission admission = Admission.builder()
                .check(Stage.EXEC_WHILE_BUSY, asks("exec", null))
                .check(Stage.QUEUED_OVER_MEMORY, asks("oom", null))
                .check(Stage.NO_MULTI, asks("no-multi", null))
                .check(Stage.ACL, asks("acl", null))
                .build();
        admission.refusal(null, 0, Admission.NOT_IN_MULTI, 0, null, null);
        assertThat(asked).containsExactly("acl");
        asked.clear();
        admission.refusal(null, 0, Admission.QUEUED, 0, null, null);
        assertThat(asked).containsExactly("no-multi", "acl", "oom");
        asked.clear();
        admission.refusal(null, 0, Admission.RUN_IN_MULTI, 0, null, null);
        assertThat(asked).containsExactly("no-multi", "acl", "exec");
    }

    @Test
    void theServersAdmissionHasACheckAtEveryStage() {
        Admission admission = RespCommands.admission();
        for (Stage stage : Stage.values()) {
            assertThat(admission.checksAt(stage)).as("checks at %s", stage).isPositive();
        }
    }
}
