package io.percore.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Root of the Percore configuration, bound by the Spring Boot starter to the prefix
 * {@code percore} ({@code percore.engine.shards}, {@code percore.servers.api.port}, ...).
 *
 * <p>This class tree is the single source of truth: the JSON Schema
 * ({@code io/percore/config/percore-config.schema.json}), {@code docs/configuration.md}, the
 * operator's CRD and the Helm chart's {@code values.schema.json} are generated from it. Every
 * property carries a {@link PropertyDescription}, Jakarta Validation constraints, and its default
 * as the field initializer.
 */
@PropertyDescription("Configuration of Percore, a thread-per-core engine for the JVM: the content under the percore: key of application.yml.")
public class PercoreConfig {

    /** Pattern of server and client names (the keys of {@code servers} and {@code clients}). */
    public static final String NAME_PATTERN = "^[a-z][a-z0-9-]{0,62}$";

    @PropertyDescription("Master switch: false starts no shards, servers or client pools.")
    private boolean enabled = true;

    @PropertyDescription("The per-core engine: shards, CPUs, and how each shard loop spends its time.")
    @Valid
    @NotNull
    private EngineConfig engine = new EngineConfig();

    @PropertyDescription("Servers by name; each listens on every shard (one listener per shard). Names: lowercase letters, digits and dashes.")
    @NotNull
    @Size(max = 64)
    private Map<String, @Valid ServerConfig> servers = new LinkedHashMap<>();

    @PropertyDescription("Upstream connection pools by name; each shard keeps its own connections to the endpoints. Names: lowercase letters, digits and dashes.")
    @NotNull
    @Size(max = 256)
    private Map<String, @Valid ClientPoolConfig> clients = new LinkedHashMap<>();

    @PropertyDescription("The application's WebFlux handlers served on the shards (with spring-boot-starter-webflux).")
    @Valid
    @NotNull
    private WebConfig web = new WebConfig();

    @PropertyDescription("Applying a changed configuration file while the application runs (the settings marked changes live).")
    @Valid
    @NotNull
    private ConfigReloadConfig configReload = new ConfigReloadConfig();

    public PercoreConfig() {
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public EngineConfig getEngine() {
        return engine;
    }

    public void setEngine(EngineConfig engine) {
        this.engine = engine;
    }

    public Map<String, ServerConfig> getServers() {
        return servers;
    }

    public void setServers(Map<String, ServerConfig> servers) {
        this.servers = servers;
    }

    public Map<String, ClientPoolConfig> getClients() {
        return clients;
    }

    public void setClients(Map<String, ClientPoolConfig> clients) {
        this.clients = clients;
    }

    public ConfigReloadConfig getConfigReload() {
        return configReload;
    }

    public void setConfigReload(ConfigReloadConfig configReload) {
        this.configReload = configReload;
    }

    public WebConfig getWeb() {
        return web;
    }

    public void setWeb(WebConfig web) {
        this.web = web;
    }
}
