package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import io.percore.config.PercoreConfig;
import io.percore.config.SchedulingGroupConfig;
import io.percore.config.ServerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which changes a running application takes, as the schema's x-live says; the starter and the operator both sort by it. */
class LiveSettingsTest {

    private static Map<String, Object> tree(PercoreConfig config) {
        return ModelTree.of(config);
    }

    private static PercoreConfig base() {
        PercoreConfig c = new PercoreConfig();
        c.getEngine().setSchedulingGroups(List.of(new SchedulingGroupConfig("default", 1000), new SchedulingGroupConfig("batch", 100)));
        c.getServers().put("api", new ServerConfig());
        return c;
    }

    @Test
    void liveAndRestartOnlyChangesAreSortedByTheSchema() {
        PercoreConfig next = base();
        next.getEngine().setStallThreshold(Duration.ofMillis(50));
        next.getEngine().setTaskQuota(Duration.ofMillis(1));
        next.getEngine().getSchedulingGroups().get(1).setShares(300);
        next.getEngine().setShards(4);
        next.getEngine().setCpus("0-3");
        next.getServers().get("api").setMaxConnectionsPerShard(5);
        next.getServers().get("api").setIdleTimeout(Duration.ofSeconds(5));
        next.getServers().get("api").setPort(7001);
        next.getServers().get("api").getSsl().setHandshakeTimeout(Duration.ofSeconds(2));

        LiveSettings.Changes changes = LiveSettings.between(tree(base()), tree(next));
        assertThat(changes.live()).containsExactly("percore.engine.scheduling-groups[1].shares", "percore.engine.stall-threshold",
                "percore.engine.task-quota", "percore.servers.api.idle-timeout", "percore.servers.api.max-connections-per-shard",
                "percore.servers.api.ssl.handshake-timeout");
        assertThat(changes.restart()).containsExactly("percore.engine.cpus", "percore.engine.shards", "percore.servers.api.port");
        assertThat(changes.needsRestart()).isTrue();
    }

    @Test
    void entriesAddedOrRemovedNeedARestartWhateverTheyHold() {
        PercoreConfig next = base();
        next.getServers().put("admin", new ServerConfig());
        next.getEngine().setSchedulingGroups(List.of(new SchedulingGroupConfig("default", 1000)));
        LiveSettings.Changes changes = LiveSettings.between(tree(base()), tree(next));
        assertThat(changes.restart()).containsExactly("percore.engine.scheduling-groups", "percore.servers.admin");
        assertThat(changes.live()).isEmpty();

        PercoreConfig renamed = base();
        renamed.getEngine().getSchedulingGroups().get(1).setName("bulk");
        assertThat(LiveSettings.between(tree(base()), tree(renamed)).restart()).containsExactly("percore.engine.scheduling-groups[1].name");
    }

    @Test
    void aKeyWrittenOnOneSideOnlyStandsForItsDefault() {
        Map<String, Object> before = Map.of("engine", Map.of("task-quota", "500us"));
        Map<String, Object> after = Map.of("engine", Map.of("stall-threshold", "50ms"), "clients", Map.of());
        LiveSettings.Changes changes = LiveSettings.between(before, after);
        assertThat(changes.live()).containsExactly("percore.engine.stall-threshold", "percore.engine.task-quota");
        assertThat(changes.restart()).isEmpty();
        assertThat(LiveSettings.between(Map.of("engine", Map.of("shards", 2)), Map.of("engine", Map.of("shards", 2L))).isEmpty())
                .as("numbers compare by value").isTrue();
    }

    @Test
    void withoutLiveLeavesWhatARestartIsFor() {
        Map<String, Object> a = Map.of("engine", Map.of("shards", 2, "stall-threshold", "25ms"),
                "servers", Map.of("api", Map.of("port", 7000, "max-connections-per-shard", 10)));
        Map<String, Object> b = Map.of("engine", Map.of("shards", 2, "stall-threshold", "90ms"),
                "servers", Map.of("api", Map.of("port", 7000, "max-connections-per-shard", 99)));
        assertThat(LiveSettings.withoutLive(a)).isEqualTo(LiveSettings.withoutLive(b))
                .isEqualTo(Map.of("engine", Map.of("shards", 2), "servers", Map.of("api", Map.of("port", 7000))));
        assertThat(LiveSettings.withoutLive(Map.of("engine", Map.of("shards", 3)))).isNotEqualTo(LiveSettings.withoutLive(a));
    }

    @Test
    void mergeLiveTakesTheLiveValuesAndKeepsTheRest() {
        PercoreConfig next = base();
        next.getEngine().setStallThreshold(Duration.ofMillis(70));
        next.getEngine().setShards(8);
        next.getEngine().getSchedulingGroups().get(1).setShares(9);
        next.getServers().get("api").setMaxPendingReplies(7);
        next.getServers().get("api").setBindAddress("0.0.0.0");
        Map<String, Object> merged = LiveSettings.mergeLive(tree(base()), tree(next));
        LiveSettings.Changes taken = LiveSettings.between(tree(base()), merged);
        assertThat(taken.live()).containsExactly("percore.engine.scheduling-groups[1].shares", "percore.engine.stall-threshold",
                "percore.servers.api.max-pending-replies");
        assertThat(taken.restart()).isEmpty();
        assertThat(LiveSettings.between(merged, tree(next)).restart()).containsExactly("percore.engine.shards", "percore.servers.api.bind-address");
    }

    @Test
    void isLiveNamesSettingsByTheirPropertyPath() {
        assertThat(LiveSettings.isLive("percore.engine.stall-threshold")).isTrue();
        assertThat(LiveSettings.isLive("percore.engine.scheduling-groups[3].shares")).isTrue();
        assertThat(LiveSettings.isLive("percore.clients.cache.max-connections")).isTrue();
        assertThat(LiveSettings.isLive("percore.engine.shards")).isFalse();
        assertThat(LiveSettings.isLive("percore.servers.api.ssl.bundle")).isFalse();
        assertThat(LiveSettings.isLive("logging.level.root")).isFalse();
    }

    @Test
    void engineSettingsTellWhatANewerVersionChanges() {
        ConfigValidator validator = ConfigValidator.shared();
        EngineConfig a = new EngineConfig();
        EngineConfig b = new EngineConfig();
        b.setStallThreshold(Duration.ofMillis(40));
        b.setRingCapacity(2048);
        LiveSettings.Changes changes = validator.validatedEngine(a).changesTo(validator.validatedEngine(b));
        assertThat(changes.live()).containsExactly("percore.engine.stall-threshold");
        assertThat(changes.restart()).containsExactly("percore.engine.ring-capacity");
    }
}
