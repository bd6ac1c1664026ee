package io.percore.demo.scripting;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Redis's {@code cjson} (lua-cjson 2.1.0 as Redis builds it): {@code encode}, {@code decode}, their
 * settings ({@code encode_sparse_array}, {@code encode_max_depth}, {@code decode_max_depth},
 * {@code encode_number_precision}, {@code encode_keep_buffer}, {@code encode_invalid_numbers},
 * {@code decode_invalid_numbers}), {@code new} and {@code null}, with its rules and texts: numbers as
 * {@code %.14g}, {@code /} escaped, bytes of 0x80 and above passed through (strings are bytes, not
 * checked as UTF-8), a table an array when its keys are 1..n (holes up to the sparse-array ratio),
 * object members in the order Lua 5.1 walks the table ({@link LuaTableOrder}), a NUL byte the end of
 * the input, {@code Expected X but found Y at character N}. Settings live with the module, as the C
 * library keeps them in its upvalue: a script's change lasts for the following scripts of the shard.
 *
 * <p>Jackson was weighed (the brief's first choice for JSON) and left: it reads and writes text,
 * while cjson works on bytes (a string with invalid UTF-8 goes through encode and decode
 * unchanged, and a decoded {@code \u00e9} becomes two bytes that a raw 0xE9 must not), and cjson's
 * error texts name its own tokens and positions.
 */
final class LuaCJson {

    /** {@code cjson.null}: a NULL light userdata in Redis's Lua ({@code tostring} gives {@code userdata: (nil)}). */
    static final LuaUserdata NULL = new LuaUserdata(new Object()) {
        @Override
        public String tojstring() {
            return "userdata: (nil)";
        }
    };

    private static final String[] ON_OFF = {"off", "on"};
    private static final String[] ON_OFF_NULL = {"off", "on", "null"};

    private final LuaRuntime runtime;
    private boolean sparseConvert;
    private long sparseRatio = 2;
    private long sparseSafe = 10;
    private long encodeMaxDepth = 1000;
    private long decodeMaxDepth = 1000;
    /** 0: refuse NaN and Inf; 1: write them ({@code nan}, {@code inf}); 2: write them as null. */
    private int encodeInvalidNumbers;
    /** Redis builds cjson without DISABLE_INVALID_NUMBERS: hex, inf, nan and leading zeros decode by default. */
    private boolean decodeInvalidNumbers = true;
    private boolean keepBuffer = true;
    private int precision = 14;

    private LuaCJson(LuaRuntime runtime) {
        this.runtime = runtime;
    }

    /** A new {@code cjson} module table with settings of its own. */
    static LuaTable table(LuaRuntime runtime) {
        LuaCJson cjson = new LuaCJson(runtime);
        LuaTable t = new LuaTable();
        t.rawset("encode", cjson.function(cjson::encode));
        t.rawset("decode", cjson.function(cjson::decode));
        t.rawset("encode_sparse_array", cjson.function(cjson::encodeSparseArray));
        t.rawset("encode_max_depth", cjson.function(a -> cjson.integerOption(a, 1, Integer.MAX_VALUE, v -> cjson.encodeMaxDepth = v,
                () -> cjson.encodeMaxDepth)));
        t.rawset("decode_max_depth", cjson.function(a -> cjson.integerOption(a, 1, Integer.MAX_VALUE, v -> cjson.decodeMaxDepth = v,
                () -> cjson.decodeMaxDepth)));
        t.rawset("encode_number_precision", cjson.function(a -> cjson.integerOption(a, 1, 14, v -> cjson.precision = (int) v,
                () -> cjson.precision)));
        t.rawset("encode_keep_buffer", cjson.function(a -> {
            cjson.noMoreThan(a, 1);
            if (!a.isNoneOrNil(1)) {
                cjson.keepBuffer = a.get(1).isboolean() ? a.get(1).toboolean() : a.option(1, ON_OFF) == 1;
            }
            return LuaValue.valueOf(cjson.keepBuffer);
        }));
        t.rawset("encode_invalid_numbers", cjson.function(a -> {
            cjson.noMoreThan(a, 1);
            if (!a.isNoneOrNil(1)) {
                cjson.encodeInvalidNumbers = a.get(1).isboolean() ? (a.get(1).toboolean() ? 1 : 0) : a.option(1, ON_OFF_NULL);
            }
            return cjson.encodeInvalidNumbers == 2 ? LuaValue.valueOf("null") : LuaValue.valueOf(cjson.encodeInvalidNumbers == 1);
        }));
        t.rawset("decode_invalid_numbers", cjson.function(a -> {
            cjson.noMoreThan(a, 1);
            if (!a.isNoneOrNil(1)) {
                cjson.decodeInvalidNumbers = a.get(1).isboolean() ? a.get(1).toboolean() : a.option(1, ON_OFF) == 1;
            }
            return LuaValue.valueOf(cjson.decodeInvalidNumbers);
        }));
        t.rawset("new", cjson.function(a -> table(runtime)));
        t.rawset("null", NULL);
        t.rawset("_NAME", LuaValue.valueOf("cjson"));
        t.rawset("_VERSION", LuaValue.valueOf("2.1.0"));
        return t;
    }

    private VarArgFunction function(CArgs.Body body) {
        return CArgs.function(runtime, body);
    }

    private void noMoreThan(CArgs a, int n) {
        if (a.count() > n) {
            throw a.error(n + 1, "found too many arguments");
        }
    }

    private Varargs integerOption(CArgs a, long min, long max, java.util.function.LongConsumer set, java.util.function.LongSupplier get) {
        noMoreThan(a, 1);
        if (!a.isNoneOrNil(1)) {
            long v = a.integer(1);
            if (v < min || v > max) {
                throw a.error(1, "expected integer between " + min + " and " + max);
            }
            set.accept(v);
        }
        return LuaValue.valueOf(get.getAsLong());
    }

    private Varargs encodeSparseArray(CArgs a) {
        noMoreThan(a, 3);
        if (!a.isNoneOrNil(1)) {
            sparseConvert = a.get(1).isboolean() ? a.get(1).toboolean() : a.option(1, ON_OFF) == 1;
        }
        if (!a.isNoneOrNil(2)) {
            long v = a.integer(2);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw a.error(1, "expected integer between 0 and " + Integer.MAX_VALUE);
            }
            sparseRatio = v;
        }
        if (!a.isNoneOrNil(3)) {
            long v = a.integer(3);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw a.error(1, "expected integer between 0 and " + Integer.MAX_VALUE);
            }
            sparseSafe = v;
        }
        return LuaValue.varargsOf(LuaValue.valueOf(sparseConvert), LuaValue.valueOf(sparseRatio), LuaValue.valueOf(sparseSafe));
    }

    // ------------------------------------------------------------------ encode

    private Varargs encode(CArgs a) {
        if (a.count() != 1) {
            throw a.error(1, "expected 1 argument");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        append(a.get(1), 0, out);
        LuaMemory.checkAllocationHere(out.size());
        return LuaString.valueUsing(out.toByteArray());
    }

    private static LuaError cannotSerialise(LuaValue v, String reason) {
        return new LuaError("Cannot serialise " + CArgs.typeName(v) + ": " + reason);
    }

    private void append(LuaValue v, int depth, ByteArrayOutputStream out) {
        switch (v.type()) {
            case LuaValue.TSTRING -> appendString((LuaString) v, out);
            case LuaValue.TNUMBER -> appendNumber(v, out);
            case LuaValue.TBOOLEAN -> ascii(v.toboolean() ? "true" : "false", out);
            case LuaValue.TNIL -> ascii("null", out);
            case LuaValue.TTABLE -> {
                int d = depth + 1;
                if (d > encodeMaxDepth) {
                    throw new LuaError("Cannot serialise, excessive nesting (" + d + ")");
                }
                LuaTable t = (LuaTable) v;
                long length = arrayLength(t);
                if (length > 0) {
                    out.write('[');
                    for (long i = 1; i <= length; i++) {
                        if (i > 1) {
                            out.write(',');
                        }
                        append(t.rawget((int) i), d, out);
                    }
                    out.write(']');
                } else {
                    appendObject(t, d, out);
                }
            }
            default -> {
                if (v == NULL) {
                    ascii("null", out);
                } else {
                    throw cannotSerialise(v, "type not supported");
                }
            }
        }
    }

    /** cjson's {@code lua_array_length}: n for an array of 1..n (holes allowed up to the sparse rules), -1 for an object. */
    private long arrayLength(LuaTable t) {
        long max = 0;
        long items = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs next = t.next(k);
            k = next.arg1();
            if (k.isnil()) {
                break;
            }
            if (k.type() == LuaValue.TNUMBER) {
                double d = k.todouble();
                if (d != 0 && Math.floor(d) == d && d >= 1) {
                    // C's int max = k: an index past INT_MAX does not fit, as in lua_array_length
                    max = Math.max(max, d >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (long) d);
                    items++;
                    continue;
                }
            }
            return -1;
        }
        if (sparseRatio > 0 && max > items * sparseRatio && max > sparseSafe) {
            if (!sparseConvert) {
                throw cannotSerialise(t, "excessively sparse array");
            }
            return -1;
        }
        return max;
    }

    private void appendObject(LuaTable t, int depth, ByteArrayOutputStream out) {
        out.write('{');
        List<LuaValue> keys = LuaTableOrder.keys(t);
        boolean comma = false;
        for (LuaValue key : keys) {
            if (comma) {
                out.write(',');
            }
            comma = true;
            if (key.type() == LuaValue.TNUMBER) {
                out.write('"');
                appendNumber(key, out);
                out.write('"');
                out.write(':');
            } else if (key.type() == LuaValue.TSTRING) {
                appendString((LuaString) key, out);
                out.write(':');
            } else {
                throw cannotSerialise(key, "table key must be a number or string");
            }
            append(t.rawget(key), depth, out);
        }
        out.write('}');
    }

    private void appendNumber(LuaValue v, ByteArrayOutputStream out) {
        double d = v.todouble();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            switch (encodeInvalidNumbers) {
                case 0 -> throw cannotSerialise(v, "must not be NaN or Inf");
                case 1 -> {
                    if (Double.isNaN(d)) {
                        ascii("nan", out);
                        return;
                    }
                }
                default -> {
                    ascii("null", out);
                    return;
                }
            }
        }
        ascii(LuaNumbers.formatG(d, precision, false, false), out);
    }

    private static final byte[][] ESCAPES = new byte[256][];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = String.format("\\u%04x", c).getBytes(StandardCharsets.US_ASCII);
        }
        ESCAPES['\b'] = "\\b".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\t'] = "\\t".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\n'] = "\\n".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\f'] = "\\f".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\r'] = "\\r".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['"'] = "\\\"".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['/'] = "\\/".getBytes(StandardCharsets.US_ASCII);
        ESCAPES['\\'] = "\\\\".getBytes(StandardCharsets.US_ASCII);
        ESCAPES[0x7f] = "\\u007f".getBytes(StandardCharsets.US_ASCII);
    }

    private static void appendString(LuaString s, ByteArrayOutputStream out) {
        out.write('"');
        byte[] b = s.m_bytes;
        for (int i = s.m_offset, end = s.m_offset + s.m_length; i < end; i++) {
            byte[] escape = ESCAPES[b[i] & 0xff];
            if (escape != null) {
                out.write(escape, 0, escape.length);
            } else {
                out.write(b[i]);
            }
        }
        out.write('"');
    }

    private static void ascii(String s, ByteArrayOutputStream out) {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }

    // ------------------------------------------------------------------ decode

    private Varargs decode(CArgs a) {
        if (a.count() != 1) {
            throw a.error(1, "expected 1 argument");
        }
        LuaString text = a.string(1);
        byte[] data = new byte[text.m_length + 1]; // the NUL after the text is the input's end, as C reads it
        System.arraycopy(text.m_bytes, text.m_offset, data, 0, text.m_length);
        if (text.m_length >= 2 && (data[0] == 0 || data[1] == 0)) {
            throw new LuaError("JSON parser does not support UTF-16 or UTF-32");
        }
        JsonParser parser = new JsonParser(data);
        Token token = parser.next();
        LuaValue value = parser.value(token);
        token = parser.next();
        if (token.type != T_END) {
            throw parser.expected("the end", token);
        }
        return value;
    }

    private static final int T_OBJ_BEGIN = 0;
    private static final int T_OBJ_END = 1;
    private static final int T_ARR_BEGIN = 2;
    private static final int T_ARR_END = 3;
    private static final int T_STRING = 4;
    private static final int T_NUMBER = 5;
    private static final int T_BOOLEAN = 6;
    private static final int T_NULL = 7;
    private static final int T_COLON = 8;
    private static final int T_COMMA = 9;
    private static final int T_END = 10;
    private static final int T_ERROR = 12;
    private static final String[] TOKEN_NAMES = {"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING", "T_NUMBER",
            "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"};

    /** One token: its type, where it starts (0-based), its value, or for an error what went wrong. */
    private static final class Token {
        int type;
        int index;
        LuaValue value;
        String error;
    }

    /** cjson's decoder over the input's bytes (a NUL ends it, as the C library reads a C string). */
    private final class JsonParser {
        private final byte[] data;
        private int pos;
        private int depth;

        JsonParser(byte[] data) {
            this.data = data;
        }

        LuaError expected(String what, Token found) {
            String name = found.type == T_ERROR ? found.error : TOKEN_NAMES[found.type];
            return new LuaError("Expected " + what + " but found " + name + " at character " + (found.index + 1));
        }

        private void descend() {
            depth++;
            if (depth > decodeMaxDepth) {
                throw new LuaError("Found too many nested data structures (" + depth + ") at character " + pos);
            }
        }

        private long values;

        LuaValue value(Token token) {
            if (++values % LuaCMsgPack.CHECK_EVERY == 0) {
                // what the values decoded so far hold (no walk of the Lua state sees them yet): at most the input's bytes and an object each
                LuaMemory.checkAllocationHere(values * LuaCMsgPack.VALUE_BYTES + pos);
            }
            switch (token.type) {
                case T_STRING, T_NUMBER, T_BOOLEAN:
                    return token.value;
                case T_NULL:
                    return NULL;
                case T_OBJ_BEGIN:
                    return object();
                case T_ARR_BEGIN:
                    return array();
                default:
                    throw expected("value", token);
            }
        }

        private LuaTable object() {
            descend();
            LuaTable t = new LuaTable();
            Token token = next();
            if (token.type == T_OBJ_END) {
                depth--;
                return t;
            }
            while (true) {
                if (token.type != T_STRING) {
                    throw expected("object key string", token);
                }
                LuaValue key = token.value;
                token = next();
                if (token.type != T_COLON) {
                    throw expected("colon", token);
                }
                t.rawset(key, value(next()));
                token = next();
                if (token.type == T_OBJ_END) {
                    depth--;
                    return t;
                }
                if (token.type != T_COMMA) {
                    throw expected("comma or object end", token);
                }
                token = next();
            }
        }

        private LuaTable array() {
            descend();
            LuaTable t = new LuaTable();
            Token token = next();
            if (token.type == T_ARR_END) {
                depth--;
                return t;
            }
            for (int i = 1; ; i++) {
                t.rawset(i, value(token));
                token = next();
                if (token.type == T_ARR_END) {
                    depth--;
                    return t;
                }
                if (token.type != T_COMMA) {
                    throw expected("comma or array end", token);
                }
                token = next();
            }
        }

        private Token error(Token token, String what) {
            token.type = T_ERROR;
            token.index = pos;
            token.error = what;
            return token;
        }

        Token next() {
            Token token = new Token();
            int ch;
            while ((ch = data[pos] & 0xff) == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                pos++;
            }
            token.index = pos;
            switch (ch) {
                case '{' -> token.type = T_OBJ_BEGIN;
                case '}' -> token.type = T_OBJ_END;
                case '[' -> token.type = T_ARR_BEGIN;
                case ']' -> token.type = T_ARR_END;
                case ',' -> token.type = T_COMMA;
                case ':' -> token.type = T_COLON;
                case 0 -> {
                    token.type = T_END;
                    return token;
                }
                case '"' -> {
                    return string(token);
                }
                default -> {
                    return other(token, ch);
                }
            }
            pos++;
            return token;
        }

        private Token other(Token token, int ch) {
            if (ch == '-' || (ch >= '0' && ch <= '9')) {
                if (!decodeInvalidNumbers && invalidNumber()) {
                    return error(token, "invalid number");
                }
                return number(token);
            }
            if (startsWith("true")) {
                token.type = T_BOOLEAN;
                token.value = LuaValue.TRUE;
                pos += 4;
                return token;
            }
            if (startsWith("false")) {
                token.type = T_BOOLEAN;
                token.value = LuaValue.FALSE;
                pos += 5;
                return token;
            }
            if (startsWith("null")) {
                token.type = T_NULL;
                pos += 4;
                return token;
            }
            if ((ch == 'i' || ch == 'I' || ch == 'n' || ch == 'N' || ch == '+') && decodeInvalidNumbers && invalidNumber()) {
                return number(token);
            }
            return error(token, "invalid token");
        }

        private boolean startsWith(String word) {
            for (int i = 0; i < word.length(); i++) {
                if (data[pos + i] != word.charAt(i)) {
                    return false;
                }
                if (data[pos + i] == 0) {
                    return false;
                }
            }
            return true;
        }

        /** cjson's {@code json_is_invalid_number}: what strtod takes and strict JSON does not (+, hex, leading zeros, inf, nan). */
        private boolean invalidNumber() {
            int p = pos;
            if (data[p] == '+') {
                return true;
            }
            if (data[p] == '-') {
                p++;
            }
            if (data[p] == '0') {
                int ch2 = data[p + 1] & 0xff;
                return (ch2 | 0x20) == 'x' || (ch2 >= '0' && ch2 <= '9');
            }
            if ((data[p] & 0xff) <= '9') {
                return false;
            }
            return regionIgnoringCase(p, "inf") || regionIgnoringCase(p, "nan");
        }

        private boolean regionIgnoringCase(int p, String word) {
            for (int i = 0; i < word.length(); i++) {
                if (p + i >= data.length || Character.toLowerCase((char) (data[p + i] & 0xff)) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** strtod of the longest prefix it takes (decimal, and with invalid numbers allowed hex, inf and nan). */
        private Token number(Token token) {
            int end = StrtodPrefix.end(data, pos);
            if (end == pos) {
                return error(token, "invalid number");
            }
            token.type = T_NUMBER;
            token.value = LuaValue.valueOf(StrtodPrefix.value(data, pos, end));
            pos = end;
            return token;
        }

        private Token string(Token token) {
            pos++; // the opening quote
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int ch;
            while ((ch = data[pos] & 0xff) != '"') {
                if (ch == 0) {
                    return error(token, "unexpected end of string");
                }
                if (ch == '\\') {
                    int escape = data[pos + 1] & 0xff;
                    int c = switch (escape) {
                        case '"' -> '"';
                        case '\\' -> '\\';
                        case '/' -> '/';
                        case 'b' -> '\b';
                        case 't' -> '\t';
                        case 'n' -> '\n';
                        case 'f' -> '\f';
                        case 'r' -> '\r';
                        case 'u' -> 'u';
                        default -> 0;
                    };
                    if (c == 'u') {
                        if (!unicodeEscape(out)) {
                            return error(token, "invalid unicode escape code");
                        }
                        continue;
                    }
                    if (c == 0) {
                        return error(token, "invalid escape code");
                    }
                    pos++;
                    ch = c;
                }
                out.write(ch);
                pos++;
            }
            pos++;
            token.type = T_STRING;
            token.value = LuaString.valueUsing(out.toByteArray());
            return token;
        }

        private int hex4(int at) {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                if (at + i >= data.length) {
                    return -1;
                }
                int d = Character.digit((char) (data[at + i] & 0xff), 16);
                if (d < 0) {
                    return -1;
                }
                v = (v << 4) | d;
            }
            return v;
        }

        /** {@code \\uXXXX} (a surrogate pair as one code point) as UTF-8; false when malformed. */
        private boolean unicodeEscape(ByteArrayOutputStream out) {
            int codepoint = hex4(pos + 2);
            if (codepoint < 0) {
                return false;
            }
            int length = 6;
            if ((codepoint & 0xF800) == 0xD800) {
                if ((codepoint & 0x400) != 0) {
                    return false;
                }
                if (pos + 7 >= data.length || data[pos + 6] != '\\' || data[pos + 7] != 'u') {
                    return false;
                }
                int low = hex4(pos + 8);
                if (low < 0 || (low & 0xFC00) != 0xDC00) {
                    return false;
                }
                codepoint = (((codepoint & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
                length = 12;
            }
            if (codepoint <= 0x7F) {
                out.write(codepoint);
            } else if (codepoint <= 0x7FF) {
                out.write((codepoint >> 6) | 0xC0);
                out.write((codepoint & 0x3F) | 0x80);
            } else if (codepoint <= 0xFFFF) {
                out.write((codepoint >> 12) | 0xE0);
                out.write(((codepoint >> 6) & 0x3F) | 0x80);
                out.write((codepoint & 0x3F) | 0x80);
            } else {
                out.write((codepoint >> 18) | 0xF0);
                out.write(((codepoint >> 12) & 0x3F) | 0x80);
                out.write(((codepoint >> 6) & 0x3F) | 0x80);
                out.write((codepoint & 0x3F) | 0x80);
            }
            pos += length;
            return true;
        }
    }
}
