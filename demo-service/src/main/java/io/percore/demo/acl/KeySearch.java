package io.percore.demo.acl;

/**
 * How a command's keys are found in a call, with how each is used (Redis's
 * {@code getKeysFromCommandWithSpecs}): by its key specifications when they are reliable (some spec
 * names keys and none has variable flags), else, or when the specs do not fit the call (a bad count,
 * an incomplete spec), by the command's own finder ({@link Finder}, Redis's {@code getkeys_proc}).
 * Compiled once per command; finding writes positions and flags into an int array the caller keeps,
 * so a call allocates nothing. Made with the key specifications, in Redis's order, and the command's own
 * finder, or {@link Finder#NONE}.
 */
public final class KeySearch {

    /** A command without keys. */
    public static final KeySearch NONE = new KeySearch(new KeySpec[0], Finder.NONE);

    private final KeySpec[] specs;
    private final Finder finder;
    /** Redis's {@code doesCommandHaveKeys}. */
    private final boolean hasKeys;
    /** {@link #hasKeys} counting the specs marked {@code not_key} too (a shard channel). */
    private final boolean hasKeysWithNotKeys;
    /** Some spec names keys and none has variable flags: the specs are asked first (else only the finder). */
    private final boolean bySpecsFirst;
    /** {@link #bySpecsFirst} counting the specs marked {@code not_key} too. */
    private final boolean bySpecsFirstWithNotKeys;
    /** Whether a call may name more than one key: a finder that may, a spec that finds several, or several specs. */
    private final boolean mayFindSeveral;

    public KeySearch(KeySpec[] specs, Finder finder) {
        this.specs = specs.clone();
        this.finder = finder;
        boolean reliable = false;
        boolean variable = false;
        int naming = 0;
        boolean several = finder != Finder.NONE && finder != Finder.SET && finder != Finder.BITFIELD && finder != Finder.SORT_RO;
        for (KeySpec spec : specs) {
            reliable |= (spec.flags() & KeySpec.NOT_KEY) == 0;
            variable |= (spec.flags() & KeySpec.VARIABLE_FLAGS) != 0;
            naming++;
            several |= spec.find() == KeySpec.FIND_KEYNUM || (spec.find() == KeySpec.FIND_RANGE && spec.lastKey() != 0);
        }
        this.bySpecsFirst = reliable && !variable;
        this.bySpecsFirstWithNotKeys = naming > 0 && !variable;
        this.hasKeys = finder != Finder.NONE || reliable;
        this.hasKeysWithNotKeys = finder != Finder.NONE || naming > 0;
        this.mayFindSeveral = several || naming > 1;
    }

    /**
     * Redis's {@code getkeys_proc}s: the commands whose keys the specs cannot always find. Their keys
     * carry flags only where Redis's procs give them (SORT, SORT_RO, MIGRATE, SET, BITFIELD); the others
     * give none, which every key pattern then accepts by its name alone, as in Redis.
     */
    public enum Finder {
        NONE,
        /** ZUNION, ZINTER, ZDIFF, ZINTERCARD, SINTERCARD, LMPOP, ZMPOP: a count at 1, keys from 2. */
        COUNT_AT_1,
        /** ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE: the destination at 1, a count at 2, keys from 3. */
        STORE_COUNT_AT_2,
        /** EVAL, EVALSHA, their _RO forms, FCALL, FCALL_RO, BLMPOP, BZMPOP: a count at 2, keys from 3. */
        COUNT_AT_2,
        SORT, SORT_RO, MIGRATE, GEORADIUS, XREAD, SET, BITFIELD
    }

    /** Redis's {@code doesCommandHaveKeys}: a finder of its own, or a spec that names keys. */
    public boolean hasKeys() {
        return hasKeys;
    }

    /**
     * {@link #hasKeys}, with {@code includeNotKeys} counting the specs marked {@code not_key} (Redis's
     * {@code GET_KEYSPEC_INCLUDE_NOT_KEYS}): a shard channel, which places a call on a shard and a slot as a key does.
     */
    public boolean hasKeys(boolean includeNotKeys) {
        return includeNotKeys ? hasKeysWithNotKeys : hasKeys;
    }

    /** Whether a call may name more than one key (or shard channel): a command whose keys may lie on several shards. */
    public boolean mayFindSeveral() {
        return mayFindSeveral;
    }

    /**
     * The keys of {@code argv} (a whole call, its name first): their positions at {@code out[2i]} and
     * flags at {@code out[2i + 1]}, {@code out} grown as needed.
     *
     * @return the number of keys, and the array holding them ({@link Found})
     */
    public int find(byte[][] argv, Found out) {
        return find(argv, out, false);
    }

