package io.percore.net.lb;

import java.util.List;

/** Each available endpoint in turn. */
public final class RoundRobinBalancer implements LoadBalancer {

    private int cursor;

    @Override
    public <E extends LbEndpoint> E pick(List<E> endpoints, long keyHash, E exclude) {
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            int idx = (cursor + i) % n;
            E e = endpoints.get(idx);
            if (e != exclude && e.isAvailable()) {
                cursor = idx + 1 == n ? 0 : idx + 1;
                return e;
            }
        }
        return null;
    }
}
