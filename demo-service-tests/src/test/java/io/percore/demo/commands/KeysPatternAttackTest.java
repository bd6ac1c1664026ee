package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, row 2: a crafted glob pattern over a long key kept a shard busy for seconds to forever,
 * starving every client of that shard. The server must answer it at once and keep serving.
 */
class KeysPatternAttackTest {

    private TestServices services;

    @BeforeEach
    void start() {
        services = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterEach
    void stop() {
        services.close();
    }

    @Test
    void hostilePatternsAnswerPromptlyAndTheShardKeepsServing() throws Exception {
        try (RespTestClient attacker = new RespTestClient(services.respPort());
                RespTestClient bystander = new RespTestClient(services.respPort())) {
            String key100 = "a".repeat(100);
            assertThat(attacker.cmd("SET", key100, "v")).isEqualTo("OK");
            assertThat(attacker.cmd("SET", "a".repeat(50), "v")).isEqualTo("OK");
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                assertThat(attacker.cmd("KEYS", "*a*a*a*a*a*a*a*a*b")).isEqualTo(List.of());
                assertThat(attacker.cmd("KEYS", "*a*a*a*a*a*a*a*a*a*a*a*a*a*b")).isEqualTo(List.of());
                String cursor = "0";
                do {
                    List<?> page = (List<?>) attacker.cmd("SCAN", cursor, "MATCH", "*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
                    assertThat((List<?>) page.get(1)).isEmpty();
                    cursor = (String) page.get(0);
                } while (!cursor.equals("0"));
                assertThat(bystander.cmd("GET", key100)).isEqualTo("v");
            });
        }
    }
}
