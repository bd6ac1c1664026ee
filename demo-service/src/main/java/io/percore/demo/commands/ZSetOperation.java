package io.percore.demo.commands;

import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.ZSetValue.Entry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.percore.demo.resp.RespDoubles;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * One ZUNION, ZINTER, ZDIFF (and their STORE forms) or ZINTERCARD: its arguments, parsed as Redis's
 * {@code zunionInterDiffGenericCommand} does (numkeys, WEIGHTS, AGGREGATE, WITHSCORES, LIMIT),
 * and the computation over the sources' contents, with Redis's arithmetic: sources combined from
 * the smallest (ties in argument order), a weighted score that is NaN becomes 0, as does a sum
 * of +inf and -inf. A plain set takes part with score 1 for each member.
 */
final class ZSetOperation {

    enum Op { UNION, INTER, DIFF }

    enum Aggregate { SUM, MIN, MAX }

    /** A source's contents, read on its shard: members with their scores, in the source's order. */
    record Source(byte[] key, byte[][] members, double[] scores) {
        int size() {
            return members.length;
        }
    }

    final Op op;
    final List<byte[]> keys;
    final double[] weights;
    final Aggregate aggregate;
    final boolean withScores;
    final long limit;
    /** An option error Redis reports only after it has checked the sources' types. */
    final RespError optionError;

    private ZSetOperation(Op op, List<byte[]> keys, double[] weights, Aggregate aggregate, boolean withScores, long limit,
                          RespError optionError) {
        this.op = op;
        this.keys = keys;
        this.weights = weights;
        this.aggregate = aggregate;
        this.withScores = withScores;
        this.limit = limit;
        this.optionError = optionError;
    }

