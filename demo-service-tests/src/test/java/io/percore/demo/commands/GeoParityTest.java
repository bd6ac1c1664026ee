package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 30: the geospatial commands sent to a real redis-server 7.0.15 and to the demo (two shards,
 * sources and destinations of the STORE forms on both), every reply and error compared in RESP2 and
 * RESP3; then searches of every form around random centers over random points, compared member for
 * member, in Redis's order, with distances, hashes and coordinates as Redis prints them.
 *
 * <p>The one tolerance: Java's sin, cos and asin can differ from glibc's in the last bit, so a
 * distance printed with four decimals can differ by 0.0001 (about once in a million distances), and a
 * STOREDIST score (printed with 17 digits) in its last digits (within 10^-12 of it: asin near its ends
 * makes a few ulps of a few). Those are counted, bounded, and nothing else may differ.
 */
class GeoParityTest {

    private static RealRedis redis;
    private static TestServices demo;
    private static final Map<String, String> KEYS = new LinkedHashMap<>();
    private static final Pattern DISTANCE = Pattern.compile("-?\\d+\\.\\d{4}");

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
        String[][] placement = {{"g", "0"}, {"g1", "1"}, {"big", "0"}, {"dst", "1"}, {"dst0", "0"}, {"str", "1"}, {"nokey", "0"},
                {"nokey1", "1"}, {"z", "1"}, {"ties", "0"}, {"poles", "1"}};
        for (String[] p : placement) {
            KEYS.put(p[0], demo.keyOn(Integer.parseInt(p[1]), "geo:" + p[0] + ":"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    private static String[][] withKeys(String[][] commands) {
        String[][] out = new String[commands.length][];
        for (int i = 0; i < commands.length; i++) {
            out[i] = Arrays.stream(commands[i]).map(a -> KEYS.getOrDefault(a, a)).toArray(String[]::new);
        }
        return out;
    }

    private static void sameReplies(String[][] commands) throws IOException {
        String[][] resolved = withKeys(commands);
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, resolved, x -> x));
    }

    @Test
    void theSourcesAndDestinationsAreOnBothShards() {
        Set<Integer> shards = new HashSet<>();
        for (String k : List.of("g", "dst", "dst0", "g1")) {
            shards.add(demo.service.keyspace().shardOf(KEYS.get(k).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(shards).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void geoaddPositionsHashesAndDistancesAreRedises() throws IOException {
        sameReplies(new String[][] {
                {"DEL", "g", "str", "z"},
                {"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
                {"GEOADD", "g", "13.361389", "38.115556", "Palermo"},
                {"GEOADD", "g", "CH", "13.4", "38.1", "Palermo"},
                {"GEOADD", "g", "NX", "1", "1", "Palermo", "2", "2", "new"},
                {"GEOADD", "g", "XX", "CH", "13.361389", "38.115556", "Palermo", "3", "3", "nothere"},
                {"GEOADD", "g", "CH", "NX", "XX", "1", "1", "a"},
                {"GEOADD", "g", "XX", "NX", "1", "1", "a"},
                {"GEOADD", "g", "GT", "1", "1", "a"},
                {"GEOADD", "g", "CH", "CH", "CH"},
                {"GEOADD", "g", "1", "1"},
                {"GEOADD", "g", "1", "1", "a", "2"},
                {"GEOADD", "g", "abc", "1", "a"},
                {"GEOADD", "g", "1", "abc", "a"},
                {"GEOADD", "g", "1", "1", "a", "200", "1", "b"},
                {"GEOADD", "g", "180.5", "85.06", "a"},
                {"GEOADD", "g", "-0", "-100", "a"},
                {"GEOADD", "g", "0.0078125", "200.0078125", "a"},
                {"GEOADD", "g", "-inf", "0", "a"},
                {"GEOADD", "g", "nan", "0", "a"},
                {"GEOADD", "g", " 1", "0", "a"},
                {"GEOADD", "g", "0x10", "0x1p3", "hex"},
                {"GEOADD", "g", "180", "85.05112878", "northeast", "-180", "-85.05112878", "southwest", "0", "0", "origin"},
                {"ZRANGE", "g", "0", "-1", "WITHSCORES"},
                {"GEOPOS", "g", "Palermo", "nothere", "Catania", "northeast", "southwest", "origin", "hex"},
                {"GEOPOS", "nokey", "a", "b"},
                {"GEOHASH", "g", "Palermo", "nothere", "Catania", "northeast", "southwest", "origin"},
                {"GEOHASH", "nokey", "a"},
                {"GEODIST", "g", "Palermo", "Catania"},
                {"GEODIST", "g", "Palermo", "Catania", "km"},
                {"GEODIST", "g", "Palermo", "Catania", "KM"},
                {"GEODIST", "g", "Palermo", "Catania", "mi"},
                {"GEODIST", "g", "Palermo", "Catania", "ft"},
                {"GEODIST", "g", "Palermo", "Catania", "m"},
                {"GEODIST", "g", "Palermo", "Catania", "yards"},
                {"GEODIST", "g", "Palermo", "Catania", "km", "extra"},
                {"GEODIST", "g", "Palermo", "Palermo"},
                {"GEODIST", "g", "Palermo", "nothere"},
                {"GEODIST", "nokey", "a", "b"},
                {"GEODIST", "nokey", "a", "b", "yards"},
                {"GEODIST", "g", "northeast", "southwest"},
                // positions of scores GEOADD never writes: Redis decodes any score
                {"ZADD", "z", "-5", "neg", "1e20", "huge", "inf", "pinf", "-inf", "ninf", "1.5", "frac", "4503599627370496", "max",
                        "9007199254740992", "over", "1e300", "far", "-1e300", "nfar", "9223372036854775808", "two63"},
                {"GEOPOS", "z", "neg", "huge", "pinf", "ninf", "frac", "max", "over", "far", "nfar", "two63"},
                {"GEOHASH", "z", "neg", "huge", "pinf", "ninf", "frac", "max", "over", "far", "nfar", "two63"},
                {"GEODIST", "z", "neg", "huge"},
                {"GEODIST", "z", "pinf", "frac", "mi"},
                {"GEORADIUS", "z", "0", "0", "20000", "km", "WITHCOORD", "WITHHASH", "WITHDIST", "ASC"},
                {"SET", "str", "x"},
                {"GEOADD", "str", "1", "1", "a"},
                {"GEOPOS", "str", "a"},
                {"GEOHASH", "str", "a"},
                {"GEODIST", "str", "a", "b"},
                {"GEODIST", "str", "a", "b", "yards"},
                {"TYPE", "g"}});
    }

    @Test
    void searchesWithEveryOptionAndErrorAreRedises() throws IOException {
        List<String[]> c = new ArrayList<>(List.of(new String[][] {
                {"DEL", "g", "dst", "dst0", "str"},
                {"GEOADD", "g", "-73.9454966", "40.747533", "lic market", "-73.9733487", "40.7648057", "central park n/q/r",
                        "-73.9903085", "40.7362513", "union square", "-74.0131604", "40.7126674", "wtc one", "-73.7858139",
                        "40.6428986", "jfk", "-73.9375699", "40.7498929", "q4", "-73.9564142", "40.7480973", "4545"},
                {"SET", "str", "x"}}));
        String[][] searches = {
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "3", "km"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "3", "km", "ASC"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "DESC", "WITHDIST", "WITHHASH", "WITHCOORD"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT", "3"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT", "3", "ANY"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT", "3", "ANY", "DESC", "WITHDIST"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT", "2", "DESC"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT", "100"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "mi", "WITHDIST"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10000", "ft", "WITHDIST"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "0", "m"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "ANY"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT", "0"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT", "-1"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "COUNT", "x"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "WITHFOO"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "-1", "km"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "x", "km"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "yards"},
                {"GEORADIUS", "g", "x", "40.7598464", "10", "km"},
                {"GEORADIUS", "g", "-73.9798091", "95", "10", "km"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "STORE", "dst", "WITHDIST"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "STORE"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "STORE", "dst"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "STOREDIST", "dst0", "COUNT", "3"},
                {"ZRANGE", "dst0", "0", "-1", "WITHSCORES"},
                {"GEORADIUS", "g", "-73.9798091", "40.7598464", "10", "km", "STORE", "dst", "STOREDIST", "dst0", "DESC", "COUNT", "2"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"ZRANGE", "dst0", "0", "-1", "WITHSCORES"},
                {"GEORADIUS", "g", "0", "0", "1", "km", "STORE", "dst"},
                {"EXISTS", "dst"},
                {"GEORADIUS", "nokey", "0", "0", "1", "km", "STORE", "dst0"},
                {"EXISTS", "dst0"},
                {"GEORADIUS", "nokey", "0", "0", "1", "km"},
                {"GEORADIUS", "nokey", "0", "0", "-1", "km"},
                {"GEORADIUS", "str", "0", "0", "1", "km"},
                {"GEORADIUS", "str", "x", "0", "1", "km", "STORE", "dst"},
                {"GEORADIUS_RO", "g", "-73.9798091", "40.7598464", "10", "km", "WITHDIST", "ASC"},
                {"GEORADIUS_RO", "g", "-73.9798091", "40.7598464", "10", "km", "STORE", "dst"},
                {"GEORADIUSBYMEMBER", "g", "wtc one", "7", "km"},
                {"GEORADIUSBYMEMBER", "g", "wtc one", "7", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "COUNT", "4", "DESC"},
                {"GEORADIUSBYMEMBER", "g", "nothere", "7", "km"},
                {"GEORADIUSBYMEMBER", "g", "wtc one", "-7", "km"},
                {"GEORADIUSBYMEMBER", "nokey", "nothere", "x", "km", "WITHDIST"},
                {"GEORADIUSBYMEMBER", "nokey", "nothere", "x", "km", "STORE", "dst"},
                {"GEORADIUSBYMEMBER", "nokey", "nothere", "x", "km", "FOO"},
                {"GEORADIUSBYMEMBER", "g", "wtc one", "7", "km", "STOREDIST", "dst"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"GEORADIUSBYMEMBER_RO", "g", "wtc one", "7", "km", "ASC", "WITHDIST"},
                {"GEORADIUSBYMEMBER_RO", "g", "wtc one", "7", "km", "STOREDIST", "dst"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "6", "6", "km", "ASC"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "6", "6", "km", "WITHDIST", "WITHCOORD", "WITHHASH"},
                {"GEOSEARCH", "g", "FROMMEMBER", "wtc one", "BYBOX", "14", "14", "km"},
                {"GEOSEARCH", "g", "FROMMEMBER", "wtc one", "BYRADIUS", "7", "km", "COUNT", "2", "ANY"},
                {"GEOSEARCH", "g", "FROMMEMBER", "wtc one", "FROMMEMBER", "q4", "BYRADIUS", "7", "km"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "FROMMEMBER", "xxx", "BYBOX", "6", "6", "km"},
                {"GEOSEARCH", "g", "FROMMEMBER", "wtc one", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "6", "6", "km"},
                {"GEOSEARCH", "g", "BYBOX", "3", "3", "km", "ASC", "DESC", "WITHHASH", "WITHDIST", "WITHCOORD"},
                {"geosearch", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "ASC"},
                {"GeoSearch", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "ASC"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYRADIUS", "3", "km", "BYBOX", "3", "3", "km"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "3", "-3", "km"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "x", "3", "km"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "3", "x", "km"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "3", "3", "parsecs"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "3", "3"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "6", "6", "km", "STOREDIST"},
                {"GEOSEARCH", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYBOX", "6", "6", "km", "STORE", "dst"},
                {"GEOSEARCH", "g", "FROMMEMBER", "nothere", "BYRADIUS", "7", "km"},
                {"GEOSEARCH", "nokey", "FROMMEMBER", "nothere", "BYRADIUS", "7", "km"},
                {"GEOSEARCH", "nokey", "FROMMEMBER", "nothere"},
                {"GEOSEARCH", "nokey", "FROMLONLAT", "500", "0", "BYRADIUS", "7", "km"},
                {"GEOSEARCH", "str", "FROMMEMBER", "nothere", "BYRADIUS", "7", "km"},
                {"GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "7", "km"},
                {"GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYRADIUS", "5", "km"},
                {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
                {"GEOSEARCHSTORE", "dst0", "g", "FROMMEMBER", "q4", "BYBOX", "9", "9", "mi", "STOREDIST", "DESC", "COUNT", "3"},
                {"ZRANGE", "dst0", "0", "-1", "WITHSCORES"},
                {"GEOSEARCHSTORE", "dst0", "g", "FROMMEMBER", "q4", "BYBOX", "9", "9", "mi", "WITHDIST"},
                {"GEOSEARCHSTORE", "dst0", "g", "FROMMEMBER", "q4", "BYBOX", "9", "9", "mi", "STORE", "dst"},
                {"GEOSEARCHSTORE", "dst0", "g", "FROMMEMBER", "nothere", "BYBOX", "9", "9", "mi"},
                {"GEOSEARCHSTORE", "dst0", "g", "FROMLONLAT", "0", "0", "BYBOX", "9", "9", "mi"},
                {"EXISTS", "dst0"},
                {"GEOSEARCHSTORE", "dst0", "nokey", "FROMLONLAT", "0", "0", "BYBOX", "9", "9", "mi"},
                {"GEOSEARCHSTORE", "dst0", "str", "FROMLONLAT", "0", "0", "BYBOX", "9", "9", "mi"},
                {"GEOSEARCHSTORE", "str", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYRADIUS", "5", "km"},
                {"TYPE", "str"},
                {"EXPIRE", "dst", "100"},
                {"GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYRADIUS", "5", "km"},
                {"TTL", "dst"},
                {"GEOSEARCHSTORE", "g", "g", "FROMLONLAT", "-73.9798091", "40.7598464", "BYRADIUS", "5", "km"},
                {"ZRANGE", "g", "0", "-1", "WITHSCORES"}};
        c.addAll(List.of(searches));
        sameReplies(c.toArray(new String[0][]));
    }

    @Test
    void tiesHugeAreasPolesAndTheAntimeridianAreRedises() throws IOException {
        List<String[]> c = new ArrayList<>();
        c.add(new String[] {"DEL", "ties", "poles", "big"});
        // eleven members at one point and more on a ring: equal distances, kept and ordered as Redis's sorts keep them
        List<String> ties = new ArrayList<>(List.of("GEOADD", "ties"));
        for (int i = 0; i < 11; i++) {
            ties.addAll(List.of("10", "20", "same" + i));
        }
        for (int i = 0; i < 60; i++) {
            ties.addAll(List.of(Double.toString(10 + 0.01 * Math.cos(i * Math.PI / 30)), Double.toString(20 + 0.01 * Math.sin(i * Math.PI / 30)),
                    "ring" + i));
        }
        c.add(ties.toArray(new String[0]));
        for (String count : List.of("1", "3", "7", "11", "12", "40", "70", "71")) {
            c.add(new String[] {"GEORADIUS", "ties", "10", "20", "5", "km", "COUNT", count, "WITHDIST"});
            c.add(new String[] {"GEORADIUS", "ties", "10", "20", "5", "km", "COUNT", count, "DESC"});
            c.add(new String[] {"GEOSEARCH", "ties", "FROMMEMBER", "same3", "BYBOX", "5", "5", "km", "COUNT", count, "ASC"});
            c.add(new String[] {"GEOSEARCH", "ties", "FROMMEMBER", "same3", "BYRADIUS", "5", "km", "COUNT", count, "ANY"});
        }
        c.add(new String[] {"GEORADIUS", "ties", "10", "20", "5", "km", "ASC"});
        c.add(new String[] {"GEORADIUS", "ties", "10", "20", "5", "km", "DESC"});
        c.add(new String[] {"GEORADIUS", "ties", "10", "20", "5", "km"});
        c.add(new String[] {"GEOADD", "poles", "45", "65", "n1", "-135", "85.05", "n2", "179.5", "36", "east", "-179.5", "36", "west",
            "0", "-85.05", "south", "-0.15307903289794921875", "85", "p1", "0.3515625", "85.00019260486917005437", "p2"});
        for (String[] q : new String[][] {
                {"GEORADIUSBYMEMBER", "poles", "n1", "5009431", "m"},
                {"GEORADIUSBYMEMBER", "poles", "p1", "4891.94", "m"},
                {"GEOSEARCH", "poles", "FROMLONLAT", "179", "37", "BYBOX", "400", "400", "km", "ASC"},
                {"GEOSEARCH", "poles", "FROMLONLAT", "-179", "37", "BYBOX", "400", "400", "km", "ASC", "WITHCOORD"},
                {"GEOSEARCH", "poles", "FROMLONLAT", "0", "-85", "BYRADIUS", "100", "km", "WITHDIST"},
                {"GEORADIUS", "poles", "0", "0", "50000", "km", "WITHCOORD", "WITHHASH"},
                {"GEORADIUS", "poles", "0", "0", "100000000", "km", "ASC"},
                {"GEOSEARCH", "poles", "FROMLONLAT", "0", "0", "BYBOX", "100000", "100000", "km", "DESC"},
                {"GEOSEARCH", "poles", "FROMLONLAT", "0", "0", "BYBOX", "0", "0", "km"}}) {
            c.add(q);
        }
        sameReplies(c.toArray(new String[0][]));
    }

    // ------------------------------------------------------------------ random points and searches

    /** How the two replies of a search compare. */
    private static final class Tolerance {
        int lastDigitDistances;
        int storedDistanceScores;
    }

    @Test
    void randomSearchesOverRandomPointsAreRedises() throws IOException {
        long seed = System.nanoTime();
        System.out.println("GeoParityTest seed " + seed);
        Random random = new Random(seed);
        Tolerance tolerance = new Tolerance();
        int compared = 0;
        try (RespTestClient r = new RespTestClient(redis.port()); RespTestClient d = new RespTestClient(demo.respPort())) {
            for (String k : List.of("big", "g1")) {
                r.cmd("DEL", KEYS.get(k));
                d.cmd("DEL", KEYS.get(k));
            }
            // 3,000 points in a tree-encoded set, 100 in a compact one; some clustered, some at the edges of the grid
            List<String> members = new ArrayList<>();
            for (String[] target : new String[][] {{"big", "3000"}, {"g1", "100"}}) {
                int n = Integer.parseInt(target[1]);
                for (int from = 0; from < n; from += 500) {
                    List<String> add = new ArrayList<>(List.of("GEOADD", KEYS.get(target[0])));
                    for (int i = from; i < Math.min(n, from + 500); i++) {
                        double[] p = randomPoint(random);
                        String member = target[0] + ":" + i;
                        members.add(member);
                        add.addAll(List.of(coordinate(p[0]), coordinate(p[1]), member));
                    }
                    String[] cmd = add.toArray(new String[0]);
                    assertThat(d.cmd(cmd)).isEqualTo(r.cmd(cmd));
                }
                String[] range = {"ZRANGE", KEYS.get(target[0]), "0", "-1", "WITHSCORES"};
                assertThat(d.cmd(range)).as("the scores GEOADD stored").isEqualTo(r.cmd(range));
            }
            for (String proto : new String[] {"2", "3"}) {
                r.cmd("HELLO", proto);
                d.cmd("HELLO", proto);
                for (int q = 0; q < 250; q++) {
                    String key = random.nextInt(5) == 0 ? "g1" : "big";
                    String[] search = randomSearch(random, KEYS.get(key), key + ":" + random.nextInt(key.equals("big") ? 3000 : 100));
                    compare(r.cmd(search), d.cmd(search), "RESP" + proto + " seed " + seed + ": " + String.join(" ", search), tolerance);
                    compared++;
                    if (q % 10 == 0) {
                        String[] store = randomStore(random, search);
                        compare(r.cmd(store), d.cmd(store), "seed " + seed + ": " + String.join(" ", store), tolerance);
                        String[] read = {"ZRANGE", KEYS.get("dst0"), "0", "-1", "WITHSCORES"};
                        compareStored(r.cmd(read), d.cmd(read), "seed " + seed + ": " + String.join(" ", store), tolerance);
                    }
                }
                for (int i = 0; i < 300; i++) {
                    String[] dist = {"GEODIST", KEYS.get("big"), members.get(random.nextInt(3000)), members.get(random.nextInt(3000)),
                        pick(random, "m", "km", "mi", "ft")};
                    compare(r.cmd(dist), d.cmd(dist), "seed " + seed + ": " + String.join(" ", dist), tolerance);
                }
                List<String> pos = new ArrayList<>(List.of("GEOPOS", KEYS.get("big")));
                List<String> hash = new ArrayList<>(List.of("GEOHASH", KEYS.get("big")));
                for (int i = 0; i < 3000; i += 7) {
                    pos.add(members.get(i));
                    hash.add(members.get(i));
                }
                assertThat(d.cmd(pos.toArray(new String[0]))).isEqualTo(r.cmd(pos.toArray(new String[0])));
                assertThat(d.cmd(hash.toArray(new String[0]))).isEqualTo(r.cmd(hash.toArray(new String[0])));
            }
        }
        System.out.printf("GeoParityTest: %d searches compared; %d distances differed by 0.0001, %d STOREDIST scores in their last digits%n",
                compared, tolerance.lastDigitDistances, tolerance.storedDistanceScores);
        assertThat(tolerance.lastDigitDistances).as("distances one unit apart in the fourth decimal (last-bit trig differences)").isLessThanOrEqualTo(5);
    }

    private static double[] randomPoint(Random random) {
        switch (random.nextInt(10)) {
            case 0:
                return new double[] {random.nextBoolean() ? 180 - random.nextDouble() * 2 : -180 + random.nextDouble() * 2,
                    -85 + random.nextDouble() * 170};
            case 1:
                return new double[] {-180 + random.nextDouble() * 360, random.nextBoolean() ? 84 + random.nextDouble() : -85 + random.nextDouble()};
            case 2:
            case 3:
                return new double[] {2 + random.nextGaussian() * 0.5, 48 + random.nextGaussian() * 0.5};
            default:
                return new double[] {-180 + random.nextDouble() * 360, -85.05112878 + random.nextDouble() * 170.10225756};
        }
    }

    private static String coordinate(double d) {
        return String.format(Locale.ROOT, "%.9f", Math.max(-180, Math.min(180, d)));
    }

    private static String pick(Random random, String... options) {
        return options[random.nextInt(options.length)];
    }

    private static String[] randomSearch(Random random, String key, String member) {
        String unit = pick(random, "m", "km", "mi", "ft");
        double scale = switch (unit) {
            case "m" -> 1;
            case "km" -> 1000;
            case "mi" -> 1609.34;
            default -> 0.3048;
        };
        // radius from 100 m to 20,000 km, log-uniform, in the unit
        String radius = String.format(Locale.ROOT, "%.3f", Math.pow(10, 2 + random.nextDouble() * 5.3) / scale);
        String width = String.format(Locale.ROOT, "%.3f", Math.pow(10, 2 + random.nextDouble() * 5.3) / scale);
        String height = String.format(Locale.ROOT, "%.3f", Math.pow(10, 2 + random.nextDouble() * 5.3) / scale);
        double[] center = randomPoint(random);
        List<String> c = new ArrayList<>();
        switch (random.nextInt(6)) {
            case 0 -> c.addAll(List.of("GEORADIUS", key, coordinate(center[0]), coordinate(center[1]), radius, unit));
            case 1 -> c.addAll(List.of("GEORADIUS_RO", key, coordinate(center[0]), coordinate(center[1]), radius, unit));
            case 2 -> c.addAll(List.of("GEORADIUSBYMEMBER", key, member, radius, unit));
            case 3 -> c.addAll(List.of("GEOSEARCH", key, "FROMLONLAT", coordinate(center[0]), coordinate(center[1]), "BYRADIUS", radius, unit));
            case 4 -> c.addAll(List.of("GEOSEARCH", key, "FROMMEMBER", member, "BYBOX", width, height, unit));
            default -> c.addAll(List.of("GEOSEARCH", key, "FROMLONLAT", coordinate(center[0]), coordinate(center[1]), "BYBOX", width, height, unit));
        }
        if (random.nextBoolean()) {
            c.add("WITHDIST");
        }
        if (random.nextInt(3) == 0) {
            c.add("WITHCOORD");
        }
        if (random.nextInt(3) == 0) {
            c.add("WITHHASH");
        }
        switch (random.nextInt(4)) {
            case 0 -> c.add("ASC");
            case 1 -> c.add("DESC");
            default -> { }
        }
        if (random.nextInt(3) == 0) {
            c.addAll(List.of("COUNT", Integer.toString(1 + random.nextInt(random.nextBoolean() ? 10 : 500))));
            if (random.nextInt(3) == 0) {
                c.add("ANY");
            }
        }
        return c.toArray(new String[0]);
    }

    /** The same search stored: GEOSEARCHSTORE for GEOSEARCH, STORE/STOREDIST for the others, into dst0 (the other shard's, for big). */
    private static String[] randomStore(Random random, String[] search) {
        List<String> options = new ArrayList<>();
        for (String a : search) {
            if (!a.startsWith("WITH")) {
                options.add(a);
            }
        }
        boolean dist = random.nextBoolean();
        String name = options.get(0);
        if (name.equals("GEOSEARCH")) {
            options.set(0, "GEOSEARCHSTORE");
            options.add(1, KEYS.get("dst0"));
            if (dist) {
                options.add("STOREDIST");
            }
        } else {
            options.set(0, name.replace("_RO", ""));
            options.addAll(List.of(dist ? "STOREDIST" : "STORE", KEYS.get("dst0")));
        }
        return options.toArray(new String[0]);
    }

    private static void compare(Object redis, Object ours, String what, Tolerance tolerance) {
        if (!same(redis, ours, tolerance)) {
            assertThat(ours).as(what).isEqualTo(redis);
        }
    }

    /** Equal, or equal but for distances one unit apart in their fourth decimal (counted). */
    private static boolean same(Object redis, Object ours, Tolerance tolerance) {
        if (redis instanceof String a && ours instanceof String b && !a.equals(b) && DISTANCE.matcher(a).matches() && DISTANCE.matcher(b).matches()) {
            if (Math.abs(new java.math.BigDecimal(a).subtract(new java.math.BigDecimal(b)).doubleValue()) <= 0.0001) {
                tolerance.lastDigitDistances++;
                return true;
            }
            return false;
        }
        if (redis instanceof List<?> a && ours instanceof List<?> b && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i), tolerance)) {
                    return false;
                }
            }
            return true;
        }
        return java.util.Objects.equals(redis, ours);
    }

    /** ZRANGE WITHSCORES of a stored result: members in the same order; scores equal, or within a few ulps for distances. */
    private static void compareStored(Object redis, Object ours, String what, Tolerance tolerance) {
        if (java.util.Objects.equals(redis, ours)) {
            return;
        }
        List<?> a = (List<?>) redis;
        List<?> b = (List<?>) ours;
        assertThat(b).as(what).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            if (x instanceof List<?> pa && y instanceof List<?> pb) { // RESP3 pairs
                assertThat(pb.get(0)).as(what).isEqualTo(pa.get(0));
                x = pa.get(1);
                y = pb.get(1);
            } else if (i % 2 == 0) {
                assertThat(y).as(what).isEqualTo(x);
                continue;
            }
            double dx = Double.parseDouble(x instanceof RespTestClient.Double3 d3 ? d3.text() : (String) x);
            double dy = Double.parseDouble(y instanceof RespTestClient.Double3 d3 ? d3.text() : (String) y);
            if (dx != dy) {
                // a last-bit difference of sin/cos/asin grows through asin near its ends (points near the antipode)
                assertThat(Math.abs(dx - dy)).as(what + ": a stored distance").isLessThanOrEqualTo(1e-12 * Math.max(1, Math.abs(dx)));
                tolerance.storedDistanceScores++;
            }
        }
    }
}
