package io.percore.spring.boot.autoconfigure.net;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Meters of things that come and go while the application runs (servers, clients, endpoints),
 * kept per key in every registry they were bound to, so they can be removed again. Meters bound
 * before a registry arrives are replayed into it. Not on any hot path: synchronized.
 */
final class RuntimeMeters<K> {

    private record Registered(MeterRegistry registry, Meter meter) {
    }

    private final List<MeterRegistry> registries = new ArrayList<>();
    private final Map<K, Function<MeterRegistry, List<Meter>>> binders = new LinkedHashMap<>();
    private final Map<K, List<Registered>> registered = new HashMap<>();

    synchronized void bindTo(MeterRegistry registry) {
        if (registries.contains(registry)) {
            return;
        }
        registries.add(registry);
        binders.forEach((key, binder) -> register(key, binder, registry));
    }

    /** Registers the meters {@code binder} makes for {@code key} in every registry, replacing earlier ones of {@code key}. */
    synchronized void add(K key, Function<MeterRegistry, List<Meter>> binder) {
        remove(key);
        binders.put(key, binder);
        for (MeterRegistry registry : registries) {
            register(key, binder, registry);
        }
    }

    synchronized void remove(K key) {
        binders.remove(key);
        List<Registered> meters = registered.remove(key);
        if (meters != null) {
            for (Registered r : meters) {
                r.registry().remove(r.meter());
            }
        }
    }

    synchronized Set<K> keys() {
        return Set.copyOf(binders.keySet());
    }

    synchronized void clear() {
        for (K key : List.copyOf(binders.keySet())) {
            remove(key);
        }
    }

    private void register(K key, Function<MeterRegistry, List<Meter>> binder, MeterRegistry registry) {
        List<Registered> into = registered.computeIfAbsent(key, k -> new ArrayList<>());
        for (Meter meter : binder.apply(registry)) {
            into.add(new Registered(registry, meter));
        }
    }
}
