package io.percore.spring.boot.autoconfigure.live;

import io.percore.config.PercoreConfig;
import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.LiveSettings;
import io.percore.config.schema.ModelTree;
import io.percore.engine.Engine;
import io.percore.engine.topology.HostTopology;
import io.percore.spring.boot.autoconfigure.config.InvalidPercoreConfigurationException;
import io.percore.spring.boot.autoconfigure.config.PercoreConfigurationValidator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The {@code percore.*} settings as a participant: the new environment passes the very validation
 * the start does ({@link PercoreConfigurationValidator}: schema, unknown keys, constraints, this
 * host's topology); what changed is sorted by config-schema's {@code x-live}; the live part goes to
 * the engine, and to the {@link PercoreLiveTarget}s (net-pooling's server and client registries,
 * when they exist).
 */
final class PercoreSettings implements LiveConfigurationParticipant {

    private final Engine engine;
    private final HostTopology topology;
    private final List<PercoreLiveTarget> targets;
    /** The settings in force; only the reload's thread (under the live configuration's lock) touches it. */
    private PercoreConfig applied;

    PercoreSettings(PercoreConfig started, Engine engine, HostTopology topology, List<PercoreLiveTarget> targets) {
        this.applied = started;
        this.engine = engine;
        this.topology = topology;
        this.targets = List.copyOf(targets);
    }

    PercoreConfig applied() {
        return applied;
    }

    @Override
    public Proposal propose(Environment next) {
        PercoreConfig proposed;
        try (ValidatorFactory factory = Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory()) {
            proposed = new PercoreConfigurationValidator(factory.getValidator()).validate(next, topology);
        } catch (InvalidPercoreConfigurationException e) {
            return Proposal.refused(e.errors());
        }
        Map<String, Object> current = ModelTree.of(applied);
        Map<String, Object> wanted = ModelTree.of(proposed);
        LiveSettings.Changes changes = LiveSettings.between(current, wanted);
        if (changes.isEmpty()) {
            return Proposal.none();
        }
        PercoreConfig merged = bind(LiveSettings.mergeLive(current, wanted));
        return new Proposal(List.of(), changes.live(), changes.restart(), () -> apply(changes, merged));
    }

    private void apply(LiveSettings.Changes changes, PercoreConfig merged) throws Exception {
        if (changes.live().stream().anyMatch(p -> p.startsWith("percore.engine."))) {
            engine.applyLiveSettings(ConfigValidator.shared().validatedEngine(merged.getEngine())).get(30, TimeUnit.SECONDS);
        }
        for (PercoreLiveTarget target : targets) {
            target.applyLive(merged);
        }
        applied = merged;
    }

    /** A model from its tree (the tree of a model the validator accepted, so it binds). */
    static PercoreConfig bind(Map<String, Object> tree) {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("percore", tree, flat);
        return new Binder(new MapConfigurationPropertySource(flat)).bind("percore", PercoreConfig.class).orElseGet(PercoreConfig::new);
    }

    private static void flatten(String prefix, Object node, Map<String, Object> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix + "." + k, v, out));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), out);
            }
        } else if (node != null) {
            out.put(prefix, String.valueOf(node));
        }
    }
}