    /** {@link #find}, with {@code includeNotKeys} finding the arguments of specs marked {@code not_key} too ({@link #hasKeys(boolean)}). */
    public int find(byte[][] argv, Found out, boolean includeNotKeys) {
        if (includeNotKeys ? bySpecsFirstWithNotKeys : bySpecsFirst) {
            int n = bySpecs(argv, out, includeNotKeys);
            if (n >= 0) {
                return n;
            }
        }
        return byFinder(argv, out);
    }

    /** Where found keys go: pairs of position and flags, grown as a call needs. */
    public static final class Found {
        int[] keys;

        public Found() {
            this(16);
        }

        /** Room for {@code keys} keys before it grows (a call of {@code n} arguments has fewer than {@code n} keys). */
        public Found(int keys) {
            this.keys = new int[2 * Math.max(1, keys)];
        }

        /** The position of key {@code i}. */
        public int position(int i) {
            return keys[2 * i];
        }

        /** The {@code CMD_KEY_*} flags of key {@code i}. */
        public int flags(int i) {
            return keys[2 * i + 1];
        }

        void put(int i, int position, int flags) {
            if (2 * i + 1 >= keys.length) {
                keys = java.util.Arrays.copyOf(keys, Math.max(keys.length * 2, 2 * i + 2));
            }
            keys[2 * i] = position;
            keys[2 * i + 1] = flags;
        }
    }

