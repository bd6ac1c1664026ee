package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.app.DemoProperties;
import io.percore.demo.server.ConfigValues;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo's configuration is one table seen from five places, and they agree: the CONFIG table
 * ({@link ConfigParameters}: its rows, with the {@code percore.demo.*} key that sets each), the keys
 * {@code percore.demo.*} binds (the configuration processor's metadata, generated from
 * {@code DemoProperties}) and their defaults, the reference page's table of keys (docs/reference/demo-service-properties.md), its list of the keys that
 * change while the application runs, and its table of CONFIG parameters (the table's own rendering).
 */
class ConfigurationTableTest {

    /** The documentation site's page of the demo's properties and CONFIG parameters. */
    private static final Path PAGE = Path.of("../docs/reference/demo-service-properties.md");

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /**
     * Every key {@code percore.demo.*} binds, from the metadata the build generates. Read from where the demo's classes
     * are (its jar or its class directory): the starter's jar has a file of the same name.
     */
    private static Set<String> boundKeys() throws IOException {
        URL demo = DemoProperties.class.getProtectionDomain().getCodeSource().getLocation();
        JsonNode metadata;
        try (URLClassLoader only = new URLClassLoader(new URL[] {demo}, null);
                InputStream in = only.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the configuration processor's metadata in " + demo).isNotNull();
            metadata = JsonMapper.builder().build().readTree(in);
        }
        Set<String> keys = new TreeSet<>();
        for (JsonNode p : metadata.get("properties")) {
            keys.add(p.get("name").asString());
        }
        assertThat(keys).as("the configuration processor saw DemoProperties").contains("percore.demo.maxmemory");
        return keys;
    }

    /**
     * The {@code percore.demo.*} keys the reference page's configuration table names in its first column: a row
     * may name several, the later ones relative to the first's parent ({@code `percore.demo.a.x` / `y`}).
     */
    private static Set<String> readmeTableKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String line : Files.readAllLines(PAGE)) {
            if (!line.startsWith("| `percore.demo.")) {
                continue;
            }
            String cell = line.split("\\|")[1];
            Matcher m = CODE.matcher(cell);
            String first = null;
            while (m.find()) {
                String key = m.group(1);
                if (first == null) {
                    first = key;
                } else if (!key.startsWith("percore.")) {
                    key = first.substring(0, first.lastIndexOf('.') + 1) + key;
                }
                keys.add(key);
            }
        }
        return keys;
    }

    /** The keys the reference page's "Changed while running" paragraph lists as set live. */
    private static Set<String> readmeLiveKeys() throws IOException {
        String readme = Files.readString(PAGE);
        int from = readme.indexOf("**Changed while running.**");
        int to = readme.indexOf("Every other `percore.demo.*` key", from);
        assertThat(from).isNotNegative();
        assertThat(to).isGreaterThan(from);
        Set<String> keys = new TreeSet<>();
        Matcher m = CODE.matcher(readme.substring(from, to));
        while (m.find()) {
            if (m.group(1).startsWith("percore.demo.") && !m.group(1).endsWith("*")) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }

    @Test
    void theReadmesTableNamesEveryKeyThePropertiesBindAndNoOther() throws IOException {
        assertThat(readmeTableKeys()).as(PAGE + "'s configuration table against the generated metadata")
                .containsExactlyElementsOf(boundKeys());
    }

    @Test
    void everyKeyThatSetsAParameterIsBoundAndTheReadmeListsExactlyThoseAsLive() throws IOException {
        assertThat(ConfigCommands.startProperties().keySet()).as("keys the CONFIG table names, those read at start only included")
                .isSubsetOf(boundKeys()).contains("percore.demo.resp.aclfile", "percore.demo.resp.databases");
        Set<String> live = new TreeSet<>(ConfigCommands.properties().keySet());
        assertThat(live).as("keys the CONFIG table names, set live").isSubsetOf(boundKeys()).hasSizeGreaterThan(20)
                .doesNotContain("percore.demo.resp.aclfile", "percore.demo.resp.databases"); // at start only, as Redis's
        assertThat(readmeLiveKeys()).as(PAGE + "'s \"Changed while running\" list").containsExactlyElementsOf(live);
    }

    /**
     * A key named after a CONFIG parameter is the start's value of that parameter, so a change of it
     * is that parameter changing: it sets the parameter live, unless CONFIG SET cannot change the
     * parameter at all (a protected or immutable config, as {@code dir} or {@code replicaof}).
     */
    @Test
    void aKeyNamedAfterAParameterSetsItLiveUnlessConfigSetCannotChangeIt() throws IOException {
        List<String> fixed = new ArrayList<>();
        for (String key : boundKeys()) {
            ConfigParameter<?> p = ConfigParameters.lookup(key.substring(key.lastIndexOf('.') + 1));
            if (p == null || key.equals(p.property())) {
                continue;
            }
            assertThat(p.change()).as("%s is named after CONFIG's %s, which CONFIG SET changes: the table should say %s sets it", key, p.name(), key)
                    .isIn(ConfigParameter.Change.PROTECTED, ConfigParameter.Change.IMMUTABLE);
            assertThatThrownBy(() -> p.set(ConfigParameters.defaults().next(), "another")).hasMessageContaining("can't set");
            fixed.add(p.name());
        }
        assertThat(fixed).as("the keys of parameters fixed at start").containsExactlyInAnyOrder("dir", "dbfilename", "appenddirname",
                "appendfilename", "replicaof");
    }

    /** The reference page's table of CONFIG parameters is the table's own rendering ({@link ConfigParameters#markdown()}). */
    @Test
    void theReadmesParameterTableIsTheConfigTable() throws IOException {
        String readme = Files.readString(PAGE);
        String start = "<!-- the CONFIG table: ConfigParameters.markdown() -->\n";
        int from = readme.indexOf(start);
        int to = readme.indexOf("<!-- end of the CONFIG table -->", from);
        assertThat(from).as(PAGE + " has the CONFIG table's markers").isNotNegative();
        assertThat(to).isGreaterThan(from);
        assertThat(readme.substring(from + start.length(), to)).as(PAGE + "'s CONFIG table; paste the expected text between the markers")
                .isEqualTo(ConfigParameters.markdown());
    }

    /**
     * The start's values come from the table: every key the table names is a property of
     * {@code DemoProperties}, and its defaults, read as CONFIG SET reads them, are the table's defaults
     * (what a server started with nothing set answers).
     */
    @Test
    void thePropertiesDefaultsAreTheTablesDefaults() {
        ConfigValues defaults = ConfigParameters.defaults();
        java.util.Map<String, String> texts = new io.percore.demo.app.DemoProperties().configTexts();
        assertThat(texts.keySet()).containsExactlyElementsOf(ConfigCommands.startProperties().keySet());
        ConfigValues started = ConfigCommands.startValues(defaults, texts);
        for (String key : texts.keySet()) {
            ConfigParameter<?> p = ConfigParameters.setBy(key);
            assertThat(p.get().apply(started)).as("%s's default against the table's %s", key, p.name()).isEqualTo(p.get().apply(defaults));
        }
    }

    /** A value the table refuses is refused at start, naming the key, with the reason CONFIG SET gives. */
    @Test
    void theStartRefusesWhatConfigSetRefusesWithItsReason() {
        assertThat(ConfigCommands.refusals(java.util.Map.of("percore.demo.maxmemory-samples", "65", "percore.demo.maxmemory-policy", "allkeys-lru",
                "percore.demo.persistence.save", "60", "percore.demo.resp.max-bulk-length", "1000")))
                .containsOnlyKeys("percore.demo.maxmemory-samples", "percore.demo.persistence.save", "percore.demo.resp.max-bulk-length")
                .containsEntry("percore.demo.maxmemory-samples", "CONFIG SET maxmemory-samples refuses it: argument must be between 1 and 64 inclusive")
                .containsEntry("percore.demo.resp.max-bulk-length",
                        "CONFIG SET proto-max-bulk-len refuses it: argument must be between 1048576 and 2147483647 inclusive");
        assertThatThrownBy(() -> ConfigCommands.startValues(ConfigParameters.defaults(), java.util.Map.of("percore.demo.replication.repl-timeout", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("percore.demo.replication.repl-timeout=0: CONFIG SET repl-timeout refuses it: argument must be between 1 and 2147483647 inclusive");
        // a start-only enum (DEBUG's guard): Redis's enum error, any case of a name accepted
        assertThat(ConfigCommands.refusals(java.util.Map.of("percore.demo.resp.enable-debug-command", "maybe")))
                .containsExactly(java.util.Map.entry("percore.demo.resp.enable-debug-command",
                        "CONFIG SET enable-debug-command refuses it: argument(s) must be one of the following: no, yes, local"));
        assertThat(ConfigCommands.refusals(java.util.Map.of("percore.demo.resp.enable-debug-command", "LOCAL"))).isEmpty();
    }
}
