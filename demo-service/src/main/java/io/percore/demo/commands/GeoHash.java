package io.percore.demo.commands;

/**
 * Redis's geohash ({@code geohash.c}, {@code geohash_helper.c}): a position is a 52-bit score, the
 * latitude's and longitude's 26-bit fixed-point offsets interleaved (latitude in the even bits),
 * within Redis's limits (EPSG:900913: latitudes ±85.05112878); a search area is the box of the
 * center's hash at a step fitting the radius, plus its eight neighbours, less those the area does not
 * reach; distances are Redis's haversine on a sphere of 6,372,797.560856 m. The arithmetic is Redis's
 * in the same order, so scores, coordinates and box edges come out bit for bit as redis-server's; the
 * trigonometric functions are Java's, which can differ from glibc's in the last bit (distances
 * printed to 4 decimals differ about once in a million).
 */
final class GeoHash {

    static final int STEP_MAX = 26;
    static final double LAT_MIN = -85.05112878;
    static final double LAT_MAX = 85.05112878;
    static final double LONG_MIN = -180;
    static final double LONG_MAX = 180;
    static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
    private static final double MERCATOR_MAX = 20037726.37;
    private static final double D_R = Math.PI / 180.0;
    private static final String ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

    private GeoHash() {
    }

    /** A box of the grid: {@code step} bits of each coordinate, interleaved ({@code bits == 0 && step == 0}: none). */
    record Box(long bits, int step) {
        static final Box NONE = new Box(0, 0);

        boolean none() {
            return bits == 0 && step == 0;
        }

        /** The scores of the positions inside it: {@code [min, max)} at 52 bits. */
        long minScore() {
            return bits << (52 - step * 2);
        }

        long maxScore() {
            return (bits + 1) << (52 - step * 2);
        }
    }

    /** A box's extent in degrees. */
    record Area(double lonMin, double lonMax, double latMin, double latMax) {
    }

    static double degRad(double degrees) {
        return degrees * D_R;
    }

    static double radDeg(double radians) {
        return radians / D_R;
    }

    // ------------------------------------------------------------------ encoding

    /**
     * The box of {@code step} bits holding a position, within the given ranges; null outside Redis's
     * limits (which GEOADD's arguments were checked against already).
     */
    static Box encode(double lonMin, double lonMax, double latMin, double latMax, double longitude, double latitude, int step) {
        if (longitude > LONG_MAX || longitude < LONG_MIN || latitude > LAT_MAX || latitude < LAT_MIN) {
            return null;
        }
        if (latitude < latMin || latitude > latMax || longitude < lonMin || longitude > lonMax) {
            return null;
        }
        double latOffset = (latitude - latMin) / (latMax - latMin);
        double longOffset = (longitude - lonMin) / (lonMax - lonMin);
        latOffset *= (double) (1L << step);
        longOffset *= (double) (1L << step);
        // C converts each to uint32_t: truncation; the maximum itself is 2^step, one bit past the others
        return new Box(interleave((long) latOffset & 0xFFFFFFFFL, (long) longOffset & 0xFFFFFFFFL), step);
    }

