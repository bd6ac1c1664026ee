package io.percore.demo.acl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The users declared at start (Redis's {@code user <name> <rules>} lines in redis.conf): each line
 * checked as Redis checks it while reading its configuration ({@code ACLAppendUserForLoading}: a
 * duplicate name, a rule that cannot be applied), then the users made as Redis makes them once the
 * server is up ({@code ACLLoadConfiguredUsers}: a name with spaces, an unknown command; the default
 * user reset first). Declared users and an ACL file together are refused, as Redis refuses them.
 */
public final class UserDirectives {

    private UserDirectives() {
    }

    /**
     * The users {@code directives} declare, each a user's name and its rules.
     *
     * @throws IllegalArgumentException with Redis's text for the first directive it refuses
     */
    public static List<User> users(List<List<String>> directives, CommandCatalog catalog, boolean allChannelsByDefault) {
        Set<String> names = new HashSet<>();
        for (List<String> d : directives) {
            // ACLAppendUserForLoading's argv is the whole line: "user", the name, the rules
            List<String> argv = new ArrayList<>();
            argv.add("user");
            argv.addAll(d);
            if (d.isEmpty()) {
                throw declaration("user", RuleError.Kind.SYNTAX.message());
            }
            if (!names.add(d.get(0))) {
                throw declaration(d.get(0), RuleError.Kind.DUPLICATE_USER.message());
            }
            List<String> merged;
            try {
                merged = SelectorArguments.merge(d.subList(1, d.size()));
            } catch (SelectorArguments.Unmatched e) {
                throw declaration(argv.get(e.index), "Unmatched parenthesis in acl selector");
            }
            UserDraft fake = new UserDraft(catalog, d.get(0), allChannelsByDefault);
            for (int j = 0; j < merged.size(); j++) {
                try {
                    fake.apply(merged.get(j));
                } catch (RuleError e) {
                    if (e.kind() != RuleError.Kind.UNKNOWN_COMMAND) {
                        // Redis names argv[j] here, j counting the merged rules: its own off-by-two, kept
                        throw declaration(argv.get(Math.min(j, argv.size() - 1)), e.getMessage());
                    }
                }
            }
        }
        List<User> users = new ArrayList<>();
        for (List<String> d : directives) {
            String name = d.get(0);
            if (Bytes.hasSpaces(name)) {
                throw new IllegalArgumentException("Spaces not allowed in ACL usernames");
            }
            UserDraft u = new UserDraft(catalog, name, allChannelsByDefault);
            if (name.equals(UserRegistry.DEFAULT)) {
                u.apply("reset"); // the default user declared again starts from nothing
            }
            for (String rule : SelectorArguments.merge(d.subList(1, d.size()))) {
                try {
                    u.apply(rule);
                } catch (RuleError e) {
                    throw new IllegalArgumentException("Error loading ACL rule '" + Bytes.cString(rule) + "' for the user named '" + name
                            + "': " + e.getMessage());
                }
            }
            users.add(u.freeze());
        }
        return users;
    }

    private static IllegalArgumentException declaration(String arg, String why) {
        return new IllegalArgumentException("Error in user declaration '" + Bytes.cString(arg) + "': " + why);
    }
}
