package io.percore.spring.boot.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import io.percore.engine.Engine;
import io.percore.net.client.UpstreamClient;
import io.percore.net.server.RequestKinds;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.net.Echo;
import io.percore.spring.boot.autoconfigure.net.LineEchoServer;
import io.percore.spring.boot.autoconfigure.net.LineProtocol;
import io.percore.spring.boot.autoconfigure.net.PercoreNetAutoConfiguration;
import io.percore.spring.boot.autoconfigure.net.ShardedServerRegistry;
import io.percore.spring.boot.autoconfigure.net.UpstreamCalls;
import io.percore.spring.boot.autoconfigure.net.UpstreamClientRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The documentation site's metrics reference ({@code docs/reference/metrics.md}) is what a running application registers:
 * the engine of two shards, a server of {@code percore.servers} with its request kinds and a client pool of
 * {@code percore.clients}, each meter with its Prometheus name, type, unit, tags and description, read from the registry.
 * A meter added, renamed, retagged or described anew without the page fails here; so does a name of
 * {@link PercoreMeterNames} the run does not register and the page does not list with the feature that registers it.
 * {@code -Ddocs.regenerate=true} writes the page instead.
 */
class MetricsReferenceTest {

    static final Path PAGE = Path.of("../docs/reference/metrics.md");
    static final String REGENERATE = "Regenerate it: ./mvnw -pl starter-autoconfigure test -Dtest=MetricsReferenceTest "
            + "-Ddocs.regenerate=true";

    /** Meters only a feature this run leaves off registers, and that feature. */
    static final Map<String, String> FEATURE_ONLY = Map.of(
            PercoreMeterNames.SERVER_TLS_HANDSHAKES, "a server with TLS (`percore.servers.<name>.ssl`)",
            PercoreMeterNames.SERVER_TLS_HANDSHAKE_FAILURES, "a server with TLS (`percore.servers.<name>.ssl`)",
            PercoreMeterNames.CONFIG_RELOADS, "live configuration (a configuration file watched while running)");

    @Test
    void thePageIsWhatARunningApplicationRegisters() throws Exception {
        AtomicReference<String> page = new AtomicReference<>();
        try (LineEchoServer peer = new LineEchoServer()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreNetAutoConfiguration.class,
                            PercoreMetricsAutoConfiguration.class, MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                    .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned",
                            "percore.servers.echo.port=0", "percore.servers.echo.bind-address=127.0.0.1",
                            "percore.clients.backend.endpoints[0]=" + peer.endpoint(), "spring.lifecycle.timeout-per-shutdown-phase=5s")
                    .run(context -> {
                        RequestKinds kinds = RequestKinds.of("verb", java.util.List.of("get", "set"), "outcome", java.util.List.of("ok", "error"));
                        context.getBean(ShardedServerRegistry.class).start("echo", Echo.initializer(), kinds);
                        // a client's pool and endpoint meters come with its first request on each shard
                        UpstreamClient<String, String> backend = context.getBean(UpstreamClientRegistry.class).client("backend", new LineProtocol());
                        Engine engine = context.getBean(Engine.class);
                        for (int shard = 0; shard < 2; shard++) {
                            assertThat(UpstreamCalls.send(engine, backend, shard, "x")).isEqualTo("echo:x");
                        }
                        page.set(render(context.getBean(MeterRegistry.class)));
                    });
        }
        if (Boolean.getBoolean("docs.regenerate")) {
            Files.createDirectories(PAGE.getParent());
            Files.writeString(PAGE, page.get());
        }
        assertThat(PAGE).as("%s. %s", PAGE, REGENERATE).isRegularFile();
        assertThat(Files.readString(PAGE)).as("%s is stale. %s", PAGE, REGENERATE).isEqualTo(page.get());
        for (String name : meterNames()) {
            assertThat(page.get()).as("%s, a name of PercoreMeterNames, on the page", name).contains("`" + name + "`");
        }
    }

    static String render(MeterRegistry registry) {
        PrometheusNamingConvention prometheus = new PrometheusNamingConvention();
        Map<String, Row> rows = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
            Meter.Id id = m.getId();
            if (!id.getName().startsWith("percore.")) {
                continue;
            }
            Row row = rows.computeIfAbsent(id.getName(), n -> new Row(id.getType(), id.getBaseUnit(), id.getDescription(),
                    exposed(prometheus.name(n, id.getType(), id.getBaseUnit()), id.getType()), new TreeSet<>()));
            for (Tag t : id.getTagsAsIterable()) {
                row.tags.add(t.getKey());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("# Metrics reference\n\n");
        out.append("<!-- Generated by MetricsReferenceTest from the meters a running application registers. Do not edit by hand.\n     ")
                .append(REGENERATE).append(" -->\n\n");
        out.append("Every meter the starter registers with Micrometer, as a running application registers it: the engine (two ")
                .append("shards here), a server of `percore.servers` (`server` tag; its request kinds are the protocol's: ")
                .append("`verb` and `outcome` in this run, RESP's `family` and `outcome` in the demo service) and a client pool of ")
                .append("`percore.clients` (`upstream` tag). The Prometheus names are what `/actuator/prometheus` shows. What each one tells and how the dashboards ")
                .append("use it: [Metrics and dashboards](../how-to/metrics-and-dashboards.md).\n\n");
        out.append("| Micrometer name | Prometheus name | type | unit | tags | description |\n|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            out.append("| `").append(e.getKey()).append("` | `").append(r.prometheus).append("` | ")
                    .append(r.type.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" | ")
                    .append(r.unit == null ? "" : r.unit).append(" | ")
                    .append(String.join(", ", r.tags)).append(" | ")
                    .append(r.description == null ? "" : r.description.replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        out.append("\nRegistered only with a feature the run above leaves off:\n\n| Micrometer name | registered with |\n|---|---|\n");
        new TreeMap<>(FEATURE_ONLY).forEach((name, feature) -> {
            if (!rows.containsKey(name)) {
                out.append("| `").append(name).append("` | ").append(feature).append(" |\n");
            }
        });
        return out.toString();
    }

    /** What {@code /actuator/prometheus} shows for a meter of that base name and type. */
    private static String exposed(String name, Meter.Type type) {
        return switch (type) {
            case COUNTER -> name + "_total";
            case TIMER, DISTRIBUTION_SUMMARY -> name + "_count`, `" + name + "_sum`, `" + name + "_max";
            default -> name;
        };
    }

    /** The meter names of {@link PercoreMeterNames} (its constants that are not tag keys). */
    static Set<String> meterNames() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field f : PercoreMeterNames.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().endsWith("_TAG")) {
                f.setAccessible(true);
                String value = (String) f.get(null);
                if (value.startsWith("percore.")) {
                    names.add(value);
                }
            }
        }
        return names;
    }

    private record Row(Meter.Type type, String unit, String description, String prometheus, Set<String> tags) {
    }
}
