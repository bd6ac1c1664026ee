package io.percore.demo.admin;

import io.percore.demo.resp.RespError;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.ServerShard;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;

/**
 * The CONFIG table (Redis's {@code config.c} {@code standardConfig[]}): the rows of each subsystem,
 * {@link MemoryParameters}, {@link ServerParameters}, {@link EncodingParameters},
 * {@link PersistenceParameters}, {@link ReplicationParameters} and {@link AclParameters}, in one list. From it come CONFIG
 * GET and SET ({@link ConfigCommands}), the start's values of the {@code percore.demo.*} keys that
 * are parameters (read by the same types, with the same bounds and error texts, as CONFIG SET reads
 * them), their live changes, and the README's table of parameters ({@link #markdown()},
 * {@code ConfigurationTableTest} fails when they differ).
 */
final class ConfigParameters {

    private static final List<ConfigParameter<?>> ALL;

    static {
        List<ConfigParameter<?>> all = new ArrayList<>();
        all.addAll(MemoryParameters.rows());
        all.addAll(ServerParameters.rows());
        all.addAll(EncodingParameters.rows());
        // one subsystem each, for the service: any of its rows changed, it takes its settings anew
        all.addAll(appliedBy(PersistenceParameters.rows(), ConfigApply.PERSISTENCE));
        all.addAll(appliedBy(ReplicationParameters.rows(), ConfigApply.REPLICATION));
        all.addAll(appliedBy(AclParameters.rows(), ConfigApply.ACL));
        ALL = Collections.unmodifiableList(all);
    }

    private ConfigParameters() {
    }

    static List<ConfigParameter<?>> all() {
        return ALL;
    }

    private static List<ConfigParameter<?>> appliedBy(List<ConfigParameter<?>> rows, ConfigApply what) {
        return rows.stream().<ConfigParameter<?>>map(p -> p.appliedBy(what)).toList();
    }

    /**
     * The rows' apply functions on {@code shard}, which holds {@code next} now: at its first values ({@code previous}
     * null) those that run at start, then those of the rows whose value differs from {@code previous}, each once.
     */
    static void apply(ServerShard shard, ConfigValues previous, ConfigValues next) {
        EnumSet<ConfigApply> due = EnumSet.noneOf(ConfigApply.class);
        for (ConfigParameter<?> p : ALL) {
            ConfigApply what = p.applied();
            if (what != null && !due.contains(what)
                    && (previous == null ? what.atStart() : !p.get().apply(previous).equals(p.get().apply(next)))) {
                due.add(what);
            }
        }
        for (ConfigApply what : due) {
            if (what.runsOn(shard)) {
                what.run(shard, previous, next);
            }
        }
    }

    /** The parameter named {@code name} (any case, either name), or null. */
    static ConfigParameter<?> lookup(String name) {
        for (ConfigParameter<?> p : ALL) {
            if (p.named(name)) {
                return p;
            }
        }
        return null;
    }

    /** The parameter {@code percore.demo.*} key {@code property} sets, or null. */
    static ConfigParameter<?> setBy(String property) {
        for (ConfigParameter<?> p : ALL) {
            if (property.equals(p.property())) {
                return p;
            }
        }
        return null;
    }

    static RespError failed(String name, String why) {
        return new RespError("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why);
    }

    /** The values of a server started with nothing set: Redis's defaults, this JVM's memory, every kept parameter at its row's value. */
    static ConfigValues defaults() {
        return withInitialValues(ConfigValues.defaults());
    }

    /** {@code values} with each parameter kept by name ({@link ConfigParameter#kept}) at the value it starts with. */
    static ConfigValues withInitialValues(ConfigValues values) {
        ConfigValues.Builder next = values.next();
        for (ConfigParameter<?> p : ALL) {
            if (p.initial() != null && values.value(p.name()) == null) {
                p.start(next, p.initial());
            }
        }
        return next.build();
    }

    /**
     * The README's table of the parameters: one row each, in the table's order, with its alias, type,
     * default (what a server started with nothing set answers, or where it comes from), whether it
     * changes live and the {@code percore.demo.*} key that sets it. Hidden parameters are left out, as
     * CONFIG GET * leaves them out.
     */
    static String markdown() {
        ConfigValues defaults = defaults();
        StringBuilder table = new StringBuilder("| parameter | type | default | changes | set at start by |\n|---|---|---|---|---|\n");
        for (ConfigParameter<?> p : ALL) {
            if (p.hidden()) {
                continue;
            }
            String name = "`" + p.name() + "`" + (p.alias() == null ? "" : " (`" + p.alias() + "`)");
            String value = p.defaultNote() != null ? p.defaultNote() : quoted(p.get().apply(defaults));
            table.append("| ").append(name).append(" | ").append(cell(p.type().description())).append(" | ").append(cell(value))
                    .append(" | ").append(p.change().text()).append(" | ").append(p.property() == null ? "" : "`" + p.property() + "`")
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String quoted(String value) {
        return value.isEmpty() ? "\"\"" : value;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
