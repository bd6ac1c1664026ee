package io.percore.demo.acl;

/**
 * A rule that cannot be applied, with Redis's reason ({@code ACLSetUserStringError}, from the
 * {@code errno} {@code ACLSetUser} sets). Thrown without a stack trace: a refused rule is an answer.
 */
public final class RuleError extends RuntimeException {

    /** Redis's errno for each reason. */
    public enum Kind {
        /** EINVAL. */
        SYNTAX("Syntax error"),
        /** ENOENT. */
        UNKNOWN_COMMAND("Unknown command or category name in ACL"),
        /** EEXIST. */
        KEY_AFTER_ALL("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect."
                + " Try 'resetkeys' to start with an empty list of patterns"),
        /** EISDIR. */
        CHANNEL_AFTER_ALL("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect."
                + " Try 'resetchannels' to start with an empty list of channels"),
        /** ENODEV. */
        NO_SUCH_PASSWORD("The password you are trying to remove from the user does not exist"),
        /** EBADMSG. */
        BAD_HASH("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"),
        /** EALREADY. */
        DUPLICATE_USER("Duplicate user found. A user can only be defined once in config files"),
        /** ECHILD. */
        FIRST_ARG_OF_SUBCOMMAND("Allowing first-arg of a subcommand is not supported");

        private final String message;

        Kind(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    private final Kind kind;

    public RuleError(Kind kind) {
        super(kind.message(), null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
