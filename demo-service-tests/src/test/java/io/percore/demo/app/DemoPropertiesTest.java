package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.PercoreConfig;
import io.percore.config.ServerConfig;
import io.percore.demo.DemoSettings;
import io.percore.demo.server.RespSettings;
import io.percore.demo.DemoService;
import io.percore.spring.boot.autoconfigure.config.InvalidPercoreConfigurationException;
import io.percore.demo.support.TestPorts;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo's servers listen where the starter's {@code percore.servers.resp|http.*} say (one place
 * per setting and default); {@code percore.demo.*} is the demo's own namespace for its limits,
 * validated by {@link DemoProperties} (unknown keys, bad values) while the starter still
 * validates every other {@code percore.*} key.
 */
class DemoPropertiesTest {

    private static SpringApplicationBuilder app() {
        // No management server needed here: the servers and validation are what is checked.
        return new SpringApplicationBuilder(DemoApplication.class).web(WebApplicationType.NONE);
    }

    @Test
    void theStartersServerKeysDriveTheDemosServers() throws IOException {
        int respPort = freePort();
        int httpPort = freePort();
        try (ConfigurableApplicationContext context = app().run("--percore.servers.resp.port=" + respPort,
                "--percore.servers.http.port=" + httpPort, "--percore.servers.resp.idle-timeout=5m",
                "--percore.servers.http.idle-timeout=7s", "--percore.servers.http.max-connections-per-shard=77", "--percore.servers.resp.max-pending-replies=33",
                "--percore.demo.http.max-body-size=1000", "--percore.engine.shards=1")) {
            DemoService service = context.getBean(DemoService.class);
            assertThat(service.respPort()).isEqualTo(respPort);
            assertThat(service.httpPort()).isEqualTo(httpPort);
            PercoreConfig percore = context.getBean(PercoreConfig.class);
            assertThat(percore.getServers().get("resp").getIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
            assertThat(percore.getServers().get("http").getIdleTimeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(percore.getServers().get("resp").getBindAddress()).isEqualTo("127.0.0.1");
            assertThat(percore.getServers().get("http").getMaxConnectionsPerShard()).isEqualTo(77);
            // The demo's own key reaches its server's settings.
            DemoSettings settings = context.getBean(DemoProperties.class).toSettings(percore.getServers().get("resp"),
                    percore.getServers().get("http"));
            assertThat(settings.http().maxBodySize()).isEqualTo(1000);
            assertThat(settings.respPort()).as("the port CONFIG GET reports").isEqualTo(respPort);
            assertThat(percore.getServers().get("resp").getMaxPendingReplies()).isEqualTo(33);
            assertThat(service.respServer().options().maxPendingReplies()).isEqualTo(33);
            assertThat(service.httpServer().options().maxPendingReplies()).as("HTTP keeps the server default").isEqualTo(1024);
        }
    }

    @Test
    void theDemosDefaultsAreWrittenOnceOverTheStartersOwn() {
        // application.yml names only what differs from the starter's ServerConfig defaults.
        ServerConfig starterDefaults = new ServerConfig();
        try (ConfigurableApplicationContext context = app().run("--percore.engine.shards=1",
                "--percore.servers.resp.port=0", "--percore.servers.http.port=0")) {
            PercoreConfig percore = context.getBean(PercoreConfig.class);
            assertThat(percore.getServers().get("resp").getIdleTimeout()).isEqualTo(Duration.ZERO);
            assertThat(percore.getServers().get("http").getIdleTimeout()).isEqualTo(starterDefaults.getIdleTimeout());
            assertThat(percore.getServers().get("resp").getBindAddress()).isEqualTo(starterDefaults.getBindAddress());
            assertThat(percore.getServers().get("resp").getMaxConnectionsPerShard())
                    .isEqualTo(starterDefaults.getMaxConnectionsPerShard());
            // Where the demo listens by default, written once in application.yml (overridden above to run anywhere).
            var yml = context.getEnvironment().getPropertySources().stream()
                    .filter(source -> source.getName().contains("application.yml")).findFirst().orElseThrow();
            assertThat(yml.getProperty("percore.servers.resp.port")).hasToString("6380");
            assertThat(yml.getProperty("percore.servers.http.port")).hasToString("8080");
            assertThat(yml.getProperty("percore.servers.resp.bind-address")).as("the starter's default, not repeated").isNull();
        }
        assertThat(new DemoProperties().getResp().getMaxInlineLength()).isEqualTo(RespSettings.defaults().maxInlineLength());
    }

    @Test
    void aListenerKeyUnderTheDemosNamespaceFailsStartupNamingIt() {
        // percore.demo.resp.port was renamed percore.servers.resp.port: the old spelling must not be ignored.
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.port=7000").close())
                .hasStackTraceContaining("percore.demo.resp.port");
    }

    @Test
    void theOperatorsEnvironmentPutsTheSnapshotAndTheLogOnTheClaim(@org.junit.jupiter.api.io.TempDir java.nio.file.Path claim) {
        // what spec.persistence renders: PERCORE_DATA_DIR (the claim's mount) and PERCORE_PERSISTENCE
        try (ConfigurableApplicationContext context = app().run("--percore.engine.shards=1", "--percore.servers.resp.port=0",
                "--percore.servers.http.port=0", "--PERCORE_DATA_DIR=" + claim, "--PERCORE_PERSISTENCE=snapshot")) {
            DemoService service = context.getBean(DemoService.class);
            assertThat(service.persistence().settings().dir()).isEqualTo(claim);
            assertThat(service.persistence().settings().save().text()).as("Redis's default rules").isEqualTo("3600 1 300 100 60 10000");
        }
        assertThat(claim.resolve("dump.rdb")).as("the final save at shutdown").exists();
        try (ConfigurableApplicationContext context = app().run("--percore.engine.shards=1", "--percore.servers.resp.port=0",
                "--percore.servers.http.port=0", "--PERCORE_DATA_DIR=" + claim, "--PERCORE_PERSISTENCE=snapshot",
                "--percore.demo.persistence.save=")) {
            assertThat(context.getBean(DemoService.class).persistence().settings().save().isEmpty()).as("an explicit save wins").isTrue();
        }
        try (ConfigurableApplicationContext context = app().run("--percore.engine.shards=1", "--percore.servers.resp.port=0",
                "--percore.servers.http.port=0", "--PERCORE_DATA_DIR=" + claim, "--PERCORE_PERSISTENCE=aof")) {
            var settings = context.getBean(DemoService.class).persistence().settings();
            assertThat(settings.aof().enabled()).isTrue();
            assertThat(settings.aof().fsync().text()).isEqualTo("everysec");
            assertThat(settings.save().isEmpty()).as("no snapshots beside the log unless asked").isTrue();
        }
        assertThat(claim.resolve("appendonlydir/appendonly.aof.manifest")).as("the log, on the claim").exists();
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.servers.resp.port=0", "--percore.servers.http.port=0",
                "--PERCORE_DATA_DIR=" + claim, "--PERCORE_PERSISTENCE=aof", "--percore.demo.persistence.appendfsync=sometimes").close())
                .hasStackTraceContaining("field 'persistence.appendfsync': rejected value [sometimes]")
                .hasStackTraceContaining("CONFIG SET appendfsync refuses it: argument(s) must be one of the following: always, everysec, no");
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.persistence.save=60").close())
                .hasStackTraceContaining("field 'persistence.save': rejected value [60]")
                .hasStackTraceContaining("CONFIG SET save refuses it: Invalid save parameters");
    }

