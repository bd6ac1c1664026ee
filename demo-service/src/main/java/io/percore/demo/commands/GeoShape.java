package io.percore.demo.commands;

/**
 * The area of a geo search ({@code GeoShape} in Redis's {@code geohash.h}): a circle of {@code radius}
 * or a box of {@code width} × {@code height} around a center, in a unit that is {@code conversion}
 * meters.
 */
record GeoShape(boolean circle, double longitude, double latitude, double conversion, double radius, double width, double height) {

    static GeoShape circle(double longitude, double latitude, double conversion, double radius) {
        return new GeoShape(true, longitude, latitude, conversion, radius, 0, 0);
    }

    static GeoShape box(double longitude, double latitude, double conversion, double width, double height) {
        return new GeoShape(false, longitude, latitude, conversion, 0, width, height);
    }

    GeoShape at(double lon, double lat) {
        return new GeoShape(circle, lon, lat, conversion, radius, width, height);
    }

    /** Redis's {@code geohashBoundingBox}: min longitude, min latitude, max longitude, max latitude. */
    double[] bounds() {
        double h = conversion * (circle ? radius : height / 2);
        double w = conversion * (circle ? radius : width / 2);
        double latDelta = GeoHash.radDeg(h / GeoHash.EARTH_RADIUS_IN_METERS);
        double longDeltaTop = GeoHash.radDeg(w / GeoHash.EARTH_RADIUS_IN_METERS / Math.cos(GeoHash.degRad(latitude + latDelta)));
        double longDeltaBottom = GeoHash.radDeg(w / GeoHash.EARTH_RADIUS_IN_METERS / Math.cos(GeoHash.degRad(latitude - latDelta)));
        boolean southern = latitude < 0;
        return new double[] {
            southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
            latitude - latDelta,
            southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
            latitude + latDelta};
    }

    /** The radius that decides the boxes' size: the circle's, or the box's half diagonal, in meters. */
    double radiusMeters() {
        double r = circle ? radius : Math.sqrt((width / 2) * (width / 2) + (height / 2) * (height / 2));
        return r * conversion;
    }

    /**
     * The distance in meters from the center to a position inside the shape, or NaN when it is
     * outside ({@code geoWithinShape}).
     */
    double distanceIfInside(double lon, double lat) {
        if (circle) {
            double d = GeoHash.distance(longitude, latitude, lon, lat);
            return d > radius * conversion ? Double.NaN : d;
        }
        double widthM = width * conversion;
        double heightM = height * conversion;
        if (GeoHash.latDistance(lat, latitude) > heightM / 2) {
            return Double.NaN;
        }
        if (GeoHash.distance(lon, lat, longitude, lat) > widthM / 2) {
            return Double.NaN;
        }
        return GeoHash.distance(longitude, latitude, lon, lat);
    }
}
