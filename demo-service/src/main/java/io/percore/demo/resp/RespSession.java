package io.percore.demo.resp;

import java.util.concurrent.atomic.AtomicLong;

/** Per-connection state that more than one handler of the pipeline reads. Shard-confined. */
public final class RespSession {

    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final long id = NEXT_ID.getAndIncrement();
    private final long createdMillis = System.currentTimeMillis();
    boolean authenticated;
    String name;
    String libName;
    String libVersion;
    /** The connection said {@code HELLO 3}: replies are written in RESP3. */
    boolean resp3;

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
}
