package io.percore.spring.boot.autoconfigure.metrics;

/**
 * Names of the meters the starter publishes (Micrometer, dot-separated; Prometheus turns
 * {@code percore.tasks.run} into {@code percore_tasks_run_total}). The Grafana dashboard and
 * the Helm chart use the Prometheus forms.
 */
public final class PercoreMeterNames {

    public static final String SHARD_TAG = "shard";
    public static final String GROUP_TAG = "group";
    public static final String SERVER_TAG = "server";
    public static final String UPSTREAM_TAG = "upstream";
    public static final String ENDPOINT_TAG = "endpoint";

    public static final String SHARDS = "percore.shards";
    public static final String SHARD_UTILIZATION = "percore.shard.utilization";
    public static final String TASKS_RUN = "percore.tasks.run";
    public static final String TASKS_FAILED = "percore.tasks.failed";
    public static final String TASK_QUEUE_LENGTH = "percore.task.queue.length";
    public static final String FOREIGN_QUEUE_LENGTH = "percore.foreign.queue.length";
    public static final String GROUP_RUNTIME = "percore.scheduling.group.runtime";
    public static final String CROSSSHARD_SENT = "percore.crossshard.messages.sent";
    public static final String CROSSSHARD_RECEIVED = "percore.crossshard.messages.received";
    public static final String CROSSSHARD_OVERFLOWED = "percore.crossshard.messages.overflowed";
    public static final String STALLS = "percore.stalls";
    /** Total length of the stalls that have ended (their true length, see the stall reports). */
    public static final String STALL_TIME = "percore.stalls.duration";
    public static final String TIMERS_FIRED = "percore.timers.fired";
    public static final String SHARD_BUSY_TIME = "percore.shard.busy.time";
    public static final String SHARD_IDLE_TIME = "percore.shard.idle.time";
    public static final String SHARD_LOOP_ITERATIONS = "percore.shard.loop.iterations";
    public static final String SHARD_WAKEUPS = "percore.shard.wakeups";
    /** Loop turns taken between two completions of a long io_uring poll (saturating I/O). */
    public static final String SHARD_TURNS_INSIDE_POLL = "percore.shard.loop.turns.inside.poll";
    public static final String SHARD_LAST_TURN_AGE = "percore.shard.last.turn.age";
    public static final String TASK_LATENCY = "percore.task.latency";

    public static final String NETTY_MEMORY_USED = "percore.netty.allocator.memory.used";
    public static final String NETTY_MEMORY_PINNED = "percore.netty.allocator.memory.pinned";
    public static final String NETTY_ARENAS = "percore.netty.allocator.arenas";
    public static final String NETTY_THREAD_LOCAL_CACHES = "percore.netty.allocator.threadlocal.caches";
    public static final String NETTY_CHUNK_SIZE = "percore.netty.allocator.chunk.size";

    // Servers of percore.servers (tags server, shard). Byte counters are named for the direction
    // only: with base unit bytes Prometheus renders percore.server.received as
    // percore_server_received_bytes_total (a name with "bytes" in it would say it twice).
    public static final String SERVER_CONNECTIONS_OPEN = "percore.server.connections.open";
    public static final String SERVER_CONNECTIONS_ACCEPTED = "percore.server.connections.accepted";
    public static final String SERVER_CONNECTIONS_REJECTED = "percore.server.connections.rejected";
    public static final String SERVER_CONNECTIONS_IDLE_CLOSED = "percore.server.connections.idle.closed";
    public static final String SERVER_REQUESTS_TOO_LARGE = "percore.server.requests.too.large";
    public static final String SERVER_RECEIVED = "percore.server.received";
    public static final String SERVER_SENT = "percore.server.sent";
    /** Changes of the configuration files seen while running, tag {@code outcome}: applied, restart-required, refused, unchanged. */
    public static final String CONFIG_RELOADS = "percore.config.reloads";
    /** TLS handshakes completed, and failed (plain text on the TLS port, refused certificates, timeouts, peers gone). */
    public static final String SERVER_TLS_HANDSHAKES = "percore.server.tls.handshakes";
    public static final String SERVER_TLS_HANDSHAKE_FAILURES = "percore.server.tls.handshake.failures";
    /** Requests by the protocol's own tags (RESP: command, outcome; HTTP: method, status). */
    public static final String SERVER_REQUESTS = "percore.server.requests";
    /** Server-side latency of every reply (count and sum): from the read burst carrying the request to the flush of its reply. */
    public static final String SERVER_REQUEST_DURATION = "percore.server.request.duration";
    /**
     * The same latencies as cumulative buckets with an {@code le} tag (seconds), so
     * {@code histogram_quantile} works on {@code percore_server_request_duration_buckets_total}.
     */
    public static final String SERVER_REQUEST_DURATION_BUCKETS = "percore.server.request.duration.buckets";
    public static final String LE_TAG = "le";

    // Clients of percore.clients (tags upstream, shard; endpoint meters add endpoint).
    public static final String UPSTREAM_REQUESTS = "percore.upstream.requests";
    public static final String UPSTREAM_FAILURES = "percore.upstream.failures";
    public static final String UPSTREAM_RETRIES = "percore.upstream.retries";
    public static final String UPSTREAM_RETRIES_DENIED = "percore.upstream.retries.denied";
    public static final String UPSTREAM_NO_HEALTHY_ENDPOINT = "percore.upstream.no.healthy.endpoint";
    public static final String UPSTREAM_ENDPOINTS = "percore.upstream.endpoints";
    public static final String UPSTREAM_ENDPOINT_PICKS = "percore.upstream.endpoint.picks";
    public static final String UPSTREAM_ENDPOINT_FAILURES = "percore.upstream.endpoint.failures";
    public static final String UPSTREAM_ENDPOINT_EJECTIONS = "percore.upstream.endpoint.ejections";
    public static final String UPSTREAM_ENDPOINT_AVAILABLE = "percore.upstream.endpoint.available";
    public static final String UPSTREAM_ENDPOINT_OUTSTANDING = "percore.upstream.endpoint.outstanding";
    public static final String POOL_CONNECTIONS_ACTIVE = "percore.upstream.pool.connections.active";
    public static final String POOL_CONNECTIONS_IDLE = "percore.upstream.pool.connections.idle";
    public static final String POOL_CONNECTIONS_CONNECTING = "percore.upstream.pool.connections.connecting";
    public static final String POOL_ACQUISITIONS_PENDING = "percore.upstream.pool.acquisitions.pending";
    /** Not "created": Prometheus clients strip a "_created" suffix (reserved for the creation timestamp). */
    public static final String POOL_CONNECTIONS_CREATED = "percore.upstream.pool.connections.opened";
    public static final String POOL_CONNECTIONS_CLOSED = "percore.upstream.pool.connections.closed";
    public static final String POOL_CONNECT_FAILURES = "percore.upstream.pool.connect.failures";
    public static final String POOL_ACQUIRE = "percore.upstream.pool.acquire";
    /** Named like a Timer's max ({@code <name>_seconds_max}), the one pattern for maxima. */
    public static final String POOL_ACQUIRE_MAX = "percore.upstream.pool.acquire.seconds.max";
    public static final String POOL_ACQUIRE_REJECTED = "percore.upstream.pool.acquire.rejected";
    public static final String POOL_ACQUIRE_TIMEOUTS = "percore.upstream.pool.acquire.timeouts";

    private PercoreMeterNames() {
    }
}
