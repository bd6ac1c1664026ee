package io.percore.demo.acl;

/**
 * A user as ACL LIST, ACL SAVE and ACL GETUSER write it (Redis 7.0.15's {@code ACLDescribeUser},
 * {@code ACLDescribeSelector} and {@code ACLDescribeSelectorCommandRules}): the flags, the password
 * hashes, then each selector's keys, channels and command rules. Redis keeps a bitmap, not the rules it
 * was given, so the command rules are rebuilt from it: {@code +@all} or {@code -@all} first (whether
 * commands to come are allowed), then, best fit first, the categories that say more of the bitmap than
 * they get wrong, then the single commands that still differ and the first arguments. Applying the
 * result to a new user gives the same bitmap (checked: a difference is a defect, never a wider user).
 * Single commands come in the catalog's order; Redis's come in its command dictionary's, which a random
 * hash seed makes differ from run to run.
 */
final class UserDescription {

    private UserDescription() {
    }

    static String describe(User u) {
        StringBuilder out = new StringBuilder();
        out.append(u.enabled() ? "on " : "off ");
        if (u.nopass()) {
            out.append("nopass ");
        }
        if (u.sanitize() == User.SANITIZE_SKIP) {
            out.append("skip-sanitize-payload ");
        } else if (u.sanitize() == User.SANITIZE) {
            out.append("sanitize-payload ");
        }
        for (String hash : u.passwords()) {
            out.append('#').append(hash).append(' ');
        }
        Selector[] selectors = u.selectors();
        for (Selector s : selectors) {
            if (s.root) {
                out.append(selector(s, u.catalog()));
            } else {
                out.append(" (").append(selector(s, u.catalog())).append(')');
            }
        }
        return out.toString();
    }

    /** {@code ACLDescribeSelector}: keys, channels, command rules. */
    static String selector(Selector s, CommandCatalog catalog) {
        StringBuilder out = new StringBuilder();
        if (s.allKeys) {
            out.append("~* ");
        } else {
            for (Selector.KeyPattern p : s.patterns) {
                out.append(p.text()).append(' ');
            }
        }
        if (s.allChannels) {
            out.append("&* ");
        } else {
            out.append("resetchannels ");
            for (Selector.ChannelPattern p : s.channels) {
                out.append('&').append(p.pattern()).append(' ');
            }
        }
        return out.append(commandRules(s, catalog)).toString();
    }

    /** GETUSER's {@code keys}: the patterns separated by spaces, or {@code ~*}. */
    static String keys(Selector s) {
        if (s.allKeys) {
            return "~*";
        }
        StringBuilder out = new StringBuilder();
        for (Selector.KeyPattern p : s.patterns) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(p.text());
        }
        return out.toString();
    }

    /** GETUSER's {@code channels}: the patterns with their {@code &}, or {@code &*}. */
    static String channels(Selector s) {
        if (s.allChannels) {
            return "&*";
        }
        StringBuilder out = new StringBuilder();
        for (Selector.ChannelPattern p : s.channels) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append('&').append(p.pattern());
        }
        return out.toString();
    }

    /** {@code ACLDescribeSelectorCommandRules}. */
    static String commandRules(Selector s, CommandCatalog catalog) {
        StringBuilder rules = new StringBuilder();
        boolean additive = !s.futureCommands;
        // the rules so far, applied as they are written: what they still get wrong is what comes next
        SelectorDraft fake = new SelectorDraft(catalog, false, false);
        if (additive) {
            rules.append("-@all ");
        } else {
            rules.append("+@all ");
            fake.apply("+@all");
        }
        // the bitmap with the categories written so far taken back: what they were chosen to say
        SelectorDraft temp = new SelectorDraft(catalog, false, false);
        temp.setCommands(s.allowed);
        AclCategory[] categories = AclCategory.all();
        boolean[] applied = new boolean[categories.length];
        while (true) {
            int best = -1;
            long minDiff = Integer.MAX_VALUE;
            long maxSame = 0;
            for (int j = 0; j < categories.length; j++) {
                if (applied[j]) {
                    continue;
                }
                long on = 0;
                long off = 0;
                long bit = categories[j].bit();
                for (int id = 0; id < catalog.size(); id++) {
                    if ((catalog.command(id).categories() & bit) != 0) {
                        if (temp.allows(id)) {
                            on++;
                        } else {
                            off++;
                        }
                    }
                }
                long diff = additive ? off : on;
                long same = additive ? on : off;
                if (same > diff && (diff < minDiff || (diff == minDiff && same > maxSame))) {
                    best = j;
                    minDiff = diff;
                    maxSame = same;
                }
            }
            if (best == -1) {
                break;
            }
            fake.category(categories[best], additive);
            temp.category(categories[best], !additive);
            rules.append(additive ? "+@" : "-@").append(categories[best].redisName()).append(' ');
            applied[best] = true;
        }
        for (int top : catalog.topLevel()) {
            singleCommand(s, fake, catalog, catalog.command(top), rules);
        }
        if (!fake.sameCommands(s.allowed)) {
            // Redis panics here rather than describe a user wider or narrower than it is
            throw new IllegalStateException("the rules '" + rules + "' do not rebuild the user's commands");
        }
        rules.setLength(rules.length() - 1); // the last space
        return rules.toString();
    }

    /** {@code ACLDescribeSelectorCommandRulesSingleCommands} for one command and its subcommands. */
    private static void singleCommand(Selector s, SelectorDraft fake, CommandCatalog catalog, AclCommand cmd, StringBuilder rules) {
        boolean userBit = s.allows(cmd.id());
        if (userBit != fake.allows(cmd.id())) {
            rules.append(userBit ? '+' : '-').append(cmd.fullName()).append(' ');
            fake.changePermission(cmd, userBit);
        }
        for (int sub : cmd.subcommands()) {
            singleCommand(s, fake, catalog, catalog.command(sub), rules);
        }
        if (!userBit && s.firstArgs != null && s.firstArgs[cmd.id()] != null) {
            for (String arg : s.firstArgs[cmd.id()]) {
                rules.append('+').append(cmd.fullName()).append('|').append(arg).append(' ');
            }
        }
    }
}
