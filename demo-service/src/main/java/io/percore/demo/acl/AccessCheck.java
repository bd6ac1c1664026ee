package io.percore.demo.acl;

/**
 * Whether a user may run a call (Redis's {@code ACLCheckAllUserCommandPerm}): allowed when one of its
 * selectors allows the command (its bit, or a first argument allowed of it), every key the call names
 * with the access its key spec gives it (read: {@code access}; write: {@code insert}, {@code delete},
 * {@code update}) and every channel it publishes or subscribes to. When every selector refuses, the
 * reason reported is the weightiest (channel over key over command) and, among equals, the one at the
 * latest argument, as Redis picks it.
 *
 * <p>Cost: a user with every command, key and channel in one selector (the default user) is one field
 * test; otherwise a bitmap test per selector, and the call's keys found once (into a per-thread
 * buffer: nothing allocated) and matched against the patterns only by selectors that have key patterns.
 */
public final class AccessCheck {

    private static final ThreadLocal<KeySearch.Found> KEYS = ThreadLocal.withInitial(KeySearch.Found::new);

    private AccessCheck() {
    }

    /** Null when {@code user} may run {@code argv} (command {@code cmd}, its name first), else why not. */
    public static Denial check(User user, AclCommand cmd, byte[][] argv) {
        if (user.unrestricted()) {
            return null;
        }
        int relevant = Denial.Reason.COMMAND.weight;
        int lastIdx = 0;
        int localIdx = 0;
        KeySearch.Found keys = null;
        int keyCount = -1;
        for (Selector s : user.selectors()) {
            int refused = 0;
            if (!s.allCommands && !cmd.noAuth() && !s.allows(cmd.id()) && !firstArgAllowed(s, cmd, argv)) {
                refused = Denial.Reason.COMMAND.weight;
            }
            if (refused == 0 && !s.allKeys && cmd.keys().hasKeys()) {
                if (keyCount < 0) {
                    keys = KEYS.get();
                    keyCount = cmd.keys().find(argv, keys);
                }
                for (int j = 0; j < keyCount; j++) {
                    int position = keys.position(j);
                    if (!keyAllowed(s, argv[position], keys.flags(j))) {
                        refused = Denial.Reason.KEY.weight;
                        localIdx = position;
                        break;
                    }
                }
            }
            if (refused == 0 && !s.allChannels && cmd.channels() != AclCommand.ChannelUse.NONE) {
                boolean pattern = cmd.channels() == AclCommand.ChannelUse.PATTERN_SUBSCRIBE;
                int stop = cmd.channels() == AclCommand.ChannelUse.PUBLISH ? Math.min(2, argv.length) : argv.length;
                for (int i = 1; i < stop; i++) {
                    if (!channelAllowed(s, argv[i], pattern)) {
                        refused = Denial.Reason.CHANNEL.weight;
                        localIdx = i;
                        break;
                    }
                }
            }
            if (refused == 0) {
                return null;
            }
            if (refused > relevant || (refused == relevant && localIdx > lastIdx)) {
                relevant = refused;
                lastIdx = localIdx;
            }
        }
        if (relevant == Denial.Reason.KEY.weight) {
            return new Denial(Denial.Reason.KEY, lastIdx, Bytes.text(argv[lastIdx]));
        }
        if (relevant == Denial.Reason.CHANNEL.weight) {
            return new Denial(Denial.Reason.CHANNEL, lastIdx, Bytes.text(argv[lastIdx]));
        }
        return new Denial(Denial.Reason.COMMAND, 0, cmd.fullName());
    }

    /**
     * Redis's {@code ACLUserCheckCmdWithUnrestrictedKeyAccess} for reading: whether one selector allows the
     * call and reads every key ({@code allkeys}, or a {@code *} pattern with read permission): SORT's BY
     * and GET read keys no argument names, so only such a user may use them.
     */
    public static boolean readsEveryKey(User user, AclCommand cmd, byte[][] argv) {
        if (user.unrestricted()) {
            return true;
        }
        for (Selector s : user.selectors()) {
            User single = new User(user.name(), user.enabled(), user.nopass(), user.sanitize(), user.passwords(), new Selector[] {s},
                    user.catalog());
            if (check(single, cmd, argv) == null && readsAll(s)) {
                return true;
            }
        }
        return false;
    }

    private static boolean readsAll(Selector s) {
        if (s.allKeys) {
            return true;
        }
        for (Selector.KeyPattern p : s.patterns) {
            if ((p.permissions() & Selector.READ) != 0 && p.pattern().equals("*")) {
                return true;
            }
        }
        return false;
    }

    /** A first argument allowed of a command whose bit is clear ({@code +select|0}); compared as {@code strcasecmp}. */
    private static boolean firstArgAllowed(Selector s, AclCommand cmd, byte[][] argv) {
        if (argv.length < 2 || s.firstArgs == null || s.firstArgs[cmd.id()] == null) {
            return false;
        }
        String arg = Bytes.cString(Bytes.text(argv[cmd.parent() >= 0 ? 2 : 1]));
        for (String allowed : s.firstArgs[cmd.id()]) {
            if (allowed.equalsIgnoreCase(arg)) {
                return true;
            }
        }
        return false;
    }

    /** Redis's {@code ACLSelectorCheckKey}: a pattern with every permission the key's use needs matches its name. */
    static boolean keyAllowed(Selector s, byte[] key, int specFlags) {
        if (s.allKeys) {
            return true;
        }
        int needs = 0;
        if ((specFlags & KeySpec.ACCESS) != 0) {
            needs |= Selector.READ;
        }
        if ((specFlags & (KeySpec.INSERT | KeySpec.DELETE | KeySpec.UPDATE)) != 0) {
            needs |= Selector.WRITE;
        }
        for (Selector.KeyPattern p : s.patterns) {
            if ((p.permissions() & needs) == needs && p.matches(key)) {
                return true;
            }
        }
        return false;
    }

    private static boolean channelAllowed(Selector s, byte[] channel, boolean pattern) {
        for (Selector.ChannelPattern p : s.channels) {
            if (p.matches(channel, pattern)) {
                return true;
            }
        }
        return false;
    }
}
