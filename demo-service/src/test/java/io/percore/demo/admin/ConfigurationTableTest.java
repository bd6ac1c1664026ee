package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.RespSettings;
import java.io.IOException;
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
 * The demo's configuration is one table seen from four places, and they agree: the CONFIG parameters
 * with the {@code percore.demo.*} key that sets each ({@link ConfigParameters}, its {@code property}
 * column), the keys {@code percore.demo.*} binds (the configuration processor's metadata, generated
 * from {@code DemoProperties}), the README's table of keys, and the README's list of the keys that
 * change while the application runs.
 */
class ConfigurationTableTest {

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** Every key {@code percore.demo.*} binds, from the metadata the build generates. */
    private static Set<String> boundKeys() throws IOException {
        JsonNode metadata = JsonMapper.builder().build()
                .readTree(Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
        Set<String> keys = new TreeSet<>();
        for (JsonNode p : metadata.get("properties")) {
            keys.add(p.get("name").asString());
        }
        assertThat(keys).as("the configuration processor saw DemoProperties").contains("percore.demo.maxmemory");
        return keys;
    }

    /**
     * The {@code percore.demo.*} keys the README's configuration table names in its first column: a row
     * may name several, the later ones relative to the first's parent ({@code `percore.demo.a.x` / `y`}).
     */
    private static Set<String> readmeTableKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
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

    /** The keys the README's "Changed while running" paragraph lists as set live. */
    private static Set<String> readmeLiveKeys() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
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
        assertThat(readmeTableKeys()).as("README.md's configuration table against the generated metadata")
                .containsExactlyElementsOf(boundKeys());
    }

    @Test
    void everyKeyThatSetsAParameterIsBoundAndTheReadmeListsExactlyThoseAsLive() throws IOException {
        Set<String> live = new TreeSet<>(ConfigCommands.properties().keySet());
        assertThat(live).as("keys the CONFIG table names").isSubsetOf(boundKeys()).hasSizeGreaterThan(20);
        assertThat(readmeLiveKeys()).as("README.md's \"Changed while running\" list").containsExactlyElementsOf(live);
    }

    /**
     * A key named after a CONFIG parameter is the start's value of that parameter, so a change of it
     * is that parameter changing: it sets the parameter live, unless CONFIG SET cannot change the
     * parameter at all (a protected or immutable config, as {@code dir} or {@code replicaof}).
     */
    @Test
    void aKeyNamedAfterAParameterSetsItLiveUnlessConfigSetCannotChangeIt() throws IOException {
        ConfigValues values = ConfigValues.initial(6379, "127.0.0.1", 10_000, new MemorySettings(0, MaxmemoryPolicy.NOEVICTION, 5),
                RespSettings.defaults(), null, 0);
        List<String> fixed = new ArrayList<>();
        for (String key : boundKeys()) {
            ConfigParameters.Parameter p = ConfigParameters.lookup(key.substring(key.lastIndexOf('.') + 1));
            if (p == null || key.equals(p.property())) {
                continue;
            }
            assertThatThrownBy(() -> p.set().set(values.next(), "another"))
                    .as("%s is named after CONFIG's %s, which CONFIG SET changes: the table should say %s sets it", key, p.name(), key)
                    .hasMessageContaining("can't set");
            fixed.add(p.name());
        }
        assertThat(fixed).as("the keys of parameters fixed at start").containsExactlyInAnyOrder("dir", "dbfilename", "appenddirname",
                "appendfilename", "replicaof");
    }
}
