package io.percore.demo.table;

import static io.percore.demo.command.CommandHandler.keyed;

import java.util.ArrayList;
import java.util.List;
import io.percore.demo.admin.AclCommands;
import io.percore.demo.admin.ArgvRedaction;
import io.percore.demo.admin.ClientCommands;
import io.percore.demo.admin.ClusterCommands;
import io.percore.demo.admin.CommandCommands;
import io.percore.demo.admin.ConfigCommands;
import io.percore.demo.admin.ConnectionCommands;
import io.percore.demo.admin.DebugCommands;
import io.percore.demo.admin.InfoCommand;
import io.percore.demo.admin.MemoryCommands;
import io.percore.demo.admin.PersistenceCommands;
import io.percore.demo.admin.ReplicationCommands;
import io.percore.demo.admin.ServerCommands;
import io.percore.demo.admin.SlowLogCommands;
import io.percore.demo.admin.TrackingCommands;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandMetadata;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.commands.BitCommands;
import io.percore.demo.commands.DatabaseCommands;
import io.percore.demo.commands.DumpCommands;
import io.percore.demo.commands.GeoCommands;
import io.percore.demo.commands.HyperLogLogCommands;
import io.percore.demo.commands.HashCommands;
import io.percore.demo.commands.KeyCommands;
import io.percore.demo.commands.ListCommands;
import io.percore.demo.commands.ObjectCommands;
import io.percore.demo.commands.PubSubCommands;
import io.percore.demo.commands.ScriptingCommands;
import io.percore.demo.commands.SetCommands;
import io.percore.demo.commands.SortCommands;
import io.percore.demo.commands.StreamCommands;
import io.percore.demo.commands.StreamGroupCommands;
import io.percore.demo.commands.StreamInfoCommands;
import io.percore.demo.commands.StreamReadCommands;
import io.percore.demo.commands.StringCommands;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.commands.ZSetCommands;
import io.percore.demo.execution.AclChecks;
import io.percore.demo.execution.Admission;
import io.percore.demo.scripting.Scripting;
import io.percore.demo.command.CommandHandler;

/** The commands this server implements, with Redis 7's arity, flags and key positions. */
public final class RespCommands {

    private RespCommands() {
    }

    /**
     * Whether a client's command may run now (Redis's processCommand): each subsystem's check at its
     * stage, as the table above gives each its commands.
     */
    public static Admission admission() {
        return Admission.builder()
                .check(Admission.Stage.PROTECTED, DebugCommands::refusal)
                .check(Admission.Stage.AUTHENTICATION, ConnectionCommands::unauthenticated)
                .check(Admission.Stage.NO_MULTI, TransactionCommands::refusedInMulti)
                .check(Admission.Stage.ACL, AclChecks::client)
                .check(Admission.Stage.CLUSTER, ClusterCommands::redirection)
                .check(Admission.Stage.QUEUED_OVER_MEMORY, TransactionCommands::refusedForMemoryWhileQueuing)
                .check(Admission.Stage.WRITE_ERRORS, PersistenceCommands::writeRefusal)
                .check(Admission.Stage.REPLICA_WRITES, ReplicationCommands::writeRefusal)
                .check(Admission.Stage.SUBSCRIBED, PubSubCommands::refusedWhenSubscribed)
                .check(Admission.Stage.STALE, ReplicationCommands::staleRefusal)
                .check(Admission.Stage.LOADING, PersistenceCommands::loadingRefusal)
                .check(Admission.Stage.BUSY_SCRIPT, ScriptingCommands::refusedWhileBusy)
                .check(Admission.Stage.EXEC_WHILE_BUSY, ScriptingCommands::execWhileBusy)
                .build();
    }

    /**
     * The command table for a server listening on {@code port} (reported by INFO). A row named
     * {@code container|sub} is a subcommand of its container ({@link CommandTable}); arity, flags and
     * key positions are Redis 7.0.15's ({@code CommandMetadataTest} checks every row against them).
     */
    public static CommandTable table(int port) {
        return table(port, null);
    }

