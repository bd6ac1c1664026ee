package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PodProbesTest {

    private static final PodAuth AUTH = new PodAuth(null, "pw", null);

    /**
     * Each pod's answer waits until every pod was asked: asked one after another, the first would wait alone and fail, so
     * the three answers prove the asks ran at once; a refused port and a silent pod are answers too.
     */
    @Test
    void everyPodIsAskedAtOnceAndRefusedOrSilentPodsAreAnswers() {
        CountDownLatch allAsked = new CountDownLatch(5);
        PodReplicationProbe probe = new PodReplicationProbe() {
            @Override
            public Observed info(HostPort pod, PodAuth auth) throws IOException {
                allAsked.countDown();
                try {
                    if (!allAsked.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("asked alone: the others were not asked meanwhile");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                return switch (pod.host()) {
                    case "refusing" -> throw new java.net.ConnectException("Connection refused");
                    case "silent" -> throw new java.net.SocketTimeoutException("Read timed out");
                    default -> Observed.master(Integer.parseInt(pod.host().substring(pod.host().length() - 1)) * 100L);
                };
            }
        };
        Map<String, HostPort> pods = new LinkedHashMap<>();
        pods.put("kv-0", new HostPort("pod-0", 6380));
        pods.put("kv-1", new HostPort("pod-1", 6380));
        pods.put("kv-2", new HostPort("pod-2", 6380));
        pods.put("kv-3", new HostPort("refusing", 6380));
        pods.put("kv-4", new HostPort("silent", 6380));

        Map<String, PodProbes.Answer> answers = PodProbes.ask(probe, pods, AUTH, "ns");

        assertThat(answers.keySet()).containsExactly("kv-0", "kv-1", "kv-2", "kv-3", "kv-4");
        assertThat(answers.get("kv-0").observed().offset()).isZero();
        assertThat(answers.get("kv-2").observed().offset()).isEqualTo(200);
        assertThat(answers.get("kv-3")).isEqualTo(new PodProbes.Answer(null, true));
        assertThat(answers.get("kv-4")).isEqualTo(new PodProbes.Answer(null, false));
    }

    @Test
    void aFailureThatIsNoPodsAnswerFailsTheLookAsBefore() {
        PodReplicationProbe probe = new PodReplicationProbe() {
            @Override
            public Observed info(HostPort pod, PodAuth auth) {
                throw new IllegalStateException("a defect, not a pod's silence");
            }
        };
        assertThatThrownBy(() -> PodProbes.ask(probe, Map.of("kv-0", new HostPort("pod-0", 6380)), AUTH, "ns"))
                .isInstanceOf(IllegalStateException.class).hasMessage("a defect, not a pod's silence");
    }
}
