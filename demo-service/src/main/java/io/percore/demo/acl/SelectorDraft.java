package io.percore.demo.acl;

import io.percore.net.resp.InlineCommandSplitter;
import io.percore.net.resp.RespProtocolError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A selector being changed by rules (Redis's {@code ACLSetSelector} on a user's copy): keys
 * ({@code ~}, {@code %R~}, {@code %W~}, {@code %RW~}, {@code allkeys}, {@code resetkeys}), channels
 * ({@code &}, {@code allchannels}, {@code resetchannels}), commands ({@code +cmd}, {@code -cmd},
 * {@code +cmd|sub}, {@code +cmd|firstarg}, {@code +@category}, {@code -@category}, {@code allcommands},
 * {@code nocommands}). A rule that does not apply throws {@link RuleError} with Redis's reason; the
 * caller throws the whole draft away then, so a user changes by all its rules or none.
 */
final class SelectorDraft {

    private final CommandCatalog catalog;
    private final boolean root;
    private boolean allKeys;
    private boolean allChannels;
    private boolean allCommands;
    private boolean futureCommands;
    private final long[] allowed;
    private String[][] firstArgs;
    private final List<Selector.KeyPattern> patterns;
    private final List<Selector.ChannelPattern> channels;
    /** Where each pattern's text is in {@link #patterns} and {@link #channels}: a pattern added again is found at once, not by a scan. */
    private final java.util.Map<String, Integer> patternIndex = new java.util.HashMap<>();
    private final java.util.Set<String> channelIndex = new java.util.HashSet<>();

    /** A new selector (Redis's {@code ACLCreateSelector}): nothing allowed, all channels when {@code acl-pubsub-default} says so. */
    SelectorDraft(CommandCatalog catalog, boolean root, boolean allChannelsByDefault) {
        this.catalog = catalog;
        this.root = root;
        this.allChannels = allChannelsByDefault;
        this.allowed = new long[(catalog.size() + 63) >>> 6];
        this.patterns = new ArrayList<>();
        this.channels = new ArrayList<>();
    }

    /** A draft starting from {@code from}. */
    SelectorDraft(CommandCatalog catalog, Selector from) {
        this.catalog = catalog;
        this.root = from.root;
        this.allKeys = from.allKeys;
        this.allChannels = from.allChannels;
        this.allCommands = from.allCommands;
        this.futureCommands = from.futureCommands;
        this.allowed = from.allowed.clone();
        this.firstArgs = from.firstArgs == null ? null : from.firstArgs.clone(); // rows are replaced, never changed in place
        this.patterns = new ArrayList<>(List.of(from.patterns));
        this.channels = new ArrayList<>(List.of(from.channels));
        for (int i = 0; i < patterns.size(); i++) {
            patternIndex.put(patterns.get(i).pattern(), i);
        }
        for (Selector.ChannelPattern c : channels) {
            channelIndex.add(c.pattern());
        }
    }

    /**
     * A selector from {@code (rules)} (Redis's {@code aclCreateSelectorFromOpSet}): the text between the
     * parentheses split as {@code sdssplitargs} splits it (unbalanced quotes: no rules), each applied.
     */
    static SelectorDraft fromOpSet(CommandCatalog catalog, String op, boolean allChannelsByDefault) {
        SelectorDraft s = new SelectorDraft(catalog, false, allChannelsByDefault);
        List<byte[]> rules;
        try {
            rules = InlineCommandSplitter.split(Bytes.bytes(Bytes.cString(op.substring(1, op.length() - 1))));
        } catch (RespProtocolError e) {
            rules = List.of();
        }
        for (byte[] rule : rules) {
            s.apply(Bytes.text(rule));
        }
        return s;
    }

    Selector freeze() {
        return new Selector(root, allKeys, allChannels, allCommands, futureCommands, allowed.clone(), firstArgs == null ? null
                : firstArgs.clone(), patterns, channels);
    }

    /** Applies one rule. @throws RuleError with Redis's reason */
    void apply(String op) {
        String c = Bytes.cString(op);
        if (c.equalsIgnoreCase("allkeys") || c.equalsIgnoreCase("~*")) {
            allKeys = true;
            patterns.clear();
            patternIndex.clear();
        } else if (c.equalsIgnoreCase("resetkeys")) {
            allKeys = false;
            patterns.clear();
            patternIndex.clear();
        } else if (c.equalsIgnoreCase("allchannels") || c.equalsIgnoreCase("&*")) {
            allChannels = true;
            channels.clear();
            channelIndex.clear();
        } else if (c.equalsIgnoreCase("resetchannels")) {
            allChannels = false;
            channels.clear();
            channelIndex.clear();
        } else if (c.equalsIgnoreCase("allcommands") || c.equalsIgnoreCase("+@all")) {
            Arrays.fill(allowed, -1L);
            allCommands = true;
            futureCommands = true;
            firstArgs = null;
        } else if (c.equalsIgnoreCase("nocommands") || c.equalsIgnoreCase("-@all")) {
            Arrays.fill(allowed, 0L);
            allCommands = false;
            futureCommands = false;
            firstArgs = null;
        } else if (op.isEmpty()) {
            throw new RuleError(RuleError.Kind.SYNTAX);
        } else if (op.charAt(0) == '~' || op.charAt(0) == '%') {
            keyPattern(op);
        } else if (op.charAt(0) == '&') {
            if (allChannels) {
                throw new RuleError(RuleError.Kind.CHANNEL_AFTER_ALL);
            }
            String pattern = op.substring(1);
            if (Bytes.hasSpaces(pattern)) {
                throw new RuleError(RuleError.Kind.SYNTAX);
            }
            if (channelIndex.add(pattern)) {
                channels.add(new Selector.ChannelPattern(pattern));
            }
            allChannels = false;
        } else if (op.charAt(0) == '+' && second(c) != '@') {
            allowCommand(c.substring(1));
        } else if (op.charAt(0) == '-' && second(c) != '@') {
            AclCommand cmd = byName(c.substring(1));
            change(cmd, false);
        } else if ((op.charAt(0) == '+' || op.charAt(0) == '-') && second(c) == '@') {
            AclCategory category = AclCategory.named(c.substring(2));
            if (category == null) {
                throw new RuleError(RuleError.Kind.UNKNOWN_COMMAND);
            }
            category(category, op.charAt(0) == '+');
        } else {
            throw new RuleError(RuleError.Kind.SYNTAX);
        }
    }

