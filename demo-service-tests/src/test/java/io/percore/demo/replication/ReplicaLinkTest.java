package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.channel.embedded.EmbeddedChannel;
import io.percore.config.EngineConfig;
import io.percore.engine.Engine;
import io.percore.engine.topology.ShardPlacement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A replica's link on the primary, alone. Its connection can close between a send being scheduled
 * and the close reaching the link ({@code closed()} runs later on the same shard): a send in that gap
 * found no outbound buffer and threw on the shard (seen in ReplicationRestartTest's output).
 */
class ReplicaLinkTest {

    @Test
    void aSendAfterTheConnectionClosedAndBeforeTheLinkHeardOfItDoesNothing() throws Exception {
        EngineConfig config = new EngineConfig();
        config.setShards(1);
        config.setMode(EngineConfig.Mode.OVERPROVISIONED);
        try (Engine engine = Engine.start(config, ShardPlacement.unpinned(1, "test"))) {
            engine.submitTo(0, () -> {
                EmbeddedChannel connection = new EmbeddedChannel();
                connection.close();
                ReplicaLink link = new ReplicaLink(null, new ReplicationBuffer(0), new SyncRequest(7, "127.0.0.1", 6380, true, false, false));
                link.channel(connection);

                assertThatCode(() -> link.continueFrom(1, "8f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c")).doesNotThrowAnyException();
                assertThatCode(() -> link.tick(60_000)).doesNotThrowAnyException();
                return null;
            }).get(30, TimeUnit.SECONDS);
        }
    }
}
