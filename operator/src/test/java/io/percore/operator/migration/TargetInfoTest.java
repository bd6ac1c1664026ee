package io.percore.operator.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the operator reads of the service's pod beyond Redis's fields. */
class TargetInfoTest {

    @Test
    void aFailingLinkIsReadFromTheServicesInfoReplication() {
        String info = "# Replication\r\nrole:slave\r\nmaster_host:10.0.0.9\r\nmaster_port:6379\r\nmaster_link_status:down\r\n"
                + "master_link_down_since_seconds:-1\r\n"
                + "master_link_last_error:the primary's snapshot cannot be loaded here: keys of database 3: this server has one database, 0\r\n"
                + "master_link_last_error_since:1795000000\r\nmaster_link_failed_attempts:37\r\nslave_priority:100\r\n";
        MigrationPlanner.LinkFailure f = TargetInfo.linkFailure(InfoFields.of(info));
        assertThat(f.reason()).isEqualTo("the primary's snapshot cannot be loaded here: keys of database 3: this server has one database, 0");
        assertThat(f.since()).isEqualTo(Instant.ofEpochSecond(1795000000L));
        assertThat(f.attempts()).isEqualTo(37);
    }

    @Test
    void noFailureWhenTheTriesDoNotFailOrTheServerHasNoSuchFields() {
        assertThat(TargetInfo.linkFailure(InfoFields.of("role:slave\r\nmaster_link_status:up\r\n"))).as("redis-server, or up").isNull();
        assertThat(TargetInfo.linkFailure(InfoFields.of("master_link_last_error:x\r\nmaster_link_failed_attempts:0\r\n"))).isNull();
        MigrationPlanner.LinkFailure noSince = TargetInfo.linkFailure(InfoFields.of("master_link_last_error:x\r\nmaster_link_failed_attempts:2\r\n"));
        assertThat(noSince.since()).isNull();
        assertThat(noSince.attempts()).isEqualTo(2);
    }

    @Test
    void configGetDatabasesIsAPositiveNumberOrNothing() {
        assertThat(TargetInfo.configValue(List.of("databases", "16"))).isEqualTo(16);
        assertThat(TargetInfo.configValue(List.of("databases", "1"))).isEqualTo(1);
        assertThat(TargetInfo.configValue(List.of())).as("an unknown parameter").isNull();
        assertThat(TargetInfo.configValue(List.of("databases", "0"))).isNull();
        assertThat(TargetInfo.configValue(List.of("databases", "lots"))).isNull();
        assertThat(TargetInfo.configValue("OK")).isNull();
        assertThat(TargetInfo.configValue(null)).isNull();
    }
}