    static Box encodeWgs84(double longitude, double latitude, int step) {
        return encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, longitude, latitude, step);
    }

    /** GEOADD's score of a position (already within the limits). */
    static long score(double longitude, double latitude) {
        return encodeWgs84(longitude, latitude, STEP_MAX).minScore();
    }

    /** The bits of {@code x} in the even positions, those of {@code y} in the odd ones (low 32 bits of each). */
    static long interleave(long x, long y) {
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFL;
        y = (y | (y << 16)) & 0x0000FFFF0000FFFFL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFL;
        y = (y | (y << 8)) & 0x00FF00FF00FF00FFL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x << 2)) & 0x3333333333333333L;
        y = (y | (y << 2)) & 0x3333333333333333L;
        x = (x | (x << 1)) & 0x5555555555555555L;
        y = (y | (y << 1)) & 0x5555555555555555L;
        return x | (y << 1);
    }

    /** The even bits gathered in the low 32 bits, the odd ones in the high 32. */
    static long deinterleave(long interleaved) {
        long x = interleaved;
        long y = interleaved >>> 1;
        x = x & 0x5555555555555555L;
        y = y & 0x5555555555555555L;
        x = (x | (x >>> 1)) & 0x3333333333333333L;
        y = (y | (y >>> 1)) & 0x3333333333333333L;
        x = (x | (x >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x >>> 4)) & 0x00FF00FF00FF00FFL;
        y = (y | (y >>> 4)) & 0x00FF00FF00FF00FFL;
        x = (x | (x >>> 8)) & 0x0000FFFF0000FFFFL;
        y = (y | (y >>> 8)) & 0x0000FFFF0000FFFFL;
        x = (x | (x >>> 16)) & 0x00000000FFFFFFFFL;
        y = (y | (y >>> 16)) & 0x00000000FFFFFFFFL;
        return x | (y << 32);
    }

    // ------------------------------------------------------------------ decoding

    static Area decode(double lonMin, double lonMax, double latMin, double latMax, Box box) {
        long separated = deinterleave(box.bits());
        double latScale = latMax - latMin;
        double longScale = lonMax - lonMin;
        long latIndex = separated & 0xFFFFFFFFL;
        long lonIndex = separated >>> 32;
        double cells = (double) (1L << box.step());
        // (index + 1) is 32-bit arithmetic in C: it wraps for an all-ones index
        return new Area(
                lonMin + (lonIndex * 1.0 / cells) * longScale,
                lonMin + (((lonIndex + 1) & 0xFFFFFFFFL) * 1.0 / cells) * longScale,
                latMin + (latIndex * 1.0 / cells) * latScale,
                latMin + (((latIndex + 1) & 0xFFFFFFFFL) * 1.0 / cells) * latScale);
    }

    static Area decodeWgs84(Box box) {
        return decode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, box);
    }

    /**
     * The position a sorted-set score stands for ({@code decodeGeohash}): the center of its box,
     * within the limits. Any score decodes, as in Redis: it is converted to a 64-bit unsigned integer
     * the way x86-64 code compiled by gcc converts it.
     */
    static double[] position(double score) {
        double[] xy = new double[2];
        position(score, xy);
        return xy;
    }

    /** {@link #position(double)} into {@code xy} (a search decodes millions of scores). */
    static void position(double score, double[] xy) {
        Area a = decodeWgs84(new Box(unsigned(score), STEP_MAX));
        xy[0] = Math.min(LONG_MAX, Math.max(LONG_MIN, (a.lonMin() + a.lonMax()) / 2));
        xy[1] = Math.min(LAT_MAX, Math.max(LAT_MIN, (a.latMin() + a.latMax()) / 2));
    }

    /** C's {@code (uint64_t) d} on x86-64: truncation; negatives and NaN wrap through the "indefinite" 2^63, 2^64 and above give 0. */
    static long unsigned(double d) {
        if (d >= 0x1p64) {
            return 0;
        }
        if (d >= 0x1p63) {
            return ((long) (d - 0x1p63)) ^ Long.MIN_VALUE;
        }
        if (d != d) {
            return Long.MIN_VALUE;
        }
        return (long) d; // (-2^63, 2^63) truncates; -2^63 and below are Long.MIN_VALUE, as cvttsd2si's indefinite value
    }

    /** GEOHASH's 11 characters: the position re-encoded over the standard ranges (±90 latitude), the last character 0. */
    static String standardGeohash(double[] lonLat) {
        Box box = encode(-180, 180, -90, 90, lonLat[0], lonLat[1], STEP_MAX);
        long bits = box.bits();
        char[] out = new char[11];
        for (int i = 0; i < 11; i++) {
            int index = i == 10 ? 0 : (int) ((bits >>> (52 - ((i + 1) * 5))) & 0x1f);
            out[i] = ALPHABET.charAt(index);
        }
        return new String(out);
    }

    // ------------------------------------------------------------------ neighbours

    private static Box moveX(Box box, int d) {
        return step(box, d, 0xaaaaaaaaaaaaaaaaL, 0x5555555555555555L);
    }

    private static Box moveY(Box box, int d) {
        return step(box, d, 0x5555555555555555L, 0xaaaaaaaaaaaaaaaaL);
    }

    /**
     * The box one cell further ({@code d} 1) or back (-1) along the coordinate in the {@code moved} bits
     * (odd: longitude, even: latitude), wrapping around: Redis's {@code geohash_move_x}/{@code _y}, which
     * fill the other coordinate's bits with ones so a carry or borrow runs through them.
     */
    private static Box step(Box box, int d, long moved, long kept) {
        if (d == 0) {
            return box;
        }
        long m = box.bits() & moved;
        long k = box.bits() & kept;
        long zz = kept >>> (64 - box.step() * 2);
        if (d > 0) {
            m = m + (zz + 1);
        } else {
            m = m | zz;
            m = m - (zz + 1);
        }
        m &= moved >>> (64 - box.step() * 2);
        return new Box(m | k, box.step());
    }

    private static Box move(Box box, int dx, int dy) {
        return moveY(moveX(box, dx), dy);
    }

    // ------------------------------------------------------------------ distances

    /** Distance along a meridian. */
    static double latDistance(double lat1d, double lat2d) {
        return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
    }

    /** Redis's haversine great-circle distance in meters. */
    static double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
        double lon1r = degRad(lon1d);
        double lon2r = degRad(lon2d);
        double v = Math.sin((lon2r - lon1r) / 2);
        if (v == 0.0) {
            return latDistance(lat1d, lat2d);
        }
        double lat1r = degRad(lat1d);
        double lat2r = degRad(lat2d);
        double u = Math.sin((lat2r - lat1r) / 2);
        double a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
    }

    // ------------------------------------------------------------------ search areas

    /** The step whose boxes are about the size of the radius, smaller toward the poles. */
    static int stepsForRadius(double rangeMeters, double lat) {
        if (rangeMeters == 0) {
            return 26;
        }
        int step = 1;
        while (rangeMeters < MERCATOR_MAX) {
            rangeMeters *= 2;
            step++;
        }
        step -= 2;
        if (lat > 66 || lat < -66) {
            step--;
            if (lat > 80 || lat < -80) {
                step--;
            }
        }
        return Math.max(1, Math.min(26, step));
    }

    /**
     * The boxes to search for {@code shape}, in Redis's order (center, north, south, east, west,
     * north-east, north-west, south-east, south-west), {@link Box#NONE} for those left out.
     */
    static Box[] searchBoxes(GeoShape shape) {
        double[] bounds = shape.bounds();
        double minLon = bounds[0];
        double minLat = bounds[1];
        double maxLon = bounds[2];
        double maxLat = bounds[3];
        double longitude = shape.longitude();
        double latitude = shape.latitude();
        int steps = stepsForRadius(shape.radiusMeters(), latitude);
        Box hash = encodeWgs84(longitude, latitude, steps);
        Box[] n = neighbours(hash);
        Area area = decodeWgs84(hash);
        Area north = decodeWgs84(n[1]);
        Area south = decodeWgs84(n[2]);
        Area east = decodeWgs84(n[3]);
        Area west = decodeWgs84(n[4]);
        boolean decrease = north.latMax() < maxLat || south.latMin() > minLat || east.lonMax() < maxLon || west.lonMin() > minLon;
        if (steps > 1 && decrease) {
            steps--;
            hash = encodeWgs84(longitude, latitude, steps);
            n = neighbours(hash);
            area = decodeWgs84(hash);
        }
        if (steps >= 2) {
            if (area.latMin() < minLat) {
                n[2] = Box.NONE;
                n[8] = Box.NONE;
                n[7] = Box.NONE;
            }
            if (area.latMax() > maxLat) {
                n[1] = Box.NONE;
                n[5] = Box.NONE;
                n[6] = Box.NONE;
            }
            if (area.lonMin() < minLon) {
                n[4] = Box.NONE;
                n[8] = Box.NONE;
                n[6] = Box.NONE;
            }
            if (area.lonMax() > maxLon) {
                n[3] = Box.NONE;
                n[7] = Box.NONE;
                n[5] = Box.NONE;
            }
        }
        return n;
    }

    /** The box and its eight neighbours: center, north, south, east, west, north-east, north-west, south-east, south-west. */
    private static Box[] neighbours(Box hash) {
        return new Box[] {hash, move(hash, 0, 1), move(hash, 0, -1), move(hash, 1, 0), move(hash, -1, 0),
            move(hash, 1, 1), move(hash, -1, 1), move(hash, 1, -1), move(hash, -1, -1)};
    }
}
