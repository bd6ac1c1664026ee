package io.percore.demo.command;

import io.percore.demo.acl.KeySearch;

import io.percore.net.server.RequestKinds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.percore.demo.acl.AclCommand;
import io.percore.demo.acl.CommandCatalog;
import io.percore.demo.resp.RespReplies;

/**
 * The command registry, the one list of commands: every command Redis 7.0.15 has and this server's own, each row with
 * its name, arity, flags, key positions, ACL categories and key specs as Redis gives them ({@link CommandRows}), and its
 * handler when this server runs it. COMMAND, ACL ({@link CommandCatalog}), key extraction, tracking and scripting read
 * it. Lookup ({@link #find}, {@link #lookup(byte[][])}) finds only the commands this server runs: it hashes the name's
 * bytes case-insensitively into an open-addressing table, so finding a command allocates nothing.
 *
 * <p>Every command has an id, its index in the table ({@link #find}, {@link #spec(int)}): per-shard
 * figures (INFO commandstats) are arrays indexed by it, so counting a call is an array increment.
 * A row named {@code container|sub} (as Redis's full names, {@code client|list}) is a subcommand of
 * the row named {@code container}: the container then resolves {@code argv[1]} to it
 * ({@link #findSubcommand}), with its own arity, flags, handler and figures, as Redis 7's
 * {@code lookupCommand} does. A container without such rows dispatches by itself.
 */
public final class CommandTable implements CommandCatalog {

    private final CommandSpec[] slots;
    private final byte[][] names;
    private final int[] slotIds;
    /** The top-level commands this server runs, in the code's order (COMMAND's). */
    private final List<CommandSpec> all;
    /** Every row (commands and subcommands, run here or not), by id. */
    private final CommandSpec[] byId;
    /** Per id, whether this server runs the command. */
    private final boolean[] runs;
    /** Per id, the row as ACL rules see it (categories, key specs, channels). */
    private final AclCommand[] acl;
    /** Every top-level command, run here or not, in the registry's order. */
    private final int[] topLevel;
    /** Every row's full name (lower case) to its id. */
    private final Map<String, Integer> byName;
    private final String[] fullNames;
    /** Ids of each container's subcommands this server runs; null for a command without them. */
    private final int[][] subcommandIds;
    private final int[] families;
    /** Per id, bits of what the flags mean for running it ({@link #SKIP_MONITOR}, ...). */
    private final int[] traits;
    private static final int SKIP_MONITOR = 1;
    private static final int SKIP_SLOWLOG = 2;
    private static final int TOUCHES_KEYSPACE = 4;
    private static final int MAY_WRITE = 8;
    private static final int OK_LOADING = 16;
    private static final int WRITE = 32;
    private static final int NO_MULTI = 64;
    private static final int TRACKED_READ = 128;
    private static final java.util.Set<String> READ_ONLY_SCRIPTS = java.util.Set.of("eval_ro", "evalsha_ro", "fcall_ro");
    /** Its keys may lie on several shards and it is not atomic across them by itself: run as a transaction of its own then. */
    private static final int SPANS_SHARDS = 256;
    private static final int NO_SCRIPT = 512;
    private static final int DENY_OOM = 1024;
    /** Whether a call may write depends on its arguments ({@link CommandHandler.WritesByCall}). */
    private static final int WRITES_BY_CALL = 2048;
    /** Redis's CMD_PROTECTED (DEBUG): refused unless its enable-... configuration allows the client. */
    private static final int PROTECTED = 4096;
    /** Answered by a replica whose link is down while replica-serve-stale-data is no (Redis's CMD_STALE). */
    private static final int OK_STALE = 8192;
    /** The command groups, in table order: the "family" of percore.server.requests. */
    private final String[] groups;

    /** What MONITOR and the slow log may show of a command's arguments (Redis's {@code redactClientCommandArgument}). */
    private final Redaction redaction;

    /**
     * A command's arguments as MONITOR and the slow log may show them: {@code argv} itself when nothing in
     * it is secret, else a copy with the secrets replaced.
     */
    @FunctionalInterface
    public interface Redaction {
        byte[][] redacted(CommandTable commands, int id, byte[][] argv);
    }

