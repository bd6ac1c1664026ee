package io.percore.demo.acl;

import static io.percore.demo.acl.Catalogs.CATALOG;
import static io.percore.demo.acl.Catalogs.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rules without a server (Redis's {@code ACLSetUser} and {@code ACLSetSelector}): what each does to a user,
 * what each malformed one says, ACL LIST's description (rebuilt from the bitmaps: applied to a new user it makes
 * the same user), and what hostile sizes cost.
 */
class UserRulesTest {

    private static RuleError.Kind refusal(String... rules) {
        try {
            user("x", rules);
        } catch (RuleError e) {
            return e.kind();
        }
        return null;
    }

    @Test
    void aNewUserIsOffWithoutPasswordsAndMayRunNothing() {
        User u = user("x");
        assertThat(u.enabled()).isFalse();
        assertThat(u.nopass()).isFalse();
        assertThat(u.accepts(new byte[0])).isFalse();
        assertThat(u.unrestricted()).isFalse();
        assertThat(u.description()).isEqualTo("off resetchannels -@all");
        assertThat(new UserDraft(CATALOG, "y", true).freeze().description()).as("acl-pubsub-default allchannels").isEqualTo("off &* -@all");
    }

    @Test
    void passwordsAreKeptAsHashesAddedRemovedAndChecked() {
        User u = user("x", "on", ">p1", ">p2", ">p1", "#34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6");
        assertThat(u.passwords()).containsExactly(Passwords.hash("p1"), Passwords.hash("p2"),
                "34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6");
        assertThat(u.accepts("p2".getBytes())).isTrue();
        assertThat(u.accepts("passwd4".getBytes())).as("the hash is passwd4's").isTrue();
        assertThat(u.accepts("p3".getBytes())).isFalse();
        User fewer = new UserDraft(u, false).apply(List.of("<p1", "!34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6")).freeze();
        assertThat(fewer.passwords()).containsExactly(Passwords.hash("p2"));
        assertThat(user("x", ">p", "nopass").passwords()).isEmpty();
        assertThat(user("x", "nopass", ">p").nopass()).isFalse();
        assertThat(user("x", "nopass", "on").accepts("anything".getBytes())).isTrue();
        assertThat(user("x", "nopass", "off").accepts("anything".getBytes())).as("a user that is off logs nobody in").isFalse();
        assertThat(refusal("<nope")).isEqualTo(RuleError.Kind.NO_SUCH_PASSWORD);
        assertThat(refusal("#ABC")).isEqualTo(RuleError.Kind.BAD_HASH);
        assertThat(refusal("!34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4eZ")).isEqualTo(RuleError.Kind.BAD_HASH);
        assertThat(user("x", ">").passwords()).as("an empty password is a password").containsExactly(Passwords.hash(""));
    }

    @Test
    void keyPatternsKeepReadAndWriteApartAndMerge() {
        assertThat(user("x", "~a", "%R~b", "%W~c", "%RW~d", "%wr~e").description()).isEqualTo("off ~a %R~b %W~c ~d ~e resetchannels -@all");
        assertThat(user("x", "%R~a", "%W~a").description()).as("the same pattern merges its permissions").isEqualTo("off ~a resetchannels -@all");
        assertThat(user("x", "~a", "allkeys").description()).isEqualTo("off ~* resetchannels -@all");
        assertThat(user("x", "allkeys", "resetkeys", "~b").description()).isEqualTo("off ~b resetchannels -@all");
        assertThat(user("x", "%R").description()).as("%R alone is the empty pattern").isEqualTo("off %R~ resetchannels -@all");
        assertThat(refusal("allkeys", "~a")).isEqualTo(RuleError.Kind.KEY_AFTER_ALL);
        assertThat(refusal("%X~a")).isEqualTo(RuleError.Kind.SYNTAX);
        assertThat(refusal("%RR~a")).isEqualTo(RuleError.Kind.SYNTAX);
        assertThat(refusal("%~a")).isEqualTo(RuleError.Kind.SYNTAX);
        assertThat(refusal("~a b")).isEqualTo(RuleError.Kind.SYNTAX);
        assertThat(refusal("~a\0b")).isEqualTo(RuleError.Kind.SYNTAX);
    }

    @Test
    void channelPatterns() {
        assertThat(user("x", "&a", "&a", "&b*").description()).isEqualTo("off resetchannels &a &b* -@all");
        assertThat(user("x", "allchannels").description()).isEqualTo("off &* -@all");
        assertThat(refusal("allchannels", "&a")).isEqualTo(RuleError.Kind.CHANNEL_AFTER_ALL);
        assertThat(refusal("&a\tb")).isEqualTo(RuleError.Kind.SYNTAX);
    }

