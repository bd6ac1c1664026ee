package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.percore.operator.crd.PercoreService;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a PercoreService (core/v1), for {@code kubectl describe}. Best effort. The same event again (same
 * object, type, reason and message) within {@link Recent#WINDOW} is counted on the first one (its {@code count} and
 * {@code lastTimestamp}, as client-go's event correlator does: "x2 over 40s") rather than written anew: two reconciles
 * that both read a status from before the first one's write (the informer's copy lags it) each warned once, and every
 * "once" became twice (BackupTest on a loaded CI machine).
 */
public final class PlanEvents {

    public static final String COMPONENT = "percore-operator";

    private static final Logger LOG = LoggerFactory.getLogger(PlanEvents.class);

    private final KubernetesClient client;
    private final Recent recent;

    /** The events an operator wrote lately, shared by its reconciles: which to count on instead of writing again. */
    public static final class Recent {
        static final Duration WINDOW = Duration.ofMinutes(10);
        private static final int MAX = 1024;

        private record Written(String name, int count, Instant at) {
        }

        private final Map<String, Written> byKey = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
                return size() > MAX;
            }
        };

        synchronized Written get(String key, Instant now) {
            Written w = byKey.get(key);
            return w == null || w.at().plus(WINDOW).isBefore(now) ? null : w;
        }

        synchronized void put(String key, Written w) {
            byKey.put(key, w);
        }
    }

    public PlanEvents(KubernetesClient client) {
        this(client, new Recent());
    }

    public PlanEvents(KubernetesClient client, Recent recent) {
        this.client = client;
        this.recent = recent;
    }

    public void normal(PercoreService service, String reason, String message) {
        emit(service, "Normal", reason, message);
    }

    public void warning(PercoreService service, String reason, String message) {
        emit(service, "Warning", reason, message);
    }

    private void emit(PercoreService service, String type, String reason, String message) {
        Instant at = Instant.now();
        String now = at.truncatedTo(ChronoUnit.SECONDS).toString();
        String name = service.getMetadata().getName();
        String namespace = service.getMetadata().getNamespace();
        String text = message.length() > 1000 ? message.substring(0, 997) + "..." : message;
        String key = service.getMetadata().getUid() + "\n" + namespace + "/" + name + "\n" + type + "\n" + reason + "\n" + text;
        Recent.Written seen = recent.get(key, at);
        if (seen != null) {
            try {
                client.v1().events().inNamespace(namespace).withName(seen.name()).patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"count\":" + (seen.count() + 1) + ",\"lastTimestamp\":\"" + now + "\"}");
                recent.put(key, new Recent.Written(seen.name(), seen.count() + 1, at));
                return;
            } catch (KubernetesClientException e) {
                // gone (events expire) or refused: written anew below
            }
        }
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(name + "." + Long.toHexString(System.currentTimeMillis()) + Long.toHexString(System.nanoTime() & 0xffff))
                .withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(service.getApiVersion()).withKind(service.getKind())
                        .withName(name).withNamespace(namespace).withUid(service.getMetadata().getUid())
                        .withResourceVersion(service.getMetadata().getResourceVersion()).build())
                .withType(type).withReason(reason)
                .withMessage(text)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
            recent.put(key, new Recent.Written(event.getMetadata().getName(), 1, at));
        } catch (KubernetesClientException e) {
            // An event that cannot be written must never fail a reconcile.
            LOG.warn("cannot record event {} on {}/{}: {}", reason, namespace, name, e.getMessage());
        }
    }
}
