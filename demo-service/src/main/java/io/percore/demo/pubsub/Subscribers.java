package io.percore.demo.pubsub;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The subscribers of one channel or pattern on a shard, in subscription order, with the array a
 * delivery walks kept between changes: a publish to 100 subscribers neither copies the set nor
 * allocates (subscriptions change far less often than messages arrive). The array handed out is never
 * changed afterwards, so a subscriber that leaves during a delivery (closed for its output limit) does
 * not disturb the walk. Shard-confined.
 */
final class Subscribers {

    private static final Subscriber[] NONE = new Subscriber[0];

    private final Set<Subscriber> set = new LinkedHashSet<>();
    /** The set as an array, or null after a change until the next delivery asks for it. */
    private Subscriber[] all = NONE;

    boolean add(Subscriber subscriber) {
        if (!set.add(subscriber)) {
            return false;
        }
        all = null;
        return true;
    }

    boolean remove(Subscriber subscriber) {
        if (!set.remove(subscriber)) {
            return false;
        }
        all = null;
        return true;
    }

    boolean isEmpty() {
        return set.isEmpty();
    }

    int size() {
        return set.size();
    }

    /** Every subscriber, in subscription order: not to be modified. */
    Subscriber[] all() {
        Subscriber[] a = all;
        if (a == null) {
            a = set.toArray(NONE);
            all = a;
        }
        return a;
    }
}
