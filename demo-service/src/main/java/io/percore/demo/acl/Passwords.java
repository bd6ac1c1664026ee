package io.percore.demo.acl;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Passwords as Redis keeps them: the SHA-256 of the cleartext in 64 lowercase hex characters
 * ({@code ACLHashPassword}), never the cleartext; compared in constant time; and ACL GENPASS's random
 * hex ({@code getRandomHexChars}, from a cryptographic source).
 */
final class Passwords {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int HASH_LENGTH = 64;

    private Passwords() {
    }

    /** The hash of {@code cleartext} (its bytes: one char each). */
    static String hash(String cleartext) {
        return hash(Bytes.bytes(cleartext));
    }

    static String hash(byte[] cleartext) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        return hex(sha256.digest(cleartext));
    }

    /** Whether {@code hash} is one ({@code ACLCheckPasswordHash}): 64 characters of {@code 0-9a-f}. */
    static boolean validHash(String hash) {
        if (hash.length() != HASH_LENGTH) {
            return false;
        }
        for (int i = 0; i < HASH_LENGTH; i++) {
            char c = hash.charAt(i);
            if ((c < 'a' || c > 'f') && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** Redis's {@code time_independent_strcmp} of two hashes: every character compared whatever the first difference. */
    static boolean same(String a, String b) {
        int diff = 0;
        for (int i = 0; i < HASH_LENGTH; i++) {
            diff |= a.charAt(i) ^ b.charAt(i);
        }
        return diff == 0;
    }

    /** {@code chars} random hex characters (ACL GENPASS). */
    static String random(int chars) {
        byte[] bytes = new byte[(chars + 1) / 2];
        RANDOM.nextBytes(bytes);
        return hex(bytes).substring(0, chars);
    }

    private static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
