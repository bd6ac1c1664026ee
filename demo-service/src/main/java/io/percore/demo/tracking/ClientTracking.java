package io.percore.demo.tracking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * One client's CLIENT TRACKING settings (Redis's {@code CLIENT_TRACKING*} flags, its redirection
 * and its BCAST prefixes), kept by its connection on its home shard. Touched only there.
 */
public final class ClientTracking {

    boolean bcast;
    boolean optin;
    boolean optout;
    boolean noloop;
    /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) was given for the next command. */
    boolean caching;
    boolean brokenRedirect;
    /** The client its invalidations go to (0: itself), and the shard that client lives on. */
    long redirect;
    int redirectShard;
    /** Its BCAST prefixes, in Redis's order (byte by byte). */
    private final List<byte[]> prefixes = new ArrayList<>();
    /** Shards that may remember keys it read: told when it disconnects. */
    final BitSet readOn = new BitSet();

    public boolean bcast() {
        return bcast;
    }

    public boolean optin() {
        return optin;
    }

    public boolean optout() {
        return optout;
    }

    public boolean noloop() {
        return noloop;
    }

    public boolean caching() {
        return caching;
    }

    public boolean brokenRedirect() {
        return brokenRedirect;
    }

    /** The client id its invalidations are redirected to, 0 for none (CLIENT GETREDIR). */
    public long redirect() {
        return redirect;
    }

    /** Its BCAST prefixes in Redis's order (CLIENT TRACKINGINFO). */
    public List<byte[]> prefixes() {
        return List.copyOf(prefixes);
    }

    /** CLIENT CACHING YES|NO: applies to the next command (or the next transaction) only. */
    public void caching(boolean given) {
        caching = given;
    }

    /**
     * Whether a read-only command now should have its keys remembered (Redis's
     * {@code trackingRememberKeys}): never in BCAST mode, with OPTIN only after CLIENT CACHING YES,
     * with OPTOUT unless CLIENT CACHING NO.
     */
    public boolean remembersReads() {
        return !bcast && (optin ? caching : !optout || !caching);
    }

    /**
     * What the shards its command reaches must know of it: who runs it, when it is NOLOOP, and the keys
     * a read should remember ({@code keys} and their {@code owners}, or null); null when nothing.
     */
    public TrackedCommand command(long client, int home, byte[][] keys, int[] owners) {
        if (keys == null && !noloop) {
            return null;
        }
        if (owners != null) {
            for (int owner : owners) {
                readOn.set(owner);
            }
        }
        return new TrackedCommand(client, home, keys, owners);
    }

    /** Whether {@code prefix} would notify a key another of its prefixes notifies (one is a prefix of the other). */
    public byte[] overlapping(byte[] prefix) {
        for (byte[] p : prefixes) {
            if (overlap(p, prefix)) {
                return p;
            }
        }
        return null;
    }

    public static boolean overlap(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        return Arrays.equals(a, 0, n, b, 0, n);
    }

    /** Adds the prefixes it does not have yet; @return those added. */
    List<byte[]> addPrefixes(List<byte[]> more) {
        List<byte[]> added = new ArrayList<>();
        for (byte[] p : more) {
            if (prefixes.stream().noneMatch(q -> Arrays.equals(q, p))) {
                prefixes.add(p);
                added.add(p);
            }
        }
        prefixes.sort(Arrays::compareUnsigned);
        return added;
    }

    void clearPrefixes() {
        prefixes.clear();
    }

    int prefixCount() {
        return prefixes.size();
    }
}