    /**
     * The registry of {@code code}'s rows (the commands this server runs, containers before their subcommands) joined with
     * what Redis 7.0.15 publishes about every command ({@code redis}): see {@link CommandRows} for the order and what a
     * row carries. {@code redaction} says what MONITOR and the slow log may show of a call.
     */
    public CommandTable(List<CommandSpec> code, CommandMetadata redis, Redaction redaction) {
        this.redaction = redaction;
        CommandRows rows = new CommandRows(code, redis);
        List<CommandSpec> top = new ArrayList<>();
        for (CommandSpec spec : code) {
            if (spec.name().indexOf('|') < 0) {
                top.add(spec);
            }
        }
        int capacity = Integer.highestOneBit(Math.max(16, top.size() * 4) - 1) << 1;
        this.slots = new CommandSpec[capacity];
        this.names = new byte[capacity][];
        this.slotIds = new int[capacity];
        this.byId = rows.specs;
        this.runs = rows.runs;
        this.acl = rows.acl;
        this.topLevel = rows.topLevel;
        this.byName = Map.copyOf(rows.byName);
        this.fullNames = new String[byId.length];
        this.subcommandIds = new int[byId.length][];
        this.groups = code.stream().map(CommandSpec::group).distinct().toArray(String[]::new);
        this.families = new int[byId.length];
        this.traits = new int[byId.length];
        for (int id = 0; id < byId.length; id++) {
            CommandSpec spec = byId[id];
            traits[id] = traits(spec.flags()) | (spansShards(spec, acl[id].keys()) ? SPANS_SHARDS : 0)
                    | (spec.handler() instanceof CommandHandler.WritesByCall ? WRITES_BY_CALL : 0);
            String name = acl[id].fullName();
            if (READ_ONLY_SCRIPTS.contains(name)) {
                traits[id] &= ~TRACKED_READ; // Redis's call(): a read-only script's own commands are tracked, not its keys
            }
            fullNames[id] = name;
            families[id] = indexOfGroup(spec.group());
            if (!runs[id]) {
                continue; // known to ACL rules, COMMAND and lookups never find it: an unknown command to a client
            }
            if (acl[id].parent() >= 0) {
                continue; // a subcommand: its container dispatches to it (below)
            }
            byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            int i = hash(bytes) & (capacity - 1);
            while (slots[i] != null) {
                i = (i + 1) & (capacity - 1);
            }
            slots[i] = spec;
            names[i] = bytes;
            slotIds[i] = id;
        }
        // a container's subcommands in the code's order (HELP first, as the code lists them), not the recording's
        for (CommandSpec spec : code) {
            int id = byName.get(spec.name().toLowerCase(Locale.ROOT));
            int container = acl[id].parent();
            if (container < 0) {
                continue;
            }
            if (!runs[container]) {
                throw new IllegalArgumentException("Subcommand " + spec.name() + " needs its container in the table before it");
            }
            int[] subs = subcommandIds[container];
            subs = subs == null ? new int[1] : Arrays.copyOf(subs, subs.length + 1);
            subs[subs.length - 1] = id;
            subcommandIds[container] = subs;
        }
        this.all = Collections.unmodifiableList(top);
    }

    private static int traits(List<String> flags) {
        int t = 0;
        if (flags.contains("admin") || flags.contains("skip_monitor")) {
            t |= SKIP_MONITOR;
        }
        if (flags.contains("skip_slowlog")) {
            t |= SKIP_SLOWLOG;
        }
        if (flags.contains("readonly") || flags.contains("write") || flags.contains("may_replicate")) {
            t |= TOUCHES_KEYSPACE;
        }
        if (flags.contains("write") || flags.contains("may_replicate")) {
            t |= MAY_WRITE;
        }
        if (flags.contains("loading")) {
            t |= OK_LOADING;
        }
        if (flags.contains("stale")) {
            t |= OK_STALE;
        }
        if (flags.contains("write")) {
            t |= WRITE;
        }
        if (flags.contains("no_multi")) {
            t |= NO_MULTI;
        }
        if (flags.contains("readonly") && !flags.contains("pubsub")) {
            t |= TRACKED_READ;
        }
        if (flags.contains("noscript")) {
            t |= NO_SCRIPT;
        }
        if (flags.contains("denyoom")) {
            t |= DENY_OOM;
        }
        if (flags.contains("protected")) {
            t |= PROTECTED;
        }
        return t;
    }

    /** Whether MONITOR leaves command {@code id} out (Redis: admin and skip_monitor commands). */
    public boolean skipsMonitor(int id) {
        return (traits[id] & SKIP_MONITOR) != 0;
    }

    /** Whether the slow log leaves command {@code id} out (skip_slowlog). */
    public boolean skipsSlowlog(int id) {
        return (traits[id] & SKIP_SLOWLOG) != 0;
    }

