package io.percore.demo.admin;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.scripting.Scripting;
import java.util.ArrayList;
import java.util.List;

/**
 * MEMORY's subcommands but USAGE (Redis's {@code object.c} {@code memoryCommand}): HELP, STATS and DOCTOR from
 * the shards' figures ({@link MemoryOverhead}, what INFO memory reports), MALLOC-STATS and PURGE as Redis answers
 * them without jemalloc (a JVM has no allocator to ask or to purge). MEMORY USAGE is a key's command
 * ({@code KeyCommands#memoryUsage}).
 */
public final class MemoryCommands {

    /** The shards' scripts, for their caches' figures (null in a table read for its metadata only). */
    private final Scripting scripting;

    public MemoryCommands(Scripting scripting) {
        this.scripting = scripting;
    }

    private static final String[] HELP = {
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all)."};

    /** Redis's answer without jemalloc. */
    private static final String NO_ALLOCATOR_STATS = "Stats not supported for the current allocator";

    public static void help(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0], HELP));
    }

    /** MEMORY MALLOC-STATS: Redis's answer for an allocator it cannot ask. */
    public static void mallocStats(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.bulk(NO_ALLOCATOR_STATS));
    }

    /** MEMORY PURGE: there are no dirty pages to hand back (the JVM's collector decides when its heap shrinks). */
    public static void purge(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.OK);
    }

    /** MEMORY STATS: Redis's fields in its order, a {@code db.N} map per database with keys, this server's figures. */
    public void stats(CommandContext c, byte[][] argv) {
        c.replyLater(MemoryOverhead.gather(c, scripting).map(MemoryCommands::stats));
    }

    /** MEMORY DOCTOR: Redis's report on what this server can tell ({@link MemoryDoctor}). */
    public void doctor(CommandContext c, byte[][] argv) {
        c.replyLater(MemoryOverhead.gather(c, scripting).map(mh -> new Resp3Replies.VerbatimReply("txt", MemoryDoctor.report(mh))));
    }

    static RedisMessage stats(MemoryOverhead mh) {
        Fields f = new Fields();
        f.add("peak.allocated", mh.peakAllocated());
        f.add("total.allocated", mh.totalAllocated());
        f.add("startup.allocated", MemoryOverhead.STARTUP_ALLOCATED);
        f.add("replication.backlog", mh.replicationBacklog());
        f.add("clients.slaves", mh.clientsSlaves());
        f.add("clients.normal", mh.clientsNormal());
        f.add("cluster.links", 0); // no cluster bus: the control plane sets the layout
        f.add("aof.buffer", 0); // the append-only file's writer holds its own batches, not a buffer of the shards'
        f.add("lua.caches", mh.luaCaches());
        f.add("functions.caches", mh.functionsCaches());
        for (long[] db : mh.databases()) {
            Fields tables = new Fields();
            tables.add("overhead.hashtable.main", MemoryOverhead.mainTable(db));
            tables.add("overhead.hashtable.expires", MemoryOverhead.expiresTable(db));
            tables.add("overhead.hashtable.slot-to-keys", 0); // cluster mode counts keys per slot in fixed arrays
            f.add("db." + db[0], tables.map());
        }
        f.add("overhead.total", mh.overheadTotal());
        f.add("keys.count", mh.totalKeys());
        f.add("keys.bytes-per-key", mh.bytesPerKey());
        f.add("dataset.bytes", mh.dataset());
        f.add("dataset.percentage", mh.datasetPercentage());
        f.add("peak.percentage", mh.peakPercentage());
        f.add("allocator.allocated", mh.allocatorAllocated());
        f.add("allocator.active", mh.allocatorActive());
        f.add("allocator.resident", mh.residentBytes());
        f.add("allocator-fragmentation.ratio", mh.allocatorFragmentation());
        f.add("allocator-fragmentation.bytes", mh.allocatorFragmentationBytes());
        f.add("allocator-rss.ratio", mh.allocatorRss());
        f.add("allocator-rss.bytes", mh.allocatorRssBytes());
        f.add("rss-overhead.ratio", mh.rssOverhead());
        f.add("rss-overhead.bytes", mh.rssOverheadBytes());
        f.add("fragmentation", mh.fragmentation());
        f.add("fragmentation.bytes", mh.fragmentationBytes());
        return f.map();
    }

    /** A map's names and values as Redis adds them: integers, doubles (a float widened, as Redis passes one), maps. */
    private static final class Fields {
        private final List<RedisMessage> items = new ArrayList<>();

        void add(String name, long value) {
            add(name, RespReplies.integer(value));
        }

        void add(String name, float value) {
            add(name, Resp3Replies.DoubleReply.of(value));
        }

        void add(String name, RedisMessage value) {
            items.add(RespReplies.bulk(name));
            items.add(value);
        }

        RedisMessage map() {
            return new Resp3Replies.MapReply(items);
        }
    }
}
