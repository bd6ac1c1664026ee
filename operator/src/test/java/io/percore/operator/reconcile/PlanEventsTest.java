package io.percore.operator.reconcile;

import static io.percore.operator.TestResources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator's events: the same one again is counted on the first, as client-go's event correlator does. */
@EnableKubernetesMockClient(crud = true, https = false)
class PlanEventsTest {

    KubernetesClient client;
    private PercoreService service;

    @BeforeEach
    void service() {
        TestResources.installCrd(client);
        service = client.resource(TestResources.service("kv", 2)).create();
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems();
    }

    /**
     * Two reconciles that both read the status from before the first one's write (the informer's copy lags it) each
     * warned "once": the second is now the first event's count of 2 (BackupTest saw two events on a loaded machine).
     */
    @Test
    void theSameEventAgainIsCountedOnTheFirstAndAnotherIsAnEventOfItsOwn() {
        PlanEvents.Recent recent = new PlanEvents.Recent();
        new PlanEvents(client, recent).warning(service, "RestoreFailed", "kv-0 refused the restore");
        new PlanEvents(client, recent).warning(service, "RestoreFailed", "kv-0 refused the restore");
        assertThat(events()).singleElement().satisfies(e -> {
            assertThat(e.getCount()).isEqualTo(2);
            assertThat(e.getReason()).isEqualTo("RestoreFailed");
        });

        new PlanEvents(client, recent).warning(service, "RestoreFailed", "kv-0 refused the restore again, otherwise");
        new PlanEvents(client, recent).normal(service, "RestoreFailed", "kv-0 refused the restore");
        assertThat(events()).hasSize(3);

        // an event gone (they expire) is written anew
        client.v1().events().inNamespace(NAMESPACE).delete();
        new PlanEvents(client, recent).warning(service, "RestoreFailed", "kv-0 refused the restore");
        assertThat(events()).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
    }
}
