package io.percore.demo.acl;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ACL file (Redis's {@code aclfile}): one {@code user <name> <rules>} line per user, read whole
 * and checked line by line before anything changes ({@code ACLLoadFromFile}: a bad line, a duplicate
 * user, an unknown command, and the users in force stay as they were, with every problem named by
 * file and line), and written as ACL LIST describes the users, through a temporary file renamed over
 * it ({@code ACLSaveToFile}).
 */
public final class AclFile {

    /** The file's problems, in Redis's words (one line, every problem found, then Redis's closing warning). */
    public static final class Invalid extends RuntimeException {
        Invalid(String errors) {
            super(errors, null, false, false);
        }
    }

    /** The most bytes read from an ACL file: past it the file is refused rather than held in memory. */
    static final long MAX_BYTES = 64L << 20;

    private AclFile() {
    }

    /**
     * The users the file at {@code path} defines, named {@code shown} in the messages (the configured
     * {@code aclfile}, as Redis names it).
     *
     * @throws Invalid with every problem found, in Redis's words
     */
    public static List<User> read(Path path, String shown, CommandCatalog catalog, boolean allChannelsByDefault) {
        String text;
        try {
            if (Files.isDirectory(path)) {
                text = ""; // fopen of a directory succeeds and reading it gives nothing, as for Redis
            } else {
                if (Files.size(path) > MAX_BYTES) {
                    throw new Invalid("Error loading ACLs, opening file '" + shown + "': File too large (more than " + MAX_BYTES + " bytes)");
                }
                text = Bytes.text(Files.readAllBytes(path));
            }
        } catch (NoSuchFileException e) {
            throw new Invalid("Error loading ACLs, opening file '" + shown + "': No such file or directory");
        } catch (AccessDeniedException e) {
            throw new Invalid("Error loading ACLs, opening file '" + shown + "': Permission denied");
        } catch (IOException e) {
            throw new Invalid("Error loading ACLs, opening file '" + shown + "': " + e.getMessage());
        }
        return parse(text, shown, catalog, allChannelsByDefault);
    }

    /** The users of an ACL file's {@code text}. @throws Invalid with every problem found */
    static List<User> parse(String text, String shown, CommandCatalog catalog, boolean allChannelsByDefault) {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            text = text.substring(0, nul); // Redis reads the file as one C string
        }
        String[] lines = text.split("\n", -1);
        StringBuilder errors = new StringBuilder();
        List<User> users = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < lines.length; i++) {
            int linenum = i + 1;
            String line = trim(lines[i], " \t\r\n");
            if (line.isEmpty()) {
                continue;
            }
            String[] argv = line.split(" ", -1);
            if (!argv[0].equals("user") || argv.length < 2) {
                errors.append(shown).append(':').append(linenum).append(" should start with user keyword followed by the username. ");
                continue;
            }
            String name = argv[1];
            if (Bytes.hasSpaces(name)) {
                errors.append('\'').append(shown).append(':').append(linenum).append(": username '").append(name)
                        .append("' contains invalid characters. ");
                continue;
            }
            if (!names.add(name)) {
                errors.append("WARNING: Duplicate user '").append(name).append("' found on line ").append(linenum).append(". ");
                continue;
            }
            List<String> rules = new ArrayList<>(List.of(argv).subList(2, argv.length));
            List<String> merged;
            try {
                merged = SelectorArguments.merge(rules);
            } catch (SelectorArguments.Unmatched e) {
                errors.append(shown).append(':').append(linenum).append(": Unmatched parenthesis in selector definition.");
                merged = List.of();
            }
            UserDraft draft = new UserDraft(catalog, name, allChannelsByDefault);
            boolean syntaxError = false;
            for (String rule : merged) {
                String op = trim(rule, "\t\r\n");
                try {
                    draft.apply(op);
                } catch (RuleError e) {
                    if (e.kind() == RuleError.Kind.UNKNOWN_COMMAND) {
                        // an unknown command is named: it holds no secret
                        errors.append(shown).append(':').append(linenum).append(": Error in applying operation '").append(Bytes.cString(op))
                                .append("': ").append(e.getMessage()).append(". ");
                    } else if (!syntaxError) {
                        // only the first other problem: it may spoil the rules after it, and may hold a password
                        errors.append(shown).append(':').append(linenum).append(": ").append(e.getMessage()).append(". ");
                        syntaxError = true;
                    }
                }
            }
            if (errors.length() == 0) {
                users.add(draft.freeze());
            }
        }
        if (errors.length() > 0) {
            throw new Invalid(UserRegistry.safe(errors.append(
                    "WARNING: ACL errors detected, no change to the previously active ACL rules was performed").toString()));
        }
        return users;
    }

    /** Redis's {@code sdstrim}: the characters of {@code set} taken off both ends. */
    private static String trim(String s, String set) {
        int from = 0;
        int to = s.length();
        while (from < to && set.indexOf(s.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && set.indexOf(s.charAt(to - 1)) >= 0) {
            to--;
        }
        return s.substring(from, to);
    }

    /**
     * Writes every user of {@code users} to {@code path} as ACL LIST describes them, in their order:
     * a temporary file beside it, renamed over it.
     *
     * @throws IOException when it cannot be written (ACL SAVE answers Redis's error then)
     */
    public static void write(Path path, Users users) throws IOException {
        StringBuilder acl = new StringBuilder();
        for (UserIdentity u : users.all()) {
            acl.append("user ").append(u.name()).append(' ').append(u.current().description()).append('\n');
        }
        Path parent = path.toAbsolutePath().getParent();
        Path temp = parent.resolve(path.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis());
        try {
            Files.write(temp, Bytes.bytes(acl.toString()));
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
