package io.percore.demo.replication;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a {@link PrimaryLink} keeps its phase. In the service it is the replication's role ({@link Replication}: the
 * role of the REPLICAOF that made the link, so a link replaced by a later REPLICAOF or by REPLICAOF NO ONE changes
 * nothing any more); a link run alone keeps its own ({@link #standalone()}).
 */
public interface LinkPhases {

    /** The link's phase now (a link whose role is gone is not connected). */
    LinkPhase get();

    /** The link's thread: the link moved to {@code now}. */
    void set(LinkPhase now);

    /** A phase kept by the link itself, for a link that serves no replication role (its tests). */
    static LinkPhases standalone() {
        AtomicReference<LinkPhase> phase = new AtomicReference<>(LinkPhase.CONNECT);
        return new LinkPhases() {
            @Override
            public LinkPhase get() {
                return phase.get();
            }

            @Override
            public void set(LinkPhase now) {
                phase.set(now);
            }
        };
    }
}
