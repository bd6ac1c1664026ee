package io.percore.demo.replication;

/**
 * What a connection asking for the stream (SYNC or PSYNC) said of itself: Redis's client fields and flags of a replica.
 *
 * @param clientId      the connection's client id
 * @param ip            its address as INFO shows it ({@code REPLCONF ip-address}, else the peer's)
 * @param listeningPort {@code REPLCONF listening-port} (0: not said)
 * @param capaEof       {@code REPLCONF capa eof}: it reads a snapshot streamed between EOF marks (a diskless full sync)
 * @param preSync       it asked with the old {@code SYNC} (Redis's {@code CLIENT_PRE_PSYNC}, as {@code redis-cli --rdb} and
 *                      {@code --replica}): no {@code +FULLRESYNC} line before the snapshot, and no acks expected of it
 * @param rdbOnly       {@code REPLCONF rdb-only 1} (Redis's {@code CLIENT_REPL_RDBONLY}, {@code redis-cli --rdb}): it wants the
 *                      snapshot alone, and is disconnected once it is sent
 */
public record SyncRequest(long clientId, String ip, int listeningPort, boolean capaEof, boolean preSync, boolean rdbOnly) {
}
