package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.User;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Secrets a PercoreService reads, watched: a change of a {@code spec.users} Secret (a password rotated, a rule
 * changed), of {@code spec.auth}'s, or of one the operator made (edited or deleted by hand) reconciles the services that
 * name or own it at once. Every Secret of the watched namespaces passes through the informer (RBAC cannot narrow a watch
 * to names users choose), but its cache keeps each one's identity only ({@link MetadataOnlyStore}): the operator holds no
 * Secret's data between reconciles, and reads the few it needs fresh when it reconciles.
 */
final class UserSecrets {

    static final String NAME = "secrets";

    private UserSecrets() {
    }

    static InformerEventSource<Secret, PercoreService> eventSource(EventSourceContext<PercoreService> context) {
        var owners = Mappers.<Secret>fromOwnerReferences(PercoreService.class);
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, PercoreService.class)
                        .withName(NAME)
                        .withItemStore(new MetadataOnlyStore())
                        // the data is not kept, so an update says only that something changed: the resource version
                        .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getResourceVersion(),
                                before.getMetadata().getResourceVersion()))
                        .withSecondaryToPrimaryMapper(secret -> {
                            Set<ResourceID> services = new HashSet<>(owners.toPrimaryResourceIDs(secret));
                            context.getPrimaryCache().list(s -> reads(s, secret)).map(ResourceID::fromResource).forEach(services::add);
                            return services;
                        })
                        .build(),
                context);
    }

    /** Whether {@code s} reads {@code secret}: a {@code spec.users} entry or {@code spec.auth} names it. */
    static boolean reads(PercoreService s, Secret secret) {
        if (s.getSpec() == null || !Objects.equals(s.getMetadata().getNamespace(), secret.getMetadata().getNamespace())) {
            return false;
        }
        String name = secret.getMetadata().getName();
        return s.getSpec().usersOrEmpty().stream().map(User::getSecretName).anyMatch(name::equals)
                || name.equals(PodPassword.secretName(s));
    }

    /** An informer's store that keeps a Secret's identity and resource version, never its data. */
    static final class MetadataOnlyStore implements ItemStore<Secret> {

        private final BasicItemStore<Secret> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

        static Secret strip(Secret secret) {
            var meta = secret.getMetadata();
            return new SecretBuilder().withNewMetadata().withName(meta.getName()).withNamespace(meta.getNamespace())
                    .withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion()).withLabels(meta.getLabels())
                    .withOwnerReferences(meta.getOwnerReferences()).endMetadata().build();
        }

        @Override
        public String getKey(Secret secret) {
            return store.getKey(secret);
        }

        @Override
        public Secret put(String key, Secret secret) {
            return store.put(key, strip(secret));
        }

        @Override
        public Secret remove(String key) {
            return store.remove(key);
        }

        @Override
        public Stream<String> keySet() {
            return store.keySet();
        }

        @Override
        public Stream<Secret> values() {
            return store.values();
        }

        @Override
        public int size() {
            return store.size();
        }

        @Override
        public Secret get(String key) {
            return store.get(key);
        }
    }
}