    /** ... running scripts through {@code scripting} (null: a table read for its metadata only). */
    public static CommandTable table(int port, Scripting scripting) {
        InfoCommand server = new InfoCommand(port, scripting);
        MemoryCommands memory = new MemoryCommands(scripting);
        BitCommands bits = new BitCommands();
        List<CommandSpec> c = new ArrayList<>();
        // connection (networking.c)
        c.add(spec("ping", -1, "fast", 0, 0, 0, "connection", "Returns the server's liveliness response.", ConnectionCommands::ping));
        c.add(spec("echo", 2, "loading,stale,fast", 0, 0, 0, "connection", "Returns the given string.", ConnectionCommands::echo));
        c.add(spec("quit", -1, "noscript,loading,stale,fast,no_auth,allow_busy", 0, 0, 0, "connection", "Closes the connection.", ConnectionCommands::quit));
        c.add(spec("auth", -2, "noscript,loading,stale,fast,no_auth,allow_busy", 0, 0, 0, "connection", "Authenticates the connection.", ConnectionCommands::auth));
        c.add(spec("hello", -1, "noscript,loading,stale,fast,no_auth,allow_busy", 0, 0, 0, "connection", "Handshakes with the Redis server.", ConnectionCommands::hello));
        c.add(spec("reset", 1, "noscript,loading,stale,fast,no_auth,allow_busy", 0, 0, 0, "connection", "Resets the connection.", ClientCommands::reset));
        c.add(spec("client", -2, "", 0, 0, 0, "connection", "A container for client connection commands.", CommandTable::dispatchedBySubcommand));
        c.add(spec("client|help", 2, "loading,stale", 0, 0, 0, "connection", "Returns helpful text about the different subcommands.", ClientCommands::help));
        c.add(spec("client|id", 2, "noscript,loading,stale", 0, 0, 0, "connection", "Returns the unique client ID of the connection.", ClientCommands::id));
        c.add(spec("client|info", 2, "noscript,loading,stale", 0, 0, 0, "connection", "Returns information about the connection.", ClientCommands::info));
        c.add(spec("client|list", -2, "admin,noscript,loading,stale", 0, 0, 0, "connection", "Lists open connections.", ClientCommands::list));
        c.add(spec("client|kill", -3, "admin,noscript,loading,stale", 0, 0, 0, "connection", "Terminates open connections.", ClientCommands::kill));
        c.add(spec("client|getname", 2, "noscript,loading,stale", 0, 0, 0, "connection", "Returns the name of the connection.", ClientCommands::getname));
        c.add(spec("client|setname", 3, "noscript,loading,stale", 0, 0, 0, "connection", "Sets the connection name.", ClientCommands::setname));
        c.add(spec("client|reply", 3, "noscript,loading,stale", 0, 0, 0, "connection", "Instructs the server whether to reply to commands.", ClientCommands::reply));
        c.add(spec("client|no-evict", 3, "admin,noscript,loading,stale", 0, 0, 0, "connection", "Sets the client eviction mode of the connection.", ClientCommands::noEvict));
        c.add(spec("client|pause", -3, "admin,noscript,loading,stale", 0, 0, 0, "connection", "Suspends commands processing.", ClientCommands::pause));
        c.add(spec("client|unpause", 2, "admin,noscript,loading,stale", 0, 0, 0, "connection", "Resumes processing commands from paused clients.", ClientCommands::unpause));
        c.add(spec("client|unblock", -3, "admin,noscript,loading,stale", 0, 0, 0, "connection", "Unblocks a client blocked by a blocking command from a different connection.", ClientCommands::unblock));
        c.add(spec("client|tracking", -3, "noscript,loading,stale", 0, 0, 0, "connection", "Controls server-assisted client-side caching for the connection.", TrackingCommands::tracking));
        c.add(spec("client|caching", 3, "noscript,loading,stale", 0, 0, 0, "connection", "Instructs the server whether to track the keys in the next request.", TrackingCommands::caching));
        c.add(spec("client|getredir", 2, "noscript,loading,stale", 0, 0, 0, "connection", "Returns the client ID to which the connection's tracking notifications are redirected.", TrackingCommands::getredir));
        c.add(spec("client|trackinginfo", 2, "noscript,loading,stale", 0, 0, 0, "connection", "Returns information about server-assisted client-side caching for the connection.", TrackingCommands::trackinginfo));
        c.add(spec("client|setinfo", -4, "noscript,loading,stale", 0, 0, 0, "connection", "Sets information specific to the client or connection (Redis 7.2).", ClientCommands::setinfo));
        c.add(spec("select", 2, "loading,stale,fast", 0, 0, 0, "connection", "Changes the selected database.", DatabaseCommands::select));
        // server (server.c, config.c, slowlog.c)
        c.add(spec("command", -1, "loading,stale", 0, 0, 0, "server", "Returns detailed information about all commands.", CommandCommands::all));
        c.add(spec("command|help", 2, "loading,stale", 0, 0, 0, "server", "Returns helpful text about the different subcommands.", CommandCommands::help));
        c.add(spec("command|count", 2, "loading,stale", 0, 0, 0, "server", "Returns a count of commands.", CommandCommands::count));
        c.add(spec("command|list", -2, "loading,stale", 0, 0, 0, "server", "Returns a list of command names.", CommandCommands::list));
        c.add(spec("command|info", -2, "loading,stale", 0, 0, 0, "server", "Returns information about one, multiple or all commands.", CommandCommands::info));
        c.add(spec("command|docs", -2, "loading,stale", 0, 0, 0, "server", "Returns documentary information about one, multiple or all commands.", CommandCommands::docs));
        c.add(spec("command|getkeys", -4, "loading,stale", 0, 0, 0, "server", "Extracts the key names from an arbitrary command.", CommandCommands::getkeys));
        c.add(spec("command|getkeysandflags", -4, "loading,stale", 0, 0, 0, "server", "Extracts the key names and access flags for an arbitrary command.", CommandCommands::getkeysandflags));
        c.add(spec("info", -1, "loading,stale", 0, 0, 0, "server", "Returns information and statistics about the server.", server::info));
        c.add(spec("config", -2, "", 0, 0, 0, "server", "A container for server configuration commands.", CommandTable::dispatchedBySubcommand));
        c.add(spec("config|help", 2, "loading,stale", 0, 0, 0, "server", "Returns helpful text about the different subcommands.", ConfigCommands::help));
        c.add(spec("config|get", -3, "admin,noscript,loading,stale", 0, 0, 0, "server", "Returns the effective values of configuration parameters.", ConfigCommands::get));
        c.add(spec("config|set", -4, "admin,noscript,loading,stale", 0, 0, 0, "server", "Sets configuration parameters in-flight.", ConfigCommands::set));
        c.add(spec("config|resetstat", 2, "admin,noscript,loading,stale", 0, 0, 0, "server", "Resets the server's statistics.", ConfigCommands::resetstat));
        c.add(spec("config|rewrite", 2, "admin,noscript,loading,stale", 0, 0, 0, "server", "Persists the effective configuration to file (refused: there is no config file).", ConfigCommands::rewrite));
        // ACLs (acl.c)
        c.add(spec("acl", -2, "", 0, 0, 0, "server", "A container for Access List Control commands.", CommandTable::dispatchedBySubcommand));
        c.add(spec("acl|cat", -2, "noscript,loading,stale", 0, 0, 0, "server", "Lists the ACL categories, or the commands inside a category.", AclCommands::cat));
        c.add(spec("acl|deluser", -3, "admin,noscript,loading,stale", 0, 0, 0, "server", "Deletes ACL users, and terminates their connections.", AclCommands::deluser));
        c.add(spec("acl|dryrun", -4, "admin,noscript,loading,stale", 0, 0, 0, "server", "Simulates the execution of a command by a user, without executing the command.", AclCommands::dryrun));
        c.add(spec("acl|genpass", -2, "noscript,loading,stale", 0, 0, 0, "server", "Generates a pseudorandom, secure password that can be used to identify ACL users.", AclCommands::genpass));
        c.add(spec("acl|getuser", 3, "admin,noscript,loading,stale", 0, 0, 0, "server", "Lists the ACL rules of a user.", AclCommands::getuser));
        c.add(spec("acl|help", 2, "loading,stale", 0, 0, 0, "server", "Returns helpful text about the different subcommands.", AclCommands::help));
        c.add(spec("acl|list", 2, "admin,noscript,loading,stale", 0, 0, 0, "server", "Dumps the effective rules in ACL file format.", AclCommands::list));
        c.add(spec("acl|load", 2, "admin,noscript,loading,stale", 0, 0, 0, "server", "Reloads the rules from the configured ACL file.", AclCommands::load));
        c.add(spec("acl|log", -2, "admin,noscript,loading,stale", 0, 0, 0, "server", "Lists recent security events generated due to ACL rules.", AclCommands::log));
        c.add(spec("acl|save", 2, "admin,noscript,loading,stale", 0, 0, 0, "server", "Saves the effective ACL rules in the configured ACL file.", AclCommands::save));
        c.add(spec("acl|setuser", -3, "admin,noscript,loading,stale", 0, 0, 0, "server", "Creates and modifies an ACL user and its rules.", AclCommands::setuser));
        c.add(spec("acl|users", 2, "admin,noscript,loading,stale", 0, 0, 0, "server", "Lists all ACL users.", AclCommands::users));
        c.add(spec("acl|whoami", 2, "noscript,loading,stale", 0, 0, 0, "server", "Returns the authenticated username of the current connection.", AclCommands::whoami));
        c.add(spec("slowlog", -2, "", 0, 0, 0, "server", "A container for slow log commands.", CommandTable::dispatchedBySubcommand));
        c.add(spec("slowlog|help", 2, "loading,stale", 0, 0, 0, "server", "Show helpful text about the different subcommands", SlowLogCommands::help));
        c.add(spec("slowlog|get", -2, "admin,loading,stale", 0, 0, 0, "server", "Returns the slow log's entries.", SlowLogCommands::get));
        c.add(spec("slowlog|len", 2, "admin,loading,stale", 0, 0, 0, "server", "Returns the number of entries in the slow log.", SlowLogCommands::len));
        c.add(spec("slowlog|reset", 2, "admin,loading,stale", 0, 0, 0, "server", "Clears all entries from the slow log.", SlowLogCommands::reset));
        c.add(spec("monitor", 1, "admin,noscript,loading,stale", 0, 0, 0, "server", "Listens for all requests received by the server in real-time.", ClientCommands::monitor));
        c.add(spec("time", 1, "loading,stale,fast", 0, 0, 0, "server", "Returns the server time.", ServerCommands::time));
        // debug.c: protected (refused unless enable-debug-command allows the client; COMMAND INFO hides the flag, as Redis's)
        c.add(spec("debug", -2, "admin,noscript,loading,stale,protected", 0, 0, 0, "server", "A container for debugging commands (HELP, OBJECT, SLEEP, LOG here).", DebugCommands::debug));
        c.add(spec("save", 1, "admin,noscript,no_async_loading,no_multi", 0, 0, 0, "server", "Synchronously saves the database(s) to disk.", PersistenceCommands::save));
        c.add(spec("bgsave", -1, "admin,noscript,no_async_loading", 0, 0, 0, "server", "Asynchronously saves the database(s) to disk.", PersistenceCommands::bgsave));
        c.add(spec("bgrewriteaof", 1, "admin,noscript,no_async_loading", 0, 0, 0, "server", "Asynchronously rewrites the append-only file to disk.", PersistenceCommands::bgrewriteaof));
        c.add(spec("shutdown", -1, "admin,noscript,loading,stale,no_multi,allow_busy", 0, 0, 0, "server", "Synchronously saves the database(s) to disk and shuts down the Redis server.", PersistenceCommands::shutdown));
        // replication (replication.c)
        c.add(spec("replicaof", 3, "admin,noscript,stale,no_async_loading", 0, 0, 0, "server", "Configures a server as replica of another, or promotes it to a master.", ReplicationCommands::replicaof));
        c.add(spec("slaveof", 3, "admin,noscript,stale,no_async_loading", 0, 0, 0, "server", "Sets a Redis server as a replica of another, or promotes it to being a master.", ReplicationCommands::replicaof));
        c.add(spec("role", 1, "noscript,loading,stale,fast", 0, 0, 0, "server", "Returns the replication role.", ReplicationCommands::role));
        c.add(spec("psync", -3, "admin,noscript,no_async_loading,no_multi", 0, 0, 0, "server", "An internal command used in replication.", ReplicationCommands::psync));
        c.add(spec("sync", 1, "admin,noscript,no_async_loading,no_multi", 0, 0, 0, "server", "An internal command used in replication.", ReplicationCommands::syncCommand));
        c.add(spec("replconf", -1, "admin,noscript,loading,stale,allow_busy", 0, 0, 0, "server", "An internal command for configuring the replication stream.", ReplicationCommands::replconf));
        c.add(spec("lastsave", 1, "loading,stale,fast", 0, 0, 0, "server", "Returns the Unix timestamp of the last successful save to disk.", PersistenceCommands::lastsave));
        c.add(spec("dbsize", 1, "readonly,fast", 0, 0, 0, "server", "Returns the number of keys in the database.", KeyCommands::dbsize));
        c.add(spec("flushdb", -1, "write", 0, 0, 0, "server", "Removes all keys from the database.", KeyCommands::flush));
        c.add(spec("flushall", -1, "write", 0, 0, 0, "server", "Removes all keys from all databases.", KeyCommands::flush));
        c.add(spec("swapdb", 3, "write,fast", 0, 0, 0, "server", "Swaps two Redis databases.", DatabaseCommands::swapdb));
        // hashes (t_hash.c)
        c.add(spec("hset", -4, "write,denyoom,fast", 1, 1, 1, "hash", "Creates or modifies the value of a field in a hash.", keyed(HashCommands::hset)));
        c.add(spec("hmset", -4, "write,denyoom,fast", 1, 1, 1, "hash", "Sets the values of multiple fields.", keyed(HashCommands::hmset)));
        c.add(spec("hsetnx", 4, "write,denyoom,fast", 1, 1, 1, "hash", "Sets the value of a field in a hash only when the field doesn't exist.", keyed(HashCommands::hsetnx)));
        c.add(spec("hget", 3, "readonly,fast", 1, 1, 1, "hash", "Returns the value of a field in a hash.", keyed(HashCommands::hget)));
        c.add(spec("hmget", -3, "readonly,fast", 1, 1, 1, "hash", "Returns the values of all fields in a hash.", keyed(HashCommands::hmget)));
        c.add(spec("hdel", -3, "write,fast", 1, 1, 1, "hash", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", keyed(HashCommands::hdel)));
        c.add(spec("hexists", 3, "readonly,fast", 1, 1, 1, "hash", "Determines whether a field exists in a hash.", keyed(HashCommands::hexists)));
        c.add(spec("hlen", 2, "readonly,fast", 1, 1, 1, "hash", "Returns the number of fields in a hash.", keyed(HashCommands::hlen)));
        c.add(spec("hstrlen", 3, "readonly,fast", 1, 1, 1, "hash", "Returns the length of the value of a field.", keyed(HashCommands::hstrlen)));
        c.add(spec("hkeys", 2, "readonly", 1, 1, 1, "hash", "Returns all fields in a hash.", keyed(HashCommands::hkeys)));
        c.add(spec("hvals", 2, "readonly", 1, 1, 1, "hash", "Returns all values in a hash.", keyed(HashCommands::hvals)));
        c.add(spec("hgetall", 2, "readonly", 1, 1, 1, "hash", "Returns all fields and values in a hash.", keyed(HashCommands::hgetall)));
        c.add(spec("hincrby", 4, "write,denyoom,fast", 1, 1, 1, "hash", "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", keyed(HashCommands::hincrby)));
        c.add(spec("hincrbyfloat", 4, "write,denyoom,fast", 1, 1, 1, "hash", "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", keyed(HashCommands::hincrbyfloat)));
        c.add(spec("hrandfield", -2, "readonly", 1, 1, 1, "hash", "Returns one or more random fields from a hash.", keyed(HashCommands::hrandfield)));
        c.add(spec("hscan", -3, "readonly", 1, 1, 1, "hash", "Iterates over fields and values of a hash.", keyed(HashCommands::hscan)));
        // sets (t_set.c)
        c.add(spec("sadd", -3, "write,denyoom,fast", 1, 1, 1, "set", "Adds one or more members to a set. Creates the key if it doesn't exist.", keyed(SetCommands::sadd)));
        c.add(spec("srem", -3, "write,fast", 1, 1, 1, "set", "Removes one or more members from a set. Deletes the set if the last member was removed.", keyed(SetCommands::srem)));
        c.add(spec("smembers", 2, "readonly", 1, 1, 1, "set", "Returns all members of a set.", keyed(SetCommands::smembers)));
        c.add(spec("sismember", 3, "readonly,fast", 1, 1, 1, "set", "Determines whether a member belongs to a set.", keyed(SetCommands::sismember)));
        c.add(spec("smismember", -3, "readonly,fast", 1, 1, 1, "set", "Determines whether multiple members belong to a set.", keyed(SetCommands::smismember)));
        c.add(spec("scard", 2, "readonly,fast", 1, 1, 1, "set", "Returns the number of members in a set.", keyed(SetCommands::scard)));
        c.add(spec("spop", -2, "write,fast", 1, 1, 1, "set", "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", keyed(SetCommands::spop)));
        c.add(spec("srandmember", -2, "readonly", 1, 1, 1, "set", "Get one or multiple random members from a set", keyed(SetCommands::srandmember)));
        c.add(spec("sscan", -3, "readonly", 1, 1, 1, "set", "Iterates over members of a set.", keyed(SetCommands::sscan)));
        c.add(spec("sinter", -2, "readonly", 1, -1, 1, "set", "Returns the intersect of multiple sets.", SetCommands::sinter));
        c.add(spec("sunion", -2, "readonly", 1, -1, 1, "set", "Returns the union of multiple sets.", SetCommands::sunion));
        c.add(spec("sdiff", -2, "readonly", 1, -1, 1, "set", "Returns the difference of multiple sets.", SetCommands::sdiff));
        c.add(spec("sinterstore", -3, "write,denyoom", 1, -1, 1, "set", "Stores the intersect of multiple sets in a key.", SetCommands::sinterstore));
        c.add(spec("sunionstore", -3, "write,denyoom", 1, -1, 1, "set", "Stores the union of multiple sets in a key.", SetCommands::sunionstore));
        c.add(spec("sdiffstore", -3, "write,denyoom", 1, -1, 1, "set", "Stores the difference of multiple sets in a key.", SetCommands::sdiffstore));
        c.add(spec("sintercard", -3, "readonly,movablekeys", 0, 0, 0, "set", "Returns the number of members of the intersect of multiple sets.", SetCommands::sintercard));
        c.add(spec("smove", 4, "write,fast", 1, 2, 1, "set", "Moves a member from one set to another.", SetCommands::smove));
        // lists (t_list.c), the blocking forms with blocked.c
        c.add(spec("lpush", -3, "write,denyoom,fast", 1, 1, 1, "list", "Prepends one or more elements to a list. Creates the key if it doesn't exist.", keyed(ListCommands::lpush)));
        c.add(spec("rpush", -3, "write,denyoom,fast", 1, 1, 1, "list", "Appends one or more elements to a list. Creates the key if it doesn't exist.", keyed(ListCommands::rpush)));
        c.add(spec("lpushx", -3, "write,denyoom,fast", 1, 1, 1, "list", "Prepends one or more elements to a list only when the list exists.", keyed(ListCommands::lpushx)));
        c.add(spec("rpushx", -3, "write,denyoom,fast", 1, 1, 1, "list", "Appends an element to a list only when the list exists.", keyed(ListCommands::rpushx)));
        c.add(spec("lpop", -2, "write,fast", 1, 1, 1, "list", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", keyed(ListCommands::lpop)));
        c.add(spec("rpop", -2, "write,fast", 1, 1, 1, "list", "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", keyed(ListCommands::rpop)));
        c.add(spec("llen", 2, "readonly,fast", 1, 1, 1, "list", "Returns the length of a list.", keyed(ListCommands::llen)));
        c.add(spec("lrange", 4, "readonly", 1, 1, 1, "list", "Returns a range of elements from a list.", keyed(ListCommands::lrange)));
        c.add(spec("lindex", 3, "readonly", 1, 1, 1, "list", "Returns an element from a list by its index.", keyed(ListCommands::lindex)));
        c.add(spec("lset", 4, "write,denyoom", 1, 1, 1, "list", "Sets the value of an element in a list by its index.", keyed(ListCommands::lset)));
        c.add(spec("linsert", 5, "write,denyoom", 1, 1, 1, "list", "Inserts an element before or after another element in a list.", keyed(ListCommands::linsert)));
        c.add(spec("lrem", 4, "write", 1, 1, 1, "list", "Removes elements from a list. Deletes the list if the last element was removed.", keyed(ListCommands::lrem)));
        c.add(spec("ltrim", 4, "write", 1, 1, 1, "list", "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", keyed(ListCommands::ltrim)));
        c.add(spec("lpos", -3, "readonly", 1, 1, 1, "list", "Returns the index of matching elements in a list.", keyed(ListCommands::lpos)));
        c.add(spec("rpoplpush", 3, "write,denyoom", 1, 2, 1, "list", "Returns the last element of a list after removing and pushing it to another list.", ListCommands::rpoplpush));
        c.add(spec("lmove", 5, "write,denyoom", 1, 2, 1, "list", "Returns an element after popping it from one list and pushing it to another.", ListCommands::lmove));
        c.add(spec("lmpop", -4, "write,movablekeys", 0, 0, 0, "list", "Pop elements from a list", ListCommands::lmpop));
        c.add(spec("blpop", -3, "write,noscript,blocking", 1, -2, 1, "list", "Remove and get the first element in a list, or block until one is available", ListCommands::blpop));
        c.add(spec("brpop", -3, "write,noscript,blocking", 1, -2, 1, "list", "Remove and get the last element in a list, or block until one is available", ListCommands::brpop));
        c.add(spec("blmove", 6, "write,denyoom,noscript,blocking", 1, 2, 1, "list", "Pop an element from a list, push it to another list and return it; or block until one is available", ListCommands::blmove));
        c.add(spec("brpoplpush", 4, "write,denyoom,noscript,blocking", 1, 2, 1, "list", "Pop an element from a list, push it to another list and return it; or block until one is available", ListCommands::brpoplpush));
        c.add(spec("blmpop", -5, "write,blocking,movablekeys", 0, 0, 0, "list", "Pop elements from a list, or block until one is available", ListCommands::blmpop));
        // transactions (multi.c): atomic across shards, see TransactionCommands
        c.add(spec("multi", 1, "noscript,loading,stale,fast,allow_busy", 0, 0, 0, "transactions", "Starts a transaction.", TransactionCommands::multi));
        c.add(spec("exec", 1, "noscript,loading,stale,skip_slowlog", 0, 0, 0, "transactions", "Executes all commands in a transaction.", TransactionCommands::exec));
        c.add(spec("discard", 1, "noscript,loading,stale,fast,allow_busy", 0, 0, 0, "transactions", "Discards a transaction.", TransactionCommands::discard));
        c.add(spec("watch", -2, "noscript,loading,stale,fast,allow_busy", 1, -1, 1, "transactions", "Monitors changes to keys to determine the execution of a transaction.", CommandHandler.atomicOnItsOwn(TransactionCommands::watch)));
        c.add(spec("unwatch", 1, "noscript,loading,stale,fast,allow_busy", 0, 0, 0, "transactions", "Forgets about watched keys of a transaction.", TransactionCommands::unwatch));
        // pub/sub (pubsub.c): subscriptions on the subscriber's shard, messages to every shard
        c.add(spec("subscribe", -2, "pubsub,noscript,loading,stale", 0, 0, 0, "pubsub", "Listens for messages published to channels.", PubSubCommands::subscribe));
        c.add(spec("unsubscribe", -1, "pubsub,noscript,loading,stale", 0, 0, 0, "pubsub", "Stops listening to messages posted to channels.", PubSubCommands::unsubscribe));
        c.add(spec("psubscribe", -2, "pubsub,noscript,loading,stale", 0, 0, 0, "pubsub", "Listens for messages published to channels that match one or more patterns.", PubSubCommands::psubscribe));
        c.add(spec("punsubscribe", -1, "pubsub,noscript,loading,stale", 0, 0, 0, "pubsub", "Stops listening to messages published to channels that match one or more patterns.", PubSubCommands::punsubscribe));
        c.add(spec("ssubscribe", -2, "pubsub,noscript,loading,stale", 1, -1, 1, "pubsub", "Listens for messages published to shard channels.", PubSubCommands::ssubscribe));
        c.add(spec("sunsubscribe", -1, "pubsub,noscript,loading,stale", 1, -1, 1, "pubsub", "Stops listening to messages posted to shard channels.", PubSubCommands::sunsubscribe));
        c.add(spec("publish", 3, "pubsub,loading,stale,fast,may_replicate", 0, 0, 0, "pubsub", "Posts a message to a channel.", PubSubCommands::publish));
        c.add(spec("spublish", 3, "pubsub,loading,stale,fast,may_replicate", 1, 1, 1, "pubsub", "Post a message to a shard channel", PubSubCommands::spublish));
        c.add(spec("pubsub", -2, "", 0, 0, 0, "pubsub", "A container for Pub/Sub commands.", PubSubCommands::pubsub));
        // sorted sets (t_zset.c), the blocking forms with blocked.c
        c.add(spec("zadd", -4, "write,denyoom,fast", 1, 1, 1, "sorted-set", "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", keyed(ZSetCommands::zadd)));
        c.add(spec("zincrby", 4, "write,denyoom,fast", 1, 1, 1, "sorted-set", "Increments the score of a member in a sorted set.", keyed(ZSetCommands::zincrby)));
        c.add(spec("zrem", -3, "write,fast", 1, 1, 1, "sorted-set", "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", keyed(ZSetCommands::zrem)));
        c.add(spec("zcard", 2, "readonly,fast", 1, 1, 1, "sorted-set", "Returns the number of members in a sorted set.", keyed(ZSetCommands::zcard)));
        c.add(spec("zcount", 4, "readonly,fast", 1, 1, 1, "sorted-set", "Returns the count of members in a sorted set that have scores within a range.", keyed(ZSetCommands::zcount)));
        c.add(spec("zlexcount", 4, "readonly,fast", 1, 1, 1, "sorted-set", "Returns the number of members in a sorted set within a lexicographical range.", keyed(ZSetCommands::zlexcount)));
        c.add(spec("zscore", 3, "readonly,fast", 1, 1, 1, "sorted-set", "Returns the score of a member in a sorted set.", keyed(ZSetCommands::zscore)));
        c.add(spec("zmscore", -3, "readonly,fast", 1, 1, 1, "sorted-set", "Returns the score of one or more members in a sorted set.", keyed(ZSetCommands::zmscore)));
        c.add(spec("zrank", 3, "readonly,fast", 1, 1, 1, "sorted-set", "Returns the index of a member in a sorted set ordered by ascending scores.", keyed(ZSetCommands::zrank)));
        c.add(spec("zrevrank", 3, "readonly,fast", 1, 1, 1, "sorted-set", "Returns the index of a member in a sorted set ordered by descending scores.", keyed(ZSetCommands::zrevrank)));
        c.add(spec("zrange", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a sorted set within a range of indexes, scores or lexicographical order.", keyed(ZSetCommands::zrange)));
        c.add(spec("zrangestore", -5, "write,denyoom", 1, 2, 1, "sorted-set", "Stores a range of members from sorted set in a key.", ZSetCommands::zrangestore));
        c.add(spec("zrangebyscore", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a sorted set within a range of scores.", keyed(ZSetCommands::zrangebyscore)));
        c.add(spec("zrevrangebyscore", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a sorted set within a range of scores in reverse order.", keyed(ZSetCommands::zrevrangebyscore)));
        c.add(spec("zrangebylex", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a sorted set within a lexicographical range.", keyed(ZSetCommands::zrangebylex)));
        c.add(spec("zrevrangebylex", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a sorted set within a lexicographical range in reverse order.", keyed(ZSetCommands::zrevrangebylex)));
        c.add(spec("zrevrange", -4, "readonly", 1, 1, 1, "sorted-set", "Returns members in a sorted set within a range of indexes in reverse order.", keyed(ZSetCommands::zrevrange)));
        c.add(spec("zpopmin", -2, "write,fast", 1, 1, 1, "sorted-set", "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", keyed(ZSetCommands::zpopmin)));
        c.add(spec("zpopmax", -2, "write,fast", 1, 1, 1, "sorted-set", "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", keyed(ZSetCommands::zpopmax)));
        c.add(spec("zmpop", -4, "write,movablekeys", 0, 0, 0, "sorted-set", "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", ZSetCommands::zmpop));
        c.add(spec("bzpopmin", -3, "write,noscript,blocking,fast", 1, -2, 1, "sorted-set", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", ZSetCommands::bzpopmin));
        c.add(spec("bzpopmax", -3, "write,noscript,blocking,fast", 1, -2, 1, "sorted-set", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", ZSetCommands::bzpopmax));
        c.add(spec("bzmpop", -5, "write,blocking,movablekeys", 0, 0, 0, "sorted-set", "Remove and return members with scores in a sorted set or block until one is available", ZSetCommands::bzmpop));
        c.add(spec("zremrangebyrank", 4, "write", 1, 1, 1, "sorted-set", "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", keyed(ZSetCommands::zremrangebyrank)));
        c.add(spec("zremrangebyscore", 4, "write", 1, 1, 1, "sorted-set", "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", keyed(ZSetCommands::zremrangebyscore)));
        c.add(spec("zremrangebylex", 4, "write", 1, 1, 1, "sorted-set", "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", keyed(ZSetCommands::zremrangebylex)));
        c.add(spec("zunion", -3, "readonly,movablekeys", 0, 0, 0, "sorted-set", "Returns the union of multiple sorted sets.", ZSetCommands::zunion));
        c.add(spec("zinter", -3, "readonly,movablekeys", 0, 0, 0, "sorted-set", "Returns the intersect of multiple sorted sets.", ZSetCommands::zinter));
        c.add(spec("zdiff", -3, "readonly,movablekeys", 0, 0, 0, "sorted-set", "Returns the difference between multiple sorted sets.", ZSetCommands::zdiff));
        c.add(spec("zunionstore", -4, "write,denyoom,movablekeys", 1, 1, 1, "sorted-set", "Stores the union of multiple sorted sets in a key.", ZSetCommands::zunionstore));
        c.add(spec("zinterstore", -4, "write,denyoom,movablekeys", 1, 1, 1, "sorted-set", "Stores the intersect of multiple sorted sets in a key.", ZSetCommands::zinterstore));
        c.add(spec("zdiffstore", -4, "write,denyoom,movablekeys", 1, 1, 1, "sorted-set", "Stores the difference of multiple sorted sets in a key.", ZSetCommands::zdiffstore));
        c.add(spec("zintercard", -3, "readonly,movablekeys", 0, 0, 0, "sorted-set", "Returns the number of members of the intersect of multiple sorted sets.", ZSetCommands::zintercard));
        c.add(spec("zrandmember", -2, "readonly", 1, 1, 1, "sorted-set", "Returns one or more random members from a sorted set.", keyed(ZSetCommands::zrandmember)));
        c.add(spec("zscan", -3, "readonly", 1, 1, 1, "sorted-set", "Iterates over members and scores of a sorted set.", keyed(ZSetCommands::zscan)));
        // streams (t_stream.c)
        c.add(spec("xadd", -5, "write,denyoom,fast", 1, 1, 1, "stream", "Appends a new entry to a stream", keyed(StreamCommands::xadd)));
        c.add(spec("xrange", -4, "readonly", 1, 1, 1, "stream", "Return a range of elements in a stream, with IDs matching the specified IDs interval", keyed(StreamCommands::xrange)));
        c.add(spec("xrevrange", -4, "readonly", 1, 1, 1, "stream", "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE", keyed(StreamCommands::xrevrange)));
        c.add(spec("xlen", 2, "readonly,fast", 1, 1, 1, "stream", "Return the number of entries in a stream", keyed(StreamCommands::xlen)));
        c.add(spec("xdel", -3, "write,fast", 1, 1, 1, "stream", "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.", keyed(StreamCommands::xdel)));
        c.add(spec("xtrim", -4, "write", 1, 1, 1, "stream", "Trims the stream to (approximately if '~' is passed) a certain size", keyed(StreamCommands::xtrim)));
        c.add(spec("xsetid", -3, "write,denyoom,fast", 1, 1, 1, "stream", "An internal command for replicating stream values", keyed(StreamCommands::xsetid)));
        c.add(spec("xread", -4, "readonly,blocking,movablekeys", 0, 0, 0, "stream", "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.", StreamReadCommands::xread));
        c.add(spec("xreadgroup", -7, "write,blocking,movablekeys", 0, 0, 0, "stream", "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.", StreamReadCommands::xreadgroup));
        c.add(spec("xack", -4, "write,fast", 1, 1, 1, "stream", "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.", keyed(StreamGroupCommands::xack)));
        c.add(spec("xpending", -3, "readonly", 1, 1, 1, "stream", "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.", keyed(StreamGroupCommands::xpending)));
        c.add(spec("xclaim", -6, "write,fast", 1, 1, 1, "stream", "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.", keyed(StreamGroupCommands::xclaim)));
        c.add(spec("xautoclaim", -6, "write,fast", 1, 1, 1, "stream", "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.", keyed(StreamGroupCommands::xautoclaim)));
        c.add(spec("xgroup", -2, "", 0, 0, 0, "stream", "A container for consumer groups commands", CommandTable::dispatchedBySubcommand));
        c.add(spec("xgroup|create", -5, "write,denyoom", 2, 2, 1, "stream", "Create a consumer group.", OnKeyOwner.keyAt(2, StreamGroupCommands::xgroupCreate)));
        c.add(spec("xgroup|setid", -5, "write", 2, 2, 1, "stream", "Set a consumer group to an arbitrary last delivered ID value.", OnKeyOwner.keyAt(2, StreamGroupCommands::xgroupSetid)));
        c.add(spec("xgroup|destroy", 4, "write", 2, 2, 1, "stream", "Destroy a consumer group.", OnKeyOwner.keyAt(2, StreamGroupCommands::xgroupDestroy)));
        c.add(spec("xgroup|createconsumer", 5, "write,denyoom", 2, 2, 1, "stream", "Create a consumer in a consumer group.", OnKeyOwner.keyAt(2, StreamGroupCommands::xgroupCreateConsumer)));
        c.add(spec("xgroup|delconsumer", 5, "write", 2, 2, 1, "stream", "Delete a consumer from a consumer group.", OnKeyOwner.keyAt(2, StreamGroupCommands::xgroupDelConsumer)));
        c.add(spec("xgroup|help", 2, "loading,stale", 0, 0, 0, "stream", "Show helpful text about the different subcommands", (ctx, argv) -> ctx.reply(StreamGroupCommands.xgroupHelp(null, argv, 0))));
        c.add(spec("xinfo", -2, "", 0, 0, 0, "stream", "A container for stream introspection commands", CommandTable::dispatchedBySubcommand));
        c.add(spec("xinfo|stream", -3, "readonly", 2, 2, 1, "stream", "Get information about a stream", OnKeyOwner.keyAt(2, StreamInfoCommands::stream)));
        c.add(spec("xinfo|groups", 3, "readonly", 2, 2, 1, "stream", "List the consumer groups of a stream", OnKeyOwner.keyAt(2, StreamInfoCommands::groups)));
        c.add(spec("xinfo|consumers", 4, "readonly", 2, 2, 1, "stream", "List the consumers in a consumer group", OnKeyOwner.keyAt(2, StreamInfoCommands::consumers)));
        c.add(spec("xinfo|help", 2, "loading,stale", 0, 0, 0, "stream", "Show helpful text about the different subcommands", (ctx, argv) -> ctx.reply(StreamInfoCommands.help(null, argv, 0))));
        // scripting (eval.c, functions.c): Lua scripts on their keys' shard; an always empty function library
        ScriptingCommands scripts = new ScriptingCommands(scripting);
        c.add(spec("function", -2, "", 0, 0, 0, "scripting", "A container for function commands.", CommandTable::dispatchedBySubcommand));
        c.add(spec("function|flush", -2, "write,noscript", 0, 0, 0, "scripting", "Deletes all libraries and functions.", scripts::functionFlush));
        c.add(spec("function|list", -2, "noscript", 0, 0, 0, "scripting", "Returns information about all libraries.", scripts::functionList));
        c.add(spec("function|stats", 2, "noscript,allow_busy", 0, 0, 0, "scripting", "Returns information about a function during execution.", scripts::functionStats));
        c.add(spec("function|delete", 3, "write,noscript", 0, 0, 0, "scripting", "Deletes a library and its functions.", scripts::functionDelete));
        c.add(spec("function|kill", 2, "noscript,allow_busy", 0, 0, 0, "scripting", "Terminates a function during execution.", scripts::functionKill));
        c.add(spec("function|load", -3, "write,denyoom,noscript", 0, 0, 0, "scripting", "Creates a library.", scripts::functionLoad));
        c.add(spec("function|dump", 2, "noscript", 0, 0, 0, "scripting", "Dumps all libraries into a serialized binary payload.", scripts::functionDump));
        c.add(spec("function|restore", -3, "write,denyoom,noscript", 0, 0, 0, "scripting", "Restores all libraries from a payload.", scripts::functionRestore));
        c.add(spec("function|help", 2, "loading,stale", 0, 0, 0, "scripting", "Returns helpful text about the different subcommands.", scripts::functionHelp));
        c.add(spec("eval", -3, "noscript,stale,skip_monitor,may_replicate,no_mandatory_keys,movablekeys", 0, 0, 0, "scripting",
                "Executes a server-side Lua script.", CommandHandler.writingByCall(scripts::eval, scripts::evalMayWrite)));
        c.add(spec("evalsha", -3, "noscript,stale,skip_monitor,may_replicate,no_mandatory_keys,movablekeys", 0, 0, 0, "scripting",
                "Executes a server-side Lua script by SHA1 digest.", CommandHandler.writingByCall(scripts::evalsha, scripts::evalshaMayWrite)));
        c.add(spec("eval_ro", -3, "readonly,noscript,stale,skip_monitor,no_mandatory_keys,movablekeys", 0, 0, 0, "scripting",
                "Executes a read-only server-side Lua script.", scripts::evalRo));
        c.add(spec("evalsha_ro", -3, "readonly,noscript,stale,skip_monitor,no_mandatory_keys,movablekeys", 0, 0, 0, "scripting",
                "Executes a read-only server-side Lua script by SHA1 digest.", scripts::evalshaRo));
        c.add(spec("fcall", -3, "noscript,stale,skip_monitor,may_replicate,no_mandatory_keys,movablekeys", 0, 0, 0, "scripting",
                "Invokes a function.", CommandHandler.writingByCall(scripts::fcall, scripts::fcallMayWrite)));
        c.add(spec("fcall_ro", -3, "readonly,noscript,stale,skip_monitor,no_mandatory_keys,movablekeys", 0, 0, 0, "scripting",
                "Invokes a read-only function.", scripts::fcallRo));
        c.add(spec("script", -2, "", 0, 0, 0, "scripting", "A container for Lua scripts management commands.", CommandTable::dispatchedBySubcommand));
        c.add(spec("script|debug", 3, "noscript", 0, 0, 0, "scripting", "Not supported: the Lua debugger.", scripts::scriptDebug));
        c.add(spec("script|exists", -3, "noscript", 0, 0, 0, "scripting", "Determines whether server-side Lua scripts exist in the script cache.", scripts::scriptExists));
        c.add(spec("script|flush", -2, "noscript", 0, 0, 0, "scripting", "Removes all server-side Lua scripts from the script cache.", scripts::scriptFlush));
        c.add(spec("script|help", 2, "loading,stale", 0, 0, 0, "scripting", "Returns helpful text about the different subcommands.", scripts::scriptHelp));
        c.add(spec("script|kill", 2, "noscript,allow_busy", 0, 0, 0, "scripting", "Terminates a server-side Lua script during execution.", scripts::scriptKill));
        c.add(spec("script|load", 3, "noscript,stale", 0, 0, 0, "scripting", "Loads a server-side Lua script to the script cache.", scripts::scriptLoad));
        // strings
        c.add(spec("get", 2, "readonly,fast", 1, 1, 1, "string", "Returns the string value of a key.", keyed(StringCommands::get)));
        c.add(spec("set", -3, "write,denyoom", 1, 1, 1, "string", "Sets the string value of a key, with options.", keyed(StringCommands::set)));
        c.add(spec("setnx", 3, "write,denyoom,fast", 1, 1, 1, "string", "Set the string value of a key only when the key doesn't exist.", keyed(StringCommands::setnx)));
        c.add(spec("setex", 4, "write,denyoom", 1, 1, 1, "string", "Sets the value and expiration time of a key in seconds.", keyed(StringCommands::setex)));
        c.add(spec("psetex", 4, "write,denyoom", 1, 1, 1, "string", "Sets the value and expiration time of a key in milliseconds.", keyed(StringCommands::psetex)));
        c.add(spec("getset", 3, "write,denyoom,fast", 1, 1, 1, "string", "Returns the previous value of a key after setting it.", keyed(StringCommands::getset)));
        c.add(spec("getdel", 2, "write,fast", 1, 1, 1, "string", "Returns the value of a key after deleting it.", keyed(StringCommands::getdel)));
        c.add(spec("getex", -2, "write,fast", 1, 1, 1, "string", "Returns the value of a key after setting its expiration time.", keyed(StringCommands::getex)));
        c.add(spec("mget", -2, "readonly,fast", 1, -1, 1, "string", "Atomically returns the values of one or more keys.", CommandHandler.atomicOnItsOwn(StringCommands::mget)));
        c.add(spec("mset", -3, "write,denyoom", 1, -1, 2, "string", "Atomically sets the values of one or more keys.", CommandHandler.atomicOnItsOwn(StringCommands::mset)));
        c.add(spec("msetnx", -3, "write,denyoom", 1, -1, 2, "string", "Sets multiple keys only when none of them exist.", CommandHandler.atomicOnItsOwn(StringCommands::msetnx)));
        c.add(spec("append", 3, "write,denyoom,fast", 1, 1, 1, "string", "Appends a string to the value of a key.", keyed(StringCommands::append)));
        c.add(spec("strlen", 2, "readonly,fast", 1, 1, 1, "string", "Returns the length of a string value.", keyed(StringCommands::strlen)));
        c.add(spec("getrange", 4, "readonly", 1, 1, 1, "string", "Returns a substring of the string stored at a key.", keyed(StringCommands::getrange)));
        c.add(spec("setrange", 4, "write,denyoom", 1, 1, 1, "string", "Overwrites a part of a string value with another by an offset.", keyed(StringCommands::setrange)));
        c.add(spec("incr", 2, "write,denyoom,fast", 1, 1, 1, "string", "Increments the integer value of a key by one.", keyed(StringCommands::incr)));
        c.add(spec("decr", 2, "write,denyoom,fast", 1, 1, 1, "string", "Decrements the integer value of a key by one.", keyed(StringCommands::decr)));
        c.add(spec("incrby", 3, "write,denyoom,fast", 1, 1, 1, "string", "Increments the integer value of a key by a number.", keyed(StringCommands::incrby)));
        c.add(spec("decrby", 3, "write,denyoom,fast", 1, 1, 1, "string", "Decrements a number from the integer value of a key.", keyed(StringCommands::decrby)));
        c.add(spec("incrbyfloat", 3, "write,denyoom,fast", 1, 1, 1, "string", "Increment the floating point value of a key by a number.", keyed(StringCommands::incrbyfloat)));
        c.add(spec("lcs", -3, "readonly", 1, 2, 1, "string", "Finds the longest common substring.", StringCommands::lcs));
        // bitmaps (bitops.c)
        c.add(spec("setbit", 4, "write,denyoom", 1, 1, 1, "bitmap", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", keyed(bits::setbit)));
        c.add(spec("getbit", 3, "readonly,fast", 1, 1, 1, "bitmap", "Returns a bit value by offset.", keyed(bits::getbit)));
        c.add(spec("bitcount", -2, "readonly", 1, 1, 1, "bitmap", "Counts the number of set bits (population counting) in a string.", keyed(BitCommands::bitcount)));
        c.add(spec("bitpos", -3, "readonly", 1, 1, 1, "bitmap", "Finds the first set (1) or clear (0) bit in a string.", keyed(BitCommands::bitpos)));
        c.add(spec("bitop", -4, "write,denyoom", 2, -1, 1, "bitmap", "Performs bitwise operations on multiple strings, and stores the result.", BitCommands::bitop));
        c.add(spec("bitfield", -2, "write,denyoom", 1, 1, 1, "bitmap", "Performs arbitrary bitfield integer operations on strings.", keyed(bits::bitfield)));
        c.add(spec("bitfield_ro", -2, "readonly,fast", 1, 1, 1, "bitmap", "Performs arbitrary read-only bitfield integer operations on strings.", keyed(bits::bitfieldRo)));
        // geospatial indexes (geo.c): sorted sets of 52-bit geohashes
        c.add(spec("geoadd", -5, "write,denyoom", 1, 1, 1, "geo", "Add one or more geospatial items in the geospatial index represented using a sorted set", keyed(GeoCommands::geoadd)));
        c.add(spec("geodist", -4, "readonly", 1, 1, 1, "geo", "Returns the distance between two members of a geospatial index", keyed(GeoCommands::geodist)));
        c.add(spec("geohash", -2, "readonly", 1, 1, 1, "geo", "Returns members of a geospatial index as standard geohash strings", keyed(GeoCommands::geohash)));
        c.add(spec("geopos", -2, "readonly", 1, 1, 1, "geo", "Returns longitude and latitude of members of a geospatial index", keyed(GeoCommands::geopos)));
        c.add(spec("geosearch", -7, "readonly", 1, 1, 1, "geo", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", keyed(GeoCommands::geosearch)));
        c.add(spec("geosearchstore", -8, "write,denyoom", 1, 2, 1, "geo", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", GeoCommands::geosearchstore));
        c.add(spec("georadius", -6, "write,denyoom,movablekeys", 1, 1, 1, "geo", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", GeoCommands.GEORADIUS)
                .withUnnamedKeys(GeoCommands.severalDestinations(6)));
        c.add(spec("georadius_ro", -6, "readonly", 1, 1, 1, "geo", "A read-only variant for GEORADIUS", keyed(GeoCommands::georadiusRo)));
        c.add(spec("georadiusbymember", -5, "write,denyoom,movablekeys", 1, 1, 1, "geo", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", GeoCommands.GEORADIUSBYMEMBER)
                .withUnnamedKeys(GeoCommands.severalDestinations(5)));
        c.add(spec("georadiusbymember_ro", -5, "readonly", 1, 1, 1, "geo", "A read-only variant for GEORADIUSBYMEMBER", keyed(GeoCommands::georadiusbymemberRo)));
        // HyperLogLog (hyperloglog.c): strings in Redis's HLL format
        c.add(spec("pfadd", -2, "write,denyoom,fast", 1, 1, 1, "hyperloglog", "Adds the specified elements to the specified HyperLogLog.", keyed(HyperLogLogCommands::pfadd)));
        c.add(spec("pfcount", -2, "readonly,may_replicate", 1, -1, 1, "hyperloglog", "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", HyperLogLogCommands.PFCOUNT));
        c.add(spec("pfmerge", -2, "write,denyoom", 1, -1, 1, "hyperloglog", "Merge N different HyperLogLogs into a single one.", HyperLogLogCommands.PFMERGE));
        c.add(spec("pfdebug", 3, "write,denyoom,admin", 2, 2, 1, "hyperloglog", "Internal commands for debugging HyperLogLog values", HyperLogLogCommands::pfdebug));
        c.add(spec("pfselftest", 1, "admin", 0, 0, 0, "hyperloglog", "An internal command for testing HyperLogLog values", HyperLogLogCommands::pfselftest));
        // generic
        c.add(spec("del", -2, "write", 1, -1, 1, "keyspace", "Deletes one or more keys.", CommandHandler.atomicOnItsOwn(KeyCommands::del)));
        c.add(spec("unlink", -2, "write,fast", 1, -1, 1, "keyspace", "Deletes one or more keys.", CommandHandler.atomicOnItsOwn(KeyCommands::del)));
        c.add(spec("exists", -2, "readonly,fast", 1, -1, 1, "keyspace", "Determines whether one or more keys exist.", CommandHandler.atomicOnItsOwn(KeyCommands::exists)));
        c.add(spec("touch", -2, "readonly,fast", 1, -1, 1, "keyspace", "Returns the number of existing keys out of those specified.", CommandHandler.atomicOnItsOwn(KeyCommands::touch)));
        c.add(spec("type", 2, "readonly,fast", 1, 1, 1, "keyspace", "Determines the type of value stored at a key.", keyed(KeyCommands::type)));
        c.add(spec("expire", -3, "write,fast", 1, 1, 1, "keyspace", "Sets the expiration time of a key in seconds.", keyed(KeyCommands::expire)));
        c.add(spec("pexpire", -3, "write,fast", 1, 1, 1, "keyspace", "Sets the expiration time of a key in milliseconds.", keyed(KeyCommands::pexpire)));
        c.add(spec("expireat", -3, "write,fast", 1, 1, 1, "keyspace", "Sets the expiration time of a key to a Unix timestamp.", keyed(KeyCommands::expireat)));
        c.add(spec("pexpireat", -3, "write,fast", 1, 1, 1, "keyspace", "Sets the expiration time of a key to a Unix milliseconds timestamp.", keyed(KeyCommands::pexpireat)));
        c.add(spec("expiretime", 2, "readonly,fast", 1, 1, 1, "keyspace", "Returns the expiration time of a key as a Unix timestamp.", keyed(KeyCommands::expiretime)));
        c.add(spec("pexpiretime", 2, "readonly,fast", 1, 1, 1, "keyspace", "Returns the expiration time of a key as a Unix milliseconds timestamp.", keyed(KeyCommands::pexpiretime)));
        c.add(spec("ttl", 2, "readonly,fast", 1, 1, 1, "keyspace", "Returns the expiration time in seconds of a key.", keyed(KeyCommands::ttl)));
        c.add(spec("pttl", 2, "readonly,fast", 1, 1, 1, "keyspace", "Returns the expiration time in milliseconds of a key.", keyed(KeyCommands::pttl)));
        c.add(spec("persist", 2, "write,fast", 1, 1, 1, "keyspace", "Removes the expiration time of a key.", keyed(KeyCommands::persist)));
        c.add(spec("keys", 2, "readonly", 0, 0, 0, "keyspace", "Returns all key names that match a pattern.", KeyCommands::keys));
        c.add(spec("scan", -2, "readonly", 0, 0, 0, "keyspace", "Iterates over the key names in the database.", KeyCommands::scan));
        c.add(spec("rename", 3, "write", 1, 2, 1, "keyspace", "Renames a key and overwrites the destination.", KeyCommands::rename));
        c.add(spec("memory", -2, "", 0, 0, 0, "server", "A container for memory diagnostics commands.", CommandTable::dispatchedBySubcommand));
        c.add(spec("memory|doctor", 2, "", 0, 0, 0, "server", "Outputs a memory problems report.", memory::doctor));
        c.add(spec("memory|help", 2, "loading,stale", 0, 0, 0, "server", "Returns helpful text about the different subcommands.", MemoryCommands::help));
        c.add(spec("memory|malloc-stats", 2, "", 0, 0, 0, "server", "Returns the allocator statistics (none for a JVM, as Redis without jemalloc).", MemoryCommands::mallocStats));
        c.add(spec("memory|purge", 2, "", 0, 0, 0, "server", "Asks the allocator to release memory (nothing to release here).", MemoryCommands::purge));
        c.add(spec("memory|stats", 2, "", 0, 0, 0, "server", "Returns details about memory usage.", memory::stats));
        c.add(spec("memory|usage", -3, "readonly", 2, 2, 1, "server", "Estimates the memory usage of a key (the memory budget's estimate).", KeyCommands::memoryUsage));
        c.add(spec("renamenx", 3, "write,fast", 1, 2, 1, "keyspace", "Renames a key only when the target key name doesn't exist.", KeyCommands::renamenx));
        c.add(spec("copy", -3, "write,denyoom", 1, 2, 1, "keyspace", "Copies the value of a key to a new key.", KeyCommands::copy));
        c.add(spec("object", -2, "", 0, 0, 0, "keyspace", "A container for object introspection commands (ENCODING, FREQ, IDLETIME, REFCOUNT).", ObjectCommands::object));
        c.add(spec("randomkey", 1, "readonly", 0, 0, 0, "keyspace", "Returns a random key name from the database.", KeyCommands::randomkey));
        c.add(spec("move", 3, "write,fast", 1, 1, 1, "keyspace", "Moves a key to another database.", DatabaseCommands.MOVE));
        // SORT (sort.c): the sorted key on its shard, pattern keys on theirs, the sort on the connection's
        c.add(spec("sort", -2, "write,denyoom,movablekeys", 1, 1, 1, "keyspace", "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.", SortCommands::sort)
                .withUnnamedKeys(SortCommands.PATTERN_KEYS));
        c.add(spec("sort_ro", -2, "readonly,movablekeys", 1, 1, 1, "keyspace", "Returns the sorted elements of a list, a set, or a sorted set.", SortCommands::sortRo)
                .withUnnamedKeys(SortCommands.PATTERN_KEYS));
        // DUMP and RESTORE (cluster.c), in Redis's DUMP format
        c.add(spec("dump", 2, "readonly", 1, 1, 1, "keyspace", "Returns a serialized representation of the value stored at a key.", keyed(DumpCommands::dump)));
        c.add(spec("restore", -4, "write,denyoom", 1, 1, 1, "keyspace", "Creates a key from the serialized representation of a value.", DumpCommands::restore));
        c.add(spec("restore-asking", -4, "write,denyoom,asking", 1, 1, 1, "server", "An internal command for migrating keys in a cluster.", DumpCommands::restore));
        // cluster mode (cluster.c): what cluster clients read, ASKING/READONLY/READWRITE, the control plane's layout
        c.add(spec("cluster", -2, "", 0, 0, 0, "cluster", "A container for cluster commands.", CommandTable::dispatchedBySubcommand));
        c.add(spec("cluster|help", 2, "loading,stale", 0, 0, 0, "cluster", "Show helpful text about the different subcommands.", ClusterCommands::help));
        c.add(spec("cluster|info", 2, "stale", 0, 0, 0, "cluster", "Provides info about Redis Cluster node state.", ClusterCommands::info));
        c.add(spec("cluster|myid", 2, "stale", 0, 0, 0, "cluster", "Return the node id.", ClusterCommands::myid));
        c.add(spec("cluster|nodes", 2, "stale", 0, 0, 0, "cluster", "Get Cluster config for the node.", ClusterCommands::nodes));
        c.add(spec("cluster|slots", 2, "stale", 0, 0, 0, "cluster", "Get array of Cluster slot to node mappings.", ClusterCommands::slots));
        c.add(spec("cluster|shards", 2, "stale", 0, 0, 0, "cluster", "Get array of cluster slots to node mappings.", ClusterCommands::shards));
        c.add(spec("cluster|keyslot", 3, "stale", 0, 0, 0, "cluster", "Returns the hash slot of the specified key.", ClusterCommands::keyslot));
        c.add(spec("cluster|countkeysinslot", 3, "stale", 0, 0, 0, "cluster", "Return the number of local keys in the specified hash slot.", ClusterCommands::countkeysinslot));
        c.add(spec("cluster|reset", -2, "admin,noscript,stale", 0, 0, 0, "cluster", "Reset a Redis Cluster node.", ClusterCommands::reset));
        c.add(spec("cluster|getkeysinslot", 4, "stale", 0, 0, 0, "cluster", "Return local key names in the specified hash slot.", ClusterCommands::getkeysinslot));
        c.add(spec("cluster|setlayout", 4, "admin,noscript,stale", 0, 0, 0, "cluster", "Sets the nodes, their slots and migrations at an epoch (the control plane's; Percore's own).", ClusterCommands::setlayout));
        c.add(spec("cluster|getlayout", 2, "admin,noscript,stale", 0, 0, 0, "cluster", "Returns the layout's epoch and text (Percore's own).", ClusterCommands::getlayout));
        c.add(spec("cluster|heldslots", 2, "admin,noscript,stale", 0, 0, 0, "cluster", "Returns the hash slots this node holds keys of, as ranges, whether it serves them or not (Percore's own).", ClusterCommands::heldslots));
        c.add(spec("cluster|migrations", 2, "admin,noscript,stale", 0, 0, 0, "cluster", "Returns the migrations of slots away from this node (Percore's own).", ClusterCommands::migrations));
        c.add(spec("asking", 1, "fast", 0, 0, 0, "cluster", "Sent by cluster clients after an -ASK redirect.", ClusterCommands::asking));
        c.add(spec("readonly", 1, "loading,stale,fast", 0, 0, 0, "cluster", "Enables read queries for a connection to a cluster replica node.", ClusterCommands::readonly));
        c.add(spec("readwrite", 1, "loading,stale,fast", 0, 0, 0, "cluster", "Disables read queries for a connection to a cluster replica node.", ClusterCommands::readwrite));
        c.add(spec("wait", 3, "noscript", 0, 0, 0, "keyspace", "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", ReplicationCommands::waitCommand));
        return new CommandTable(c, CommandMetadata.redis7(), ArgvRedaction::redacted);
    }

    private static CommandSpec spec(String name, int arity, String flags, int first, int last, int step, String group,
                                    String summary, CommandHandler handler) {
        List<String> flagList = flags.isEmpty() ? List.of() : List.of(flags.split(","));
        if (flagList.contains("denyoom") && handler instanceof OnKeyOwner keyed) {
            handler = keyed.denyingOom();
        }
        if (!flagList.contains("write") && handler instanceof OnKeyOwner keyed) {
            handler = keyed.readOnly();
        }
        return new CommandSpec(name, arity, flagList, first, last, step, group, summary, handler);
    }
}
