package io.percore.net.server;

import java.util.List;
import java.util.Objects;

/**
 * The bounded labels a protocol gives the requests it counts: one dimension for what the request
 * is (a RESP command's group, an HTTP method) and one for how it ended (ok/error, an HTTP status),
 * each with the tag name it is published under. Fixed when the server starts, so the number of
 * series a server publishes is known up front ({@code shards × kinds × outcomes}), whatever peers
 * send: a protocol maps anything it does not know to one of its own labels (e.g. "unknown").
 */
public final class RequestKinds {

    /** Most labels in either dimension, so a protocol cannot publish an unbounded number of series. */
    public static final int MAX_LABELS = 64;

    private final String kindTag;
    private final List<String> kinds;
    private final String outcomeTag;
    private final List<String> outcomes;

    private RequestKinds(String kindTag, List<String> kinds, String outcomeTag, List<String> outcomes) {
        this.kindTag = kindTag;
        this.kinds = kinds;
        this.outcomeTag = outcomeTag;
        this.outcomes = outcomes;
    }

    /**
     * @throws IllegalArgumentException for an empty, duplicated or too long list, or a tag named like a Prometheus
     *                                  reserved label
     */
    public static RequestKinds of(String kindTag, List<String> kinds, String outcomeTag, List<String> outcomes) {
        return new RequestKinds(tag(kindTag), labels(kindTag, kinds), tag(outcomeTag), labels(outcomeTag, outcomes));
    }

    private static String tag(String tag) {
        Objects.requireNonNull(tag, "tag");
        if (!tag.matches("[a-z][a-z0-9_]*") || tag.equals("le") || tag.equals("quantile")) {
            throw new IllegalArgumentException("Request tag '" + tag + "' must match [a-z][a-z0-9_]* and not be le or quantile");
        }
        return tag;
    }

    private static List<String> labels(String tag, List<String> labels) {
        List<String> copy = List.copyOf(labels);
        if (copy.isEmpty() || copy.size() > MAX_LABELS || copy.stream().distinct().count() != copy.size()) {
            throw new IllegalArgumentException("Labels of '" + tag + "' must be 1 to " + MAX_LABELS + " distinct values, got " + copy);
        }
        return copy;
    }

    public String kindTag() {
        return kindTag;
    }

    public List<String> kinds() {
        return kinds;
    }

    public String outcomeTag() {
        return outcomeTag;
    }

    public List<String> outcomes() {
        return outcomes;
    }

    /** The index of {@code kind}. @throws IllegalArgumentException when it is not one of the kinds */
    public int kind(String kind) {
        return indexOf(kinds, kindTag, kind);
    }

    /** The index of {@code outcome}. @throws IllegalArgumentException when it is not one of the outcomes */
    public int outcome(String outcome) {
        return indexOf(outcomes, outcomeTag, outcome);
    }

    private static int indexOf(List<String> labels, String tag, String label) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("'" + label + "' is not a " + tag + " (" + labels + ")");
        }
        return i;
    }

    @Override
    public String toString() {
        return kindTag + "=" + kinds + ", " + outcomeTag + "=" + outcomes;
    }
}
