package io.percore.demo.acl;

import java.util.ArrayList;
import java.util.List;

/**
 * A user being changed by rules (Redis's {@code ACLSetUser} on the temporary user of
 * {@code ACLStringSetUser}): {@code on}, {@code off}, {@code >password}, {@code #hash},
 * {@code <password}, {@code !hash}, {@code nopass}, {@code resetpass}, {@code (selector rules)},
 * {@code clearselectors}, {@code reset}, the payload flags, and every selector rule, which goes to the
 * root selector. Nothing of it is seen until {@link #freeze()} makes the next {@link User}; a rule that
 * fails throws {@link RuleError} and the draft is dropped, so the user is as it was.
 */
final class UserDraft {

    private final CommandCatalog catalog;
    private final boolean allChannelsByDefault;
    private final String name;
    private boolean on;
    private boolean nopass;
    private int sanitize;
    private final List<String> passwords;
    private final List<SelectorDraft> selectors = new ArrayList<>();

    /**
     * A new user (Redis's {@code ACLCreateUser}): off, no password, a root selector that allows nothing
     * but, when {@code acl-pubsub-default} is {@code allchannels}, every channel.
     */
    UserDraft(CommandCatalog catalog, String name, boolean allChannelsByDefault) {
        this.catalog = catalog;
        this.allChannelsByDefault = allChannelsByDefault;
        this.name = name;
        this.passwords = new ArrayList<>();
        selectors.add(new SelectorDraft(catalog, true, allChannelsByDefault));
    }

    /** A draft of the next version of {@code from}. */
    UserDraft(User from, boolean allChannelsByDefault) {
        this.catalog = from.catalog();
        this.allChannelsByDefault = allChannelsByDefault;
        this.name = from.name();
        this.on = from.enabled();
        this.nopass = from.nopass();
        this.sanitize = from.sanitize();
        this.passwords = new ArrayList<>(from.passwords());
        for (Selector s : from.selectors()) {
            selectors.add(new SelectorDraft(catalog, s));
        }
    }

    /** Applies each rule in order. @throws RuleError with the first rule that fails */
    UserDraft apply(List<String> rules) {
        for (String rule : rules) {
            apply(rule);
        }
        return this;
    }

    /** Applies one rule (an empty one changes nothing). @throws RuleError with Redis's reason */
    void apply(String op) {
        if (op.isEmpty()) {
            return;
        }
        String c = Bytes.cString(op);
        char first = op.charAt(0);
        if (c.equalsIgnoreCase("on")) {
            on = true;
        } else if (c.equalsIgnoreCase("off")) {
            on = false;
        } else if (c.equalsIgnoreCase("skip-sanitize-payload")) {
            sanitize = User.SANITIZE_SKIP;
        } else if (c.equalsIgnoreCase("sanitize-payload")) {
            sanitize = User.SANITIZE;
        } else if (c.equalsIgnoreCase("nopass")) {
            nopass = true;
            passwords.clear();
        } else if (c.equalsIgnoreCase("resetpass")) {
            nopass = false;
            passwords.clear();
        } else if (first == '>' || first == '#') {
            String hash = first == '>' ? Passwords.hash(op.substring(1)) : validHash(op.substring(1));
            if (!passwords.contains(hash)) {
                passwords.add(hash);
            }
            nopass = false;
        } else if (first == '<' || first == '!') {
            String hash = first == '<' ? Passwords.hash(op.substring(1)) : validHash(op.substring(1));
            if (!passwords.remove(hash)) {
                throw new RuleError(RuleError.Kind.NO_SUCH_PASSWORD);
            }
        } else if (first == '(' && op.charAt(op.length() - 1) == ')') {
            selectors.add(SelectorDraft.fromOpSet(catalog, op, allChannelsByDefault));
        } else if (c.equalsIgnoreCase("clearselectors")) {
            selectors.subList(1, selectors.size()).clear();
        } else if (c.equalsIgnoreCase("reset")) {
            nopass = false;
            passwords.clear();
            root().apply("resetkeys");
            root().apply("resetchannels");
            if (allChannelsByDefault) {
                root().apply("allchannels");
            }
            on = false;
            sanitize = User.SANITIZE;
            selectors.subList(1, selectors.size()).clear();
            root().apply("-@all");
        } else {
            root().apply(op);
        }
    }

    private SelectorDraft root() {
        return selectors.get(0);
    }

    private static String validHash(String hash) {
        if (!Passwords.validHash(hash)) {
            throw new RuleError(RuleError.Kind.BAD_HASH);
        }
        return hash;
    }

    User freeze() {
        Selector[] frozen = new Selector[selectors.size()];
        for (int i = 0; i < frozen.length; i++) {
            frozen[i] = selectors.get(i).freeze();
        }
        return new User(name, on, nopass, sanitize, passwords, frozen, catalog);
    }
}
