package io.percore.demo.resp;

import java.util.concurrent.atomic.AtomicLong;

/** Per-connection state that more than one handler of the pipeline reads. Shard-confined. */
public final class RespSession {

    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final long id = NEXT_ID.getAndIncrement();
    private final long createdMillis = System.currentTimeMillis();
    private final long createdNanos = System.nanoTime();
    boolean authenticated;
    String name;
    String libName;
    String libVersion;
    /** The connection said {@code HELLO 3}: replies are written in RESP3. */
    boolean resp3;

    // Hooks for the features other parts add; CLIENT LIST reports them and RESET clears them.
    /** Commands queued in MULTI, or -1 outside MULTI (CLIENT LIST's multi, flag x). */
    public int multi = -1;
    /** Channels, patterns and shard channels subscribed to (CLIENT LIST's sub, psub, ssub; flag P). */
    public int subscriptions;
    public int patternSubscriptions;
    public int shardSubscriptions;
    /** Blocked in a blocking command (flag b; no idle timeout while blocked). */
    public boolean blocked;
    /** Runs for RESET after the connection's own state is cleared: MULTI/WATCH and pub/sub register theirs here. */
    public Runnable onReset;

    RespSession(boolean authenticated) {
        this.authenticated = authenticated;
    }

    public long id() {
        return id;
    }

    public boolean authenticated() {
        return authenticated;
    }

    /** Whether replies are written in RESP3 ({@code HELLO 3}) rather than RESP2. */
    public boolean resp3() {
        return resp3;
    }

    public long createdMillis() {
        return createdMillis;
    }

    long createdNanos() {
        return createdNanos;
    }

    public String name() {
        return name;
    }

    boolean blocked() {
        return blocked;
    }

    int subscriptions() {
        return subscriptions + patternSubscriptions + shardSubscriptions;
    }

    /** Redis's clearClientConnectionState for what the session holds: RESP2, no name, authentication as for a new connection. */
    void reset(boolean authenticatedWithoutPassword) {
        resp3 = false;
        name = null;
        authenticated = authenticatedWithoutPassword;
        if (onReset != null) {
            onReset.run();
        }
        multi = -1;
        subscriptions = 0;
        patternSubscriptions = 0;
        shardSubscriptions = 0;
    }
}
