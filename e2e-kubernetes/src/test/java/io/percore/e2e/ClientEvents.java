package io.percore.e2e;

import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.event.Event;
import io.lettuce.core.resource.ClientResources;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The last events of a Lettuce client's event bus (topology changes with the nodes before and after, connections
 * activated and deactivated, redirections and adaptive refreshes), for the message of a client error: whether the
 * client closed a connection itself after a topology change, or the server did, is not in the error's stack.
 */
final class ClientEvents {

    private static final int KEPT = 200;
    private final Deque<String> last = new ArrayDeque<>();
    private final java.util.concurrent.atomic.AtomicInteger topologyChanges = new java.util.concurrent.atomic.AtomicInteger();

    static ClientEvents of(io.lettuce.core.AbstractRedisClient client) {
        ClientEvents events = new ClientEvents();
        ClientResources resources = client.getResources();
        resources.eventBus().get().subscribe(events::record);
        return events;
    }

    private void record(Event e) {
        if (e instanceof ClusterTopologyChangedEvent) {
            topologyChanges.incrementAndGet();
        }
        String text = LocalTime.now() + " " + (e instanceof ClusterTopologyChangedEvent t
                ? "topology " + nodes(t.before()) + " -> " + nodes(t.after())
                : e.toString());
        synchronized (last) {
            last.addLast(text);
            if (last.size() > KEPT) {
                last.removeFirst();
            }
        }
    }

    private static String nodes(List<RedisClusterNode> nodes) {
        return nodes.stream().map(n -> n.getUri().getHost() + ":" + n.getUri().getPort() + "(" + n.getSlots().size() + " slots, epoch "
                + n.getConfigEpoch() + ")").collect(Collectors.joining(", ", "[", "]"));
    }

    /** How many times the client took a new topology since {@link #of}. */
    int topologyChanges() {
        return topologyChanges.get();
    }

    /** The kept events, oldest first, one a line. */
    String last() {
        synchronized (last) {
            return "\n  " + String.join("\n  ", last);
        }
    }
}
