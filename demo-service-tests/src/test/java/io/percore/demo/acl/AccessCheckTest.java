package io.percore.demo.acl;

import static io.percore.demo.acl.Catalogs.CATALOG;
import static io.percore.demo.acl.Catalogs.TABLE;
import static io.percore.demo.acl.Catalogs.argv;
import static io.percore.demo.acl.Catalogs.check;
import static io.percore.demo.acl.Catalogs.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The permission check without a server (Redis's {@code ACLCheckAllUserCommandPerm}): commands, subcommands,
 * categories and first arguments; keys by how each command uses them (read, written, both, found by a
 * count, by a keyword, by the command's own finder), against read and write patterns; channels; selectors
 * and which refusal is reported when all refuse; and what it costs.
 */
class AccessCheckTest {

    private static void allowed(User u, String... call) {
        assertThat(check(u, call)).as(String.join(" ", call)).isNull();
    }

    private static void refused(User u, Denial.Reason reason, String object, String... call) {
        Denial d = check(u, call);
        assertThat(d).as(String.join(" ", call)).isNotNull();
        assertThat(d.reason()).as(String.join(" ", call)).isEqualTo(reason);
        assertThat(d.object()).as(String.join(" ", call)).isEqualTo(object);
    }

    @Test
    void commandsSubcommandsCategoriesAndFirstArguments() {
        User u = user("u", "allkeys", "+get", "+@hash", "-hdel", "+config|get", "+select|0", "+client", "-client|kill", "+debug|object");
        allowed(u, "get", "k");
        allowed(u, "hset", "k", "f", "v");
        refused(u, Denial.Reason.COMMAND, "hdel", "hdel", "k", "f");
        refused(u, Denial.Reason.COMMAND, "set", "set", "k", "v");
        allowed(u, "config", "get", "maxmemory");
        refused(u, Denial.Reason.COMMAND, "config|set", "config", "set", "maxmemory", "1");
        allowed(u, "select", "0");
        allowed(u, "SELECT", "0");
        refused(u, Denial.Reason.COMMAND, "select", "select", "1");
        allowed(u, "client", "id");
        refused(u, Denial.Reason.COMMAND, "client|kill", "client", "kill", "id", "1");
        allowed(u, "debug", "OBJECT", "k");
        refused(u, Denial.Reason.COMMAND, "debug", "debug", "segfault");
        // the no_auth commands are never refused for the command
        User none = user("n");
        allowed(none, "auth", "x");
        allowed(none, "hello", "3");
        refused(none, Denial.Reason.COMMAND, "ping", "ping");
        // +@all allows every command of the registry, this server's own included
        User all = user("a", "+@all", "~*");
        for (int id = 0; id < TABLE.size(); id++) {
            AclCommand cmd = CATALOG.command(id);
            assertThat(cmd.id()).isEqualTo(id);
            assertThat(all.root().allows(cmd.id())).as(cmd.fullName()).isTrue();
        }
        assertThat(user("d", "+@all", "-@dangerous").root().allows(CATALOG.named("cluster|setlayout"))).as("this server's admin commands are dangerous")
                .isFalse();
    }

    @Test
    void keysAreCheckedByHowTheCommandUsesThem() {
        User u = user("u", "+@all", "%R~r*", "%W~w*", "~rw*");
        // read only, write only, both
        allowed(u, "get", "r1");
        allowed(u, "get", "rw1");
        refused(u, Denial.Reason.KEY, "w1", "get", "w1");
        allowed(u, "lpush", "w1", "x");
        refused(u, Denial.Reason.KEY, "r1", "lpush", "r1", "x");
        allowed(u, "incr", "rw1");
        refused(u, Denial.Reason.KEY, "r1", "incr", "r1");
        refused(u, Denial.Reason.KEY, "w1", "incr", "w1");
        // SET writes, SET ... GET also reads
        allowed(u, "set", "w1", "v");
        refused(u, Denial.Reason.KEY, "w1", "set", "w1", "v", "get");
        allowed(u, "set", "rw1", "v", "GET");
        // the source read, the destination written
        allowed(u, "copy", "r1", "w1");
        refused(u, Denial.Reason.KEY, "w1", "copy", "w1", "r1");
        // existence and cardinality need some permission, either one
        allowed(u, "exists", "r1", "w1");
        allowed(u, "hexists", "w1", "f");
        allowed(u, "strlen", "w1");
        refused(u, Denial.Reason.KEY, "x", "exists", "x");
        // keys after a count (keynum) and after a keyword
        allowed(u, "zunionstore", "w1", "2", "r1", "rw1");
        refused(u, Denial.Reason.KEY, "w2", "zunionstore", "w1", "2", "r1", "w2");
        allowed(u, "xread", "count", "1", "streams", "r1", "rw1", "0", "0");
        refused(u, Denial.Reason.KEY, "w1", "xread", "streams", "r1", "w1", "0", "0");
        allowed(u, "georadius", "r1", "0", "0", "1", "m", "store", "w1");
        refused(u, Denial.Reason.KEY, "r2", "georadius", "r1", "0", "0", "1", "m", "store", "r2");
        // a bad count: the command's own finder, which gives no keys, so nothing to refuse (the command answers its own error)
        allowed(u, "eval", "", "-1", "x");
        allowed(u, "eval", "", "3", "rw1", "x");
        refused(u, Denial.Reason.KEY, "r1", "eval", "", "1", "r1");
        allowed(u, "eval_ro", "", "1", "r1");
        // SORT's STORE, MIGRATE's KEYS: Redis's own finders, with their flags
        allowed(u, "sort", "r1", "limit", "0", "1", "store", "w1");
        refused(u, Denial.Reason.KEY, "r2", "sort", "r1", "store", "r2");
        allowed(u, "migrate", "h", "p", "", "0", "5", "auth2", "keys", "keys", "keys", "rw1");
        refused(u, Denial.Reason.KEY, "w1", "migrate", "h", "p", "", "0", "5", "keys", "rw1", "w1");
        // the empty key name is matched only by the empty pattern, as stringmatchlen
        refused(user("e", "+@all", "%R~*"), Denial.Reason.KEY, "", "get", "");
        allowed(user("e", "+@all", "%R~"), "get", "");
        allowed(user("e", "+@all", "allkeys"), "get", "");
    }

    @Test
    void channelsArePublishedOrSubscribedToWithinThePatterns() {
        User u = user("u", "+@all", "resetchannels", "&news.*", "&alerts");
        allowed(u, "publish", "news.1", "m");
        refused(u, Denial.Reason.CHANNEL, "other", "publish", "other", "m");
        allowed(u, "spublish", "alerts", "m");
        allowed(u, "subscribe", "news.1", "alerts");
        refused(u, Denial.Reason.CHANNEL, "x", "subscribe", "news.1", "x");
        allowed(u, "ssubscribe", "alerts");
        // a PSUBSCRIBE pattern is compared with the patterns as text, never matched by them
        allowed(u, "psubscribe", "news.*");
        refused(u, Denial.Reason.CHANNEL, "news.1", "psubscribe", "news.1");
        // unsubscribing is never refused
        allowed(u, "unsubscribe", "x");
        allowed(u, "punsubscribe", "x");
        allowed(u, "sunsubscribe", "x");
        allowed(user("a", "+@all", "allchannels"), "publish", "anything", "m");
        refused(user("r", "+@all"), Denial.Reason.CHANNEL, "c", "publish", "c", "m");
    }

    @Test
    void selectorsAllowWhatAnyOfThemAllowsAndTheRefusalReportedIsRedises() {
        User s = user("s", "(+@write ~write::*)", "(+@read ~read::*)");
        allowed(s, "set", "write::a", "v");
        allowed(s, "get", "read::a");
        refused(s, Denial.Reason.KEY, "write::a", "get", "write::a");
        refused(s, Denial.Reason.COMMAND, "ping", "ping");
        // selectors do not add up: one must allow the whole call
        User rw = user("rw", "(%R~read* +@all)", "(%W~write* +@all)");
        refused(rw, Denial.Reason.KEY, "write", "copy", "read", "write");
        // acl-v2's log test: the command when no selector runs it; else the latest key no selector allowed
        User log = user("l", "+mget", "~key", "(+mget ~key ~otherkey)");
        refused(log, Denial.Reason.COMMAND, "get", "get", "key");
        refused(log, Denial.Reason.KEY, "someotherkey", "mget", "otherkey", "someotherkey");
        refused(log, Denial.Reason.KEY, "someotherkey", "mget", "key", "otherkey", "someotherkey");
        // a channel refusal outweighs a key refusal
        User mixed = user("m", "(+publish resetchannels)", "(+get ~k)");
        Denial d = check(mixed, "publish", "c", "m");
        assertThat(d.reason()).isEqualTo(Denial.Reason.CHANNEL);
        assertThat(d.position()).isEqualTo(1);
    }

    @Test
    void theTextsOfEachContext() {
        Denial cmd = check(user("u"), "get", "k");
        assertThat(cmd.topLevelError()).isEqualTo("NOPERM this user has no permissions to run the 'get' command");
        assertThat(cmd.execError()).isEqualTo("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. "
                + "This command is no longer allowed for the following reason: no permission to execute the command or subcommand");
        assertThat(cmd.scriptError()).isEqualTo("The user executing the script can't run this command or subcommand");
        assertThat(cmd.dryRunAnswer()).isEqualTo("This user has no permissions to run the 'get' command");
        Denial key = check(user("u", "+get"), "get", "k");
        assertThat(key.topLevelError()).isEqualTo("NOPERM this user has no permissions to access one of the keys used as arguments");
        assertThat(key.execError()).endsWith("no permission to touch the specified keys");
        assertThat(key.scriptError()).isEqualTo("The user executing the script can't access at least one of the keys mentioned in the command arguments");
        assertThat(key.dryRunAnswer()).isEqualTo("This user has no permissions to access the 'k' key");
        Denial channel = check(user("u", "+publish"), "publish", "c", "m");
        assertThat(channel.topLevelError()).isEqualTo("NOPERM this user has no permissions to access one of the channels used as arguments");
        assertThat(channel.execError()).endsWith("no permission to access one of the channels used as arguments");
        assertThat(channel.scriptError()).isEqualTo("The user executing the script can't publish to the channel mentioned in the command");
        assertThat(channel.dryRunAnswer()).isEqualTo("This user has no permissions to access the 'c' channel");
    }

    /** The cost rule: the default user is one field test; a restricted user's allowed call allocates nothing either. */
    @Test
    void anAllowedCallAllocatesNothing() {
        AccessControl acl = new AccessControl(CATALOG, "", java.nio.file.Path.of("."));
        User defaultUser = acl.users().defaultUser().current();
        User restricted = user("r", "+@all", "~app:*", "%R~cache:*", "~other:*");
        int get = TABLE.lookup(argv("get", "app:1"));
        int mset = TABLE.lookup(argv("mset", "a", "1"));
        byte[][] getCall = argv("get", "app:1");
        byte[][] msetCall = argv("mset", "app:1", "v", "other:2", "v");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int warm = 0; warm < 20_000; warm++) {
            acl.check(defaultUser, get, getCall);
            acl.check(restricted, get, getCall);
            acl.check(restricted, mset, msetCall);
        }
        int refused = 0;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            if (acl.check(defaultUser, get, getCall) != null || acl.check(restricted, get, getCall) != null
                    || acl.check(restricted, mset, msetCall) != null) {
                refused++;
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(refused).isZero();
        assertThat(allocated).as("bytes allocated by 300,000 allowed checks").isLessThan(64 * 1024);
    }
}
