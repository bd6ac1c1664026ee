package io.percore.demo.app;

import io.percore.config.ServerConfig;
import io.percore.demo.DemoSettings;
import io.percore.demo.admin.ConfigCommands;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.kv.MaxmemoryPolicy;
import org.springframework.util.unit.DataSize;
import io.percore.demo.http.HttpSettings;
import io.percore.demo.server.RespSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * {@code percore.demo.*}: what only the demo knows, the RESP server's password and protocol limits
 * and the HTTP server's body limit and read timeouts. Where the servers listen and their connection limits are the
 * starter's {@code percore.servers.resp|http.*} ({@link ServerConfig}, validated with every other
 * {@code percore.*} key), so each setting and each default lives in one place. The demo owns this
 * namespace (the starter leaves keys under a prefix of an application's
 * {@code @ConfigurationProperties} bean to it), so unknown keys and bad values are rejected here.
 * The keys that are Redis CONFIG parameters ({@code maxmemory}, {@code persistence.save}, ...) are
 * checked and read by the CONFIG table ({@link ConfigCommands#properties()}): this bean is their
 * {@link Validator}, with CONFIG SET's bounds and reasons; the others by the annotations here.
 */
@ConfigurationProperties(prefix = "percore.demo", ignoreUnknownFields = false)
@Validated
public class DemoProperties implements Validator {

    @Valid
    @NestedConfigurationProperty
    private final DemoRespProperties resp = new DemoRespProperties();
    @Valid
    @NestedConfigurationProperty
    private final DemoHttpProperties http = new DemoHttpProperties();
    @Valid
    @NestedConfigurationProperty
    private final DemoPersistenceProperties persistence = new DemoPersistenceProperties();
    @Valid
    @NestedConfigurationProperty
    private final DemoReplicationProperties replication = new DemoReplicationProperties();

    public DemoReplicationProperties getReplication() {
        return replication;
    }

    @NestedConfigurationProperty
    private final DemoClusterProperties cluster = new DemoClusterProperties();

    public DemoClusterProperties getCluster() {
        return cluster;
    }

    public DemoPersistenceProperties getPersistence() {
        return persistence;
    }

    public DemoRespProperties getResp() {
        return resp;
    }

    public DemoHttpProperties getHttp() {
        return http;
    }

    /**
     * The demo's settings: listeners from the starter's {@code respServer} and {@code httpServer}, the CONFIG
     * parameters' values from here. The keys that are Redis CONFIG parameters are read by the CONFIG table, as CONFIG
     * SET reads them ({@link #configTexts()}): one reading, one set of bounds and error texts, at start and live; the
     * service installs the values so read.
     *
     * @throws IllegalArgumentException naming a key whose value the table refuses
     */
    public DemoSettings toSettings(ServerConfig respServer, ServerConfig httpServer) {
        ConfigValues read = ConfigCommands.startValues(startBase(), configTexts());
        ConfigValues start = read.with(b -> {
            b.replication = replication.withReplicaof(read.replication());
            b.timeout = respServer.getIdleTimeout().toSeconds(); // Redis's timeout is the RESP listener's idle timeout
        });
        return new DemoSettings(respServer.getBindAddress(), respServer.getPort(),
                new RespSettings(resp.getMaxArrayLength(), resp.getMaxInlineLength()), respServer.getIdleTimeout(),
                httpServer.getBindAddress(), httpServer.getPort(),
                new HttpSettings(http.getMaxBodySize(), http.getRequestHeaderTimeout(), http.getBodyReadTimeout()),
                httpServer.getIdleTimeout(), respServer.getMaxConnectionsPerShard(), start, cluster.toSettings(), users());
    }

    /**
     * A {@code user} declaration per {@code percore.demo.resp.users} entry (its words after {@code user}), split as
     * Redis splits a configuration line ({@code sdssplitargs}: quotes for a password with spaces).
     *
     * @throws IllegalArgumentException naming an entry with unbalanced quotes
     */
    private java.util.List<java.util.List<String>> users() {
        java.util.List<java.util.List<String>> lines = new java.util.ArrayList<>();
        for (int i = 0; i < resp.getUsers().size(); i++) {
            java.util.List<String> line = new java.util.ArrayList<>();
            try {
                for (byte[] word : io.percore.net.resp.InlineCommandSplitter.split(resp.getUsers().get(i).getBytes(StandardCharsets.UTF_8))) {
                    line.add(new String(word, StandardCharsets.ISO_8859_1));
                }
            } catch (io.percore.net.resp.RespProtocolError e) {
                throw new IllegalArgumentException("percore.demo.resp.users[" + i + "]: unbalanced quotes");
            }
            lines.add(line);
        }
        return lines;
    }

    /**
     * The text of each {@code percore.demo.*} key that is a CONFIG parameter (the table's {@code property}
     * column), as CONFIG SET would be given it: sizes in bytes, booleans yes/no, the policy by Redis's name;
     * an unset key is the value its parameter starts with (maxmemory-clients: this JVM's; save: the mode's rules).
     */
    public Map<String, String> configTexts() {
        ConfigValues base = startBase();
        BeanWrapper bean = new BeanWrapperImpl(this);
        Map<String, String> texts = new LinkedHashMap<>();
        for (String key : ConfigCommands.startProperties().keySet()) {
            Object value = bean.getPropertyValue(beanPath(key));
            texts.put(key, value == null ? ConfigCommands.value(base, key) : value instanceof DataSize size ? Long.toString(size.toBytes())
                    : value instanceof Boolean on ? (on ? "yes" : "no")
                    : value instanceof MaxmemoryPolicy policy ? policy.redisName() : value.toString());
        }
        return texts;
    }

    /** The values a server starts with before the keys here are read: the CONFIG table's defaults, the files where this says. */
    private ConfigValues startBase() {
        return ConfigCommands.defaults().with(b -> b.persistence = persistence.fixedSettings());
    }

    /** {@code percore.demo.replication.repl-timeout} is the bean's {@code replication.replTimeout}. */
    static String beanPath(String key) {
        String[] parts = key.substring("percore.demo.".length()).split("\\.");
        StringBuilder path = new StringBuilder();
        for (String part : parts) {
            if (path.length() > 0) {
                path.append('.');
            }
            String[] words = part.split("-");
            path.append(words[0]);
            for (int i = 1; i < words.length; i++) {
                path.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
            }
        }
        return path.toString();
    }

    @Override
    public boolean supports(Class<?> type) {
        return DemoProperties.class.isAssignableFrom(type);
    }

    /** The keys that are CONFIG parameters, checked by the CONFIG table: the bounds and Redis's text CONFIG SET gives. */
    @Override
    public void validate(Object target, Errors errors) {
        Map<String, String> refused = ConfigCommands.refusals(((DemoProperties) target).configTexts());
        refused.forEach((key, why) -> errors.rejectValue(beanPath(key), "redis-config", why));
    }

    /**
     * Redis 7's maxmemory-clients: what all clients together may hold (replies not read yet, requests
     * not run yet, queued MULTI commands), split evenly over the shards; past it the clients holding
     * the most are closed. Unset: an eighth of the max heap. 0 means no such bound, allowed only when
     * every client class has a hard output limit.
     */
    private DataSize maxmemoryClients;
    /** Redis's protected-mode: without a password, serve only clients connecting over the loopback interface. */
    private boolean protectedMode = true;
    /**
     * Redis's notify-keyspace-events: the keyspace event classes published to subscribers of
     * {@code __keyspace@0__:*} and {@code __keyevent@0__:*}, in Redis's letters (K, E, g, $, l, s, h, z,
     * x, e, t, m, d, n, A); empty: none. CONFIG SET changes it live.
     */
    @NotNull
    private String notifyKeyspaceEvents = "";

    public String getNotifyKeyspaceEvents() {
        return notifyKeyspaceEvents;
    }

    public void setNotifyKeyspaceEvents(String notifyKeyspaceEvents) {
        this.notifyKeyspaceEvents = notifyKeyspaceEvents;
    }

    public DataSize getMaxmemoryClients() {
        return maxmemoryClients;
    }

    public void setMaxmemoryClients(DataSize maxmemoryClients) {
        this.maxmemoryClients = maxmemoryClients;
    }

    public boolean isProtectedMode() {
        return protectedMode;
    }

    public void setProtectedMode(boolean protectedMode) {
        this.protectedMode = protectedMode;
    }

    /**
     * Redis's maxmemory for all shards together (split evenly): 100mb, 2GB, or plain bytes; 0 = half
     * the JVM's max heap.
     */
    @NotNull
    private DataSize maxmemory = DataSize.ofBytes(0);
    /** What a shard does over its budget: noeviction (writes get -OOM) or an eviction policy. */
    @NotNull
    private MaxmemoryPolicy maxmemoryPolicy = MaxmemoryPolicy.NOEVICTION;
    /** Keys sampled per eviction (Redis's maxmemory-samples, 1 to 64). */
    private int maxmemorySamples = 5;

    public DataSize getMaxmemory() {
        return maxmemory;
    }

    public void setMaxmemory(DataSize maxmemory) {
        this.maxmemory = maxmemory;
    }

    public MaxmemoryPolicy getMaxmemoryPolicy() {
        return maxmemoryPolicy;
    }

    public void setMaxmemoryPolicy(MaxmemoryPolicy maxmemoryPolicy) {
        this.maxmemoryPolicy = maxmemoryPolicy;
    }

    public int getMaxmemorySamples() {
        return maxmemorySamples;
    }

    public void setMaxmemorySamples(int maxmemorySamples) {
        this.maxmemorySamples = maxmemorySamples;
    }

}
