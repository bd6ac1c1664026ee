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

    RespSession(boolean authenticated) {
        this.authenticated = authenticated;
    }

    public long id() {
        return id;
    }

    public boolean authenticated() {
        return authenticated;
    }

    public long createdMillis() {
        return createdMillis;
    }
}
