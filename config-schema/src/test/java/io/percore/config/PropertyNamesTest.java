package io.percore.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PropertyNamesTest {

    @ParameterizedTest
    @CsvSource({"taskQuota, task-quota", "task_quota, task-quota", "TASK_QUOTA, task-quota", "task-quota, task-quota",
        "maxConnectionsPerShard, max-connections-per-shard", "shards, shards", "ipv6Address, ipv6-address"})
    void kebabCase(String in, String out) {
        assertThat(PropertyNames.kebabCase(in)).isEqualTo(out);
    }

    @org.junit.jupiter.api.Test
    void enumValues() {
        assertThat(PropertyNames.enumValue(EngineConfig.Transport.IO_URING)).isEqualTo("io-uring");
        assertThat(PropertyNames.enumValue(ClientPoolConfig.LoadBalancer.PEAK_EWMA)).isEqualTo("peak-ewma");
    }
}