    /** Redis's {@code getKeysUsingKeySpecs}: -1 when a spec does not fit the call (the finder decides then). */
    private int bySpecs(byte[][] argv, Found out, boolean includeNotKeys) {
        int argc = argv.length;
        int n = 0;
        for (KeySpec spec : specs) {
            if ((spec.flags() & KeySpec.NOT_KEY) != 0 && !includeNotKeys) {
                continue;
            }
            int first = 0;
            if (spec.begin() == KeySpec.BEGIN_INDEX) {
                first = spec.index();
            } else if (spec.begin() == KeySpec.BEGIN_KEYWORD) {
                int start = spec.startFrom() > 0 ? spec.startFrom() : argc + spec.startFrom();
                int end = spec.startFrom() > 0 ? argc - 1 : 1;
                for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
                    if (i >= argc || i < 1) {
                        break;
                    }
                    if (Bytes.equalsIgnoreCase(argv[i], spec.keyword())) {
                        first = i + 1;
                        break;
                    }
                }
                if (first == 0) {
                    continue; // keyword not there: no keys of this spec in this call
                }
            } else {
                return -1;
            }
            int last;
            int step;
            if (spec.find() == KeySpec.FIND_RANGE) {
                step = spec.keyStep();
                if (spec.lastKey() >= 0) {
                    last = first + spec.lastKey();
                } else if (spec.limit() == 0) {
                    last = argc + spec.lastKey();
                } else {
                    last = first + ((argc - first) / spec.limit() + spec.lastKey());
                }
            } else if (spec.find() == KeySpec.FIND_KEYNUM) {
                step = spec.keyStep();
                if (spec.keyNumIdx() >= argc || first + spec.keyNumIdx() >= argc) {
                    return -1;
                }
                long count = Bytes.parseLong(argv[first + spec.keyNumIdx()]);
                if (count < 0 || count > Integer.MAX_VALUE) {
                    return -1; // unparseable (Long.MIN_VALUE) or negative
                }
                first += spec.firstKey();
                last = (int) Math.min(Integer.MAX_VALUE, first + count - 1);
            } else {
                return -1;
            }
            if (last >= argc || last < first || first >= argc) {
                return -1;
            }
            for (int i = first; i <= last; i += step) {
                out.put(n++, i, spec.flags());
            }
            if ((spec.flags() & KeySpec.INCOMPLETE) != 0) {
                return -1;
            }
        }
        return n;
    }

    private int byFinder(byte[][] argv, Found out) {
        int argc = argv.length;
        switch (finder) {
            case COUNT_AT_1 -> {
                return counted(argv, 0, 1, 2, out);
            }
            case STORE_COUNT_AT_2 -> {
                return counted(argv, 1, 2, 3, out);
            }
            case COUNT_AT_2 -> {
                return counted(argv, 0, 2, 3, out);
            }
            case SORT_RO -> {
                out.put(0, 1, KeySpec.RO | KeySpec.ACCESS);
                return 1;
            }
            case SORT -> {
                out.put(0, 1, KeySpec.RO | KeySpec.ACCESS);
                int store = -1;
                for (int i = 2; i < argc; i++) {
                    if (Bytes.equalsIgnoreCase(argv[i], "limit")) {
                        i += 2;
                    } else if (Bytes.equalsIgnoreCase(argv[i], "get") || Bytes.equalsIgnoreCase(argv[i], "by")) {
                        i += 1;
                    } else if (Bytes.equalsIgnoreCase(argv[i], "store") && i + 1 < argc) {
                        store = i + 1; // the last STORE wins, as SORT's own
                    }
                }
                if (store < 0) {
                    return 1;
                }
                out.put(1, store, KeySpec.OW | KeySpec.UPDATE);
                return 2;
            }
            case MIGRATE -> {
                int first = 3;
                int num = 1;
                if (argc > 6) {
                    for (int i = 6; i < argc; i++) {
                        if (Bytes.equalsIgnoreCase(argv[i], "keys")) {
                            if (argv[3].length > 0) {
                                num = 0; // a syntax error MIGRATE itself answers
                            } else {
                                first = i + 1;
                                num = argc - first;
                            }
                            break;
                        }
                        if (Bytes.equalsIgnoreCase(argv[i], "auth")) {
                            i += 1;
                        } else if (Bytes.equalsIgnoreCase(argv[i], "auth2")) {
                            i += 2;
                        }
                    }
                }
                for (int i = 0; i < num; i++) {
                    out.put(i, first + i, KeySpec.RW | KeySpec.ACCESS | KeySpec.DELETE);
                }
                return num;
            }
            case GEORADIUS -> {
                int stored = -1;
                for (int i = 5; i < argc; i++) {
                    if ((Bytes.equalsIgnoreCase(argv[i], "store") || Bytes.equalsIgnoreCase(argv[i], "storedist")) && i + 1 < argc) {
                        stored = i + 1;
                        i++;
                    }
                }
                out.put(0, 1, 0);
                if (stored < 0) {
                    return 1;
                }
                out.put(1, stored, 0);
                return 2;
            }
            case XREAD -> {
                int streams = -1;
                for (int i = 1; i < argc; i++) {
                    if (Bytes.equalsIgnoreCase(argv[i], "block") || Bytes.equalsIgnoreCase(argv[i], "count")) {
                        i++;
                    } else if (Bytes.equalsIgnoreCase(argv[i], "group")) {
                        i += 2;
                    } else if (Bytes.equalsIgnoreCase(argv[i], "noack")) {
                        continue;
                    } else {
                        if (Bytes.equalsIgnoreCase(argv[i], "streams")) {
                            streams = i;
                        }
                        break;
                    }
                }
                int num = streams < 0 ? 0 : argc - streams - 1;
                if (streams < 0 || num == 0 || num % 2 != 0) {
                    return 0;
                }
                num /= 2;
                for (int i = 0; i < num; i++) {
                    out.put(i, streams + 1 + i, 0);
                }
                return num;
            }
            case SET -> {
                for (int i = 3; i < argc; i++) {
                    if (Bytes.equalsIgnoreCase(argv[i], "get")) {
                        out.put(0, 1, KeySpec.RW | KeySpec.ACCESS | KeySpec.UPDATE);
                        return 1;
                    }
                }
                out.put(0, 1, KeySpec.OW | KeySpec.UPDATE);
                return 1;
            }
            case BITFIELD -> {
                boolean readOnly = true;
                for (int i = 2; i < argc; i++) {
                    int more = argc - i - 1;
                    if (Bytes.equalsIgnoreCase(argv[i], "get") && more >= 2) {
                        i += 2;
                    } else if ((Bytes.equalsIgnoreCase(argv[i], "set") || Bytes.equalsIgnoreCase(argv[i], "incrby")) && more >= 3) {
                        readOnly = false;
                        break;
                    } else if (Bytes.equalsIgnoreCase(argv[i], "overflow") && more >= 1) {
                        i += 1;
                    } else {
                        readOnly = false; // a syntax error: safer to take it as a write, as Redis
                        break;
                    }
                }
                out.put(0, 1, readOnly ? KeySpec.RO | KeySpec.ACCESS : KeySpec.RW | KeySpec.ACCESS | KeySpec.UPDATE);
                return 1;
            }
            default -> {
                return 0;
            }
        }
    }

    /** Redis's {@code genericGetKeys}: the count read as {@code atoi}, no keys unless it fits; the destination last. */
    private static int counted(byte[][] argv, int store, int countAt, int first, Found out) {
        long num = Bytes.atoi(argv[countAt]);
        if (num < 1 || num > argv.length - first) {
            return 0;
        }
        for (int i = 0; i < num; i++) {
            out.put(i, first + i, 0);
        }
        if (store > 0) {
            out.put((int) num, store, 0);
            return (int) num + 1;
        }
        return (int) num;
    }
}
