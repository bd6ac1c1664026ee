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

    @Test
    void checksAreAskedInTheStagesOrderWhateverTheOrderTheyRegisteredIn() {
        Admission admission = Admission.builder()
                .check(Stage.REPLICA, asks("replica", null))
                .check(Stage.CLUSTER, asks("cluster", null))
                .check(Stage.AUTHENTICATION, asks("auth", null))
                .check(Stage.BUSY_SCRIPT, asks("busy", null))
                .check(Stage.DATA, asks("data", null))
                .check(Stage.SUBSCRIBED, asks("subscribed", null))
                .check(Stage.AUTHENTICATION, asks("auth2", null))
                .build();
        int every = ServerShard.HOOK_BUSY_SCRIPT | ServerShard.HOOK_CLUSTER | ServerShard.HOOK_PERSISTENCE | ServerShard.HOOK_REPLICATION;
        assertThat(admission.refusal(null, every, 0, null, null)).isNull();
        assertThat(asked).containsExactly("auth", "auth2", "subscribed", "busy", "cluster", "data", "replica");
    }

    @Test
    void aStageOfTheShardsStateIsAskedOnlyWhileItsHookIsSet() {
        Admission admission = Admission.builder()
                .check(Stage.AUTHENTICATION, asks("auth", null))
                .check(Stage.BUSY_SCRIPT, asks("busy", null))
                .check(Stage.DATA, asks("data", null))
                .check(Stage.REPLICA, asks("replica", null))
                .build();
        admission.refusal(null, 0, 0, null, null);
        assertThat(asked).containsExactly("auth");
        asked.clear();
        admission.refusal(null, ServerShard.HOOK_PERSISTENCE | ServerShard.HOOK_PAUSE, 0, null, null);
        assertThat(asked).containsExactly("auth", "data");
    }

    @Test
    void theFirstRefusalIsTheAnswerAndTheLaterStagesAreNotAsked() {
        Admission admission = Admission.builder()
                .check(Stage.AUTHENTICATION, asks("auth", null))
                .check(Stage.SUBSCRIBED, asks("subscribed", "ERR subscribed"))
                .check(Stage.BUSY_SCRIPT, asks("busy", "BUSY"))
                .build();
        assertThat(admission.refusal(null, ServerShard.HOOK_BUSY_SCRIPT, 0, null, null).getMessage()).isEqualTo("ERR subscribed");
        assertThat(asked).containsExactly("auth", "subscribed");
    }

    @Test
    void inATransactionAQueuedCommandAndOneThatRunsAreAskedTheirOwnStages() {
        Admission admission = Admission.builder()
                .check(Stage.QUEUING, asks("queuing", "ERR no"))
                .check(Stage.IN_TRANSACTION, asks("exec", null))
                .check(Stage.AUTHENTICATION, asks("auth", null))
                .build();
        assertThat(admission.inTransaction(null, true, 0, null, null).getMessage()).isEqualTo("ERR no");
        assertThat(admission.inTransaction(null, false, 0, null, null)).isNull();
        assertThat(asked).containsExactly("queuing", "exec");
    }

    @Test
    void theServersAdmissionHasACheckAtEveryStage() {
        Admission admission = RespCommands.admission();
        for (Stage stage : Stage.values()) {
            assertThat(admission.checksAt(stage)).as("checks at %s", stage).isPositive();
        }
    }
}
