package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.bulk;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.BulkArrayReply;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One GEORADIUS, GEORADIUSBYMEMBER, GEOSEARCH or GEOSEARCHSTORE on the source's shard (Redis's
 * {@code georadiusGeneric}): the source is looked up first (WRONGTYPE before anything else), the
 * arguments read in Redis's order with its errors, then the boxes of the area searched in Redis's
 * order ({@link GeoHash#searchBoxes}), the points found sorted as Redis sorts them (a stable sort, or
 * its partial quicksort when COUNT keeps fewer), and either the reply made or the entries to store
 * handed back for the destination's shard.
 */
final class GeoSearch {

    /** Around coordinates (GEORADIUS). */
    static final int COORDS = 1;
    /** Around a member (GEORADIUSBYMEMBER). */
    static final int MEMBER = 2;
    /** The _RO forms: no STORE. */
    static final int NO_STORE = 4;
    /** GEOSEARCH's arguments. */
    static final int SEARCH = 8;
    /** GEOSEARCHSTORE: the destination is argv[1]; only STOREDIST. */
    static final int SEARCH_STORE = 16;

    private static final int SORT_NONE = 0;
    private static final int SORT_ASC = 1;
    private static final int SORT_DESC = 2;

    /** What the search came to: a reply to send, or (with a destination) the entries to store there. */
    record Outcome(RedisMessage reply, byte[] storeKey, List<ZSetValue.Entry> toStore) {
        static Outcome reply(RedisMessage reply) {
            return new Outcome(reply, null, null);
        }
    }

    private final byte[][] argv;
    private final int flags;
    private ZSetValue zset;
    private byte[] storeKey;
    private boolean storeDist;
    private boolean withDist;
    private boolean withHash;
    private boolean withCoords;
    private boolean any;
    private long count;
    private int sort = SORT_NONE;
    private boolean circle;
    private double longitude;
    private double latitude;
    private double conversion;
    private double radius;
    private double width;
    private double height;

    private GeoSearch(byte[][] argv, int flags) {
        this.argv = argv;
        this.flags = flags;
    }

    /** Runs the command on the source's shard; {@code srcIndex} is the source key's position. */
    static Outcome run(ValueStore ks, byte[][] argv, int srcIndex, int flags, long now) {
        GeoSearch s = new GeoSearch(argv, flags);
        s.zset = ks.readZSet(argv[srcIndex], now);
        s.parse();
        return s.search();
    }

    /**
     * Whether a GEORADIUS or GEORADIUSBYMEMBER call names a STORE or STOREDIST destination (any
     * argument after the fixed ones so spelled): only those need a second step on another shard.
     */
    static boolean mayStore(byte[][] argv, int flags) {
        for (int i = (flags & COORDS) != 0 ? 6 : 5; i < argv.length; i++) {
            if (word(argv[i], "store") || word(argv[i], "storedist")) {
                return true;
            }
        }
        return false;
    }

    private static boolean word(byte[] arg, String word) {
        return RespReplies.ascii(arg).equalsIgnoreCase(word);
    }

    private void parse() {
        int base;
        if ((flags & COORDS) != 0) {
            base = 6;
            circle = true;
            readLongLat(2);
            readDistance(4);
        } else if ((flags & MEMBER) != 0 && zset == null) {
            base = 5; // no source: the options are still read, for the reply STORE asks for
        } else if ((flags & MEMBER) != 0) {
            base = 5;
            circle = true;
            memberPosition(argv[2]);
            readDistance(3);
        } else {
            base = 2;
            if ((flags & SEARCH_STORE) != 0) {
                base = 3;
                storeKey = argv[1];
            }
        }
        boolean fromMember = false;
        boolean fromLonLat = false;
        boolean byRadius = false;
        boolean byBox = false;
        boolean search = (flags & SEARCH) != 0;
        boolean storeAllowed = (flags & NO_STORE) == 0 && !search;
        int remaining = argv.length - base;
        for (int i = 0; i < remaining; i++) {
            byte[] arg = argv[base + i];
            if (word(arg, "withdist")) {
                withDist = true;
            } else if (word(arg, "withhash")) {
                withHash = true;
            } else if (word(arg, "withcoord")) {
                withCoords = true;
            } else if (word(arg, "any")) {
                any = true;
            } else if (word(arg, "asc")) {
                sort = SORT_ASC;
            } else if (word(arg, "desc")) {
                sort = SORT_DESC;
            } else if (word(arg, "count") && i + 1 < remaining) {
                count = RespNumbers.requireLong(argv[base + i + 1]);
                if (count <= 0) {
                    throw new RespError("ERR COUNT must be > 0");
                }
                i++;
            } else if (word(arg, "store") && i + 1 < remaining && storeAllowed) {
                storeKey = argv[base + i + 1];
                storeDist = false;
                i++;
            } else if (word(arg, "storedist") && i + 1 < remaining && storeAllowed) {
                storeKey = argv[base + i + 1];
                storeDist = true;
                i++;
            } else if (word(arg, "storedist") && search && (flags & SEARCH_STORE) != 0) {
                storeDist = true;
            } else if (word(arg, "frommember") && i + 1 < remaining && search && !fromLonLat) {
                if (zset != null) {
                    memberPosition(argv[base + i + 1]);
                }
                fromMember = true;
                i++;
            } else if (word(arg, "fromlonlat") && i + 2 < remaining && search && !fromMember) {
                readLongLat(base + i + 1);
                fromLonLat = true;
                i += 2;
            } else if (word(arg, "byradius") && i + 2 < remaining && search && !byBox) {
                readDistance(base + i + 1);
                circle = true;
                byRadius = true;
                i += 2;
            } else if (word(arg, "bybox") && i + 3 < remaining && search && !byRadius) {
                readBox(base + i + 1);
                circle = false;
                byBox = true;
                i += 3;
            } else {
                throw new RespError(RespReplies.SYNTAX_ERROR);
            }
        }
        if (storeKey != null && (withDist || withHash || withCoords)) {
            throw new RespError("ERR " + ((flags & SEARCH_STORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
                    + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
        }
        if (search && !(fromMember || fromLonLat)) {
            throw new RespError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + RespReplies.ascii(argv[0]));
        }
        if (search && !(byRadius || byBox)) {
            throw new RespError("ERR exactly one of BYRADIUS and BYBOX can be specified for " + RespReplies.ascii(argv[0]));
        }
        if (any && count == 0) {
            throw new RespError("ERR the ANY argument requires COUNT argument");
        }
    }

    private void readLongLat(int at) {
        double[] xy = GeoCommands.longLat(argv[at], argv[at + 1]);
        longitude = xy[0];
        latitude = xy[1];
    }

    private void memberPosition(byte[] member) {
        double score = zset.score(member);
        if (Double.isNaN(score)) {
            throw new RespError("ERR could not decode requested zset member");
        }
        double[] xy = GeoHash.position(score);
        longitude = xy[0];
        latitude = xy[1];
    }

    private void readDistance(int at) {
        double distance = GeoCommands.number(argv[at], "ERR need numeric radius");
        if (distance < 0) {
            throw new RespError("ERR radius cannot be negative");
        }
        radius = distance;
        conversion = GeoCommands.unit(argv[at + 1]);
    }

    private void readBox(int at) {
        double w = GeoCommands.number(argv[at], "ERR need numeric width");
        double h = GeoCommands.number(argv[at + 1], "ERR need numeric height");
        if (h < 0 || w < 0) {
            throw new RespError("ERR height or width cannot be negative");
        }
        height = h;
        width = w;
        conversion = GeoCommands.unit(argv[at + 2]);
    }

    private Outcome search() {
        if (zset == null) {
            return storeKey != null ? new Outcome(null, storeKey, List.of()) : Outcome.reply(ArrayRedisMessage.EMPTY_INSTANCE);
        }
        if (count != 0 && sort == SORT_NONE && !any) {
            sort = SORT_ASC; // the closest N, as Redis: COUNT without an order sorts ascending
        }
        GeoShape shape = circle ? GeoShape.circle(longitude, latitude, conversion, radius)
                : GeoShape.box(longitude, latitude, conversion, width, height);
        Points found = find(zset, shape, any ? count : 0);
        if (found.size == 0 && storeKey == null) {
            return Outcome.reply(ArrayRedisMessage.EMPTY_INSTANCE);
        }
        int returned = (int) (count == 0 || found.size < count ? found.size : count);
        int[] order = found.order(sort == SORT_NONE ? 0 : sort == SORT_ASC ? 1 : -1, returned);
        if (storeKey == null) {
            return Outcome.reply(reply(found, order, returned));
        }
        List<ZSetValue.Entry> entries = new ArrayList<>(returned);
        for (int i = 0; i < returned; i++) {
            int p = order[i];
            entries.add(new ZSetValue.Entry(found.members[p], storeDist ? found.distances[p] / conversion : found.scores[p]));
        }
        return new Outcome(null, storeKey, entries);
    }

    /** The points found, in the order found: parallel arrays, no object per point (a search may find millions). */
    static final class Points {
        byte[][] members = new byte[16][];
        double[] longitudes = new double[16];
        double[] latitudes = new double[16];
        double[] distances = new double[16];
        double[] scores = new double[16];
        int size;

        void add(byte[] member, double lon, double lat, double distance, double score) {
            if (size == members.length) {
                int capacity = size * 2;
                members = Arrays.copyOf(members, capacity);
                longitudes = Arrays.copyOf(longitudes, capacity);
                latitudes = Arrays.copyOf(latitudes, capacity);
                distances = Arrays.copyOf(distances, capacity);
                scores = Arrays.copyOf(scores, capacity);
            }
            members[size] = member;
            longitudes[size] = lon;
            latitudes[size] = lat;
            distances[size] = distance;
            scores[size] = score;
            size++;
        }

        /**
         * The positions in reply order: as found ({@code direction} 0), or by distance ascending (1) or
         * descending (-1) as Redis sorts (a stable sort of all, or its partial quicksort when only the
         * first {@code returned} are kept).
         */
        int[] order(int direction, int returned) {
            if (direction != 0 && returned == size) {
                SlicedMergeSort stable = new SlicedMergeSort(size, (a, b) -> direction * ascending(a, b));
                while (!stable.step(1_000_000_000L)) {
                    // one step of the command (Redis sorts in one go too); the slices only bound each look at the clock
                }
                return stable.sorted();
            }
            int[] order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            if (direction != 0 && returned > 0) {
                PartialQuickSort.sort(order, (a, b) -> direction * ascending(a, b), 0, returned - 1);
            }
            return order;
        }

        /** Redis's sort_gp_asc: by distance, equal distances equal. */
        private int ascending(int a, int b) {
            return distances[a] > distances[b] ? 1 : distances[a] == distances[b] ? 0 : -1;
        }
    }

    /** The points of the set inside the shape, box by box in Redis's order, stopping at {@code limit} (ANY) when positive. */
    static Points find(ZSetValue z, GeoShape shape, long limit) {
        GeoHash.Box[] boxes = GeoHash.searchBoxes(shape);
        Points out = new Points();
        int lastProcessed = 0;
        for (int i = 0; i < boxes.length; i++) {
            GeoHash.Box box = boxes[i];
            if (box.none()) {
                continue;
            }
            // a huge radius makes neighbours equal: one equal to the box searched last is skipped (Redis compares
            // with the last one processed after the center only)
            if (lastProcessed != 0 && box.equals(boxes[lastProcessed])) {
                continue;
            }
            if (out.size > 0 && limit > 0 && out.size >= limit) {
                break;
            }
            inBox(z, box, shape, out, limit);
            lastProcessed = i;
        }
        return out;
    }

    private static void inBox(ZSetValue z, GeoHash.Box box, GeoShape shape, Points out, long limit) {
        ZSetValue.ScoreRange range = new ZSetValue.ScoreRange(box.minScore(), false, box.maxScore(), true);
        int from = z.firstRank(range);
        int to = z.lastRank(range);
        double[] xy = new double[2];
        ZSetValue.Visitor visitor = (member, score) -> {
            GeoHash.position(score, xy);
            double d = shape.distanceIfInside(xy[0], xy[1]);
            if (d == d) {
                out.add(member, xy[0], xy[1], d, score);
            }
        };
        if (limit <= 0) {
            z.visit(from, to, visitor);
            return;
        }
        for (int r = from; r <= to && out.size < limit; r++) {
            z.visit(r, r, visitor); // one at a time: ANY stops at the limit exactly, as Redis
        }
    }

    private RedisMessage reply(Points found, int[] order, int returned) {
        int options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
        if (options == 0) {
            List<byte[]> members = new ArrayList<>(returned);
            for (int i = 0; i < returned; i++) {
                members.add(found.members[order[i]]); // a sorted set's member arrays are never changed in place
            }
            return new BulkArrayReply(members);
        }
        List<RedisMessage> out = new ArrayList<>(returned);
        for (int i = 0; i < returned; i++) {
            int p = order[i];
            List<RedisMessage> item = new ArrayList<>(options + 1);
            item.add(bulk(found.members[p]));
            if (withDist) {
                item.add(bulk(GeoCommands.distanceText(found.distances[p] / conversion)));
            }
            if (withHash) {
                item.add(RespReplies.integer((long) found.scores[p]));
            }
            if (withCoords) {
                item.add(GeoCommands.coordinates(found.longitudes[p], found.latitudes[p]));
            }
            out.add(new ArrayRedisMessage(item));
        }
        return new ArrayRedisMessage(out);
    }
}