    /** Whether command {@code id} reads or writes keys (readonly, write or may_replicate): what a MONITOR client may not run. */
    public boolean touchesKeyspace(int id) {
        return (traits[id] & TOUCHES_KEYSPACE) != 0;
    }

    /** Whether command {@code id} may change data (write or may_replicate): what CLIENT PAUSE WRITE holds. */
    public boolean mayWrite(int id) {
        return (traits[id] & MAY_WRITE) != 0;
    }

    /**
     * Whether this call of command {@code id} may change data (Redis's {@code getCommandFlags}): its
     * {@link #mayWrite(int) flags}, or for EVAL, EVALSHA and FCALL what their script or function declares.
     */
    public boolean mayWrite(int id, CommandContext c, byte[][] argv) {
        return (traits[id] & WRITES_BY_CALL) != 0 ? ((CommandHandler.WritesByCall) byId[id].handler()).mayWrite().mayWrite(c, argv)
                : (traits[id] & MAY_WRITE) != 0;
    }

    /** Whether command {@code id} runs while the keyspace is loading (Redis's loading flag). */
    public boolean okWhileLoading(int id) {
        return (traits[id] & OK_LOADING) != 0;
    }

    /** Whether a replica whose link is down runs command {@code id} while replica-serve-stale-data is no (its {@code stale} flag). */
    public boolean okWhileStale(int id) {
        return (traits[id] & OK_STALE) != 0;
    }

    /** Whether command {@code id} is refused inside MULTI (Redis's no_multi flag: SAVE, SHUTDOWN). */
    public boolean refusedInMulti(int id) {
        return (traits[id] & NO_MULTI) != 0;
    }

    /**
     * Whether a tracking client's call of command {@code id} has its keys remembered (Redis's
     * readonly flag, shard channels' pubsub commands excepted: {@code trackingRememberKeys}).
     */
    public boolean readsForTracking(int id) {
        return (traits[id] & TRACKED_READ) != 0;
    }

    /** Whether a script may not call command {@code id} (Redis's noscript flag). */
    public boolean refusedInScripts(int id) {
        return (traits[id] & NO_SCRIPT) != 0;
    }

    /**
     * Whether command {@code id} is one Redis 7 marks protected (DEBUG): refused unless the configuration
     * allows it for the client ({@code enable-debug-command}). COMMAND INFO hides the flag, as Redis's does.
     */
    public boolean isProtected(int id) {
        return (traits[id] & PROTECTED) != 0;
    }

    /** Whether command {@code id} is refused over maxmemory (Redis's denyoom flag). */
    public boolean deniedOverBudget(int id) {
        return (traits[id] & DENY_OOM) != 0;
    }

    /**
     * Whether command {@code id} must hold the shards of its keys while it runs when they are several
     * (a transaction of its own, as EXEC's): its keys may lie on several shards, it does not make itself
     * atomic ({@link CommandHandler#atomicOnItsOwn}), and it may run in a transaction (neither blocking,
     * nor no_multi, nor scripting, which keep their own rules).
     */
    public boolean spansShards(int id) {
        return (traits[id] & SPANS_SHARDS) != 0;
    }

    private static boolean spansShards(CommandSpec spec, KeySearch keys) {
        return keys.mayFindSeveral() && !(spec.handler() instanceof OnKeyOwner) && !(spec.handler() instanceof CommandHandler.AtomicOnItsOwn)
                && !spec.flags().contains("blocking") && !spec.flags().contains("no_multi") && !"scripting".equals(spec.group());
    }

