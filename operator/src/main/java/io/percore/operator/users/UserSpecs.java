package io.percore.operator.users;

import io.percore.operator.crd.Replication;
import io.percore.operator.crd.User;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code spec.users} checked and turned into the users the pods must have. Everything is checked before anything is sent:
 * one bad entry (a name, a rule that would set a password, a Secret missing or without its key) refuses the whole list,
 * and the pods keep the users they have. Pure: the Secrets come in as their decoded data.
 *
 * <p>The Secret of a user: key {@value User#PASSWORDS_KEY}, its passwords, one per line (a line ends at {@code \n}, a
 * {@code \r} before it is dropped, empty lines are skipped: {@code kubectl create secret --from-file} keeps a file's
 * last newline), so a rotation is a second line, the clients moved, then the first line removed; optional key
 * {@value User#RULES_KEY}, the rules, when the spec entry has none (one of the two, not both). The passwords reach the
 * pods only as their SHA-256 ({@code #<hash>}), as Redis stores them.
 */
public final class UserSpecs {

    public static final String INVALID = "InvalidUsers";
    public static final String SECRET_MISSING = "UserSecretMissing";
    static final int MAX_PASSWORDS = 16;
    static final int MAX_PASSWORD_BYTES = 4096;

    private UserSpecs() {
    }

    /**
     * The users wanted, or why none of them may be applied.
     *
     * @param reason null when {@code problems} is empty, else {@link #INVALID} or {@link #SECRET_MISSING} (the spec's own
     *               problems first)
     */
    public record Desired(List<AclUser> users, List<String> problems, String reason) {
        public boolean refused() {
            return !problems.isEmpty();
        }
    }

    /**
     * @param operatorSecrets the names of the Secrets the operator makes for this service (no user may share one)
     * @param secrets         a Secret's data by its name (key → bytes), null when there is no such Secret
     */
    public static Desired desired(List<User> entries, Set<String> operatorSecrets, Function<String, Map<String, byte[]>> secrets) {
        List<String> problems = specProblems(entries, operatorSecrets);
        if (!problems.isEmpty()) {
            return new Desired(List.of(), problems, INVALID);
        }
        List<AclUser> users = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            User u = entries.get(i);
            String where = where(i, u);
            Map<String, byte[]> data = secrets.apply(u.getSecretName());
            if (data == null) {
                missing.add(where + ": Secret " + u.getSecretName() + " not found");
                continue;
            }
            byte[] passwords = data.get(User.PASSWORDS_KEY);
            if (passwords == null) {
                missing.add(where + ": Secret " + u.getSecretName() + " has no key " + User.PASSWORDS_KEY);
                continue;
            }
            List<String> hashes = new ArrayList<>();
            String passwordProblem = passwordHashes(passwords, hashes);
            if (passwordProblem != null) {
                invalid.add(where + ": Secret " + u.getSecretName() + " key " + User.PASSWORDS_KEY + ": " + passwordProblem);
                continue;
            }
            byte[] secretRules = data.get(User.RULES_KEY);
            if (u.getRules() != null && secretRules != null) {
                invalid.add(where + ": rules both in the spec and in Secret " + u.getSecretName() + " key " + User.RULES_KEY
                        + "; keep one");
                continue;
            }
            if (u.getRules() == null && secretRules == null) {
                invalid.add(where + ": no rules: set spec.users[" + i + "].rules or key " + User.RULES_KEY + " of Secret " + u.getSecretName()
                        + " (e.g. '~app:* +@all -@dangerous')");
                continue;
            }
            String text = u.getRules() != null ? u.getRules() : new String(secretRules, StandardCharsets.UTF_8);
            String rulesProblem = rulesProblem(text);
            if (rulesProblem != null) {
                invalid.add(where + ": " + (u.getRules() != null ? "rules" : "Secret " + u.getSecretName() + " key " + User.RULES_KEY)
                        + ": " + rulesProblem);
                continue;
            }
            users.add(AclUser.of(u.getName(), hashes, tokens(text)));
        }
        if (!invalid.isEmpty()) {
            invalid.addAll(missing);
            return new Desired(List.of(), invalid, INVALID);
        }
        if (!missing.isEmpty()) {
            return new Desired(List.of(), missing, SECRET_MISSING);
        }
        return new Desired(users, List.of(), null);
    }

    /** What the spec alone gets wrong: names (pattern, the operator's own, twice), a Secret name (one of the operator's), rules. */
    public static List<String> specProblems(List<User> entries, Set<String> operatorSecrets) {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            User u = entries.get(i);
            String where = where(i, u);
            if (u.getName() == null || !u.getName().matches(User.NAME_PATTERN)) {
                problems.add(where + ": name must match " + User.NAME_PATTERN);
            } else if (OperatorUsers.reserved(u.getName())) {
                problems.add(where + ": '" + u.getName() + "' is the operator's (default is the application's user with spec.auth's"
                        + " password; percore-* are the operator's own users)");
            } else if (!seen.add(u.getName())) {
                problems.add(where + ": '" + u.getName() + "' is listed twice");
            }
            if (u.getSecretName() == null || !u.getSecretName().matches(Replication.SECRET_NAME_PATTERN)) {
                problems.add(where + ": secretName must name a Secret of the namespace");
            } else if (operatorSecrets.contains(u.getSecretName())) {
                problems.add(where + ": Secret " + u.getSecretName() + " is the operator's own; give the user a Secret of its own");
            }
            if (u.getRules() != null) {
                String p = rulesProblem(u.getRules());
                if (p != null) {
                    problems.add(where + ": rules: " + p);
                }
            }
        }
        return problems;
    }

    private static String where(int i, User u) {
        return "spec.users[" + i + "]" + (u.getName() == null ? "" : " (" + u.getName() + ")");
    }

    /**
     * Why a rules text may not be sent, or null. Passwords come from the Secret only (a rule that sets or drops one would
     * put a password in clear into the spec, or let the rules undo the Secret's); {@code reset} is the operator's (its
     * own {@code reset on} comes first: a later one would drop the passwords); one line (a line break would be a second
     * aclfile line). The rest is Redis's to judge, on the first pod, before any other pod gets it. The message never
     * repeats a token that may hold a password.
     */
    static String rulesProblem(String text) {
        if (text.length() > User.MAX_RULES_LENGTH) {
            return "longer than " + User.MAX_RULES_LENGTH + " characters";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t' && (c < 0x20 || c == 0x7f)) {
                return "a control character (code " + (int) c + ") at " + i + ": rules are one line of space-separated words";
            }
        }
        for (String token : tokens(text)) {
            String bare = token;
            while (bare.startsWith("(")) {
                bare = bare.substring(1);
            }
            while (bare.endsWith(")")) {
                bare = bare.substring(0, bare.length() - 1);
            }
            if (bare.isEmpty()) {
                continue;
            }
            char first = bare.charAt(0);
            if (first == '>' || first == '<' || first == '#' || first == '!') {
                return "a rule starting with '" + first + "' sets or removes a password: the passwords come from the Secret's key "
                        + User.PASSWORDS_KEY + " only";
            }
            String word = bare.toLowerCase(Locale.ROOT);
            if (word.equals("nopass") || word.equals("resetpass")) {
                return "'" + word + "' changes the passwords: they come from the Secret's key " + User.PASSWORDS_KEY + " only";
            }
            if (word.equals("reset")) {
                return "'reset' is the operator's: every user's rules start with 'reset on' and its passwords, and a later reset"
                        + " would drop them";
            }
        }
        return null;
    }

    static List<String> tokens(String text) {
        return Arrays.stream(text.trim().split("[ \t]+")).filter(t -> !t.isEmpty()).toList();
    }

    /** The passwords of a Secret's value, one per line, as their hashes; null when fine, else why not. */
    static String passwordHashes(byte[] value, List<String> hashes) {
        int start = 0;
        int count = 0;
        for (int i = 0; i <= value.length; i++) {
            if (i == value.length || value[i] == '\n') {
                int end = i > start && value[i - 1] == '\r' ? i - 1 : i;
                if (end > start) {
                    if (end - start > MAX_PASSWORD_BYTES) {
                        return "a password longer than " + MAX_PASSWORD_BYTES + " bytes";
                    }
                    if (++count > MAX_PASSWORDS) {
                        return "more than " + MAX_PASSWORDS + " passwords";
                    }
                    hashes.add(AclUser.passwordHash(Arrays.copyOfRange(value, start, end)));
                }
                start = i + 1;
            }
        }
        return count == 0 ? "no password (one per line)" : null;
    }
}
