package io.percore.demo.command;

import io.percore.demo.acl.KeySearch;
import io.percore.demo.acl.KeySpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The access flags of a call's keys, from Redis 7.0.15's key specifications ({@link CommandMetadata}),
 * as Redis's {@code getKeysFromCommandWithSpecs} finds them: the specs (begin_search by index or keyword,
 * find_keys by range or keynum) compiled once per command into numbers ({@link KeySearch}, what the ACL
 * check finds keys by), and Redis's own finders where the specs cannot say (SET with GET, BITFIELD that
 * only reads, SORT's STORE anywhere, a count the specs cannot read). COMMAND GETKEYS lists these keys, COMMAND
 * GETKEYSANDFLAGS adds their flags; the same search, shard channels added, is what places a call on its shards
 * ({@link CommandTable#keyPositions}).
 */
public final class CommandKeys {

    /** One key of a call: its position in the arguments and its spec's flags ({@code RW}, {@code access}, ...). */
    public record Key(int position, List<String> flags) {
    }

    private CommandKeys() {
    }

    /**
     * Whether Redis's {@code doesCommandHaveKeys} holds for command {@code id}: a finder of its own or a key spec not
     * marked {@code not_key} (for a command Redis does not have, its row's key positions as one range).
     */
    public static boolean hasKeys(CommandTable table, int id) {
        return table.command(id).keys().hasKeys();
    }

    /** The keys of {@code argv} (a whole call of command {@code id}, its name first) with their flags. */
    public static List<Key> keys(CommandTable table, int id, byte[][] argv) {
        KeySearch search = table.command(id).keys();
        KeySearch.Found found = new KeySearch.Found();
        int n = search.find(argv, found);
        List<Key> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(new Key(found.position(i), KeySpec.names(found.flags(i))));
        }
        return keys;
    }
}
