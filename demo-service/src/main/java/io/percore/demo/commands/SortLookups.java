package io.percore.demo.commands;

import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.util.List;

/**
 * The values SORT's BY and GET patterns name for a run of elements, read from the shards that own
 * the keys: for element {@code i} and pattern {@code p}, the string at the pattern's key, or the
 * field of the hash there, or null (a missing key, another type, a pattern without {@code *});
 * {@code #} is the element itself.
 *
 * <p>The work goes in steps of at most {@link #LOOKUPS_PER_STEP} lookups: one message to each
 * shard that owns some of the step's keys, the next step once all have answered, started as a new
 * task on the calling shard. So a SORT of a million elements with GET patterns is thousands of
 * short tasks on every shard it touches, between which each shard serves its other clients, never
 * one long stall (a shard's lookups of one step take well under a millisecond).
 */
final class SortLookups {

    static final int LOOKUPS_PER_STEP = 1024;

    private final Keyspace keyspace;
    private final byte[][] subjects;
    private final SortPattern[] patterns;
    /** For subject {@code i} and pattern {@code p}: {@code values[i * patterns.length + p]}. */
    private final byte[][] values;
    private final ShardPromise<byte[][]> done = new ShardPromise<>();
    private int next;

    private SortLookups(Keyspace keyspace, byte[][] subjects, List<SortPattern> patterns) {
        this.keyspace = keyspace;
        this.subjects = subjects;
        this.patterns = patterns.toArray(new SortPattern[0]);
        this.values = new byte[subjects.length * this.patterns.length][];
    }

    /** The values of every pattern for every subject, subject-major; runs on the calling shard. */
    static ShardFuture<byte[][]> of(Keyspace keyspace, byte[][] subjects, List<SortPattern> patterns) {
        SortLookups lookups = new SortLookups(keyspace, subjects, patterns);
        lookups.step();
        return lookups.done;
    }

    /** One step; a failure fails the lookups rather than a task nobody waits for (the SORT would never answer). */
    private void step() {
        try {
            stepOrThrow();
        } catch (RuntimeException e) {
            done.fail(e);
        }
    }

    private void stepOrThrow() {
        int total = values.length;
        int shards = keyspace.shardCount();
        int[] counts = new int[shards];
        int end = next;
        int lookups = 0;
        // fill what needs no key, and count the keys of this step per shard
        byte[][] keys = new byte[Math.min(LOOKUPS_PER_STEP, total - next)][];
        int[] owners = new int[keys.length];
        int[] requests = new int[keys.length];
        // bounded too when few patterns name keys (GET #): at most 16 steps' worth of plain copies
        while (end < total && lookups < LOOKUPS_PER_STEP && end - next < 16 * LOOKUPS_PER_STEP) {
            int r = end++;
            SortPattern p = patterns[r % patterns.length];
            byte[] subject = subjects[r / patterns.length];
            switch (p.kind()) {
                case ELEMENT -> values[r] = subject;
                case NONE -> values[r] = null;
                case KEY -> {
                    keys[lookups] = p.key(subject);
                    owners[lookups] = keyspace.shardOf(keys[lookups]);
                    requests[lookups] = r;
                    counts[owners[lookups]]++;
                    lookups++;
                }
            }
        }
        next = end;
        if (lookups == 0) {
            continueOrFinish();
            return;
        }
        int[] pending = {0};
        for (int s = 0; s < shards; s++) {
            if (counts[s] > 0) {
                pending[0]++;
            }
        }
        for (int s = 0; s < shards; s++) {
            if (counts[s] == 0) {
                continue;
            }
            byte[][] shardKeys = new byte[counts[s]][];
            byte[][] fields = new byte[counts[s]][];
            int[] slots = new int[counts[s]];
            for (int i = 0, k = 0; i < lookups; i++) {
                if (owners[i] == s) {
                    shardKeys[k] = keys[i];
                    fields[k] = patterns[requests[i] % patterns.length].field();
                    slots[k++] = requests[i];
                }
            }
            keyspace.invokeOn(s, st -> lookup(st.store(), shardKeys, fields)).whenComplete((found, failure) -> {
                if (done.isDone()) {
                    return;
                }
                if (failure != null) {
                    done.fail(failure);
                    return;
                }
                for (int k = 0; k < slots.length; k++) {
                    values[slots[k]] = found[k];
                }
                if (--pending[0] == 0) {
                    try {
                        continueOrFinish();
                    } catch (RuntimeException e) {
                        done.fail(e);
                    }
                }
            });
        }
    }

    private void continueOrFinish() {
        if (next == values.length) {
            done.complete(values);
        } else {
            Shard.current().execute(this::step); // a new task: the shard serves others in between
        }
    }

    /** On the owning shard: each key's string, or its hash's field; null for a missing key or another type. */
    private static byte[][] lookup(ValueStore ks, byte[][] keys, byte[][] fields) {
        long now = System.currentTimeMillis();
        byte[][] found = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            ValueType type = ks.typeOf(keys[i], now);
            if (type == null) {
                ks.missed(keys[i]); // Redis's lookupKeyByPattern reads it with lookupKeyRead: a miss, its keymiss event
            } else if (fields[i] == null) {
                found[i] = type == ValueType.STRING ? ks.readString(keys[i], now) : null;
            } else if (type == ValueType.HASH) {
                HashValue hash = ks.readHash(keys[i], now);
                found[i] = hash.get(fields[i]);
            }
        }
        return found;
    }
}
