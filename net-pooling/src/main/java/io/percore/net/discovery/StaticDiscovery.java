package io.percore.net.discovery;

import io.percore.net.pool.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A fixed endpoint list, resolved once. */
public final class StaticDiscovery implements EndpointDiscovery {

    private final List<Endpoint> endpoints;

    public StaticDiscovery(List<Endpoint> endpoints) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("Static discovery needs at least one endpoint");
        }
        this.endpoints = List.copyOf(endpoints);
    }

    /** Parses and resolves {@code host:port} strings (blocking DNS: call it off the shards). */
    public static StaticDiscovery of(String... hostAndPorts) {
        return of(List.of(hostAndPorts));
    }

    public static StaticDiscovery of(List<String> hostAndPorts) {
        List<Endpoint> list = new ArrayList<>();
        for (String s : hostAndPorts) {
            list.add(Endpoint.parse(s));
        }
        return new StaticDiscovery(list);
    }

    @Override
    public void start(Consumer<List<Endpoint>> listener) {
        listener.accept(endpoints);
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "static" + endpoints;
    }
}