    /**
     * Where the keys of {@code argv} (a whole call of command {@code id}, its name first) are, in the order Redis's key
     * specifications find them ({@link KeySearch}): what places a call on its shards, and in cluster mode on its slot.
     * A shard channel counts as a key here (SPUBLISH's, SSUBSCRIBE's: Redis's {@code GET_KEYSPEC_INCLUDE_NOT_KEYS}), since it
     * places a call as a key does. Empty when the command names none, or when its arguments do not locate them (a bad key
     * count, the wrong number of arguments: the command answers its own error where it runs).
     */
    public int[] keyPositions(int id, byte[][] argv) {
        if (!arityFits(id, argv.length)) {
            return new int[0]; // refused where it runs; the specs read arguments that arity guarantees
        }
        KeySearch.Found found = new KeySearch.Found(argv.length); // room for every argument as a key: no growing
        int n = acl[id].keys().find(argv, found, true);
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = found.position(i);
        }
        return positions;
    }

    /** Whether command {@code id} names keys (or shard channels) in its arguments: {@link #keyPositions} may find some. */
    public boolean namesKeys(int id) {
        return acl[id].keys().hasKeys(true);
    }

    /**
     * Whether this call of command {@code id} reaches keys its arguments do not name where {@link #keyPositions} finds
     * them (SORT's BY and GET patterns, a GEORADIUS with several destinations): who holds its keys' shards holds them all.
     */
    public boolean reachesUnnamedKeys(int id, byte[][] argv) {
        CommandSpec.UnnamedKeys unnamed = byId[id].unnamedKeys();
        return unnamed != null && unnamed.reachedBy(argv);
    }

    /** Whether command {@code id} writes (Redis's write flag): what -MISCONF refuses after a failed save. */
    public boolean writes(int id) {
        return (traits[id] & WRITE) != 0;
    }

    /**
     * The handler of a container whose subcommands are rows of the table: the dispatcher runs the
     * subcommand's own handler, so this runs only for a container called as a command of its own.
     */
    public static void dispatchedBySubcommand(CommandContext c, byte[][] argv) {
        throw RespReplies.unknownSubcommand(argv.length > 1 ? argv[1] : new byte[0], RespReplies.ascii(argv[0]));
    }

    /** Family of a request that named no known command. */
    public static final String UNKNOWN_FAMILY = "unknown";
    /** Family of a request the decoder rejected (a RESP protocol error). */
    public static final String PROTOCOL_FAMILY = "protocol";
    public static final String OK = "ok";
    public static final String ERROR = "error";

    /**
     * How the RESP server counts requests ({@code percore.server.requests}): by family (the
     * commands' groups, as COMMAND DOCS names them, plus {@value #UNKNOWN_FAMILY} and
     * {@value #PROTOCOL_FAMILY}) and outcome ({@value #OK} or {@value #ERROR}, an error reply).
     * Bounded by the table, whatever clients send.
     */
    public RequestKinds requestKinds() {
        List<String> families = new ArrayList<>(List.of(groups));
        families.add(UNKNOWN_FAMILY);
        families.add(PROTOCOL_FAMILY);
        return RequestKinds.of("family", families, "outcome", List.of(OK, ERROR));
    }

    /** Index of {@code spec}'s family in {@link #requestKinds()}; a scan of a handful of interned names. */
    public int familyOf(CommandSpec spec) {
        int family = indexOfGroup(spec.group());
        if (family < 0) {
            throw new IllegalArgumentException("Command " + spec.name() + " is not in this table");
        }
        return family;
    }

    /** Index of command {@code id}'s family in {@link #requestKinds()}. */
    public int familyOf(int id) {
        return families[id];
    }

    private int indexOfGroup(String group) {
        for (int i = 0; i < groups.length; i++) {
            if (groups[i] == group) {
                return i;
            }
        }
        for (int i = 0; i < groups.length; i++) {
            if (groups[i].equals(group)) {
                return i;
            }
        }
        return -1;
    }

    public int unknownFamily() {
        return groups.length;
    }

    public int protocolFamily() {
        return groups.length + 1;
    }

    /** The command named {@code name} (any case), or null. Subcommands are not commands of their own. */
    public CommandSpec lookup(byte[] name) {
        int id = find(name);
        return id < 0 ? null : byId[id];
    }

    /** The id of the command named {@code name} (any case), or -1. */
    public int find(byte[] name) {
        if (name.length == 0 || name.length > 32) {
            return -1;
        }
        int mask = slots.length - 1;
        int i = hash(name) & mask;
        while (slots[i] != null) {
            if (equalsIgnoreCase(names[i], name)) {
                return slotIds[i];
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** {@link #lookup}'s answer when no command is named by the call's first argument. */
    public static final int NO_COMMAND = -1;
    /** {@link #lookup}'s answer when the command named has subcommands and none is named by the second argument. */
    public static final int NO_SUBCOMMAND = -2;

    /**
     * The command a call names (Redis's {@code lookupCommand}): its first argument and, for a
     * container with subcommands, the second; else {@link #NO_COMMAND} or {@link #NO_SUBCOMMAND}.
     * A container called alone (its arity refuses that) is the container's id.
     */
    public int lookup(byte[][] argv) {
        int id = find(argv[0]);
        if (id >= 0 && argv.length > 1 && subcommandIds[id] != null) {
            int sub = findSubcommand(id, argv[1]);
            return sub >= 0 ? sub : NO_SUBCOMMAND;
        }
        return id;
    }

    /**
     * The family ({@link #requestKinds()}) a call is counted in: its command's, its container's for an unknown
     * subcommand, {@code unknown} for an unknown command; {@code lookedUp} is what {@link #lookup(byte[][])} gave it.
     */
    public int familyOfCall(int lookedUp, byte[][] argv) {
        return lookedUp >= 0 ? families[lookedUp] : lookedUp == NO_COMMAND ? unknownFamily() : families[find(argv[0])];
    }

    /**
     * The command this server runs whose full name is {@code fullName} ({@code get}, {@code config|get}; any case:
     * Redis's {@code lookupCommandBySds}, which COMMAND INFO and DOCS use), or -1.
     */
    public int runningNamed(byte[] fullName) {
        int id = named(new String(fullName, StandardCharsets.ISO_8859_1));
        return id >= 0 && runs[id] ? id : -1;
    }

    @Override
    public int lookupAny(byte[][] argv) {
        int base = named(new String(argv[0], StandardCharsets.ISO_8859_1));
        if (base < 0 || argv.length == 1 || !acl[base].container()) {
            return base;
        }
        return named(acl[base].fullName() + "|" + new String(argv[1], StandardCharsets.ISO_8859_1));
    }

    /** Command {@code id}'s {@code argv} as MONITOR and the slow log may show it (see {@link Redaction}). */
    public byte[][] redacted(int id, byte[][] argv) {
        return redaction.redacted(this, id, argv);
    }

    /** Whether {@code argc} arguments (the name included) fit command {@code id}'s arity: exactly n, or at least -n. */
    public boolean arityFits(int id, int argc) {
        int arity = byId[id].arity();
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /** Whether command {@code id} has subcommands of its own in the table. */
    public boolean hasSubcommands(int id) {
        return subcommandIds[id] != null;
    }

    /** The id of container {@code id}'s subcommand named {@code name} (any case), or -1. */
    public int findSubcommand(int id, byte[] name) {
        int[] subs = subcommandIds[id];
        if (subs == null) {
            return -1;
        }
        int prefix = fullNames[id].length() + 1;
        for (int sub : subs) {
            String full = fullNames[sub];
            if (full.length() - prefix == name.length && sameLetters(full, prefix, name)) {
                return sub;
            }
        }
        return -1;
    }

    /** The subcommands of {@code container} in table order (empty for a plain command). */
    public List<CommandSpec> subcommands(CommandSpec container) {
        int id = idOf(container);
        int[] subs = id < 0 ? null : subcommandIds[id];
        if (subs == null) {
            return List.of();
        }
        List<CommandSpec> out = new ArrayList<>(subs.length);
        for (int sub : subs) {
            out.add(byId[sub]);
        }
        return out;
    }

    /** Command {@code id}'s row. */
    public CommandSpec spec(int id) {
        return byId[id];
    }

    /** Whether this server runs command {@code id} (else the registry knows it only as Redis's, for ACL rules). */
    public boolean runs(int id) {
        return runs[id];
    }

    /** Command {@code id} as ACL rules see it: its categories, how its keys are found, its channels. */
    @Override
    public AclCommand command(int id) {
        return acl[id];
    }

    @Override
    public int[] topLevel() {
        return topLevel;
    }

    @Override
    public int named(String fullName) {
        Integer id = byName.get(fullName.toLowerCase(Locale.ROOT));
        return id == null ? -1 : id;
    }

    /** Redis's full name of command {@code id}: {@code get}, {@code client|list}. */
    public String fullName(int id) {
        return fullNames[id];
    }

    /** How many ids there are (commands and subcommands, run here or not): the size of per-command arrays. */
    @Override
    public int size() {
        return byId.length;
    }

    /** The id of {@code spec} (a scan: not for the command path), or -1. */
    public int idOf(CommandSpec spec) {
        for (int id = 0; id < byId.length; id++) {
            if (byId[id] == spec) {
                return id;
            }
        }
        return -1;
    }

    public List<CommandSpec> all() {
        return all;
    }

    private static boolean sameLetters(String lowerName, int from, byte[] candidate) {
        for (int i = 0; i < candidate.length; i++) {
            if (lowerName.charAt(from + i) != lower(candidate[i])) {
                return false;
            }
        }
        return true;
    }

    private static int hash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + lower(b);
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsIgnoreCase(byte[] lowerName, byte[] candidate) {
        if (lowerName.length != candidate.length) {
            return false;
        }
        for (int i = 0; i < candidate.length; i++) {
            if (lowerName[i] != lower(candidate[i])) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }
}
