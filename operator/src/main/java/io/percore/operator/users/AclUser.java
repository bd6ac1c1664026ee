package io.percore.operator.users;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A user as the pods must have it: its name and the arguments of {@code ACL SETUSER <name> ...}, which always start with
 * {@code reset on} and the passwords as {@code #<sha256>} (a password never leaves the operator in clear, not even to
 * the pods), then the user's own rules. The same text is a line of the aclfile ({@code user <name> <rules>}).
 * {@link #digest()} names exactly these rules: a changed rule or password is another digest.
 *
 * @param rules the arguments after the name, in order
 */
public record AclUser(String name, List<String> rules, String digest) {

    public AclUser {
        rules = List.copyOf(rules);
    }

    /** {@code reset on #<hash> ... <rules>}: only what is given, whatever the user had before. */
    public static AclUser of(String name, List<String> passwordHashes, List<String> rules) {
        List<String> all = new ArrayList<>();
        all.add("reset");
        all.add("on");
        passwordHashes.forEach(h -> all.add("#" + h));
        all.addAll(rules);
        return new AclUser(name, all, sha256(name + " " + String.join(" ", all)));
    }

    /** The aclfile's line for these rules, as the operator writes it before a pod has shown Redis's own form of it. */
    public String fileLine() {
        return "user " + name + " " + String.join(" ", rules);
    }

    public static String passwordHash(byte[] password) {
        return sha256(password);
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Never the passwords' hashes: they are as good as the password for a short one. */
    @Override
    public String toString() {
        return "AclUser[" + name + ", " + digest.substring(0, 12) + "]";
    }
}
