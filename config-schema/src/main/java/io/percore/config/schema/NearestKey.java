package io.percore.config.schema;

import io.percore.config.PropertyNames;
import java.util.Collection;
import java.util.Locale;

/**
 * Finds the known name closest to a mistyped one: first by spelling form (Spring treats
 * {@code taskQuota}, {@code task_quota} and {@code task-quota} alike), then by Damerau-Levenshtein
 * distance (optimal string alignment: a swap of two neighbours costs one edit).
 */
final class NearestKey {

    private NearestKey() {
    }

    /** The closest candidate, or {@code null} when none is close enough to be a likely typo. */
    static String nearest(String typed, Collection<String> candidates) {
        if (typed == null || candidates.isEmpty()) {
            return null;
        }
        String canonical = canonical(typed);
        for (String candidate : candidates) {
            if (canonical(candidate).equals(canonical)) {
                return candidate;
            }
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(canonical, canonical(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        // Allow about one edit per three characters, and at least two: "shard" -> "shards",
        // "tsak-quota" -> "task-quota", "max-conections" -> "max-connections".
        int allowed = Math.max(2, canonical.length() / 3);
        return bestDistance <= allowed ? best : null;
    }

    /** A candidate that contains the typed fragment ("quota" in "task-quota"), or {@code null}. */
    static String containing(String typed, Collection<String> candidates) {
        String canonical = canonical(typed);
        if (canonical.length() < 4) {
            return null;
        }
        for (String candidate : candidates) {
            if (canonical(candidate).contains(canonical)) {
                return candidate;
            }
        }
        return null;
    }

    private static String canonical(String name) {
        return PropertyNames.kebabCase(name).toLowerCase(Locale.ROOT);
    }

    /** Optimal string alignment distance. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
