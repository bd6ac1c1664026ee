package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.bulk;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandHandler;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespDoubles;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Geospatial commands (Redis's {@code geo.c}) over sorted sets whose scores are 52-bit geohashes
 * ({@link GeoHash}). GEOADD is ZADD of the positions' scores, as in Redis; GEOPOS, GEOHASH, GEODIST
 * and the searches without a destination run on the key's shard; a search that stores (GEOSEARCHSTORE,
 * GEORADIUS[BYMEMBER] ... STORE|STOREDIST) searches on the source's shard and writes the destination on
 * its own, as ZRANGESTORE does, reported as the destination's value.
 */
public final class GeoCommands {

    private static final byte[] ZADD = "zadd".getBytes(StandardCharsets.US_ASCII);

    private GeoCommands() {
    }

    // ------------------------------------------------------------------ arguments, as geo.c reads them

    /** A number as {@code getDoubleFromObjectOrReply} reads it, or {@code error}. */
    static double number(byte[] arg, String error) {
        double d = RespDoubles.parse(arg);
        if (Double.isNaN(d)) {
            throw new RespError(error);
        }
        return d;
    }

    /** A longitude and a latitude within Redis's limits ({@code extractLongLatOrReply}). */
    static double[] longLat(byte[] lon, byte[] lat) {
        double x = number(lon, RespReplies.NOT_FLOAT);
        double y = number(lat, RespReplies.NOT_FLOAT);
        if (x < GeoHash.LONG_MIN || x > GeoHash.LONG_MAX || y < GeoHash.LAT_MIN || y > GeoHash.LAT_MAX) {
            throw new RespError("ERR invalid longitude,latitude pair " + printfF(x) + "," + printfF(y));
        }
        return new double[] {x, y};
    }

    /** C's {@code %f}: six decimals of the exact value, rounded half to even, a sign for any negative (zero included). */
    static String printfF(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        String digits = new BigDecimal(Math.abs(d)).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        return (Double.doubleToRawLongBits(d) < 0 ? "-" : "") + digits;
    }

    /** Meters per unit ({@code extractUnitOrReply}). */
    static double unit(byte[] arg) {
        String u = RespReplies.ascii(arg);
        if (u.equalsIgnoreCase("m")) {
            return 1;
        } else if (u.equalsIgnoreCase("km")) {
            return 1000;
        } else if (u.equalsIgnoreCase("ft")) {
            return 0.3048;
        } else if (u.equalsIgnoreCase("mi")) {
            return 1609.34;
        }
        throw new RespError("ERR unsupported unit provided. please use M, KM, FT, MI");
    }

    // ------------------------------------------------------------------ replies, as geo.c writes them

    /** A distance with four decimals ({@code fixedpoint_d2string}: the value times 10^4 rounded half to even). */
    static byte[] distanceText(double d) {
        if (d == 0) {
            return "0.0000".getBytes(StandardCharsets.US_ASCII);
        }
        double scaled = Math.rint(d * 10000.0);
        // llrint of what a long cannot hold is x86's "indefinite" value, LLONG_MIN
        long v = scaled != scaled || Math.abs(scaled) >= 0x1p63 ? Long.MIN_VALUE : (long) scaled;
        boolean negative = v < 0;
        String digits = negative ? Long.toUnsignedString(-v) : Long.toString(v);
        if (digits.length() < 5) {
            digits = "0".repeat(5 - digits.length()) + digits;
        }
        String text = digits.substring(0, digits.length() - 4) + "." + digits.substring(digits.length() - 4);
        return ((negative ? "-" : "") + text).getBytes(StandardCharsets.US_ASCII);
    }

    /** A coordinate pair as {@code addReplyHumanLongDouble} writes each: 17 decimals, trailing zeros cut; a double in RESP3. */
    static RedisMessage coordinates(double lon, double lat) {
        return new ArrayRedisMessage(List.of(human(lon), human(lat)));
    }

    private static RedisMessage human(double d) {
        return new Resp3Replies.DoubleReply(RespNumbers.formatDecimal(new BigDecimal(d)));
    }

    // ------------------------------------------------------------------ GEOADD, GEOPOS, GEOHASH, GEODIST

    /** GEOADD key [NX|XX] [CH] longitude latitude member ...: ZADD of the positions' scores. */
    public static RedisMessage geoadd(ValueStore ks, byte[][] argv, long now) {
        boolean nx = false;
        boolean xx = false;
        int at = 2;
        for (; at < argv.length; at++) {
            String opt = RespReplies.ascii(argv[at]);
            if (opt.equalsIgnoreCase("nx")) {
                nx = true;
            } else if (opt.equalsIgnoreCase("xx")) {
                xx = true;
            } else if (!opt.equalsIgnoreCase("ch")) {
                break;
            }
        }
        if ((argv.length - at) % 3 != 0 || (xx && nx)) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        int elements = (argv.length - at) / 3;
        byte[][] zadd = new byte[at + elements * 2][];
        zadd[0] = ZADD;
        System.arraycopy(argv, 1, zadd, 1, at - 1);
        for (int i = 0; i < elements; i++) {
            int from = at + i * 3;
            double[] xy = longLat(argv[from], argv[from + 1]);
            zadd[at + i * 2] = RespNumbers.toBytes(GeoHash.score(xy[0], xy[1]));
            zadd[at + i * 2 + 1] = argv[from + 2];
        }
        return ZSetCommands.zadd(ks, zadd, now);
    }

