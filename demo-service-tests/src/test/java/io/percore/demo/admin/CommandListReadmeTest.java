package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.table.RespCommands;

/**
 * Issue 13: the command reference's list of supported commands (docs/reference/commands.md) is the command table's, group by group, so
 * it cannot fall behind it; a container lists its subcommands. On a mismatch the message holds the block to paste.
 */
class CommandListReadmeTest {

    /** The documentation site's command reference, which lists them. */
    static final Path PAGE = Path.of("../docs/reference/commands.md");
    private static final String START = "<!-- commands:start (generated from the command table; CommandListReadmeTest keeps it in sync) -->";
    private static final String END = "<!-- commands:end -->";

    static String render() {
        Map<String, List<String>> byGroup = new LinkedHashMap<>();
        CommandTable table = RespCommands.table(6380);
        for (CommandSpec spec : table.all()) {
            String name = spec.name().toUpperCase(Locale.ROOT);
            List<CommandSpec> subs = table.subcommands(spec);
            if (!subs.isEmpty()) {
                name += " (" + String.join(" ", subs.stream()
                        .map(s -> s.name().substring(s.name().indexOf('|') + 1).toUpperCase(Locale.ROOT)).toList()) + ")";
            }
            byGroup.computeIfAbsent(spec.group(), g -> new ArrayList<>()).add(name);
        }
        StringBuilder out = new StringBuilder(START).append('\n');
        byGroup.forEach((group, names) -> out.append("- **").append(group).append("** (").append(names.size())
                .append(group.equals("scripting") ? "; Lua scripts and function libraries: see \"Scripting\"" : "")
                .append("): ").append(String.join(", ", names)).append('\n'));
        return out.append(END).toString();
    }

    @Test
    void theReadmeListsEveryCommandOfTheTable() throws IOException {
        String readme = Files.readString(PAGE, StandardCharsets.UTF_8);
        int from = readme.indexOf(START);
        int to = readme.indexOf(END);
        assertThat(from).as("docs/reference/commands.md has the generated command list; paste:%n%s", render()).isNotNegative();
        assertThat(readme.substring(from, to + END.length())).as("docs/reference/commands.md's command list is out of date; paste:%n%s", render())
                .isEqualTo(render());
    }
}
