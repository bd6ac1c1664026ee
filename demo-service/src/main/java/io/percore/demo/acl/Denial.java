package io.percore.demo.acl;

/**
 * Why a command may not run for a user (Redis's {@code ACL_DENIED_*} with the argument it names):
 * the command itself, a key or a channel at {@code position} in its arguments, or, for the ACL LOG
 * only, a failed login. {@code object} is what the ACL LOG records: the command's full name, the key,
 * the channel, or the login command's name.
 *
 * @param position the argument that is the key or channel (0 for a command)
 */
public record Denial(Reason reason, int position, String object) {

    /** Redis's {@code ACL_DENIED_*}, in the order that picks the reason to report when several selectors refuse. */
    public enum Reason {
        COMMAND(1, "command"), KEY(2, "key"), AUTH(3, "auth"), CHANNEL(4, "channel");

        final int weight;
        private final String logName;

        Reason(int weight, String logName) {
            this.weight = weight;
            this.logName = logName;
        }

        /** ACL LOG's {@code reason}. */
        public String logName() {
            return logName;
        }
    }

    /** Where the refused command came from, as ACL LOG's {@code context} says. */
    public enum Context {
        TOPLEVEL("toplevel"), MULTI("multi"), LUA("lua");

        private final String logName;

        Context(String logName) {
            this.logName = logName;
        }

        public String logName() {
            return logName;
        }
    }

    /**
     * The error a client's command gets ({@code processCommand}): {@code -NOPERM this user has no
     * permissions to run the 'get' command}, ... to access one of the keys / channels used as arguments.
     */
    public String topLevelError() {
        return switch (reason) {
            case COMMAND -> "NOPERM this user has no permissions to run the '" + object + "' command";
            case KEY -> "NOPERM this user has no permissions to access one of the keys used as arguments";
            case CHANNEL -> "NOPERM this user has no permissions to access one of the channels used as arguments";
            case AUTH -> "ERR no permission";
        };
    }

    /** EXEC's error for a queued command the user may no longer run ({@code multi.c}'s recheck). */
    public String execError() {
        String why = switch (reason) {
            case COMMAND -> "no permission to execute the command or subcommand";
            case KEY -> "no permission to touch the specified keys";
            case CHANNEL -> "no permission to access one of the channels used as arguments";
            case AUTH -> "no permission";
        };
        return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. "
                + "This command is no longer allowed for the following reason: " + why;
    }

    /** A script's {@code redis.call} refused ({@code script.c}): {@code The user executing the script can't ...}. */
    public String scriptError() {
        return "The user executing the script " + why();
    }

    /** Redis's {@code getAclErrorMessage}. */
    public String why() {
        return switch (reason) {
            case COMMAND -> "can't run this command or subcommand";
            case KEY -> "can't access at least one of the keys mentioned in the command arguments";
            case CHANNEL -> "can't publish to the channel mentioned in the command";
            case AUTH -> "lacking the permissions for the command";
        };
    }

    /** ACL DRYRUN's answer (a bulk string, not an error): {@code This user has no permissions to ...}. */
    public String dryRunAnswer() {
        return switch (reason) {
            case COMMAND -> "This user has no permissions to run the '" + object + "' command";
            case KEY -> "This user has no permissions to access the '" + Bytes.cString(object) + "' key";
            case CHANNEL -> "This user has no permissions to access the '" + Bytes.cString(object) + "' channel";
            case AUTH -> "This user has no permissions";
        };
    }
}
