package io.percore.demo.admin;

import static io.percore.demo.admin.ConfigType.invalid;

import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.server.ConfigValues;
import java.util.List;
import java.util.function.Function;

/**
 * The CONFIG table's rows for the server and its clients (Redis's {@code server.c} and {@code networking.c}
 * ones): the password, the client limits, the slow log, notifications, scripts' busy threshold, what the
 * listeners are (fixed here), and Redis's hidden debugging knobs.
 */
final class ServerParameters {

    private ServerParameters() {
    }

    static List<ConfigParameter<?>> rows() {
        return List.of(
                ConfigParameter.live("requirepass", ConfigType.text("password; empty: none"), v -> v.requirePass() == null ? "" : v.requirePass(),
                        (n, value) -> {
                            n.requirePass = value.isEmpty() ? null : value;
                            n.httpPassword = n.requirePass;
                        }).markSensitive().setBy("resp.requirepass").appliedBy(ConfigApply.PASSWORD),
                ConfigParameter.live("maxclients", ConfigType.unsigned(1, 0xFFFFFFFFL), v -> Long.toString(v.maxClients()), (n, clients) -> {
                    if (clients > n.from().maxClientsLimit()) {
                        throw invalid("this server's listeners take at most " + n.from().maxClientsLimit()
                                + " clients (percore.servers.resp.max-connections-per-shard x shards)");
                    }
                    n.maxClients = clients;
                }).defaultIs("what the listeners take: percore.servers.resp.max-connections-per-shard x shards"),
                ConfigParameter.live("timeout", ConfigType.signed(0, Integer.MAX_VALUE), v -> Long.toString(v.timeout()),
                        (n, seconds) -> n.timeout = seconds).defaultIs("percore.servers.resp.idle-timeout, in seconds (0)"),
                // Redis's bounds are 1mb..LLONG_MAX; this server's decoder holds a bulk in one array, so 2 GB - 1 at most
                ConfigParameter.live("proto-max-bulk-len", ConfigType.memory(1024 * 1024, Integer.MAX_VALUE), v -> Long.toString(v.protoMaxBulkLen()),
                        (n, length) -> n.protoMaxBulkLen = length).setBy("resp.max-bulk-length").appliedBy(ConfigApply.STRING_LENGTH),
                ConfigParameter.live("protected-mode", ConfigType.YES_NO, v -> yesNo(v.protectedMode()), (n, on) -> n.protectedMode = on)
                        .setBy("protected-mode"),
                ConfigParameter.live("slowlog-log-slower-than", ConfigType.signed(-1, Long.MAX_VALUE), v -> Long.toString(v.slowlogSlowerThan()),
                        (n, micros) -> n.slowlogSlowerThan = micros).appliedBy(ConfigApply.SLOW_LOG),
                ConfigParameter.live("slowlog-max-len", ConfigType.unsigned(0, Long.MAX_VALUE), v -> Long.toString(v.slowlogMaxLen()),
                        (n, entries) -> n.slowlogMaxLen = entries).appliedBy(ConfigApply.SLOW_LOG),
                ConfigParameter.live("notify-keyspace-events", ConfigType.of("Redis's event letters (K E g $ l s h z x e t m d n A)",
                                ServerParameters::eventClasses), v -> KeyspaceEvents.format(v.notifyKeyspaceEvents()),
                        (n, classes) -> n.notifyKeyspaceEvents = classes).setBy("notify-keyspace-events")
                        .appliedBy(ConfigApply.KEYSPACE_EVENTS),
                ConfigParameter.live("busy-reply-threshold", ConfigType.signed(0, Long.MAX_VALUE), v -> Long.toString(v.busyReplyThreshold()),
                        (n, millis) -> n.busyReplyThreshold = millis).alias("lua-time-limit"),
                // what is fixed here: the current value is accepted (nothing changes), another is refused
                ConfigParameter.fixed("port", ConfigType.signed(0, 65535), v -> Integer.toString(v.port()),
                        "the RESP listener's port is percore.servers.resp.port and cannot change while it runs")
                        .defaultIs("percore.servers.resp.port"),
                ConfigParameter.fixed("bind", ConfigType.text("address"), ConfigValues::bind,
                        "the RESP listener's address is percore.servers.resp.bind-address and cannot change while it runs")
                        .defaultIs("percore.servers.resp.bind-address"),
                // TLS: the starter's percore.servers.resp.ssl.* and its SSL bundle, which also renews the certificate without a restart
                tls("tls-port", "port", v -> Integer.toString(v.tls().tlsPort())),
                tls("tls-auth-clients", "yes / no / optional", v -> v.tls().authClients()),
                tls("tls-protocols", "protocol names", v -> v.tls().protocols()),
                tls("tls-ciphers", "cipher list", v -> v.tls().ciphers()),
                tls("tls-ciphersuites", "cipher suites", v -> v.tls().ciphersuites()),
                ConfigParameter.atStart("databases", ConfigType.signed(1, Integer.MAX_VALUE), v -> Integer.toString(v.databases()),
                        (n, count) -> n.thresholds.put("databases", count)).setBy("resp.databases"),
                // Redis 7's protected command DEBUG: who may run it, at start only (no, yes, local: from 127.0.0.1 or ::1)
                ConfigParameter.kept(DebugCommands.ENABLE_DEBUG_COMMAND, ConfigType.oneOf("no, yes, local", DebugCommands.Allowed::named),
                        ConfigParameter.Change.IMMUTABLE, "no", DebugCommands.Allowed::text).setBy("resp.enable-debug-command"),
                ConfigParameter.unchangeable("daemonize", "yes / no", ConfigParameter.Change.IMMUTABLE, v -> "no"),
                // Redis's cluster-enabled: fixed at start (percore.demo.cluster.enabled), read from the service's cluster state
                ConfigParameter.unchangeable("cluster-enabled", "yes / no", ConfigParameter.Change.IMMUTABLE, v -> "no")
                        .readFrom(server -> server.cluster().enabled() ? "yes" : "no").defaultIs("percore.demo.cluster.enabled (no)"),
                // Redis's hidden configs (debugging knobs its tests set): kept and reported, they change nothing here
                hidden("rdb-key-save-delay", Integer.MIN_VALUE, Integer.MAX_VALUE),
                hidden("key-load-delay", Integer.MIN_VALUE, Integer.MAX_VALUE),
                hidden("watchdog-period", 0, Integer.MAX_VALUE),
                hidden("loading-process-events-interval-bytes", 1024, Integer.MAX_VALUE),
                ConfigParameter.live("use-exit-on-panic", ConfigType.YES_NO, v -> yesNo(v.thresholds().get("use-exit-on-panic") != 0),
                        (n, on) -> n.thresholds.put("use-exit-on-panic", on ? 1L : 0L)).markHidden());
    }

    static String yesNo(boolean on) {
        return on ? "yes" : "no";
    }

    private static int eventClasses(String letters) {
        int classes = KeyspaceEvents.parse(letters);
        if (classes < 0) {
            throw invalid(KeyspaceEvents.INVALID);
        }
        return classes;
    }

    /** A TLS setting: its current value is accepted (nothing changes), another is refused naming where it is set. */
    private static ConfigParameter<String> tls(String name, String what, Function<ConfigValues, String> get) {
        return ConfigParameter.fixed(name, ConfigType.text(what), get, "TLS is set by percore.servers.resp.ssl.* and its SSL bundle "
                + "(spring.ssl.bundle.*), whose reload renews the certificate without a restart; it cannot change through CONFIG SET")
                .defaultIs("percore.servers.resp.ssl.*");
    }

    private static ConfigParameter<Long> hidden(String name, long min, long max) {
        return ConfigParameter.live(name, ConfigType.signed(min, max), v -> Long.toString(v.thresholds().get(name)),
                (n, value) -> n.thresholds.put(name, value)).markHidden();
    }
}