    /**
     * Parses {@code argv} from the numkeys at {@code numkeysIndex}. The numkeys errors are thrown;
     * an option error is kept in {@link #optionError}, because Redis reports WRONGTYPE first.
     *
     * @param store       a STORE form (no WITHSCORES)
     * @param cardinality ZINTERCARD (LIMIT, no WEIGHTS/AGGREGATE/WITHSCORES)
     */
    static ZSetOperation parse(byte[][] argv, int numkeysIndex, Op op, boolean store, boolean cardinality, String name) {
        long setnum = RespNumbers.requireLong(argv[numkeysIndex]);
        if (setnum < 1) {
            throw new RespError("ERR at least 1 input key is needed for '" + name + "' command");
        }
        if (setnum > argv.length - (numkeysIndex + 1)) {
            throw new RespError(RespReplies.SYNTAX_ERROR);
        }
        int n = (int) setnum;
        List<byte[]> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(argv[numkeysIndex + 1 + i]);
        }
        double[] weights = new double[n];
        Arrays.fill(weights, 1.0);
        Aggregate aggregate = Aggregate.SUM;
        boolean withScores = false;
        long limit = 0;
        RespError error = null;
        int j = numkeysIndex + 1 + n;
        try {
            while (j < argv.length) {
                int remaining = argv.length - j;
                String opt = RespReplies.ascii(argv[j]);
                if (op != Op.DIFF && !cardinality && remaining >= n + 1 && opt.equalsIgnoreCase("weights")) {
                    j++;
                    for (int i = 0; i < n; i++, j++) {
                        weights[i] = RespDoubles.parse(argv[j]);
                        if (Double.isNaN(weights[i])) {
                            throw new RespError("ERR weight value is not a float");
                        }
                    }
                } else if (op != Op.DIFF && !cardinality && remaining >= 2 && opt.equalsIgnoreCase("aggregate")) {
                    String agg = RespReplies.ascii(argv[j + 1]);
                    if (agg.equalsIgnoreCase("sum")) {
                        aggregate = Aggregate.SUM;
                    } else if (agg.equalsIgnoreCase("min")) {
                        aggregate = Aggregate.MIN;
                    } else if (agg.equalsIgnoreCase("max")) {
                        aggregate = Aggregate.MAX;
                    } else {
                        throw new RespError(RespReplies.SYNTAX_ERROR);
                    }
                    j += 2;
                } else if (!store && !cardinality && opt.equalsIgnoreCase("withscores")) {
                    withScores = true;
                    j++;
                } else if (cardinality && remaining >= 2 && opt.equalsIgnoreCase("limit")) {
                    limit = RespNumbers.isLong(argv[j + 1]) ? RespNumbers.parseLong(argv[j + 1]) : -1;
                    if (limit < 0) {
                        throw new RespError("ERR LIMIT can't be negative");
                    }
                    j += 2;
                } else {
                    throw new RespError(RespReplies.SYNTAX_ERROR);
                }
            }
        } catch (RespError e) {
            error = e;
        }
        return new ZSetOperation(op, keys, weights, aggregate, withScores, limit, error);
    }

    /** One source with its weight, for the sort by size that Redis does before a union or intersection. */
    private record Weighted(Source source, double weight) {
        int size() {
            return source == null ? 0 : source.size();
        }
    }

    private List<Weighted> weighted(List<Source> sources) {
        List<Weighted> out = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            out.add(new Weighted(sources.get(i), weights[i]));
        }
        if (op != Op.DIFF) {
            out.sort(Comparator.comparingInt(Weighted::size)); // stable: ties keep argument order
        }
        return out;
    }

    private double aggregate(double target, double value) {
        switch (aggregate) {
            case SUM -> {
                double sum = target + value;
                return Double.isNaN(sum) ? 0.0 : sum;
            }
            case MIN -> {
                return value < target ? value : target;
            }
            default -> {
                return value > target ? value : target;
            }
        }
    }

    private static Map<ByteString, Double> scoresOf(Source s) {
        Map<ByteString, Double> map = new HashMap<>(s.size() * 2);
        for (int i = 0; i < s.size(); i++) {
            map.put(new ByteString(s.members()[i]), s.scores()[i]);
        }
        return map;
    }

    /** The result's entries, unsorted: each member once with its combined score. */
    List<Entry> compute(List<Source> sources) {
        return switch (op) {
            case UNION -> union(weighted(sources));
            case INTER -> inter(weighted(sources), Long.MAX_VALUE);
            case DIFF -> diff(sources);
        };
    }

    /** ZINTERCARD: the size of the intersection, stopping at the limit (0: none). */
    long cardinality(List<Source> sources) {
        return inter(weighted(sources), limit == 0 ? Long.MAX_VALUE : limit).size();
    }

    private List<Entry> union(List<Weighted> sources) {
        LinkedHashMap<ByteString, double[]> acc = new LinkedHashMap<>();
        for (Weighted w : sources) {
            Source s = w.source();
            if (s == null) {
                continue;
            }
            for (int i = 0; i < s.size(); i++) {
                double score = w.weight() * s.scores()[i];
                if (Double.isNaN(score)) {
                    score = 0;
                }
                double[] existing = acc.putIfAbsent(new ByteString(s.members()[i]), new double[] {score});
                if (existing != null) {
                    existing[0] = aggregate(existing[0], score);
                }
            }
        }
        List<Entry> out = new ArrayList<>(acc.size());
        acc.forEach((m, score) -> out.add(new Entry(m.bytes(), score[0])));
        return out;
    }

    private List<Entry> inter(List<Weighted> sources, long stopAt) {
        List<Entry> out = new ArrayList<>();
        Weighted first = sources.get(0);
        if (first.size() == 0) {
            return out;
        }
        List<Map<ByteString, Double>> others = new ArrayList<>();
        for (int j = 1; j < sources.size(); j++) {
            Source s = sources.get(j).source();
            others.add(sameKey(s, first.source()) ? null : scoresOf(s));
        }
        Source s0 = first.source();
        for (int i = 0; i < s0.size() && out.size() < stopAt; i++) {
            double score = first.weight() * s0.scores()[i];
            if (Double.isNaN(score)) {
                score = 0;
            }
            ByteString member = new ByteString(s0.members()[i]);
            boolean everywhere = true;
            for (int j = 1; j < sources.size() && everywhere; j++) {
                Map<ByteString, Double> other = others.get(j - 1);
                if (other == null) { // the same key again: its own score, weighted
                    score = aggregate(score, s0.scores()[i] * sources.get(j).weight());
                } else {
                    Double value = other.get(member);
                    if (value == null) {
                        everywhere = false;
                    } else {
                        score = aggregate(score, value * sources.get(j).weight());
                    }
                }
            }
            if (everywhere) {
                out.add(new Entry(member.bytes(), score));
            }
        }
        return out;
    }

    private List<Entry> diff(List<Source> sources) {
        Source first = sources.get(0);
        List<Entry> out = new ArrayList<>();
        if (first == null || first.size() == 0) {
            return out;
        }
        Set<ByteString> removed = new HashSet<>();
        for (int j = 1; j < sources.size(); j++) {
            Source s = sources.get(j);
            if (sameKey(s, first)) {
                return out; // a source minus itself
            }
            if (s != null) {
                for (byte[] m : s.members()) {
                    removed.add(new ByteString(m));
                }
            }
        }
        for (int i = 0; i < first.size(); i++) {
            if (!removed.contains(new ByteString(first.members()[i]))) {
                out.add(new Entry(first.members()[i], first.scores()[i]));
            }
        }
        return out;
    }

    private static boolean sameKey(Source a, Source b) {
        return a != null && b != null && Arrays.equals(a.key(), b.key());
    }
}
