package io.percore.demo.acl;

import java.util.ArrayList;
import java.util.List;

/**
 * A user as ACL GETUSER shows it (Redis's {@code aclCommand} getuser branch): its flags in Redis's
 * order, its password hashes, the root selector's command rules, keys and channels, then the other
 * selectors' alike.
 */
public record UserDetails(List<String> flags, List<String> passwords, Selector root, List<Selector> selectors) {

    /** One selector's {@code commands}, {@code keys} and {@code channels} ({@code aclAddReplySelectorDescription}). */
    public record Selector(String commands, String keys, String channels) {
    }

    public static UserDetails of(User u) {
        List<String> flags = new ArrayList<>();
        flags.add(u.enabled() ? "on" : "off");
        if (u.nopass()) {
            flags.add("nopass");
        }
        if (u.sanitize() == User.SANITIZE_SKIP) {
            flags.add("skip-sanitize-payload");
        } else if (u.sanitize() == User.SANITIZE) {
            flags.add("sanitize-payload");
        }
        io.percore.demo.acl.Selector[] all = u.selectors();
        List<Selector> others = new ArrayList<>();
        for (int i = 1; i < all.length; i++) {
            others.add(describe(all[i], u.catalog()));
        }
        return new UserDetails(flags, u.passwords(), describe(all[0], u.catalog()), others);
    }

    private static Selector describe(io.percore.demo.acl.Selector s, CommandCatalog catalog) {
        return new Selector(UserDescription.commandRules(s, catalog), UserDescription.keys(s), UserDescription.channels(s));
    }

    /** ACL GENPASS's password: {@code chars} random hex characters. */
    public static String randomPassword(int chars) {
        return Passwords.random(chars);
    }
}
