package io.percore.spring.boot.autoconfigure;

/**
 * The order in which a Percore application shuts down, one step per {@code SmartLifecycle}
 * phase. Spring stops higher phases first and starts lower phases first, so the steps below stop
 * top to bottom and start bottom to top:
 *
 * <ol>
 *   <li>{@link #SERVERS} stop accepting: no new connection, no new work;</li>
 *   <li>{@link #IN_FLIGHT_DRAIN}: the requests already accepted finish, then their connections close;</li>
 *   <li>{@link #CLIENTS}: the upstream client pools close, now that no request can send through them;</li>
 *   <li>{@link #SERVICES}: sharded services stop, on their own shards;</li>
 *   <li>{@link #ENGINE}: the shards drain their queues and stop.</li>
 * </ol>
 *
 * All of them stop after Spring's own web server, which may still call into the shards while it
 * drains (its graceful shutdown runs at {@code Integer.MAX_VALUE - 1024}, its stop at
 * {@code WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE}, {@code Integer.MAX_VALUE - 2048}).
 * This is the only place that knows phase numbers: a lifecycle bean takes its step's
 * {@link #phase()}. Each step waits at most {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
public enum PercoreShutdownOrder {

    SERVERS,
    IN_FLIGHT_DRAIN,
    CLIENTS,
    SERVICES,
    ENGINE;

    /**
     * 1024 below the web server's start/stop phase. Written as a number because the starter must
     * not need spring-boot-web-server; a test checks it against the real constants.
     */
    private static final int ENGINE_PHASE = Integer.MAX_VALUE - 3072;
    /** Room between two steps, so an application can place a bean of its own between them. */
    private static final int STEP = 128;

    /** The {@code SmartLifecycle} phase of this step. */
    public int phase() {
        return ENGINE_PHASE + (ENGINE.ordinal() - ordinal()) * STEP;
    }
}