    private static char second(String c) {
        return c.length() > 1 ? c.charAt(1) : '\0';
    }

    private void keyPattern(String op) {
        if (allKeys) {
            throw new RuleError(RuleError.Kind.KEY_AFTER_ALL);
        }
        int permissions = 0;
        int offset = 1;
        if (op.charAt(0) == '%') {
            for (; offset < op.length(); offset++) {
                char ch = Character.toUpperCase(op.charAt(offset));
                if (ch == 'R' && (permissions & Selector.READ) == 0) {
                    permissions |= Selector.READ;
                } else if (ch == 'W' && (permissions & Selector.WRITE) == 0) {
                    permissions |= Selector.WRITE;
                } else if (op.charAt(offset) == '~') {
                    offset++;
                    break;
                } else {
                    throw new RuleError(RuleError.Kind.SYNTAX);
                }
            }
            if (permissions == 0) {
                throw new RuleError(RuleError.Kind.SYNTAX); // redis-server 7.0.15 refuses %~ without R or W
            }
        } else {
            permissions = Selector.READ_WRITE;
        }
        String pattern = op.substring(offset);
        if (Bytes.hasSpaces(pattern)) {
            throw new RuleError(RuleError.Kind.SYNTAX);
        }
        Integer at = patternIndex.get(pattern);
        if (at != null) {
            Selector.KeyPattern p = patterns.get(at);
            patterns.set(at, new Selector.KeyPattern(pattern, p.permissions() | permissions, p.glob()));
        } else {
            patternIndex.put(pattern, patterns.size());
            patterns.add(new Selector.KeyPattern(pattern, permissions));
        }
        allKeys = false;
    }

    /** {@code +name}: a command, a subcommand ({@code config|get}) or a first argument ({@code select|0}). */
    private void allowCommand(String name) {
        int bar = name.lastIndexOf('|');
        if (bar < 0) {
            change(byName(name), true);
            return;
        }
        AclCommand cmd = byName(name.substring(0, bar));
        if (cmd.parent() >= 0) {
            throw new RuleError(RuleError.Kind.FIRST_ARG_OF_SUBCOMMAND);
        }
        String sub = name.substring(bar + 1);
        if (sub.isEmpty()) {
            throw new RuleError(RuleError.Kind.SYNTAX);
        }
        if (cmd.container()) {
            change(byName(name), true);
        } else {
            firstArg(cmd.id(), sub);
        }
    }

    /** Redis's {@code ACLLookupCommand}: by full name, at most one level of subcommands. */
    private AclCommand byName(String name) {
        int id = catalog.named(name);
        if (id < 0) {
            throw new RuleError(RuleError.Kind.UNKNOWN_COMMAND);
        }
        return catalog.command(id);
    }

    /** Redis's {@code ACLChangeSelectorPerm}: the command, its subcommands, and no first arguments of it. */
    private void change(AclCommand cmd, boolean allow) {
        bit(cmd.id(), allow);
        if (firstArgs != null) {
            firstArgs[cmd.id()] = null;
        }
        for (int sub : cmd.subcommands()) {
            bit(sub, allow);
        }
    }

    private void bit(int id, boolean allow) {
        if (allow) {
            allowed[id >>> 6] |= 1L << id;
        } else {
            allowed[id >>> 6] &= ~(1L << id);
            allCommands = false;
        }
    }

    /** Redis's {@code ACLSetSelectorCommandBitsForCategory}: every command of the category (a container with all its subcommands). */
    void category(AclCategory category, boolean allow) {
        long bit = category.bit();
        for (int top : catalog.topLevel()) {
            AclCommand cmd = catalog.command(top);
            if ((cmd.categories() & bit) != 0) {
                change(cmd, allow);
            }
            for (int sub : cmd.subcommands()) {
                AclCommand s = catalog.command(sub);
                if ((s.categories() & bit) != 0) {
                    change(s, allow);
                }
            }
        }
    }

    private void firstArg(int id, String arg) {
        if (firstArgs == null) {
            firstArgs = new String[catalog.size()][];
        }
        String[] args = firstArgs[id];
        if (args == null) {
            firstArgs[id] = new String[] {arg};
            return;
        }
        for (String a : args) {
            if (a.equalsIgnoreCase(arg)) {
                return;
            }
        }
        String[] more = Arrays.copyOf(args, args.length + 1);
        more[args.length] = arg;
        firstArgs[id] = more;
    }

    // ------------------------------------------------------------------ what the description's fit reads and changes

    boolean allows(int id) {
        return (allowed[id >>> 6] & (1L << id)) != 0;
    }

    void changePermission(AclCommand cmd, boolean allow) {
        change(cmd, allow);
    }

    boolean sameCommands(long[] bits) {
        return Arrays.equals(allowed, bits);
    }

    void setCommands(long[] bits) {
        System.arraycopy(bits, 0, allowed, 0, allowed.length);
    }
}
