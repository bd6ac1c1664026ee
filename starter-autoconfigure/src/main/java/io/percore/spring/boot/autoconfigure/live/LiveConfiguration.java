package io.percore.spring.boot.autoconfigure.live;

import io.percore.config.schema.ConfigError;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ResourceLoader;

/**
 * The application's configuration, applied while it runs. It watches the files Spring Boot read
 * the configuration from (a mounted ConfigMap, {@code spring.config.additional-location}); when one
 * changes it reads the whole configuration again as a start would ({@link ConfigDataReload}) and
 * asks every {@link LiveConfigurationParticipant} what the change means. One error anywhere (a bad
 * value, an unknown key: key, value and rule, as the start reports them) refuses the whole change
 * and the running values stay. Otherwise each participant takes what changes live, and what needs a
 * restart (the shard count, the CPUs, ports) is reported and not applied. The outcome of the last
 * change is {@link #lastChange()} ({@code /actuator/percore} shows it) and the log says it.
 */
public final class LiveConfiguration implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(LiveConfiguration.class);

    /** How a change ended. */
    public enum Outcome {
        /** Every changed setting taken live. */
        APPLIED,
        /** Some taken live, the others need a restart (not applied). */
        RESTART_REQUIRED,
        /** An error: nothing applied, the running values stay. */
        REFUSED,
        /** The files changed but no setting did. */
        UNCHANGED
    }

    /**
     * @param applied         the settings taken live
     * @param restartRequired the settings that changed but take effect only after a restart
     * @param refused         the errors that refused the change (key, value, rule)
     * @param origins         where each refused key was set, when Spring knows it
     */
    public record Change(Instant at, Outcome outcome, List<String> applied, List<String> restartRequired, List<ConfigError> refused,
                         Map<String, String> origins) {
    }

    private final ConfigurableEnvironment environment;
    private final ResourceLoader resourceLoader;
    private final List<LiveConfigurationParticipant> participants;
    private final boolean enabled;
    private final Duration interval;
    private final Map<Outcome, AtomicLong> counts = new EnumMap<>(Outcome.class);
    private volatile Change last;
    private volatile List<Path> files = List.of();
    private ConfigFileWatcher watcher;
    private volatile boolean running;

    public LiveConfiguration(ConfigurableEnvironment environment, ResourceLoader resourceLoader, List<LiveConfigurationParticipant> participants,
                             boolean enabled, Duration interval) {
        this.environment = environment;
        this.resourceLoader = resourceLoader;
        this.participants = List.copyOf(participants);
        this.enabled = enabled;
        this.interval = interval;
        for (Outcome o : Outcome.values()) {
            counts.put(o, new AtomicLong());
        }
    }

    /** Starts watching the configuration files once the application runs (nothing to watch: no thread). */
    @Override
    public synchronized void start() {
        running = true;
        if (!enabled) {
            return;
        }
        files = ConfigDataReload.load(environment, resourceLoader).files();
        if (files.isEmpty()) {
            LOG.debug("Live configuration: the configuration comes from no file on the file system; nothing to watch");
            return;
        }
        watcher = new ConfigFileWatcher(files, interval, this::reloadQuietly);
        watcher.start();
        LOG.info("Live configuration: watching {} (checked every {} at least); settings marked 'changes live' apply without a restart",
                files, interval);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The files watched (empty when disabled or when no configuration came from a file). */
    public List<Path> files() {
        return files;
    }

    /** The last change seen, or null. */
    public Change lastChange() {
        return last;
    }

    /** How many changes ended with {@code outcome} since start. */
    public long count(Outcome outcome) {
        return counts.get(outcome).get();
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.error("Live configuration: reading the changed configuration failed; the running values stay", e);
        }
    }

    /** Reads the configuration again now and applies what changed live (the watcher calls it; so may tests and tools). */
    public synchronized Change reload() {
        ConfigurableEnvironment next;
        try {
            next = ConfigDataReload.load(environment, resourceLoader).environment();
        } catch (RuntimeException e) {
            // an unreadable file (broken YAML): Spring Boot's loader says where
            ConfigError unreadable = new ConfigError("spring.config", null, "syntax",
                    "the configuration cannot be read: " + e.getMessage() + " (syntax)", null);
            return finish(new Change(Instant.now(), Outcome.REFUSED, List.of(), List.of(), List.of(unreadable), Map.of()));
        }
        List<LiveConfigurationParticipant.Proposal> proposals = new ArrayList<>();
        List<ConfigError> errors = new ArrayList<>();
        for (LiveConfigurationParticipant participant : participants) {
            LiveConfigurationParticipant.Proposal proposal = participant.propose(next);
            errors.addAll(proposal.errors());
            proposals.add(proposal);
        }
        if (!errors.isEmpty()) {
            return finish(new Change(Instant.now(), Outcome.REFUSED, List.of(), List.of(), errors, origins(errors, next)));
        }
        List<String> applied = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        for (LiveConfigurationParticipant.Proposal proposal : proposals) {
            restart.addAll(proposal.restart());
            if (proposal.live().isEmpty()) {
                continue;
            }
            try {
                proposal.apply().apply();
                applied.addAll(proposal.live());
            } catch (Exception e) {
                LOG.error("Live configuration: applying {} failed", proposal.live(), e);
                restart.addAll(proposal.live());
            }
        }
        Outcome outcome = !restart.isEmpty() ? Outcome.RESTART_REQUIRED : applied.isEmpty() ? Outcome.UNCHANGED : Outcome.APPLIED;
        return finish(new Change(Instant.now(), outcome, applied, restart, List.of(), Map.of()));
    }

    /** Where each refused key was set (file and line), as Spring's property sources know it. */
    private static Map<String, String> origins(List<ConfigError> errors, ConfigurableEnvironment environment) {
        Map<String, String> origins = new java.util.LinkedHashMap<>();
        for (ConfigError error : errors) {
            ConfigurationPropertyName name = error.path() == null ? null : ConfigurationPropertyName.ofIfValid(error.path());
            if (name == null) {
                continue;
            }
            for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
                ConfigurationProperty property = source.getConfigurationProperty(name);
                if (property != null) {
                    if (property.getOrigin() != null) {
                        origins.put(error.path(), property.getOrigin().toString());
                    }
                    break;
                }
            }
        }
        return origins;
    }

    private Change finish(Change change) {
        last = change;
        counts.get(change.outcome()).incrementAndGet();
        switch (change.outcome()) {
            case APPLIED -> LOG.info("Live configuration applied: {}", String.join(", ", change.applied()));
            case RESTART_REQUIRED -> LOG.warn("Live configuration: {} need a restart and are not applied{}", String.join(", ", change.restartRequired()),
                    change.applied().isEmpty() ? "" : "; applied: " + String.join(", ", change.applied()));
            case UNCHANGED -> LOG.info("Live configuration: the files changed, no setting did");
            case REFUSED -> LOG.error("Live configuration: the changed configuration is refused and the running values stay:\n{}", describe(change));
        }
        return change;
    }

    /** The refusal as the start's failure report words it: key, value, origin, rule, reason. */
    static String describe(Change change) {
        StringBuilder out = new StringBuilder();
        for (ConfigError e : change.refused()) {
            out.append("    Property: ").append(e.path()).append('\n');
            out.append("    Value:    ").append(e.value() == null ? "(none)" : e.value()).append('\n');
            String origin = change.origins().get(e.path());
            if (origin != null) {
                out.append("    Origin:   ").append(origin).append('\n');
            }
            out.append("    Rule:     ").append(e.rule()).append('\n');
            out.append("    Reason:   ").append(e.message()).append('\n');
            if (e.suggestion() != null) {
                out.append("    Fix:      ").append(e.suggestion()).append('\n');
            }
        }
        return out.toString();
    }

    /** After the servers: the reload never runs while the application starts or stops. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }
}
