package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.percore.operator.crd.PercoreService;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on a PercoreService (core/v1), for {@code kubectl describe}. Best effort. */
public final class PlanEvents {

    public static final String COMPONENT = "percore-operator";

    private static final Logger LOG = LoggerFactory.getLogger(PlanEvents.class);

    private final KubernetesClient client;

    public PlanEvents(KubernetesClient client) {
        this.client = client;
    }

    public void normal(PercoreService service, String reason, String message) {
        emit(service, "Normal", reason, message);
    }

    public void warning(PercoreService service, String reason, String message) {
        emit(service, "Warning", reason, message);
    }

    private void emit(PercoreService service, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String name = service.getMetadata().getName();
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(name + "." + Long.toHexString(System.currentTimeMillis()) + Long.toHexString(System.nanoTime() & 0xffff))
                .withNamespace(service.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(service.getApiVersion()).withKind(service.getKind())
                        .withName(name).withNamespace(service.getMetadata().getNamespace()).withUid(service.getMetadata().getUid())
                        .withResourceVersion(service.getMetadata().getResourceVersion()).build())
                .withType(type).withReason(reason)
                .withMessage(message.length() > 1000 ? message.substring(0, 997) + "..." : message)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(service.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            // An event that cannot be written must never fail a reconcile.
            LOG.warn("cannot record event {} on {}/{}: {}", reason, service.getMetadata().getNamespace(), name, e.getMessage());
        }
    }
}