    /** GEOPOS key [member ...]: each member's position, or a null array. */
    public static RedisMessage geopos(ValueStore ks, byte[][] argv, long now) {
        ZSetValue z = ks.readZSet(argv[1], now);
        List<RedisMessage> out = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            double score = z == null ? Double.NaN : z.score(argv[i]);
            if (Double.isNaN(score)) {
                out.add(ArrayRedisMessage.NULL_INSTANCE);
            } else {
                double[] xy = GeoHash.position(score);
                out.add(coordinates(xy[0], xy[1]));
            }
        }
        return new ArrayRedisMessage(out);
    }

    /** GEOHASH key [member ...]: each member's standard 11-character geohash, or null. */
    public static RedisMessage geohash(ValueStore ks, byte[][] argv, long now) {
        ZSetValue z = ks.readZSet(argv[1], now);
        List<RedisMessage> out = new ArrayList<>(argv.length - 2);
        for (int i = 2; i < argv.length; i++) {
            double score = z == null ? Double.NaN : z.score(argv[i]);
            out.add(Double.isNaN(score) ? RespReplies.NIL : RespReplies.bulk(GeoHash.standardGeohash(GeoHash.position(score))));
        }
        return new ArrayRedisMessage(out);
    }

    /** GEODIST key member1 member2 [M|KM|FT|MI]. */
    public static RedisMessage geodist(ValueStore ks, byte[][] argv, long now) {
        double toMeters = 1;
        if (argv.length == 5) {
            toMeters = unit(argv[4]);
        } else if (argv.length > 5) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        ZSetValue z = ks.readZSet(argv[1], now);
        if (z == null) {
            return RespReplies.NIL;
        }
        double s1 = z.score(argv[2]);
        double s2 = z.score(argv[3]);
        if (Double.isNaN(s1) || Double.isNaN(s2)) {
            return RespReplies.NIL;
        }
        double[] a = GeoHash.position(s1);
        double[] b = GeoHash.position(s2);
        return bulk(distanceText(GeoHash.distance(a[0], a[1], b[0], b[1]) / toMeters));
    }

    // ------------------------------------------------------------------ searches

    public static RedisMessage geosearch(ValueStore ks, byte[][] argv, long now) {
        return GeoSearch.run(ks, argv, 1, GeoSearch.SEARCH, now).reply();
    }

    public static RedisMessage georadiusRo(ValueStore ks, byte[][] argv, long now) {
        return GeoSearch.run(ks, argv, 1, GeoSearch.COORDS | GeoSearch.NO_STORE, now).reply();
    }

    public static RedisMessage georadiusbymemberRo(ValueStore ks, byte[][] argv, long now) {
        return GeoSearch.run(ks, argv, 1, GeoSearch.MEMBER | GeoSearch.NO_STORE, now).reply();
    }

    /** GEORADIUS: on the key's shard, unless a STORE|STOREDIST destination makes it two steps. */
    public static final CommandHandler GEORADIUS = searchOrStore(GeoSearch.COORDS);

    /** GEORADIUSBYMEMBER: likewise. */
    public static final CommandHandler GEORADIUSBYMEMBER = searchOrStore(GeoSearch.MEMBER);

    private static CommandHandler searchOrStore(int flags) {
        OnKeyOwner local = new OnKeyOwner((ks, argv, now) -> GeoSearch.run(ks, argv, 1, flags, now).reply()).denyingOom();
        return (c, argv) -> {
            if (GeoSearch.mayStore(argv, flags)) {
                searchThenStore(c, argv, 1, flags);
            } else {
                local.handle(c, argv);
            }
        };
    }

    /** GEOSEARCHSTORE destination source ...: searched on the source's shard, stored on the destination's. */
    public static void geosearchstore(CommandContext c, byte[][] argv) {
        searchThenStore(c, argv, 2, GeoSearch.SEARCH | GeoSearch.SEARCH_STORE);
    }

    private static void searchThenStore(CommandContext c, byte[][] argv, int srcIndex, int flags) {
        Keyspace keyspace = c.keyspace();
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier(); // the connection's next command sees the destination written
        keyspace.invokeOn(keyspace.shardOf(argv[srcIndex]), st -> GeoSearch.run(st.store(), argv, srcIndex, flags, System.currentTimeMillis()))
                .flatMap(outcome -> outcome.storeKey() == null
                        ? ShardFuture.completed(outcome.reply())
                        : ZSetCommands.storeOn(keyspace, outcome.storeKey(), distinctSorted(outcome.toStore()),
                                (flags & GeoSearch.SEARCH) != 0 ? "geosearchstore" : "georadiusstore"))
                .whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    /** Entries in sorted-set order, a member found twice kept once (Redis would assert on it). */
    private static List<ZSetValue.Entry> distinctSorted(List<ZSetValue.Entry> entries) {
        List<ZSetValue.Entry> sorted = ZSetCommands.sorted(new ArrayList<>(entries));
        java.util.Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
        List<ZSetValue.Entry> out = new ArrayList<>(sorted.size());
        for (ZSetValue.Entry e : sorted) {
            if (seen.add(java.nio.ByteBuffer.wrap(e.member()))) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * GEORADIUS's and GEORADIUSBYMEMBER's calls naming several destinations from {@code startFrom} on (STORE and
     * STOREDIST, or either twice): the key specifications find the first of each, the command writes the last one, so a
     * transaction holding such a call holds every shard.
     */
    public static CommandSpec.UnnamedKeys severalDestinations(int startFrom) {
        return argv -> {
            int destinations = 0;
            for (int i = startFrom; i < argv.length - 1; i++) {
                String a = RespReplies.ascii(argv[i]);
                if (a.equalsIgnoreCase("store") || a.equalsIgnoreCase("storedist")) {
                    destinations++;
                }
            }
            return destinations > 1;
        };
    }
}
