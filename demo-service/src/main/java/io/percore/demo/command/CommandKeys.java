package io.percore.demo.command;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.percore.demo.acl.KeySearch;
import io.percore.demo.acl.KeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The access flags of a call's keys, from Redis 7.0.15's key specifications ({@link CommandMetadata}),
 * as Redis's {@code getKeysFromCommandWithSpecs} finds them: the specs (begin_search by index or keyword,
 * find_keys by range or keynum) compiled once per command into numbers ({@link KeySearch}, what the ACL
 * check finds keys by), and Redis's own finders where the specs cannot say (SET with GET, BITFIELD that
 * only reads, SORT's STORE anywhere, a count the specs cannot read). COMMAND GETKEYS lists the positions
 * the command table finds ({@link CommandSpec#keyIndices}); COMMAND GETKEYSANDFLAGS adds these flags, and
 * {@code CommandKeysTest} checks that both ways agree on where the keys are.
 */
public final class CommandKeys {

    /** One key of a call: its position in the arguments and its spec's flags ({@code RW}, {@code access}, ...). */
    public record Key(int position, List<String> flags) {
    }

    /** The recorded key specs compiled once per command. */
    private static final ConcurrentHashMap<String, KeySearch> COMPILED = new ConcurrentHashMap<>();

    private CommandKeys() {
    }

    private static KeySearch search(CommandMetadata metadata, String fullName) {
        ArrayRedisMessage info = metadata.recordedInfo(fullName);
        return info == null ? null : COMPILED.computeIfAbsent(fullName, name -> AclCatalog.keySearch(info));
    }

    /**
     * Whether Redis's {@code doesCommandHaveKeys} holds: a finder of its own or a key spec not marked
     * {@code not_key}; for a command Redis does not have, whether the table knows where its keys are.
     */
    public static boolean hasKeys(CommandMetadata metadata, CommandTable table, int id) {
        KeySearch search = search(metadata, table.fullName(id));
        return search == null ? table.spec(id).hasKeys() : search.hasKeys();
    }

    /** The keys of {@code argv} (a whole call, its name first) with their flags; empty for a command Redis does not have. */
    public static List<Key> keys(CommandMetadata metadata, String fullName, byte[][] argv) {
        KeySearch search = search(metadata, fullName);
        if (search == null) {
            return List.of();
        }
        KeySearch.Found found = new KeySearch.Found();
        int n = search.find(argv, found);
        List<Key> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(new Key(found.position(i), KeySpec.names(found.flags(i))));
        }
        return keys;
    }
}
