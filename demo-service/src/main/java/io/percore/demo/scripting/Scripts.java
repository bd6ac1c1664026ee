package io.percore.demo.scripting;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import io.percore.demo.resp.RespError;

/** What a script's body says about it: its SHA1 name and its shebang line ({@code #!lua flags=...}). */
final class Scripts {

    static final int NO_WRITES = 1;
    static final int ALLOW_OOM = 2;
    static final int ALLOW_STALE = 4;
    static final int NO_CLUSTER = 8;
    static final int ALLOW_CROSS_SLOT = 16;
    /** No shebang: a script of before Redis 7 (its writes decided command by command). */
    static final int EVAL_COMPAT = 32;

    static final String[] FLAG_NAMES = {"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"};

    private Scripts() {
    }

    static String sha1hex(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(bytes);
            StringBuilder hex = new StringBuilder(40);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A script's flags from its shebang line, as Redis's {@code evalExtractShebangFlags}. @throws RespError for a bad one */
    static int shebangFlags(byte[] body) {
        if (body.length < 2 || body[0] != '#' || body[1] != '!') {
            return EVAL_COMPAT;
        }
        int end = indexOf(body, (byte) '\n');
        if (end < 0) {
            throw new RespError("ERR Invalid script shebang");
        }
        List<String> parts = split(new String(body, 0, end, StandardCharsets.ISO_8859_1));
        if (parts.isEmpty()) {
            throw new RespError("ERR Invalid engine in script shebang");
        }
        if (!parts.get(0).equals("#!lua")) {
            throw new RespError("ERR Unexpected engine in script shebang: " + parts.get(0));
        }
        int flags = 0;
        for (int i = 1; i < parts.size(); i++) {
            String part = parts.get(i);
            if (!part.startsWith("flags=")) {
                throw new RespError("ERR Unknown lua shebang option: " + part);
            }
            flags |= parseFlags(part.substring(6), "ERR Unexpected flag in script shebang: ");
        }
        return flags;
    }

    /** Comma-separated flag names (a shebang's or {@code redis.register_function}'s). */
    static int parseFlags(String names, String errorPrefix) {
        int flags = 0;
        if (names.isEmpty()) {
            return 0;
        }
        for (String name : names.split(",", -1)) {
            int bit = flagBit(name);
            if (bit == 0) {
                throw new RespError(errorPrefix + name);
            }
            flags |= bit;
        }
        return flags;
    }

    static int flagBit(String name) {
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if (FLAG_NAMES[i].equals(name)) {
                return 1 << i;
            }
        }
        return 0;
    }

    /** The body with its shebang line blanked (the newline kept, so line numbers stay the user's). */
    static byte[] withoutShebang(byte[] body) {
        if (body.length < 2 || body[0] != '#' || body[1] != '!') {
            return body;
        }
        int end = indexOf(body, (byte) '\n');
        byte[] copy = body.clone();
        for (int i = 0; i < end; i++) {
            copy[i] = ' ';
        }
        return copy;
    }

    private static int indexOf(byte[] b, byte c) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Redis's {@code sdssplitargs} for the simple case of a shebang: words separated by spaces. */
    private static List<String> split(String line) {
        List<String> parts = new ArrayList<>();
        for (String p : line.trim().split("[ \t]+")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        return parts;
    }
}