    @Test
    void theOperatorsEnvironmentMakesAReplicaWithItsPasswords() {
        try (ConfigurableApplicationContext context = app().run("--percore.engine.shards=1", "--percore.servers.resp.port=0",
                "--percore.servers.http.port=0", "--PERCORE_REPLICAOF=127.0.0.1 1", "--PERCORE_MASTERAUTH=upstream",
                "--PERCORE_REQUIREPASS=secret", "--percore.demo.replication.repl-backlog-size=4MB",
                "--percore.demo.replication.min-replicas-to-write=1")) {
            DemoService service = context.getBean(DemoService.class);
            var settings = service.replication().settings();
            assertThat(service.replication().role().follows("127.0.0.1", 1)).as("a replica of 127.0.0.1:1").isTrue();
            assertThat(service.replication().demotedWithin(java.time.Duration.ofDays(1))).as("started as a replica").isFalse();
            assertThat(settings.masterAuth()).isEqualTo("upstream");
            assertThat(settings.backlogSize()).isEqualTo(4L << 20);
            assertThat(settings.minReplicasToWrite()).isEqualTo(1);
            assertThat(service.servers().fromOutside().invokeOn(0, s -> s.config().requirePass()).join()).isEqualTo("secret");
        }
        try (ConfigurableApplicationContext context = app().run("--percore.engine.shards=1", "--percore.servers.resp.port=0",
                "--percore.servers.http.port=0")) {
            DemoService service = context.getBean(DemoService.class);
            assertThat(service.replication().isReplica()).as("unset: a primary").isFalse();
            assertThat(service.servers().fromOutside().invokeOn(0, s -> s.config().requirePass()).join()).as("no password").isNull();
        }
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.servers.resp.port=0", "--percore.servers.http.port=0",
                "--PERCORE_REPLICAOF=primary-without-port").close())
                .hasStackTraceContaining("percore.demo.replication.replicaof=primary-without-port");
    }

    @Test
    void anUnknownDemoKeyFailsStartup() {
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.prot=7000").close())
                .hasStackTraceContaining("percore.demo.resp.prot");
    }

    @Test
    void aBadDemoValueFailsStartupNamingTheKey() {
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.max-inline-length=0").close())
                .hasStackTraceContaining("Binding validation errors on percore.demo")
                .hasStackTraceContaining("field 'resp.maxInlineLength': rejected value [0]")
                .hasStackTraceContaining("must be greater than or equal to 1");
    }

    /**
     * The keys that are CONFIG parameters are read by the CONFIG table at start, as CONFIG SET reads them:
     * a value it refuses stops the start, naming the key and value, with CONFIG SET's reason.
     */
    @Test
    void aValueConfigSetRefusesStopsTheStartWithItsReason() {
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.maxmemory-samples=65").close())
                .hasStackTraceContaining("Binding validation errors on percore.demo")
                .hasStackTraceContaining("field 'maxmemorySamples': rejected value [65]")
                .hasStackTraceContaining("CONFIG SET maxmemory-samples refuses it: argument must be between 1 and 64 inclusive");
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.max-bulk-length=1000",
                "--percore.demo.persistence.appendfsync=sometimes").close())
                .hasStackTraceContaining("field 'resp.maxBulkLength': rejected value [1000]")
                .hasStackTraceContaining("CONFIG SET proto-max-bulk-len refuses it: argument must be between 1048576 and 2147483647 inclusive")
                .hasStackTraceContaining("field 'persistence.appendfsync': rejected value [sometimes]")
                .hasStackTraceContaining("argument(s) must be one of the following: always, everysec, no");
    }

    /** Issue 27: notify-keyspace-events at start, in Redis's letters; a bad letter stops the start with Redis's error. */
    @Test
    void notifyKeyspaceEventsStartsAsConfigured() throws Exception {
        int respPort = freePort();
        try (ConfigurableApplicationContext context = app().run("--percore.servers.resp.port=" + respPort, "--percore.servers.http.port=0",
                "--percore.engine.shards=2", "--percore.demo.notify-keyspace-events=KEA");
             io.percore.demo.support.RespTestClient c = new io.percore.demo.support.RespTestClient(respPort)) {
            assertThat(c.cmd("CONFIG", "GET", "notify-keyspace-events")).isEqualTo(java.util.List.of("notify-keyspace-events", "AKE"));
        }
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.notify-keyspace-events=KEZ").close())
                .hasStackTraceContaining("field 'notifyKeyspaceEvents': rejected value [KEZ]")
                .hasStackTraceContaining("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    }

    /**
     * Issue 67: users declared in {@code percore.demo.resp.users} (Redis's {@code user} lines) and the ACL
     * parameters, each its CONFIG table row, from the application's configuration; a bad rule or value stops
     * the start with Redis's text.
     */
    @Test
    void usersAndAclParametersStartAsConfigured() throws Exception {
        int respPort = freePort();
        try (ConfigurableApplicationContext context = app().run("--percore.servers.resp.port=" + respPort, "--percore.servers.http.port=0",
                "--percore.engine.shards=2", "--percore.demo.resp.users[0]=app on >\"se cret\" ~app:* +@all -@dangerous",
                "--percore.demo.resp.users[1]=default on >admin ~* &* +@all", "--percore.demo.resp.acllog-max-len=5",
                "--percore.demo.resp.acl-pubsub-default=allchannels");
             io.percore.demo.support.RespTestClient c = new io.percore.demo.support.RespTestClient(respPort)) {
            assertThat(c.cmd("PING")).isEqualTo(new io.percore.demo.support.RespTestClient.Err("NOAUTH Authentication required."));
            assertThat(c.cmd("AUTH", "app", "se cret")).isEqualTo("OK");
            assertThat(c.cmd("ACL", "WHOAMI")).isEqualTo("app");
            assertThat(c.cmd("AUTH", "admin")).isEqualTo("OK");
            assertThat(c.cmd("ACL", "LIST")).isEqualTo(java.util.List.of(
                    "user app on #" + sha256("se cret") + " ~app:* &* +@all -@dangerous",
                    "user default on sanitize-payload #" + sha256("admin") + " ~* &* +@all")); // declared again: reset first, as Redis
            assertThat(c.cmd("CONFIG", "GET", "acllog-max-len")).isEqualTo(java.util.List.of("acllog-max-len", "5"));
            assertThat(c.cmd("CONFIG", "GET", "acl-pubsub-default")).isEqualTo(java.util.List.of("acl-pubsub-default", "allchannels"));
            assertThat(c.cmd("CONFIG", "GET", "aclfile")).isEqualTo(java.util.List.of("aclfile", ""));
        }
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.users[0]=app on +nosuch").close())
                .hasStackTraceContaining("Error loading ACL rule '+nosuch' for the user named 'app': Unknown command or category name in ACL");
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.users[0]=app on \"unbalanced").close())
                .hasStackTraceContaining("percore.demo.resp.users[0]: unbalanced quotes");
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.users[0]=app on",
                "--percore.demo.resp.aclfile=users.acl").close())
                .hasStackTraceContaining("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid");
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.acl-pubsub-default=some").close())
                .hasStackTraceContaining("field 'resp.aclPubsubDefault': rejected value [some]")
                .hasStackTraceContaining("CONFIG SET acl-pubsub-default refuses it: argument(s) must be one of the following: allchannels, resetchannels");
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.acllog-max-len=-1").close())
                .hasStackTraceContaining("CONFIG SET acllog-max-len refuses it: argument must be between 0 and 9223372036854775807 inclusive");
    }

    private static String sha256(String password) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(password.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Issue 68: Redis's {@code databases} at start ({@code percore.demo.resp.databases}), read with Redis's bounds and
     * error; the service has that many (SELECT of the last works, past it Redis's error), and CONFIG GET says so.
     */
    @Test
    void databasesStartsAsConfiguredWithinRedisBounds() throws Exception {
        int respPort = freePort();
        try (ConfigurableApplicationContext context = app().run("--percore.servers.resp.port=" + respPort, "--percore.servers.http.port=0",
                "--percore.engine.shards=2", "--percore.demo.resp.databases=4");
             io.percore.demo.support.RespTestClient c = new io.percore.demo.support.RespTestClient(respPort)) {
            assertThat(c.cmd("CONFIG", "GET", "databases")).isEqualTo(java.util.List.of("databases", "4"));
            assertThat(c.cmd("SELECT", "3")).isEqualTo("OK");
            assertThat(c.cmd("SELECT", "4")).isEqualTo(new io.percore.demo.support.RespTestClient.Err("ERR DB index is out of range"));
        }
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.resp.databases=0").close())
                .hasStackTraceContaining("field 'resp.databases': rejected value [0]")
                .hasStackTraceContaining("CONFIG SET databases refuses it: argument must be between 1 and 2147483647 inclusive");
    }

    /** Issue 12, row 10: a duration too long to mean anything is refused, naming the key, value and bound. */
    @Test
    void httpReadTimeoutsAreBounded() {
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.http.request-header-timeout=106752d").close())
                .hasStackTraceContaining("field 'http.requestHeaderTimeout': rejected value [PT2562048H]")
                .hasStackTraceContaining("must be shorter than or equal to 1 hour");
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.demo.http.body-read-timeout=0s").close())
                .hasStackTraceContaining("field 'http.bodyReadTimeout': rejected value [PT0S]")
                .hasStackTraceContaining("must be longer than or equal to 1 milli");
    }

    @Test
    void aBadPendingReplyLimitIsCaughtAsTheServerKeyItFeeds() {
        // The reply limit is the starter's server key (one place), checked against the schema.
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.servers.resp.max-pending-replies=0").close())
                .satisfies(e -> assertThat(invalidConfiguration(e).errors())
                        .anySatisfy(error -> {
                            assertThat(error.path()).isEqualTo("percore.servers.resp.max-pending-replies");
                            assertThat(error.value()).isEqualTo("0");
                        }));
    }

    @Test
    void theStarterStillRejectsMisspelledPercoreKeys() {
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.engin.mode=pinned").close())
                .satisfies(e -> assertThat(invalidConfiguration(e).errors())
                        .anySatisfy(error -> assertThat(error.path()).isEqualTo("percore.engin")));
    }

    @Test
    void aServerPortOutOfRangeIsCaughtBeforeAnyShardStarts() {
        // percore.servers.resp.port is the starter's: checked against the schema first.
        assertThatThrownBy(() -> app().run("--percore.engine.shards=1", "--percore.servers.resp.port=70000").close())
                .satisfies(e -> assertThat(invalidConfiguration(e).errors())
                        .anySatisfy(error -> {
                            assertThat(error.path()).isEqualTo("percore.servers.resp.port");
                            assertThat(error.value()).isEqualTo("70000");
                        }));
    }

    private static InvalidPercoreConfigurationException invalidConfiguration(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidPercoreConfigurationException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("no InvalidPercoreConfigurationException in " + failure, failure);
    }

    private static int freePort() throws IOException {
        return TestPorts.free();
    }
}
