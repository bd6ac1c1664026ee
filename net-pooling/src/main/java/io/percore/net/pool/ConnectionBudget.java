package io.percore.net.pool;

/**
 * Connections one shard may open to one upstream service over all of its endpoints. Shard-local,
 * so a plain int suffices.
 */
public final class ConnectionBudget {

    private int max;
    private int used;

    public ConnectionBudget(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max-connections must be >= 1, got " + max);
        }
        this.max = max;
    }

    /** An unlimited budget (each pool's own limit applies). */
    public static ConnectionBudget unlimited() {
        return new ConnectionBudget(Integer.MAX_VALUE);
    }

    boolean tryReserve() {
        if (used >= max) {
            return false;
        }
        used++;
        return true;
    }

    void release() {
        used--;
    }

    /**
     * A new limit (live configuration), on the shard's thread. Connections over a lowered limit are
     * not closed here: their pools close them as they come back ({@link ConnectionPool#resize}).
     */
    public void resize(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max-connections must be >= 1, got " + max);
        }
        this.max = max;
    }

    public int used() {
        return used;
    }

    public int max() {
        return max;
    }
}
