package io.percore.demo.command;

import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.Resp3Text;
import io.percore.demo.resp.RespNumbers;

/**
 * The access flags of a call's keys, from Redis 7.0.15's key specifications ({@link CommandMetadata}):
 * Redis's {@code getKeysUsingKeySpecs} (begin_search by index or keyword, find_keys by range or
 * keynum), and its {@code setGetKeys}/{@code bitfieldGetKeys} for the two commands of the table whose
 * flags depend on their arguments (SET with GET, BITFIELD that only reads) or whose STORE may come
 * anywhere (SORT). COMMAND GETKEYS lists
 * the positions the command table finds ({@link CommandSpec#keyIndices}); COMMAND GETKEYSANDFLAGS
 * adds these flags, and {@code CommandKeysTest} checks that both ways agree on where the keys are.
 */
public final class CommandKeys {

    /** One key of a call: its position in the arguments and its spec's flags ({@code RW}, {@code access}, ...). */
    public record Key(int position, List<String> flags) {
    }

    private CommandKeys() {
    }

    /**
     * Whether Redis's {@code doesCommandHaveKeys} holds: a key spec not marked {@code not_key}; for a
     * command Redis does not have, whether the table knows where its keys are.
     */
    public static boolean hasKeys(CommandMetadata metadata, CommandTable table, int id) {
        List<RedisMessage> specs = specs(metadata, table.fullName(id));
        if (specs == null) {
            return table.spec(id).hasKeys();
        }
        for (RedisMessage spec : specs) {
            if (!flags(spec).contains("not_key")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The keys of {@code argv} (a whole call, its name first) by the key specs, in spec order; null
     * when the arguments do not fit them (Redis's invalid spec: a missing keyword's range, a bad numkeys).
     */
    public static List<Key> keys(CommandMetadata metadata, String fullName, byte[][] argv) {
        switch (fullName) {
            case "set" -> {
                return List.of(new Key(1, setFlags(argv)));
            }
            case "bitfield" -> {
                return List.of(new Key(1, bitfieldFlags(argv)));
            }
            case "sort" -> {
                return sortKeys(argv);
            }
            case "sort_ro" -> {
                return List.of(new Key(1, List.of("RO", "access")));
            }
            default -> {
            }
        }
        List<RedisMessage> specs = specs(metadata, fullName);
        if (specs == null) {
            return List.of();
        }
        List<Key> keys = new ArrayList<>();
        int argc = argv.length;
        for (RedisMessage spec : specs) {
            List<String> flags = flags(spec);
            if (flags.contains("not_key")) {
                continue;
            }
            List<RedisMessage> begin = map(field(spec, "begin_search"));
            List<RedisMessage> beginSpec = map(CommandMetadata.field(begin, "spec"));
            int first = 0;
            switch (text(CommandMetadata.field(begin, "type"))) {
                case "index" -> first = number(beginSpec, "index");
                case "keyword" -> {
                    String keyword = text(CommandMetadata.field(beginSpec, "keyword"));
                    int startFrom = number(beginSpec, "startfrom");
                    int start = startFrom > 0 ? startFrom : argc + startFrom;
                    int end = startFrom > 0 ? argc - 1 : 1;
                    for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
                        if (i >= argc || i < 1) {
                            break;
                        }
                        if (new String(argv[i], StandardCharsets.ISO_8859_1).equalsIgnoreCase(keyword)) {
                            first = i + 1;
                            break;
                        }
                    }
                    if (first == 0) {
                        continue; // keyword not there: this spec has no keys in this call
                    }
                }
                default -> {
                    return null;
                }
            }
            List<RedisMessage> find = map(field(spec, "find_keys"));
            List<RedisMessage> findSpec = map(CommandMetadata.field(find, "spec"));
            int last;
            int step;
            switch (text(CommandMetadata.field(find, "type"))) {
                case "range" -> {
                    step = number(findSpec, "keystep");
                    int lastKey = number(findSpec, "lastkey");
                    int limit = number(findSpec, "limit");
                    if (lastKey >= 0) {
                        last = first + lastKey;
                    } else if (limit == 0) {
                        last = argc + lastKey;
                    } else {
                        last = first + ((argc - first) / limit + lastKey);
                    }
                }
                case "keynum" -> {
                    step = number(findSpec, "keystep");
                    int keyNumAt = number(findSpec, "keynumidx");
                    if (keyNumAt >= argc || first + keyNumAt >= argc) {
                        return null;
                    }
                    byte[] count = argv[first + keyNumAt];
                    if (!RespNumbers.isLong(count) || RespNumbers.parseLong(count) < 0 || RespNumbers.parseLong(count) > argc) {
                        return null;
                    }
                    first += number(findSpec, "firstkey");
                    last = first + (int) RespNumbers.parseLong(count) - 1;
                }
                default -> {
                    return null;
                }
            }
            if (last >= argc || last < first || first >= argc) {
                return null;
            }
            for (int i = first; i <= last; i += step) {
                if (i >= argc || i < first) {
                    continue; // a variable-arity command with too few arguments: its own reply says so
                }
                keys.add(new Key(i, flags));
            }
            if (flags.contains("incomplete")) {
                return null;
            }
        }
        return keys;
    }

    /**
     * Redis's sortGetKeys (SORT's STORE may come anywhere, so its key spec is "unknown"): the sorted key,
     * and the last STORE's destination, skipping LIMIT's, GET's and BY's arguments.
     */
    private static List<Key> sortKeys(byte[][] argv) {
        Key sorted = new Key(1, List.of("RO", "access"));
        Key store = null;
        for (int i = 2; i < argv.length; i++) {
            String arg = new String(argv[i], StandardCharsets.ISO_8859_1);
            if (arg.equalsIgnoreCase("limit")) {
                i += 2;
            } else if (arg.equalsIgnoreCase("get") || arg.equalsIgnoreCase("by")) {
                i += 1;
            } else if (arg.equalsIgnoreCase("store") && i + 1 < argv.length) {
                store = new Key(i + 1, List.of("OW", "update"));
            }
        }
        return store == null ? List.of(sorted) : List.of(sorted, store);
    }

    /** Redis's setGetKeys: with a GET argument the key is read too. */
    private static List<String> setFlags(byte[][] argv) {
        for (int i = 3; i < argv.length; i++) {
            if (argv[i].length == 3 && new String(argv[i], StandardCharsets.ISO_8859_1).equalsIgnoreCase("get")) {
                return List.of("RW", "access", "update");
            }
        }
        return List.of("OW", "update");
    }

    /** Redis's bitfieldGetKeys: only GETs (and OVERFLOW) read; anything else may write. */
    private static List<String> bitfieldFlags(byte[][] argv) {
        for (int i = 2; i < argv.length; i++) {
            int remaining = argv.length - i - 1;
            String arg = new String(argv[i], StandardCharsets.ISO_8859_1);
            if (arg.equalsIgnoreCase("get") && remaining >= 2) {
                i += 2;
            } else if (arg.equalsIgnoreCase("overflow") && remaining >= 1) {
                i += 1;
            } else {
                return List.of("RW", "access", "update");
            }
        }
        return List.of("RO", "access");
    }

    private static List<RedisMessage> specs(CommandMetadata metadata, String fullName) {
        io.netty.handler.codec.redis.ArrayRedisMessage info = metadata.recordedInfo(fullName);
        return info == null ? null : CommandMetadata.members(info.children().get(8));
    }

    private static List<String> flags(RedisMessage spec) {
        List<String> out = new ArrayList<>();
        for (RedisMessage flag : CommandMetadata.members(field(spec, "flags"))) {
            out.add(text(flag));
        }
        return out;
    }

    private static RedisMessage field(RedisMessage map, String key) {
        return CommandMetadata.field(map(map), key);
    }

    private static List<RedisMessage> map(RedisMessage message) {
        return ((Resp3Replies.MapReply) message).keysAndValues();
    }

    private static String text(RedisMessage message) {
        return Resp3Text.text(message);
    }

    private static int number(List<RedisMessage> map, String key) {
        return (int) ((IntegerRedisMessage) CommandMetadata.field(map, key)).value();
    }
}
