package io.percore.demo.acl;

/**
 * One of a command's key specifications (Redis 7's {@code keySpec}), compiled from the recorded
 * COMMAND INFO into numbers: where the search for its keys begins (an argument's index, or the
 * argument after a keyword searched from {@code startFrom}), how the keys run from there (a range, or
 * a count in the arguments) and its flags ({@link #RO} ... {@link #VARIABLE_FLAGS}, Redis's
 * {@code CMD_KEY_*} bits).
 *
 * @param flags     the spec's {@code CMD_KEY_*} bits
 * @param begin     {@link #BEGIN_INDEX}, {@link #BEGIN_KEYWORD} or {@link #UNKNOWN}
 * @param index     the first key's index (begin by index)
 * @param keyword   the keyword the keys follow (begin by keyword), in upper or lower case
 * @param startFrom where the keyword search starts: from the front when positive, from the end when negative
 * @param find      {@link #FIND_RANGE}, {@link #FIND_KEYNUM} or {@link #UNKNOWN}
 * @param lastKey   range: the last key relative to the first, or from the end when negative
 * @param keyStep   the distance between keys
 * @param limit     range: with lastKey -1, only the first 1/limit of the remaining arguments
 * @param keyNumIdx keynum: the count's index relative to the begin
 * @param firstKey  keynum: the first key's index relative to the begin
 */
public record KeySpec(int flags, int begin, int index, String keyword, int startFrom, int find, int lastKey, int keyStep, int limit,
                      int keyNumIdx, int firstKey) {

    /** Redis's {@code CMD_KEY_*}: how a key is used. */
    public static final int RO = 1;
    public static final int RW = 1 << 1;
    public static final int OW = 1 << 2;
    public static final int RM = 1 << 3;
    public static final int ACCESS = 1 << 4;
    public static final int UPDATE = 1 << 5;
    public static final int INSERT = 1 << 6;
    public static final int DELETE = 1 << 7;
    public static final int NOT_KEY = 1 << 8;
    public static final int INCOMPLETE = 1 << 9;
    public static final int VARIABLE_FLAGS = 1 << 10;

    /** The names COMMAND INFO and GETKEYSANDFLAGS give the flags, in Redis's order (bit i is {@code NAMES[i]}). */
    static final String[] NAMES = {"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete",
            "variable_flags"};

    public static final int UNKNOWN = 0;
    public static final int BEGIN_INDEX = 1;
    public static final int BEGIN_KEYWORD = 2;
    public static final int FIND_RANGE = 1;
    public static final int FIND_KEYNUM = 2;

    /** The bit of the flag COMMAND INFO names {@code name} ({@code RW}, {@code access}, ...), 0 for a name that is none. */
    public static int flag(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equalsIgnoreCase(name)) {
                return 1 << i;
            }
        }
        return 0;
    }

    /** The names of {@code flags}' bits, in Redis's order (COMMAND GETKEYSANDFLAGS). */
    public static java.util.List<String> names(int flags) {
        java.util.List<String> out = new java.util.ArrayList<>(4);
        for (int i = 0; i < NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                out.add(NAMES[i]);
            }
        }
        return out;
    }

    /** A spec whose keys cannot be found from the arguments (SORT's BY, GET and STORE). */
    public static KeySpec unknown(int flags) {
        return new KeySpec(flags, UNKNOWN, 0, null, 0, UNKNOWN, 0, 0, 0, 0, 0);
    }
}