    @Test
    void commandsSubcommandsCategoriesAndFirstArguments() {
        assertThat(user("x", "+get", "+config|get", "-config|set").description()).isEqualTo("off resetchannels -@all +config|get +get");
        assertThat(user("x", "+@all", "-client|kill").description()).isEqualTo("off resetchannels +@all -client|kill");
        assertThat(user("x", "+memory|doctor", "+memory").description()).as("a whole container").isEqualTo("off resetchannels -@all +memory");
        assertThat(user("x", "-@all", "+select|0", "+SELECT|0", "+select|1").description())
                .isEqualTo("off resetchannels -@all +select|0 +select|1");
        assertThat(user("x", "+select|0", "+select").description()).as("the command itself drops its first arguments")
                .isEqualTo("off resetchannels -@all +select");
        assertThat(user("x", "+select|0", "+@all").description()).isEqualTo("off resetchannels +@all");
        assertThat(user("x", "+@all", "-@dangerous").description()).isEqualTo("off resetchannels +@all -@dangerous");
        assertThat(user("x", "allcommands", "nocommands").description()).isEqualTo("off resetchannels -@all");
        assertThat(refusal("+nosuch")).isEqualTo(RuleError.Kind.UNKNOWN_COMMAND);
        assertThat(refusal("-@nosuch")).isEqualTo(RuleError.Kind.UNKNOWN_COMMAND);
        assertThat(refusal("+config|nosuch")).isEqualTo(RuleError.Kind.UNKNOWN_COMMAND);
        assertThat(refusal("+get|a|b")).isEqualTo(RuleError.Kind.UNKNOWN_COMMAND);
        assertThat(refusal("-select|0")).as("no negative first argument").isEqualTo(RuleError.Kind.UNKNOWN_COMMAND);
        assertThat(refusal("+config|get|x")).isEqualTo(RuleError.Kind.FIRST_ARG_OF_SUBCOMMAND);
        assertThat(refusal("+select|")).isEqualTo(RuleError.Kind.SYNTAX);
        assertThat(refusal("+")).isEqualTo(RuleError.Kind.UNKNOWN_COMMAND);
        assertThat(refusal("foo")).isEqualTo(RuleError.Kind.SYNTAX);
        // commands the demo does not run are Redis's all the same
        assertThat(user("x", "+debug|object", "+migrate").description()).isEqualTo("off resetchannels -@all +debug|object +migrate");
    }

    @Test
    void selectorsAndReset() {
        assertThat(user("x", "(~a +get)", "(%R~b &c +@read)").description())
                .isEqualTo("off resetchannels -@all (~a resetchannels -@all +get) (%R~b resetchannels &c -@all +@read)");
        assertThat(user("x", "(~a +get)", "clearselectors").description()).isEqualTo("off resetchannels -@all");
        assertThat(user("x", "()").description()).isEqualTo("off resetchannels -@all (resetchannels -@all)");
        assertThat(refusal("(on)")).as("a selector holds selector rules only").isEqualTo(RuleError.Kind.SYNTAX);
        assertThat(refusal("(>pw)")).isEqualTo(RuleError.Kind.SYNTAX);
        assertThat(refusal(")")).isEqualTo(RuleError.Kind.SYNTAX);
        assertThat(user("x", "on", ">pw", "~*", "&*", "+@all", "(~a)", "reset").description())
                .isEqualTo("off sanitize-payload resetchannels -@all");
        assertThat(new UserDraft(CATALOG, "x", true).apply(List.of("reset")).freeze().description()).isEqualTo("off sanitize-payload &* -@all");
        assertThat(SelectorArguments.merge(List.of("(~a", "+get)", "on", "(", "~b", ")"))).containsExactly("(~a +get)", "on", "( ~b )");
        assertThatThrownBy(() -> SelectorArguments.merge(List.of("on", "(~a", "+get"))).isInstanceOfSatisfying(SelectorArguments.Unmatched.class,
                e -> assertThat(e.index).isEqualTo(1));
    }

    /** Redis's description is a set of rules that rebuilds the user: applied to a new user, the same bitmaps and description. */
    @Test
    void theDescriptionRebuildsTheUserForRandomRules() {
        Random random = new Random(67);
        List<String> pool = new ArrayList<>();
        for (AclCategory c : AclCategory.values()) {
            pool.add("+@" + c.redisName());
            pool.add("-@" + c.redisName());
        }
        for (int id = 0; id < CATALOG.size(); id += 7) {
            pool.add("+" + CATALOG.command(id).fullName());
            pool.add("-" + CATALOG.command(id).fullName());
        }
        pool.addAll(List.of("+@all", "-@all", "+select|0", "+debug|object", "+client|id", "-client|kill", "~k*", "%R~r*", "&c*"));
        for (int round = 0; round < 300; round++) {
            List<String> rules = new ArrayList<>();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                rules.add(pool.get(random.nextInt(pool.size())));
            }
            User u = user("x", rules.toArray(new String[0]));
            String description = u.description();
            User again = user("x", description.split(" "));
            assertThat(again.root().allowed).as("rules %s described as %s", rules, description).isEqualTo(u.root().allowed);
            assertThat(again.root().futureCommands).isEqualTo(u.root().futureCommands);
            assertThat(again.description()).as("rules %s", rules).isEqualTo(description);
        }
    }

    /** A single category against +@all or -@all is described as that category alone (acl.tcl's "reasonable results"). */
    @Test
    void aSingleCategoryIsDescribedAsItself() {
        for (AclCategory c : AclCategory.values()) {
            assertThat(UserDetails.of(user("x", "reset", "+@all", "-@" + c.redisName())).root().commands()).isEqualTo("+@all -@" + c.redisName());
            assertThat(UserDetails.of(user("x", "reset", "-@all", "+@" + c.redisName())).root().commands()).isEqualTo("-@all +@" + c.redisName());
        }
    }

    @Test
    void hostileSizesStayBounded() {
        // 100,000 key patterns: added in linear time (a pattern already there found by its text), described in one string
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            rules.add("~key:" + i + ":*");
        }
        rules.add("~key:5:*");
        long start = System.nanoTime();
        User many = user("x", rules.toArray(new String[0]));
        assertThat(many.root().patterns).hasSize(100_000);
        assertThat(many.description()).startsWith("off ~key:0:* ~key:1:*");
        assertThat(System.nanoTime() - start).as("100,000 patterns in well under a minute").isLessThan(60_000_000_000L);
        // a 1 MB password: hashed like any other, only its 64-character hash kept
        String big = "p".repeat(1 << 20);
        User withBig = user("x", "on", ">" + big);
        assertThat(withBig.passwords().get(0)).hasSize(64);
        assertThat(withBig.accepts(big.getBytes())).isTrue();
    }
}
